// SPDX-License-Identifier: MIT
// The rounding noise of f at a point, measured by re-evaluation nearby.
//
// Estimator (after Moré and Wild's ECnoise): f is evaluated at x + t_i u, t_i = (i - 5) delta,
// i = 0..10 (i = 5 is f0), along a seeded random direction u (u_b = +-max(1, |x_b|), symmetric for
// a symmetric x) with delta = 1e-6. Along the line f(t) = smooth(t) + noise(t); the k-th forward
// difference of the smooth part is O(delta^k) and vanishes for k >= 3, while for independent noise
// of standard deviation sigma, E[(Delta^k f)^2] = sigma^2 (2k)! / (k!)^2. So each order gives
//
//     sigma_k = sqrt( mean_i (Delta^k f_i)^2 * (k!)^2 / (2k)! ),   k = 3..6,
//
// and sigma is their median (low orders may still see curvature, high orders have few samples),
// floored at eps |f_a| / 2 (the rounding of the result itself). delta = 1e-6 moves inputs that f
// rounds to float32 (ulp 6e-8 relative) by ~16 ulps, so float code shows its own noise.
//
// Precision: kSingle when, along the line, every value of f is a float32 number and at least 3 of
// them differ (double code hits float32 numbers with probability 2^-29 per value), or when the
// relative noise max_a sigma_a / max(max_a |f_a|, 1) exceeds 1e-9 (float32's eps is 1.2e-7; double code
// sits near 1e-16); kDouble otherwise.
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
constexpr double kDelta = 1e-6;
constexpr double kSingleRelativeNoise = 1e-9;

double factorial(int n) {
  double r = 1;
  for (int i = 2; i <= n; ++i) r *= i;
  return r;
}

bool is_float(double v) { return static_cast<double>(static_cast<float>(v)) == v; }

}  // namespace

Noise measure_noise(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, std::uint64_t seed) {
  Noise noise;
  arma::mat& x = values[target.wrt];
  const arma::mat x0 = x;
  Random random(mix_seed(seed, 0x6e6f697365));
  arma::mat u(x.n_rows, x.n_cols);
  for (arma::uword k = 0; k < u.n_elem; ++k) u(k) = (random.uniform() < 0.5 ? -1.0 : 1.0) * std::max(1.0, std::abs(x0(k)));
  if (target.structure == Structure::kSymmetric && x.is_square()) u = arma::trimatl(u) + arma::trimatl(u, -1).t();

  const arma::uword p = f0.n_elem;
  arma::mat samples(p, kPoints);
  arma::mat out;
  for (int i = 0; i < kPoints; ++i) {
    if (i == kPoints / 2) {
      samples.col(i) = arma::vectorise(f0);
      continue;
    }
    x = x0 + (i - kPoints / 2) * kDelta * u;
    target.f(values, out);
    ++noise.evaluations;
    samples.col(i) = arma::vectorise(out);
  }
  x = x0;

  noise.sigma.set_size(p);
  for (arma::uword a = 0; a < p; ++a) {
    std::vector<double> d(kPoints);
    for (int i = 0; i < kPoints; ++i) d[i] = samples(a, i);
    std::vector<double> estimates;
    bool finite = true;
    for (double v : d) finite = finite && std::isfinite(v);
    for (int k = 1; k <= 6 && finite; ++k) {
      for (int i = 0; i < kPoints - k; ++i) d[i] = d[i + 1] - d[i];
      if (k < 3) continue;
      const int count = kPoints - k;
      double mean2 = 0;
      for (int i = 0; i < count; ++i) mean2 += d[i] * d[i];
      mean2 /= count;
      estimates.push_back(std::sqrt(mean2 * factorial(k) * factorial(k) / factorial(2 * k)));
    }
    double sigma = std::numeric_limits<double>::quiet_NaN();
    if (!estimates.empty()) {
      std::sort(estimates.begin(), estimates.end());
      sigma = 0.5 * (estimates[estimates.size() / 2] + estimates[(estimates.size() - 1) / 2]);
    }
    const double floor = 0.5 * kEps * std::abs(f0(a));
    noise.sigma(a) = std::isfinite(sigma) ? std::max(sigma, floor) : floor;
  }

  // Relative to max(|f|, 1): an f near 0 (log det of an orthogonal matrix) is not "noisy" because
  // its absolute noise is a large fraction of its tiny value.
  const double scale = std::max(1.0, f0.is_finite() ? arma::abs(f0).max() : 0.0);
  const double top = noise.sigma.is_empty() ? 0.0 : noise.sigma.max();
  noise.relative = std::max(kEps, top / scale);

  // Float32 values: every sample a float32 number, at least 3 distinct.
  bool all_float = samples.is_finite();
  for (arma::uword k = 0; k < samples.n_elem && all_float; ++k) all_float = is_float(samples(k));
  std::vector<double> distinct(samples.begin(), samples.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (all_float && distinct.size() >= 3) {
    noise.precision = Precision::kSingle;
    noise.evidence = "every value of f near the point is a float32 number";
    // Rounding to float32 is noise of at least half an ulp of the result.
    for (arma::uword a = 0; a < p; ++a)
      noise.sigma(a) = std::max(noise.sigma(a), 0.5 * std::numeric_limits<float>::epsilon() * std::abs(f0(a)));
    noise.relative = std::max(noise.relative, 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon()));
  } else if (noise.relative > kSingleRelativeNoise) {
    noise.precision = Precision::kSingle;
    noise.evidence = fmt::format("the rounding noise of f is {:.1e} of |f|, at float32's level", noise.relative);
  } else {
    noise.precision = Precision::kDouble;
    noise.evidence = fmt::format("the rounding noise of f is {:.1e} of |f|", noise.relative);
  }
  return noise;
}

}  // namespace gradcheck::reference
