// SPDX-License-Identifier: MIT
#include "differentiate/finite_difference.hpp"

#include <cmath>
#include <limits>

namespace gradcheck::fd {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// Moves the coordinate by `delta` (both entries of a symmetric pair).
void shift(arma::mat& x, Coordinate c, double delta) {
  x(c.first) += delta;
  if (c.second != c.first) x(c.second) += delta;
}

// The step actually taken: h_b = c * max(1, |x_b|), rounded so that x_b + h_b is exact
// ((x_b + h) - x_b is representable), which removes the representation error of the step.
double step_for(double xb, double c) {
  const double h = c * std::max(1.0, std::abs(xb));
  volatile double moved = xb + h;  // volatile: keep the compiler from folding (xb + h) - xb to h
  return moved - xb;
}

// Central difference (f(x+h) - f(x-h)) / 2h with h already exact.
arma::vec central(arma::mat& x, const Evaluate& f, Coordinate c, double h, std::uint64_t& evaluations,
                  arma::mat& plus, arma::mat& minus) {
  const double saved_first = x(c.first);
  const double saved_second = x(c.second);
  shift(x, c, h);
  f(plus);
  x(c.first) = saved_first;
  x(c.second) = saved_second;
  shift(x, c, -h);
  f(minus);
  x(c.first) = saved_first;
  x(c.second) = saved_second;
  evaluations += 2;
  return arma::vectorise(plus - minus) / (2.0 * h);
}

// Ridders' method (Numerical Recipes' dfridr, as Ceres' GradientChecker uses it): central
// differences at h, h/s, h/s^2, ... extrapolated to h -> 0 by a Neville tableau; the best
// estimate is the one whose error estimate (its difference from its neighbours) is smallest;
// stops when the error grows by a factor 2 over the best so far.
arma::vec ridders(arma::mat& x, const Evaluate& f, Coordinate c, double c0, double shrink, int max_iterations,
                  std::uint64_t& evaluations, arma::vec* error_out) {
  arma::mat plus, minus;
  const double s2 = shrink * shrink;
  double h = step_for(x(c.first), c0);
  std::vector<std::vector<arma::vec>> table(max_iterations, std::vector<arma::vec>(max_iterations));
  table[0][0] = central(x, f, c, h, evaluations, plus, minus);
  arma::vec best = table[0][0];
  arma::vec best_error(best.n_elem, arma::fill::value(std::numeric_limits<double>::infinity()));
  for (int i = 1; i < max_iterations; ++i) {
    h = step_for(x(c.first), h / shrink / std::max(1.0, std::abs(x(c.first))));
    table[0][i] = central(x, f, c, h, evaluations, plus, minus);
    double factor = s2;
    for (int j = 1; j <= i; ++j) {
      table[j][i] = (table[j - 1][i] * factor - table[j - 1][i - 1]) / (factor - 1.0);
      factor *= s2;
      const arma::vec err = arma::max(arma::abs(table[j][i] - table[j - 1][i]), arma::abs(table[j][i] - table[j - 1][i - 1]));
      for (arma::uword k = 0; k < best.n_elem; ++k) {
        if (err(k) <= best_error(k)) {
          best_error(k) = err(k);
          best(k) = table[j][i](k);
        }
      }
    }
    // Higher order made it worse by a factor 2 everywhere: stop early.
    const arma::vec growth = arma::abs(table[i][i] - table[i - 1][i - 1]);
    if (arma::all(growth >= 2.0 * best_error)) break;
  }
  if (error_out) *error_out = best_error;
  return best;
}

}  // namespace

double base_step(const FdOptions& options) {
  if (options.step > 0) return options.step;
  switch (options.method) {
    case FdMethod::kCentral: return std::cbrt(kEps);
    case FdMethod::kForward:
    case FdMethod::kBackward: return std::sqrt(kEps);
    case FdMethod::kRichardson: return std::pow(kEps, 0.2);
    case FdMethod::kRidders: return 1e-2;
  }
  return std::cbrt(kEps);
}

