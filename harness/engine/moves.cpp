// SPDX-License-Identifier: MIT
// A trial and its moves; the rule is written in moves.hpp.
#include "engine/moves.hpp"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <limits>

#include "reference/reference.hpp"

namespace gradcheck {

TrialResult run_with_moves(const Problem& problem, const FdOptions& fd, int trial, const std::vector<arma::mat>& point,
                           const std::function<Attempt(const std::vector<arma::mat>&)>& attempt) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::vector<std::string> notes;
  std::vector<arma::mat> current = point;
  Attempt last;
  for (int move = 0;; ++move) {
    try {
      last = attempt(current);
    } catch (const std::exception& error) {
      last = Attempt{};
      last.result.trial = trial;
      last.result.status = Status::kError;
      last.result.error = error.what();
      last.result.fd.method = to_string(fd.method);
      last.result.fd.step = reference::base_step(fd, std::numeric_limits<double>::epsilon());
      break;
    }
    if (last.move_because.empty() || !problem.resample || move >= kMaxMoves) break;
    notes.push_back(fmt::format("moved to another point: {}", last.move_because));
    try {
      current = problem.resample(trial, move + 1);
    } catch (const std::exception& error) {
      notes.push_back(fmt::format("could not draw another point: {}", error.what()));
      break;
    }
  }
  TrialResult r = std::move(last.result);
  r.notes.insert(r.notes.begin(), notes.begin(), notes.end());
  r.time_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return r;
}

}  // namespace gradcheck
