// SPDX-License-Identifier: MIT
// The rounding noise of f at a point, measured by re-evaluation nearby.
//
// Estimator (after Moré and Wild's ECnoise): f is evaluated at x + t_i u, t_i = (i - 5) delta,
// i = 0..10 (i = 5 is f0), along a seeded random direction u (u_b = +-|x_b|, +-1 at x_b = 0, symmetric for
// a symmetric x) with delta = 1e-6. Along the line f(t) = smooth(t) + noise(t); the k-th forward
// difference of the smooth part is O(delta^k) and vanishes for k >= 3, while for independent noise
// of standard deviation sigma, E[(Delta^k f)^2] = sigma^2 (2k)! / (k!)^2. So each order gives
//
//     sigma_k = sqrt( mean_i (Delta^k f_i)^2 * (k!)^2 / (2k)! ),   k = 3..6,
//
// Low orders may still see the smooth part (it falls by a factor ~ delta / d per order, d the
// distance to where f stops being smooth); noise gives the same sigma_k at every order. So sigma
// is taken at the first k in 2..5 where the next order no longer falls by more than half
// (max(sigma_k, sigma_k+1)), else sigma_6; floored at eps |f_a| / 2 (the rounding of the result
// itself).
//
// Two lines are measured: delta = 1e-6 moves inputs that f rounds to float32 (ulp 6e-8
// relative) by ~16 ulps, so float code shows its own noise there; delta = 1e-12 keeps the smooth
// part of an ill-conditioned f (a matrix 1e-8 from singular) out of the estimate for double code.
// The float32 line is used when f is float32 (below), the fine line otherwise; when f moves on
// neither (it is rounded more coarsely than both), a line at 1e-3 measures that rounding. Precision is also
// single when f is frozen on the fine line but moves on the coarse one: its inputs are rounded
// to float32 inside.
//
// An f computed in double by construction (Target::computed_in_double: a compiled expression)
// skips the float32 test and so the coarse line, unless it is frozen on the fine line (then the
// coarse line is measured and read as above): the same noise in 10 evaluations fewer.
//
// Precision: kSingle when, along the line, every value of f is a float32 number and at least 3 of
// them differ (double code hits float32 numbers with probability 2^-29 per value); kDouble
// otherwise. The level of the noise alone never makes f single: an ill-conditioned double f is
// as noisy as float32 code (cond 1e8 gives 1e-8), and single precision loosens the tolerance.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/random.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr int kPoints = 11;   // t = -5 delta .. 5 delta
constexpr double kCoarseDelta = 1e-6;
constexpr double kFineDelta = 1e-12;
constexpr double kWideDelta = 1e-3;

double factorial(int n) {
  double r = 1;
  for (int i = 2; i <= n; ++i) r *= i;
  return r;
}

bool is_float(double v) { return static_cast<double>(static_cast<float>(v)) == v; }

}  // namespace

// f along x + t u for t = (i - 5) delta, i = 0..10, as columns.
arma::mat line_samples(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, const arma::mat& u,
                       double delta, std::uint64_t& evaluations) {
  arma::mat& x = values[target.wrt];
  const arma::mat x0 = x;
  arma::mat samples(f0.n_elem, kPoints);
  arma::mat out;
  for (int i = 0; i < kPoints; ++i) {
    if (i == kPoints / 2) {
      samples.col(i) = arma::vectorise(f0);
      continue;
    }
    x = x0 + (i - kPoints / 2) * delta * u;
    try {
      target.f(values, out);
    } catch (...) {
      x = x0;
      throw;
    }
    ++evaluations;
    samples.col(i) = arma::vectorise(out);
  }
  x = x0;
  return samples;
}

// sigma of one row of samples (see the header comment), the row's kPoints values at `row` with
// stride `stride`; NaN when a sample is not finite.
double sigma_of(const double* row, arma::uword stride) {
  double d[kPoints];
  for (int i = 0; i < kPoints; ++i) {
    d[i] = row[i * stride];
    if (!std::isfinite(d[i])) return std::numeric_limits<double>::quiet_NaN();
  }
  // Order by order, as far as the rule reads (noise stops at order 3, the usual case).
  int order = 0;
  auto next_sigma = [&] {
    ++order;
    for (int i = 0; i < kPoints - order; ++i) d[i] = d[i + 1] - d[i];
    const int count = kPoints - order;
    double mean2 = 0;
    for (int i = 0; i < count; ++i) mean2 += d[i] * d[i];
    return std::sqrt(mean2 / count * factorial(order) * factorial(order) / factorial(2 * order));
  };
  next_sigma();  // order 1: differenced, not read
  double sigma = next_sigma();
  for (int k = 2; k <= 5; ++k) {
    const double higher = next_sigma();
    if (higher >= 0.5 * sigma) return std::max(sigma, higher);
    sigma = higher;
  }
  return sigma;
}