std::vector<Coordinate> coordinates(const arma::mat& x, Structure structure) {
  std::vector<Coordinate> out;
  out.reserve(x.n_elem);
  for (arma::uword j = 0; j < x.n_cols; ++j) {
    for (arma::uword i = 0; i < x.n_rows; ++i) {
      const arma::uword k = i + j * x.n_rows;
      if (structure == Structure::kSymmetric && x.n_rows == x.n_cols) {
        // One coordinate per pair: (i,j) with i >= j moves (j,i) too; (i,i) alone.
        if (i >= j) out.push_back({k, j + i * x.n_rows});
      } else {
        out.push_back({k, k});
      }
    }
  }
  return out;
}

arma::vec column(arma::mat& x, const Evaluate& f, const arma::mat& f0, Coordinate c, FdMethod method, double c0,
                 std::uint64_t& evaluations) {
  arma::mat plus, minus;
  const double h = step_for(x(c.first), c0);
  switch (method) {
    case FdMethod::kCentral: return central(x, f, c, h, evaluations, plus, minus);
    case FdMethod::kForward:
    case FdMethod::kBackward: {
      const double signed_h = method == FdMethod::kForward ? h : -h;
      const double saved_first = x(c.first), saved_second = x(c.second);
      shift(x, c, signed_h);
      f(plus);
      x(c.first) = saved_first;
      x(c.second) = saved_second;
      evaluations += 1;
      return arma::vectorise(plus - f0) / signed_h;
    }
    case FdMethod::kRichardson: {
      // D(h) = central difference at h, error a h^2 + O(h^4); (4 D(h/2) - D(h)) / 3 cancels h^2.
      // Its step c ~ 7.4e-4 is large: near a small nonzero x_b (log x at x = 0.002) it would
      // leave the region where f is smooth, so it is capped at |x_b| / 100, but never below the
      // central difference's own step.
      const double xb = x(c.first);
      double base = c0;
      if (xb != 0.0)
        base = std::max(std::min(c0, std::abs(xb) / 100.0 / std::max(1.0, std::abs(xb))), std::cbrt(kEps));
      const arma::vec d1 = central(x, f, c, step_for(xb, base), evaluations, plus, minus);
      const arma::vec d2 = central(x, f, c, step_for(xb, base / 2.0), evaluations, plus, minus);
      return (4.0 * d2 - d1) / 3.0;
    }
    case FdMethod::kRidders: return ridders(x, f, c, c0, 2.0, 10, evaluations, nullptr);
  }
  return central(x, f, c, h, evaluations, plus, minus);
}

Jacobian jacobian(arma::mat& x, const Evaluate& f, const arma::mat& f0, const FdOptions& options, Structure structure) {
  Jacobian out;
  out.base_step = base_step(options);
  out.values.set_size(f0.n_elem, x.n_elem);
  if (options.method == FdMethod::kRidders) out.error_estimate.set_size(f0.n_elem, x.n_elem);
  // One pass over the coordinates of x; each perturbation fills a whole column (every output).
  for (const Coordinate& c : coordinates(x, structure)) {
    arma::vec col;
    if (options.method == FdMethod::kRidders) {
      arma::vec err;
      col = ridders(x, f, c, out.base_step, options.ridders_shrink, options.ridders_max_iterations, out.evaluations, &err);
      out.error_estimate.col(c.first) = err;
    } else {
      col = column(x, f, f0, c, options.method, out.base_step, out.evaluations);
    }
    out.values.col(c.first) = col;
  }
  if (structure == Structure::kSymmetric && x.n_rows == x.n_cols) {
    // The paired entry (j,i) is the same variable: copy the column computed for (i,j).
    for (const Coordinate& c : coordinates(x, structure)) {
      if (c.second != c.first) out.values.col(c.second) = out.values.col(c.first);
    }
  }
  return out;
}

}  // namespace gradcheck::fd
