// SPDX-License-Identifier: MIT
// The verdict of the spec, entry by entry: the analytic derivative against a reference with an
// error bound.
#pragma once

#include <cmath>
#include <limits>

#include <armadillo>
#include <vector>

#include "compare/form_map.hpp"
#include "gradcheck/options.hpp"

namespace gradcheck {

// With a the analytic value, r the reference, e its error bound, tol = atol + rtol |r|:
//     fail       |a - r| - e >  tol   (wrong whatever the truth within the bound)
//     pass       |a - r| + e <= tol
//     undecided  otherwise.
// NaN or infinity in a or r fails (diagnosis `nonfinite`); an infinite or NaN bound with finite
// a and r is undecided.
enum class EntryVerdict { kPass, kFail, kUndecided };
// (Inline: compare() runs it over every entry of every check.)
inline EntryVerdict decide(double a, double r, double e, const Tolerance& t) {
  if (!std::isfinite(a) || !std::isfinite(r)) return EntryVerdict::kFail;
  const double diff = std::abs(a - r), tol = t.atol + t.rtol * std::abs(r);
  if (std::isnan(e) || e == std::numeric_limits<double>::infinity()) return EntryVerdict::kUndecided;
  if (diff - e > tol) return EntryVerdict::kFail;
  if (diff + e <= tol) return EntryVerdict::kPass;
  return EntryVerdict::kUndecided;
}

struct Comparison {
  bool pass = true;              // every entry passes
  bool fail = false;             // some entry fails
  bool nonfinite = false;        // a NaN or infinity in a or r
  double max_abs_error = 0.0;    // max_k |a_k - r_k|
  double max_rel_error = 0.0;    // max_k |a_k - r_k| / max(|r_k|, atol)
  double rel_error_norm = 0.0;   // ||A - R||_F / max(||R||_F, atol)
  double max_bound = 0.0;        // max_k e_k
  // The smallest relative mismatch the check could have detected: a relative error delta in every
  // entry of expected (a = (1 + delta) r) fails entry k once delta |r_k| > tol_k + e_k, so
  //     resolution = min over entries with r_k != 0 of (tol_k + e_k) / |r_k|     (NaN if none).
  double resolution = 0.0;
  arma::uvec failing;            // entries that fail (or are non-finite), worst first
  arma::uvec undecided;          // entries neither passing nor failing, worst first
  arma::uword worst = 0;         // the entry furthest outside: largest (|a-r| - e) / tol
};

// Shapes must be equal (the caller checks shapes first). `bound` empty: exact reference (e = 0).
Comparison compare(const arma::mat& analytic, const arma::mat& reference, const arma::mat& bound,
                   const Tolerance& tolerance);
// The same with the reference as J (numel(f) x numel(x)) and its bound: entry k of analytic
// against J(map.index(k)), without arranging J as expected is written.
Comparison compare(const arma::mat& analytic, const FormMap& map, const arma::mat& jacobian, const arma::mat& bound,
                   const Tolerance& tolerance);
inline Comparison compare(const arma::mat& analytic, const arma::mat& reference, const Tolerance& tolerance) {
  return compare(analytic, reference, arma::mat(), tolerance);
}

// How far an entry is outside: (|a - r| - e) / tol; > 1 fails; +inf if non-finite.
inline double excess(double a, double r, double e, const Tolerance& t) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (!std::isfinite(a) || !std::isfinite(r)) return inf;
  const double diff = std::abs(a - r) - (std::isfinite(e) ? e : 0.0), tol = t.atol + t.rtol * std::abs(r);
  // tol is 0 only with atol = 0 and r = 0: the test is then diff <= 0.
  if (tol == 0.0) return diff <= 0.0 ? 0.0 : inf;
  return diff / tol;
}

}  // namespace gradcheck
