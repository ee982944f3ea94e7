// SPDX-License-Identifier: MIT
// Tests of harness/engine/moves.cpp: a trial moves while its attempt asks to, at most kMaxMoves
// times, notes each move, and turns an exception into an error of the trial.
#include "engine/moves.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace gradcheck;

namespace {

// An attempt that asks to move while x < `stay_from`, recording the points it saw.
struct Kinky {
  double stay_from;
  std::vector<double>* seen;
  Attempt operator()(const std::vector<arma::mat>& values) const {
    seen->push_back(values[0](0, 0));
    Attempt a;
    a.result.status = Status::kPass;
    a.result.notes = {"own note"};
    if (values[0](0, 0) < stay_from) a.move_because = "a kink at x = " + std::to_string(int(values[0](0, 0)));
    return a;
  }
};

Problem resampling() {
  Problem p;
  p.resample = [](int, int move) { return std::vector<arma::mat>{arma::mat(1, 1, arma::fill::value(10.0 * move))}; };
  return p;
}

const std::vector<arma::mat> kStart{arma::mat(1, 1, arma::fill::zeros)};

}  // namespace

TEST(Moves, MovesWhileAskedAndNotesEachMove) {
  std::vector<double> seen;
  const TrialResult r = run_with_moves(resampling(), FdOptions{}, 0, kStart, Kinky{15, &seen});
  EXPECT_EQ(seen, (std::vector<double>{0, 10, 20}));
  EXPECT_EQ(r.status, Status::kPass);
  EXPECT_EQ(r.notes, (std::vector<std::string>{"moved to another point: a kink at x = 0",
                                               "moved to another point: a kink at x = 10", "own note"}));
}

TEST(Moves, AtMostTwoMoves) {
  std::vector<double> seen;
  const TrialResult r = run_with_moves(resampling(), FdOptions{}, 0, kStart, Kinky{1e9, &seen});
  EXPECT_EQ(seen.size(), 1u + kMaxMoves);
  EXPECT_EQ(r.notes.size(), 1u + kMaxMoves);
}

TEST(Moves, NoResampleStaysAtThePoint) {
  std::vector<double> seen;
  const TrialResult r = run_with_moves(Problem{}, FdOptions{}, 0, kStart, Kinky{1e9, &seen});
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(r.notes, (std::vector<std::string>{"own note"}));
}

TEST(Moves, AnExceptionIsAnErrorOfTheTrial) {
  const TrialResult r = run_with_moves(Problem{}, FdOptions{}, 3, kStart, [](const std::vector<arma::mat>&) -> Attempt {
    throw std::runtime_error("f returned a 2x2 result, declared 1x1");
  });
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.trial, 3);
  EXPECT_EQ(r.error, "f returned a 2x2 result, declared 1x1");
  EXPECT_EQ(r.fd.method, "central");
  EXPECT_GT(r.fd.step, 0.0);
}

TEST(Moves, AFailingResampleEndsTheMovesWithANote) {
  Problem p;
  p.resample = [](int, int) -> std::vector<arma::mat> { throw std::runtime_error("init has no other point"); };
  std::vector<double> seen;
  const TrialResult r = run_with_moves(p, FdOptions{}, 0, kStart, Kinky{1e9, &seen});
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(r.notes, (std::vector<std::string>{"moved to another point: a kink at x = 0",
                                               "could not draw another point: init has no other point", "own note"}));
}
