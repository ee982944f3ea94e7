// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace gradcheck {

double excess(double a, double n, const Tolerance& t) {
  if (!std::isfinite(a) || !std::isfinite(n)) return std::numeric_limits<double>::infinity();
  const double diff = std::abs(a - n), allowed = t.atol + t.rtol * std::abs(n);
  // allowed is 0 only with atol = 0 and n = 0: the spec's test is then diff <= 0.
  if (allowed == 0.0) return diff == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return diff / allowed;
}

Comparison compare(const arma::mat& analytic, const arma::mat& numeric, const Tolerance& t) {
  Comparison c;
  const arma::uword count = numeric.n_elem;
  std::vector<double> ratio(count);
  double diff2 = 0.0, norm2 = 0.0;
  double worst_ratio = -1.0;
  for (arma::uword k = 0; k < count; ++k) {
    const double a = analytic(k), n = numeric(k);
    ratio[k] = excess(a, n, t);
    if (!std::isfinite(a) || !std::isfinite(n)) c.nonfinite = true;
    const double abs_err = std::abs(a - n);
    c.max_abs_error = std::max(c.max_abs_error, std::isnan(abs_err) ? std::numeric_limits<double>::infinity() : abs_err);
    c.max_rel_error = std::max(c.max_rel_error, std::isnan(abs_err) ? std::numeric_limits<double>::infinity()
                                                                     : abs_err / std::max(std::abs(n), t.atol));
    diff2 += (a - n) * (a - n);
    norm2 += n * n;
    if (ratio[k] > worst_ratio) {
      worst_ratio = ratio[k];
      c.worst = k;
    }
  }
  c.rel_error_norm = std::sqrt(diff2) / std::max(std::sqrt(norm2), t.atol);
  if (!std::isfinite(c.rel_error_norm)) c.rel_error_norm = std::numeric_limits<double>::infinity();
  std::vector<arma::uword> failing;
  for (arma::uword k = 0; k < count; ++k)
    if (!(ratio[k] <= 1.0)) failing.push_back(k);
  std::stable_sort(failing.begin(), failing.end(), [&](arma::uword x, arma::uword y) { return ratio[x] > ratio[y]; });
  c.failing = arma::uvec(failing);
  c.pass = failing.empty();
  return c;
}

}  // namespace gradcheck
