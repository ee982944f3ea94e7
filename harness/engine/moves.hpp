// SPDX-License-Identifier: MIT
// A trial and its moves, one rule for the entry-wise (check.cpp) and directional
// (directional.cpp) checks.
//
// A trial is attempted at its point; when the attempt asks to move (a kink or a value the
// reference cannot decide there: Attempt::move_because) and the problem can draw another point
// (Problem::resample), it is attempted again at problem.resample(trial, k) for k = 1, 2, ...,
// at most kMaxMoves times; the result is the last attempt's, with a note per move ("moved to
// another point: WHY") before its own notes. An exception from an attempt makes the trial an
// error (its message, and the method and base step of the differences it would have used); one
// from resample ends the moves with a note ("could not draw another point: WHY").
#pragma once

#include <armadillo>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"

namespace gradcheck {

constexpr int kMaxMoves = 2;  // a trial moves to at most this many other points

// What one attempt at one point found, besides the TrialResult's figures.
struct Attempt {
  TrialResult result;
  std::string move_because;  // why the point should move, if it can: "" to stay
};

// The trial `trial` from `point` by the rule above; time_ms is the time of all its attempts.
TrialResult run_with_moves(const Problem& problem, const FdOptions& fd, int trial, const std::vector<arma::mat>& point,
                           const std::function<Attempt(const std::vector<arma::mat>&)>& attempt);

}  // namespace gradcheck
