// SPDX-License-Identifier: MIT
// The Taylor-remainder slope (Manopt's checkgradient, checkhessian): one rule for every order.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

namespace gradcheck {

// r(t) for t = 10^-k, k = 0..8, is the remainder of a Taylor expansion of order n whose
// derivatives are the ones being checked: O(t^(n+1)) when they are right, O(t^n) when the last one
// is wrong (n = 1, a gradient: slope 2 right, 1 wrong; n = 2, a Hessian: 3 right, 2 wrong). The
// slope is the least-squares fit of log r on log t over the t where r(t) is finite and stands
// above floor(t) (the rounding of the evaluations, and of any derivative that is itself only
// estimated); at least 3 such points are needed, else NaN. (One point a decade: nine
// evaluations of f, a fixed cost of every check; half-decades, 17, were a fifth of a check of P4
// n=32, and the fit of a slope of 1 or 2 over eight decades needs no more.)
template <class Residual, class Floor>
double taylor_slope_fit(Residual residual, Floor floor) {
  std::vector<double> lt, lr;
  for (int k = 0; k <= 8; ++k) {
    const double t = std::pow(10.0, -k);
    const double res = residual(t);
    if (std::isfinite(res) && res > floor(t)) {
      lt.push_back(std::log10(t));
      lr.push_back(std::log10(res));
    }
  }
  if (lt.size() < 3) return std::numeric_limits<double>::quiet_NaN();
  const double n = static_cast<double>(lt.size());
  double st = 0, sr = 0, stt = 0, str = 0;
  for (std::size_t i = 0; i < lt.size(); ++i) {
    st += lt[i];
    sr += lr[i];
    stt += lt[i] * lt[i];
    str += lt[i] * lr[i];
  }
  return (n * str - st * sr) / (n * stt - st * st);
}

}  // namespace gradcheck
