// SPDX-License-Identifier: MIT
// Reports: format results computed by the engine. Nothing here computes a derivative.
#pragma once

#include <string>
#include <vector>

#include "gradcheck/result.hpp"

namespace gradcheck::report {

struct TextOptions {
  bool verbose = false;   // also list every trial and the entries of passing checks
  bool quiet = false;     // only failing/erroring cases and the closing line
  bool color = false;     // ANSI colours (only on a terminal)
  int worst_entries = 10; // rows of the worst-entries table of a failing check
};

// The whole run as text: one line per check, a block for each failing check (worst entries
// table in the variable's own indices, then the diagnoses), and the closing line
// `N passed, N failed, N errors`.
std::string text(const RunResult& run, const TextOptions& options = {});
// The block of one check: its line, and for a failure the table and diagnoses. Used by the
// text report, the JUnit failure text and the GoogleTest assertions (one formatting, not three).
std::string check_text(const CaseResult& c, const CheckResult& check, const TextOptions& options = {});
// The closing line alone: "12 passed, 1 failed, 0 errors".
std::string closing_line(const Summary& summary);

std::string json(const RunResult& run);      // gradcheck-report.json, schema 1 (see the spec)
std::string junit(const RunResult& run);     // gradcheck-report.xml: a testcase per check
std::string markdown(const RunResult& run);  // gradcheck-report.md: for a CI job summary
std::string html(const RunResult& run);      // gradcheck-report.html: one self-contained file

// Writes `content` to `path` atomically: a temporary file in the same folder, then rename,
// so a reader never sees half a file. Creates missing folders. Throws gradcheck::Error
// "report.io" naming the path and the system's reason.
void write_atomically(const std::string& path, const std::string& content);

// Writes the formats named in `formats` ("text", "json", "junit", "markdown", "html") into
// `dir` under their standard file names; returns the paths written.
std::vector<std::string> write_reports(const RunResult& run, const std::vector<std::string>& formats,
                                       const std::string& dir, const TextOptions& text_options = {});

// Regression runs: a baseline JSON report against a current one.
struct CheckKey {
  std::string case_name, file, wrt, layout, form;
};
struct Change {
  std::string case_name;
  std::string check;          // "dq/dB denominator auto" style description, "" for the case
  std::string before, after;  // statuses
  double error_before = 0.0;  // max_rel_error
  double error_after = 0.0;
};
struct Comparison {
  std::vector<Change> regressions;  // was pass/xfail, now fail/error/xpass
  std::vector<Change> fixes;        // was fail/error/xpass, now pass/xfail
  std::vector<Change> grown;        // still passing, max_rel_error grew by more than the factor
  std::vector<std::string> added;   // cases only in current
  std::vector<std::string> removed; // cases only in baseline
  bool regressed() const { return !regressions.empty() || !grown.empty(); }
};
struct CompareOptions {
  // A passing check whose max_rel_error grew by more than this factor is listed as grown
  // (errors below `floor` on both sides are noise and never count).
  double growth_factor = 10.0;
  double floor = 1e-12;
};
// Reads two JSON reports (throws gradcheck::Error "report.read" with file and reason).
Comparison compare_files(const std::string& baseline_path, const std::string& current_path,
                         const CompareOptions& options = {});
// Compares a baseline report file to a run held in memory (run --baseline).
Comparison compare_run(const std::string& baseline_path, const RunResult& current,
                       const CompareOptions& options = {});
std::string comparison_text(const Comparison& comparison);

}  // namespace gradcheck::report
