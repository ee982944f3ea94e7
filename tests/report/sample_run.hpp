// SPDX-License-Identifier: MIT
// A realistic run, filled by hand, for the report tests (the engine is not needed):
//
//   cases/seeds/bilinear.json   bilinear_wrt_B          pass   (two passing checks)
//                               bilinear_wrong_layout   fail   (layout-transposed + scale, 4x3 vs 3x4
//                                                               matrices, error against step)
//   cases/known_wrong.json      softmax_sign            xfail  (diagnosis sign)
//                               trace_known_wrong       xpass
//   cases/broken.json           broken_shape            error  (a caret excerpt)
#pragma once

#include <sstream>

#include <fstream>

#include <filesystem>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gradcheck/result.hpp"

namespace gradcheck::testing {

// The whole content of a file ("" if it cannot be read).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// How often `what` occurs in `text`.
inline int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}


inline EntryError sample_entry(std::vector<arma::uword> index, const std::string& label, double analytic,
                               double numeric, double atol = 1e-7) {
  EntryError e;
  e.index = std::move(index);
  e.label = label;
  e.analytic = analytic;
  e.numeric = numeric;
  e.abs_error = std::abs(analytic - numeric);
  e.rel_error = e.abs_error / std::max(std::abs(numeric), atol);
  return e;
}

inline FdInfo sample_fd(std::uint64_t evaluations) {
  FdInfo fd;
  fd.method = "central";
  fd.step = 6.055454452393343e-06;
  fd.evaluations = evaluations;
  return fd;
}

// A passing check: figures near rounding, one trial per entry of `trials`.
inline CheckResult passing_check(const std::string& wrt, const std::string& layout, double max_rel, int trials = 3) {
  CheckResult k;
  k.wrt = wrt;
  k.layout = layout;
  k.form = "auto";
  k.expected = layout == "denominator" ? "A' * wa * wb'" : "B * wb * wa'";
  k.convention = "entries independent";
  k.wanted_shape = "3x4";
  k.status = Status::kPass;
  k.max_abs_error = 1.2e-10;
  k.max_rel_error = max_rel;
  k.rel_error_norm = 2.0e-10;
  k.worst = sample_entry({2, 0}, wrt + "(2,0)", 0.51, 0.5100000001);
  k.fd = sample_fd(24);
  for (int t = 0; t < trials; ++t) {
    TrialResult trial;
    trial.trial = t;
    trial.max_abs_error = k.max_abs_error / (t + 1);
    trial.max_rel_error = max_rel / (t + 1);
    trial.rel_error_norm = k.rel_error_norm;
    trial.worst = k.worst;
    trial.fd = k.fd;
    trial.time_ms = 0.1;
    k.trials.push_back(trial);
  }
  k.time_ms = 0.1 * trials;
  return k;
}

// The failing check: `expected` is 1/2 times the derivative in the other layout (B is 4x4, so the
// transpose has the wanted shape), found at trial 1 of 2.
inline CheckResult failing_check() {
  CheckResult k;
  k.wrt = "B";
  k.layout = "denominator";
  k.form = "auto";
  k.expected = "0.5 * B' * A";
  k.convention = "entries independent";
  k.wanted_shape = "4x4";
  k.status = Status::kFail;
  TrialResult t;
  t.trial = 1;
  t.status = Status::kFail;
  t.numeric = arma::mat(4, 4);
  for (arma::uword i = 0; i < 4; ++i)
    for (arma::uword j = 0; j < 4; ++j) t.numeric(i, j) = std::sin(1.0 + 3.0 * i + 1.7 * j) * (1.0 + i);
  t.analytic = 0.5 * t.numeric.t();
  t.fd = sample_fd(32);
  std::vector<EntryError> entries;
  for (arma::uword i = 0; i < 4; ++i)
    for (arma::uword j = 0; j < 4; ++j)
      entries.push_back(sample_entry({i, j}, "B(" + std::to_string(i) + "," + std::to_string(j) + ")",
                                     t.analytic(i, j), t.numeric(i, j)));
  std::sort(entries.begin(), entries.end(), [](const EntryError& a, const EntryError& b) { return a.abs_error > b.abs_error; });
  entries.resize(10);
  t.worst = entries.front();
  t.worst_entries = entries;
  t.max_abs_error = entries.front().abs_error;
  double max_rel = 0.0;
  for (const auto& e : entries) max_rel = std::max(max_rel, e.rel_error);
  t.max_rel_error = max_rel;
  t.rel_error_norm = arma::norm(t.analytic - t.numeric, "fro") / arma::norm(t.numeric, "fro");
  Diagnosis transposed{"layout-transposed",
                       "expected matches the finite differences once transposed: it is in numerator layout", {}};
  Diagnosis scale{"scale", "expected is 1/2 times the finite-difference derivative (once transposed)",
                  {{"factor", 0.5}}};
  t.diagnoses = {transposed, scale};
  // A wrong derivative: the error stays at |a - n| for every h, rounding only shows at tiny h.
  for (int e = -12; e <= -1; ++e) {
    double h = std::pow(10.0, e);
    t.error_vs_step.emplace_back(h, t.max_abs_error + 1e-16 / h + h * h);
  }
  t.time_ms = 0.3;

  TrialResult first;  // trial 0 failed as well; trial 1 holds the worst figures
  first.trial = 0;
  first.status = Status::kFail;
  first.max_abs_error = t.max_abs_error / 2;
  first.max_rel_error = t.max_rel_error / 2;
  first.worst = t.worst;
  first.fd = t.fd;
  first.time_ms = 0.3;
  k.trials = {first, t};
  k.worst_trial = 1;
  k.max_abs_error = t.max_abs_error;
  k.max_rel_error = t.max_rel_error;
  k.rel_error_norm = t.rel_error_norm;
  k.worst = t.worst;
  k.worst_entries = t.worst_entries;
  k.fd = t.fd;
  k.diagnoses = t.diagnoses;
  k.time_ms = 0.6;
  return k;
}

