// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradcheck {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Comparison compare(const arma::mat& analytic, const arma::mat& reference, const arma::mat& bound,
                   const Tolerance& t) {
  Comparison c;
  const arma::uword count = reference.n_elem;
  const bool exact = bound.is_empty();
  const double* ap = analytic.memptr();
  const double* rp = reference.memptr();
  const double* ep = exact ? nullptr : bound.memptr();
  std::vector<double> ratio(count);
  std::vector<arma::uword> failing, undecided;
  double diff2 = 0.0, norm2 = 0.0, worst_ratio = -kInf;
  c.resolution = std::numeric_limits<double>::quiet_NaN();
  for (arma::uword k = 0; k < count; ++k) {
    const double a = ap[k], r = rp[k], e = exact ? 0.0 : ep[k];
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
  // Undecided entries are ranked by how far they are from passing: (|a-r| + e) / tol.
  auto closeness = [&](arma::uword k) {
    const double tol = t.atol + t.rtol * std::abs(rp[k]);
    return tol > 0 ? (std::abs(ap[k] - rp[k]) + (exact ? 0.0 : ep[k])) / tol : kInf;
  };
  std::vector<std::pair<double, arma::uword>> ranked;
  for (arma::uword k : undecided) ranked.emplace_back(closeness(k), k);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
  for (std::size_t i = 0; i < ranked.size(); ++i) undecided[i] = ranked[i].second;
  c.failing = arma::uvec(failing);
  c.undecided = arma::uvec(undecided);
  c.fail = !failing.empty();
  c.pass = failing.empty() && undecided.empty();
  if (!c.fail && !undecided.empty()) c.worst = undecided.front();
  return c;
}

}  // namespace gradcheck