Noise measure_noise(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, std::uint64_t seed) {
  Noise noise;
  const arma::mat& x0 = values[target.wrt];
  Random random(mix_seed(seed, 0x6e6f697365));
  arma::mat u(x0.n_rows, x0.n_cols);
  // Relative to each entry (1 at an entry of 0): an absolute probe of 1e-12 at x = 1e-18 would cross
  // a pole of 1/x and read the function's shape as noise.
  for (arma::uword k = 0; k < u.n_elem; ++k)
    u(k) = (random.uniform() < 0.5 ? -1.0 : 1.0) * (x0(k) != 0.0 ? std::abs(x0(k)) : 1.0);
  if (target.structure == Structure::kSymmetric && x0.is_square()) u = arma::trimatl(u) + arma::trimatl(u, -1).t();

  const arma::uword p = f0.n_elem;
  // An f computed in double by construction measures the fine line first and the coarse one only
  // when f is frozen there (the same samples as below then; its values are never float32 code's).
  arma::mat coarse, fine;
  bool float_values = false;
  if (!target.computed_in_double) {
    coarse = line_samples(target, values, f0, u, kCoarseDelta, noise.evaluations);
    // Float32 values: every sample a float32 number, at least 3 distinct.
    bool all_float = coarse.is_finite();
    for (arma::uword k = 0; k < coarse.n_elem && all_float; ++k) all_float = is_float(coarse(k));
    if (all_float) {
      std::vector<double> distinct(coarse.begin(), coarse.end());
      std::sort(distinct.begin(), distinct.end());
      float_values = std::unique(distinct.begin(), distinct.end()) - distinct.begin() >= 3;
    }
  }
  arma::mat samples = coarse;
  bool quantized = false;
  if (!float_values) {
    fine = line_samples(target, values, f0, u, kFineDelta, noise.evaluations);
    // Inputs rounded to float32 inside f (C code wrapped in double) freeze f on the fine line
    // while it moves on the coarse one: then the coarse line is f's own noise. Frozen counts only
    // where double code would have moved: the coarse change scaled to the fine step (1e-6 of it)
    // above 64 eps |f| (f = x'Ax + 1e7 is frozen at 1e-12 in double too).
    bool frozen = fine.is_finite(), visible = false;
    for (arma::uword a = 0; a < fine.n_rows && frozen; ++a) frozen = arma::all(fine.row(a) == fine(a, 0));
    if (frozen && coarse.is_empty()) coarse = line_samples(target, values, f0, u, kCoarseDelta, noise.evaluations);
    for (arma::uword a = 0; a < fine.n_rows && frozen; ++a) {
      const double coarse_move = arma::abs(coarse.row(a) - f0(a)).max();
      visible = visible || coarse_move * (kFineDelta / kCoarseDelta) > 64 * kEps * std::abs(f0(a));
    }
    quantized = frozen && visible;
    samples = quantized ? coarse : fine;
    // Frozen on both lines: f is rounded more coarsely than both probes (norm(X) + 1e12 - 1e12),
    // or locally constant. A third line at 1e-3 tells: if f moves there, its noise is measured
    // there; if not, f is constant near the point and its noise is the rounding of its value.
    bool coarse_frozen = frozen && coarse.is_finite();
    for (arma::uword a = 0; a < coarse.n_rows && coarse_frozen; ++a)
      coarse_frozen = arma::all(coarse.row(a) == coarse(a, 0));
    if (frozen && coarse_frozen) samples = line_samples(target, values, f0, u, kWideDelta, noise.evaluations);
  }

  noise.sigma.set_size(p);
  for (arma::uword a = 0; a < p; ++a) {
    const double sigma = sigma_of(samples.memptr() + a, p);
    const double floor = 0.5 * kEps * std::abs(f0(a));
    noise.sigma(a) = std::isfinite(sigma) ? std::max(sigma, floor) : floor;
  }

  const double scale = std::max(1.0, f0.is_finite() ? arma::abs(f0).max() : 0.0);
  const double top = noise.sigma.is_empty() ? 0.0 : noise.sigma.max();
  noise.relative = std::max(kEps, top / scale);

  if (float_values || quantized) {
    noise.precision = Precision::kSingle;
    noise.evidence = float_values ? "every value of f near the point is a float32 number"
                                  : "f does not move under changes of 1e-12 of its inputs (they are rounded to float32)";
    // Rounding to float32 is noise of at least half an ulp of the result.
    for (arma::uword a = 0; a < p; ++a)
      noise.sigma(a) = std::max(noise.sigma(a), 0.5 * std::numeric_limits<float>::epsilon() * std::abs(f0(a)));
    noise.relative = std::max(noise.relative, 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon()));
  } else {
    noise.precision = Precision::kDouble;
    noise.evidence = fmt::format("the rounding noise of f is {:.1e} of |f|", noise.relative);
  }
  return noise;
}

}  // namespace gradcheck::reference
