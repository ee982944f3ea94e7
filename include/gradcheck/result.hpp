// SPDX-License-Identifier: MIT
// Results of checks, cases and runs: plain data computed by the engine, formatted by reports.
#pragma once

#include <armadillo>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "gradcheck/error.hpp"
#include "gradcheck/options.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck {

// Status: gradcheck/types.hpp.

// One finding about why a check failed: a stable code (see docs/diagnoses.md) and a
// sentence in the user's terms.
struct Diagnosis {
  std::string code;     // "shape-mismatch", "layout-transposed", "scale", "sign", ...
  std::string message;  // "expected is 1/16 = 1/m times the finite-difference derivative"
  // Optional figures, by name (e.g. {"factor", 0.0625} for `scale`).
  std::map<std::string, double> figures = {};
};

// One entry of the derivative, located three ways.
struct EntryError {
  std::vector<arma::uword> index;  // position in `expected` as written: (row, col), 0-based;
                                   // for form "index", one value per index letter
  std::string label;               // in the user's terms: "B(2,0)", "dz(1)/dW(1,2)", "Z[0,1]/H[2,3]"
  double analytic = 0.0;
  double numeric = 0.0;
  double abs_error = 0.0;          // |analytic - numeric|
  double rel_error = 0.0;          // |analytic - numeric| / max(|numeric|, atol)
};

// The reference derivative a check was decided against (see reference/reference.hpp).
struct ReferenceInfo {
  std::string method = "fd";       // "fd", "complex-step", "symbolic"
  std::string detail;              // "central differences, tightened by complex step"
  double max_error_bound = std::numeric_limits<double>::quiet_NaN();  // max over entries of the bound e
  std::uint64_t evaluations = 0;   // of f (real or complex) for the reference, tightening included
};

// One-sided slopes that disagree beyond their bounds at a step-independent gap: a kink.
struct KinkInfo {
  std::string label;               // "x(2)" or "dz(1)/dx(2)"
  double forward = 0.0;
  double backward = 0.0;
  bool jump = false;               // f itself jumps there (sign(x) at 0)
};

struct FdInfo {
  std::string method;              // "central", ...
  double step = 0.0;               // the base step c of the step rule (h_b = c * max(1,|x_b|))
  std::uint64_t evaluations = 0;   // evaluations of f for the numeric derivative
};

// What a directional check (Options::mode directional) measured; see engine/directional.hpp for
// the probes, their tolerance and the derivation of the miss probability.
struct DirectionalInfo {
  int probes = 0;             // random probes v' E u compared with v' J u that decided (passed or failed)
  // Undecided probes (a reference too wide next to the probe's tolerance, within 2 tol) replaced
  // by fresh ones: a check passes on its count of passing probes a trial (Options::probes).
  int replaced_probes = 0;
  int narrowing_probes = 0;   // further probes (on blocks of entries) that located the entry of a failure
  // The chance that a derivative wrong by more than `threshold` passed: (3/4)^probes
  // (for a check: probes of all trials, for a derivative that is wrong at every trial point).
  double miss_probability = std::numeric_limits<double>::quiet_NaN();
  int probes_for_one_in_a_million = 0;  // probes that bring miss_probability below 1e-6
  // A probe fails, with probability >= 1/4, when some entry (a,b) of expected is off by more than
  // threshold / max(1, |x_b|) (the probe's tolerance plus twice its reference's bound).
  double threshold = std::numeric_limits<double>::quiet_NaN();
  // The threshold is times 1 / (max(1, |x_a|) max(1, |y_b|)) instead: a Hessian of a black box,
  // whose probes weight both variables' entries by their scales (engine/directional.hpp).
  bool scaled_by_both = false;
  bool located = false;       // a failure narrowed down to an entry that fails alone (the worst entry)
};

// One check at one random point.
struct TrialResult {
  int trial = 0;                   // 0-based
  Status status = Status::kPass;   // kPass, kFail or kError
  // The figures are NaN when no entry was compared (a shape mismatch, f not finite, an error):
  // reports print them as "-" and null, never as a measurement.
  double max_abs_error = std::numeric_limits<double>::quiet_NaN();  // max over entries of |a - n|
  double max_rel_error = std::numeric_limits<double>::quiet_NaN();  // max of |a - n| / max(|n|, atol)
  double rel_error_norm = std::numeric_limits<double>::quiet_NaN();  // ||A - N||_F / max(||N||_F, atol)
  EntryError worst;                // the entry furthest outside the tolerance (largest
                                   // |a - n| / (atol + rtol |n|))
  std::vector<EntryError> worst_entries;  // failing checks: up to Options::worst_entries, worst first
  FdInfo fd;
  ReferenceInfo reference;
  std::string precision;           // "double" or "single": measured (precision auto) or stated
  std::string precision_evidence;  // how it was measured: "the rounding noise of f is 2.1e-16 of |f|"
  Tolerance tolerance;             // as applied (the precision's default unless stated)
  // The smallest relative mismatch this trial could have detected (see compare/compare.hpp).
  double resolution = std::numeric_limits<double>::quiet_NaN();
  std::string reason;              // kInconclusive: why nothing decided
  std::string reason_code;         // kInconclusive: "fd-noise", "ill-conditioned", "precision", "nonfinite-step"
  int undecided = 0;               // entries neither passing nor failing after tightening
  std::vector<KinkInfo> kinks;     // kinks seen at this point (a passing check is never silent about one)
  // What the harness did that the user should know: steps made one-sided, a point moved off a
  // kink or an ill-conditioned spot ("moved: x(2) sat on a kink").
  std::vector<std::string> notes;
  std::vector<Diagnosis> diagnoses;       // only for a failing trial; empty for a pass
  std::string error;                      // kError: what went wrong
  // Both sides, arranged as `expected` is written (for heatmaps). Filled for failing trials.
  arma::mat analytic;
  arma::mat numeric;
  // Error of the central difference at the worst entry against the step h (for a log-log plot):
  // pairs (h, |analytic - numeric(h)|). Filled for failing trials when Options::error_vs_step.
  std::vector<std::pair<double, double>> error_vs_step;
  // Taylor-remainder slope (Manopt's checkgradient), for a scalar f: along a random unit
  // direction d, r(t) = |f(x + t d) - f(x) - t <G, d>| is O(t^2) when G is the gradient and
  // O(t) when it is not; this is the fitted slope of log r against log t (about 2 for a right
  // gradient, about 1 for a wrong one). NaN when it does not apply (non-scalar f, a shape
  // mismatch) or cannot be measured (f linear along d: r(t) is rounding noise).
  double taylor_slope = std::numeric_limits<double>::quiet_NaN();
  DirectionalInfo directional;     // mode directional only
  double time_ms = 0.0;
};