inline RunResult sample_run() {
  RunResult run;
  run.seed = 42;
  run.time_ms = 12.5;

  CaseResult pass;
  pass.name = "bilinear_wrt_B";
  pass.file = "cases/seeds/bilinear.json";
  pass.description = "q = wa' A B wb, the gradient with respect to B";
  pass.source = "math.stackexchange: derivative where the variable is a matrix";
  pass.tags = {"bilinear", "seed"};
  pass.dims = {{"N", 4}, {"D", 3}};
  pass.checks = {passing_check("B", "denominator", 3.4e-9), passing_check("A", "numerator", 5.0e-10)};
  pass.seed = 42;
  pass.time_ms = 0.6;
  run.cases.push_back(pass);

  CaseResult fail;
  fail.name = "bilinear_wrong_layout";
  fail.file = "cases/seeds/bilinear.json";
  fail.dims = {{"N", 4}};
  fail.status = Status::kFail;
  fail.checks = {failing_check()};
  fail.seed = 42;
  fail.time_ms = 0.6;
  run.cases.push_back(fail);

  CaseResult xfail;
  xfail.name = "softmax_sign";
  xfail.file = "cases/known_wrong.json";
  xfail.expect = "fail";
  xfail.expected_diagnosis = "sign";
  xfail.status = Status::kXfail;
  CheckResult sign = passing_check("z", "denominator", 2.0, 1);
  sign.status = Status::kFail;
  sign.expected = "-(softmax(z) - y)";
  sign.wanted_shape = "3x1";
  sign.max_abs_error = 0.8;
  sign.worst = sample_entry({1}, "z(1)", -0.4, 0.4);
  sign.worst_entries = {sign.worst, sample_entry({0}, "z(0)", 0.3, -0.3), sample_entry({2}, "z(2)", 0.1, -0.1)};
  sign.diagnoses = {{"sign", "expected is the negative of the finite-difference derivative", {{"factor", -1.0}}}};
  sign.trials[0].status = Status::kFail;
  sign.trials[0].analytic = arma::mat({0.3, -0.4, 0.1}).t();
  sign.trials[0].numeric = -sign.trials[0].analytic;
  xfail.checks = {sign};
  run.cases.push_back(xfail);

  CaseResult xpass;
  xpass.name = "trace_known_wrong";
  xpass.file = "cases/known_wrong.json";
  xpass.expect = "fail";
  xpass.status = Status::kXpass;
  xpass.checks = {passing_check("X", "denominator", 1.0e-11, 2)};
  run.cases.push_back(xpass);

  CaseResult error;
  error.name = "broken_shape";
  error.file = "cases/broken.json";
  error.status = Status::kError;
  error.error_id = "expr.shape";
  error.error =
      "cases/broken.json:7:19: [expr.shape] column 9: cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4\n"
      "  wa' * A * wb\n"
      "          ^";
  run.cases.push_back(error);

  run.summary.passed = 1;
  run.summary.failed = 2;  // fail + xpass
  run.summary.errors = 1;
  run.summary.expected_failures = 1;
  run.summary.unexpected_passes = 1;
  return run;
}

}  // namespace gradcheck::testing

#include "gradcheck/runner.hpp"

namespace gradcheck::testing {

// A real run of tests/data/verdict: an inconclusive check, a stated single precision (one check
// passing, one failing at a stated tolerance) and a complex-step reference.
inline RunResult verdict_run() {
  const std::string dir = std::string(GRADCHECK_TEST_DATA) + "/verdict/";
  return run_files({dir + "complex-step.json", dir + "inconclusive.json", dir + "single.json"}, RunOptions{});
}

// A case with two checks that read the same (wrt B, denominator, auto) and a third that does
// not: the first two are headed "... #1" and "... #2" in every format, the third has no index.
inline RunResult twin_checks_run() {
  RunResult run;
  CaseResult c;
  c.name = "twins";
  c.file = "cases/twins.json";
  c.checks = {passing_check("B", "denominator", 3.4e-9), passing_check("A", "numerator", 5.0e-10),
              passing_check("B", "denominator", 2.0e-9)};
  run.cases.push_back(c);
  run.summary.passed = 1;
  return run;
}

}  // namespace gradcheck::testing
