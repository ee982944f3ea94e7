// SPDX-License-Identifier: MIT
// Options of a check, as plain data with documented defaults.
#pragma once

#include <cstdint>
#include <string>

#include "gradcheck/types.hpp"

namespace gradcheck {

// The tolerance of the verdict. With r the reference derivative, e its error bound and a the
// analytic value of one entry, and tol = atol + rtol * |r|, the entry
//
//     fails   when |a - r| - e >  tol   (wrong whatever the truth within the bound),
//     passes  when |a - r| + e <= tol,
//     is undecided otherwise (the reference is tightened; see reference/reference.hpp).
//
// An entry that is NaN or infinite on either side never passes (diagnosis `nonfinite`).
// The defaults below are those of double precision; single-precision f gets
// Tolerance::single() unless the tolerance was stated (Options::tolerance_stated).
struct Tolerance {
  // Relative tolerance. Central differences with the default step are accurate to about
  // 1e-10 relative on smooth functions of O(1) inputs; 1e-5 leaves room for ill-conditioned
  // ones while every realistic derivation error (a factor, a sign, a transpose) is far above it.
  double rtol = 1e-5;
  // Absolute floor, for entries whose true value is 0 (rounding leaves ~1e-10 there).
  double atol = 1e-7;

  // The documented defaults for single-precision f (float32 code): see docs/verdict.md for the
  // measurements they were chosen from.
  static Tolerance single();
  friend bool operator==(const Tolerance& a, const Tolerance& b) { return a.rtol == b.rtol && a.atol == b.atol; }
  friend bool operator!=(const Tolerance& a, const Tolerance& b) { return !(a == b); }
  bool is_valid(std::string* error) const;
};


struct FdOptions {
  FdMethod method = FdMethod::kCentral;
  // Step rule. With `step` <= 0 ("auto"), entry x_b is moved by
  //
  //     h_b = c * max(1, |x_b|),  c = eps^(1/3) ~ 6.06e-6 for central,
  //                                   eps^(1/2) ~ 1.49e-8 for forward/backward,
  //                                   eps^(1/5) ~ 7.4e-4 for richardson (4th order),
  //                                   1e-2 (initial) for ridders,
  //
  // which balances the truncation error (O(h^2) for central) against rounding
  // (O(eps |f| / h)); the factor max(1, |x_b|) keeps the step relative for large entries and
  // absolute near 0. A positive `step` replaces c and is scaled by max(1, |x_b|) the same way.
  // The step actually taken is (x_b + h_b) - x_b, so that it is exactly representable.
  // Richardson caps its larger step at |x_b| / 100 for a nonzero x_b (never below the central
  // step), so that near a small x_b (log x at x = 0.002) it stays where f is smooth.
  double step = 0.0;
  // Ridders: shrink factor between rows of the tableau, and the most rows.
  double ridders_shrink = 2.0;
  int ridders_max_iterations = 10;

  bool is_valid(std::string* error) const;
};

// ReferenceMethod and FdMethod: gradcheck/types.hpp.

struct Options {
  Tolerance tolerance;
  // True when `tolerance` was stated by the user (case file, --rtol/--atol, or set in code):
  // it is then applied as it is, whatever the precision. The C++ API also treats a tolerance
  // other than Tolerance{} as stated.
  bool tolerance_stated = false;
  // The working precision of f: kAuto measures it at each point (the rounding noise of f by
  // re-evaluation nearby); the default tolerance follows it.
  Precision precision = Precision::kAuto;
  ReferenceMethod reference = ReferenceMethod::kFd;
  FdOptions fd;
  // Random points each check is tried at: a wrong formula can agree at one special point.
  int trials = 3;
  // Seed of the generator of every random input. Same seed, same inputs, same report.
  std::uint64_t seed = 42;
  // Look for diagnoses when a check fails (costs extra evaluations, only on failure).
  bool diagnose = true;
  // How many worst entries a failing check keeps for the report.
  int worst_entries = 10;
  // Record the error against the step h (log-log plot in the HTML report) for failing checks.
  bool error_vs_step = true;
  // Entry-wise (every entry of the derivative) or directional (random probes v' J u against
  // v' E u, a few evaluations of f whatever the size; the rule and the chance of missing a wrong
  // derivative are in harness/engine/directional.hpp).
  Mode mode = Mode::kEntrywise;
  // Directional mode: probes per trial (each about 4 evaluations of f; undecided ones are
  // replaced by up to as many more). A derivative wrong at every trial point escapes all of them
  // with probability <= (3/4)^(probes a trial * trials); 49 probes in all bring it below 1e-6.
  // 0 (the default): max(8, ceil(24 / trials)) a trial (8 at 3 trials, 24 at 1): at least 24 a
  // check, (3/4)^24 = 1.0e-3, and at least 8 a trial.
  int probes = 0;
  // Threads computing the finite-difference columns (entries of the variable) of one check, in
  // parallel; the result is bit-identical to 1. Expressions get one evaluator per thread; a C++
  // callable is then called from several threads at once, so set it only when f is thread-safe.
  int threads = 1;

  bool is_valid(std::string* error) const;
};

}  // namespace gradcheck