// The correct `expected` of a failing check whose expression can be derived symbolically, in the
// check's own layout and form, shown only after the same check passed with it
// (harness/symbolic/suggest.hpp). `expected` is empty when there is none.
struct Suggestion {
  std::string expected;  // "A' * wa * wb'"
  std::string layout;    // "denominator" or "numerator"
  std::string form;      // "auto" or "vec"
};

// One check of a case (one element of "checks"), over all its trials.
struct CheckResult {
  std::string function = "f";      // the function's name in reports ("loss" from the C++ API)
  std::string wrt;                 // the variable
  std::string layout;              // "denominator" or "numerator"
  std::string form;                // "auto", "vec", "index"
  std::string order;               // "column-major" / "row-major" (form vec), else empty
  std::string indices;             // form index: "Z[i,l] / H[j,k]"
  std::string expected;            // the expected expression text (or "(callable)" from C++)
  std::string convention;          // how the derivative is taken, e.g. "entries independent" or
                                   // "symmetric: (i,j) and (j,i) move together"
  std::string wanted_shape;        // the shape the layout asks for, "4x3"
  std::string mode = "entrywise";  // "entrywise" or "directional" (Options::mode)
  DirectionalInfo directional;     // mode directional: over all trials
  // 2: a Hessian block (wrt then reads "x" or "x, y"; layout does not apply and is empty), or with
  // form "hvp" a Hessian-vector product along the variable `direction`.
  int derivative_order = 1;
  std::string direction;
  Status status = Status::kPass;   // worst over trials (error > fail > inconclusive > pass)
  // The figures of the worst trial (the first failing one if any), as in the JSON report; NaN
  // when nothing was compared.
  double max_abs_error = std::numeric_limits<double>::quiet_NaN();
  double max_rel_error = std::numeric_limits<double>::quiet_NaN();
  double rel_error_norm = std::numeric_limits<double>::quiet_NaN();
  EntryError worst;
  std::vector<EntryError> worst_entries;
  FdInfo fd;
  ReferenceInfo reference;         // of the worst trial
  std::string precision;
  std::string precision_evidence;
  Tolerance tolerance;
  double resolution = std::numeric_limits<double>::quiet_NaN();
  std::string reason;              // kInconclusive
  std::string reason_code;
  std::vector<KinkInfo> kinks;
  std::vector<std::string> notes;  // of every trial, prefixed "trial N: "
  std::vector<Diagnosis> diagnoses;
  Suggestion suggestion;           // failing checks with a derivable expression
  std::string error;
  std::vector<Error> errors;       // status error: the error as data (id, file, line, column, field)
  double taylor_slope = std::numeric_limits<double>::quiet_NaN();  // of the worst trial
  double time_ms = 0.0;            // all trials
  std::vector<TrialResult> trials;
  int worst_trial = 0;             // index into trials of the figures above
};

// One case (one combination of its dims, when dims are lists).
struct CaseResult {
  std::string name;                // with the dims for a list: "bilinear[N=3,D=5]"
  std::string file;
  std::string description;
  std::string source;
  std::vector<std::string> tags;
  std::map<std::string, double> dims;
  std::string expect = "pass";     // "pass" or "fail"
  std::string expected_diagnosis;  // with expect "fail": the code the report must name, or ""
  Status status = Status::kPass;   // pass, fail, error, xfail, xpass
  std::string error;               // status error: the error text (file:line:col: [id] ...)
  std::string error_id;
  std::vector<Error> errors;       // every error of the case as data (error is their text, error_id the first's id)
  std::vector<CheckResult> checks;
  std::uint64_t seed = 0;
  double time_ms = 0.0;
};

struct Summary {
  int passed = 0;             // status pass
  int failed = 0;             // fail or xpass (a known-wrong case that passed is a failure)
  int errors = 0;
  int expected_failures = 0;  // xfail
  int unexpected_passes = 0;  // xpass (also counted in failed)
  int inconclusive = 0;       // neither passed nor failed: the reference could not decide
};

struct RunResult {
  std::vector<CaseResult> cases;  // in a stable order: files sorted, cases as written
  // Errors of files that could not be loaded at all (malformed JSON): also listed as cases with
  // status error, named after the file.
  Summary summary;
  double time_ms = 0.0;
  std::uint64_t seed = 0;
};

Summary summarize(const std::vector<CaseResult>& cases);
// The process exit status of the spec: 0 all as expected, 1 any unexpected failure/xpass,
// 2 any case that could not be loaded or evaluated. Inconclusive cases count as failures only
// with `strict` (run --strict).
int exit_status(const Summary& summary, bool strict = false);

}  // namespace gradcheck
