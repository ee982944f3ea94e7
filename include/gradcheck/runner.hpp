// SPDX-License-Identifier: MIT
// Runs case files: parsed cases -> instances (one per combination of list dims) -> checks.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gradcheck/case.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck {

struct RunOptions {
  std::uint64_t seed = 42;               // for cases that set no seed of their own
  std::optional<double> rtol, atol;      // override every case's tolerance
  int jobs = 1;                          // cases in parallel; results keep the input order
  std::string filter;                    // glob (* ?) on case names; plain text matches a substring
  int shard_index = 0, shard_count = 1;  // run instances i with i % shard_count == shard_index
  bool diagnose = true;
  // Cases whose `expression` or `expected` is "program:NAME" start their "program" only when
  // this is set (`run --allow-programs`, GRADCHECK_ALLOW_PROGRAMS=1); otherwise they are errors
  // (case.program) saying how to allow them. A case file alone never executes code.
  bool allow_programs = false;
  // run --mode: the mode of every check that sets none ("mode" in the file wins); unset: entrywise.
  std::optional<Mode> mode;
  // run --probes: probes per trial of directional checks (Options::probes).
  std::optional<int> probes;
  // Called after each case (from worker threads, serialised): done, total, the case.
  std::function<void(std::size_t, std::size_t, const CaseResult&)> progress;
};

// Loads and runs every file. Files that cannot be loaded, and cases that cannot be evaluated,
// become cases with status error; they never stop the others.
RunResult run_files(const std::vector<std::string>& files, const RunOptions& options);
// Runs already-loaded files (their load errors included as error cases).
RunResult run_loaded(const std::vector<LoadedFile>& files, const RunOptions& options);

// Validates files without running them: loading, then every expression compiled against every
// combination of dims. Returns every problem as a printable line (file:line:col: error [id] ...).
std::vector<std::string> lint_files(const std::vector<std::string>& files);

// Does `name` match `filter` (glob with * and ?, or a substring when it has neither)?
bool matches_filter(const std::string& name, const std::string& filter);

}  // namespace gradcheck
