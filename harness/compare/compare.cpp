// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradcheck {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

EntryVerdict decide(double a, double r, double e, const Tolerance& t) {
  if (!std::isfinite(a) || !std::isfinite(r)) return EntryVerdict::kFail;
  const double diff = std::abs(a - r), tol = t.atol + t.rtol * std::abs(r);
  if (std::isnan(e) || e == kInf) return EntryVerdict::kUndecided;
  if (diff - e > tol) return EntryVerdict::kFail;
  if (diff + e <= tol) return EntryVerdict::kPass;
  return EntryVerdict::kUndecided;
}

double excess(double a, double r, double e, const Tolerance& t) {
  if (!std::isfinite(a) || !std::isfinite(r)) return kInf;
  const double diff = std::abs(a - r) - (std::isfinite(e) ? e : 0.0), tol = t.atol + t.rtol * std::abs(r);
  // tol is 0 only with atol = 0 and r = 0: the test is then diff <= 0.
  if (tol == 0.0) return diff <= 0.0 ? 0.0 : kInf;
  return diff / tol;
}

Comparison compare(const arma::mat& analytic, const arma::mat& reference, const arma::mat& bound,
                   const Tolerance& t) {
  Comparison c;
  const arma::uword count = reference.n_elem;
  const bool exact = bound.is_empty();
  std::vector<double> ratio(count), closeness(count);
  std::vector<arma::uword> failing, undecided;
  double diff2 = 0.0, norm2 = 0.0, worst_ratio = -kInf;
  c.resolution = std::numeric_limits<double>::quiet_NaN();
  for (arma::uword k = 0; k < count; ++k) {
    const double a = analytic(k), r = reference(k), e = exact ? 0.0 : bound(k);
    if (!std::isfinite(a) || !std::isfinite(r)) c.nonfinite = true;
    const double abs_err = std::abs(a - r);
    c.max_abs_error = std::max(c.max_abs_error, std::isnan(abs_err) ? kInf : abs_err);
    c.max_rel_error = std::max(c.max_rel_error, std::isnan(abs_err) ? kInf : abs_err / std::max(std::abs(r), t.atol));
    c.max_bound = std::max(c.max_bound, std::isnan(e) ? kInf : e);
    diff2 += (a - r) * (a - r);
    norm2 += r * r;
    if (r != 0.0 && std::isfinite(r)) {
      const double res = (t.atol + t.rtol * std::abs(r) + e) / std::abs(r);
      if (!(res >= c.resolution)) c.resolution = res;
    }
    ratio[k] = excess(a, r, e, t);
    // Undecided entries are ranked by how far they are from passing: (|a-r| + e) / tol.
    const double tol = t.atol + t.rtol * std::abs(r);
    closeness[k] = tol > 0 ? (abs_err + e) / tol : kInf;
    if (ratio[k] > worst_ratio) {
      worst_ratio = ratio[k];
      c.worst = k;
    }
    switch (decide(a, r, e, t)) {
      case EntryVerdict::kPass: break;
      case EntryVerdict::kFail: failing.push_back(k); break;
      case EntryVerdict::kUndecided: undecided.push_back(k); break;
    }
  }
  c.rel_error_norm = std::sqrt(diff2) / std::max(std::sqrt(norm2), t.atol);
  if (!std::isfinite(c.rel_error_norm)) c.rel_error_norm = kInf;
  std::stable_sort(failing.begin(), failing.end(), [&](arma::uword x, arma::uword y) { return ratio[x] > ratio[y]; });
  std::stable_sort(undecided.begin(), undecided.end(),
                   [&](arma::uword x, arma::uword y) { return closeness[x] > closeness[y]; });
  c.failing = arma::uvec(failing);
  c.undecided = arma::uvec(undecided);
  c.fail = !failing.empty();
  c.pass = failing.empty() && undecided.empty();
  if (!c.fail && !undecided.empty()) c.worst = undecided.front();
  return c;
}

}  // namespace gradcheck
