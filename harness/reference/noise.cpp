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
// coarse line is measured and its noise read as above, but f stays double: its inputs are never
// rounded to float32): the same noise in 10 evaluations fewer.
//
// Frozen means frozen along three seeded directions: an ill-conditioned f can be still along one
// (the directions that keep det X to first order), inputs rounded to float32 freeze it along all.
//
// Precision: kSingle when, along the line, every value of f is a float32 number, at least 3 of
// them differ, and at least one of them uses the last 3 bits of float32's 24-bit significand
// (double code hits float32 numbers with probability 2^-29 per value, float32 code leaves the
// last 3 bits 0 in every one of 10 values with probability 2^-30); kDouble otherwise. The last
// condition tells the values of double code with a large cancellation from float32's: a' inv(X) b
// at det X = 1e-10 leaves 0.3 from terms of 1e10, so every value is a multiple of their ulp, 2^-19,
// a float32 number with the last 6 bits of its significand 0 (seen where the BLAS fuses its
// multiply-adds). Such code is double; float32 code with such a cancellation of its own is still
// told by its inputs (frozen on the fine line, below). The level of the noise alone never makes f single: an ill-conditioned double f is
// as noisy as float32 code (cond 1e8 gives 1e-8), and single precision loosens the tolerance.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
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
constexpr double kFinestDelta = 1e-14;

double factorial(int n) {
  double r = 1;
  for (int i = 2; i <= n; ++i) r *= i;
  return r;
}

bool is_float(double v) { return static_cast<double>(static_cast<float>(v)) == v; }

// A float32 number whose 24-bit significand has a nonzero bit among its last 3 (0 has none).
bool uses_float_low_bits(double v) {
  int exponent = 0;
  const double significand = std::frexp(std::abs(v), &exponent);  // in [0.5, 1)
  const auto bits = static_cast<std::uint32_t>(std::ldexp(significand, 24));
  return (bits & 7u) != 0;
}

// The largest power of two that divides every value of `row` (kPoints values, stride `stride`)
// and v0: the quantum of a lattice they all lie on (0 when none is finite and nonzero). Double
// code with a cancellation ((sum(x) + 6e8) - 6e8) rounds every value to multiples of one quantum
// (here 2^-23), far above the ulp of the result.
double common_quantum(const double* row, arma::uword stride, double v0) {
  double quantum = 0.0;
  auto take = [&](double v) {
    if (!std::isfinite(v) || v == 0.0) return;
    int exponent = 0;
    const double significand = std::frexp(std::abs(v), &exponent);  // in [0.5, 1)
    auto bits = static_cast<std::uint64_t>(std::ldexp(significand, 53));
    int zeros = 0;
    while (zeros < 53 && (bits & 1u) == 0) bits >>= 1, ++zeros;
    const double lowest = std::ldexp(1.0, exponent - 53 + zeros);  // the weight of v's last set bit
    quantum = quantum == 0.0 ? lowest : std::min(quantum, lowest);
  };
  take(v0);
  for (int i = 0; i < kPoints; ++i) take(row[i * stride]);
  return quantum;
}

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
  // A move of a symmetric x stays symmetric: its lower triangle mirrored.
  auto symmetrize = [&](arma::mat& m) {
    if (target.structure == Structure::kSymmetric && m.is_square()) m = arma::trimatl(m) + arma::trimatl(m, -1).t();
  };
  auto draw_direction = [&] {
    for (arma::uword k = 0; k < u.n_elem; ++k)
      u(k) = (random.uniform() < 0.5 ? -1.0 : 1.0) * (x0(k) != 0.0 ? std::abs(x0(k)) : 1.0);
    symmetrize(u);
  };
  draw_direction();

  const arma::uword p = f0.n_elem;
  // An f computed in double by construction measures the fine line first and the coarse one only
  // when f is frozen there (the same samples as below then; its values are never float32 code's).
  arma::mat coarse, fine;
  // Float32 values: every sample a float32 number, at least 3 distinct, one using the last bits
  // of the significand (the header comment).
  auto float32_values = [](const arma::mat& line) {
    bool all_float = line.is_finite(), low_bits = false;
    for (arma::uword k = 0; k < line.n_elem && all_float; ++k) {
      all_float = is_float(line(k));
      low_bits = low_bits || uses_float_low_bits(line(k));
    }
    if (!all_float || !low_bits) return false;
    std::vector<double> distinct(line.begin(), line.end());
    std::sort(distinct.begin(), distinct.end());
    return std::unique(distinct.begin(), distinct.end()) - distinct.begin() >= 3;
  };
  bool float_values = false;
  if (!target.computed_in_double) {
    coarse = line_samples(target, values, f0, u, kCoarseDelta, noise.evaluations);
    float_values = float32_values(coarse);
  }
  arma::mat samples = coarse;
  bool quantized = false, inputs_rounded = false, on_fine_line = false, on_wide_line = false;
  if (!float_values) {
    fine = line_samples(target, values, f0, u, kFineDelta, noise.evaluations);
    // Inputs rounded to float32 inside f (C code wrapped in double) freeze f on the fine line
    // while it moves on the coarse one: then the coarse line is f's own noise. Frozen counts only
    // where double code would have moved: the coarse change scaled to the fine step (1e-6 of it)
    // above 64 eps |f| (f = x'Ax + 1e7 is frozen at 1e-12 in double too).
    auto is_frozen = [](const arma::mat& line) {
      bool frozen = line.is_finite();
      for (arma::uword a = 0; a < line.n_rows && frozen; ++a) frozen = arma::all(line.row(a) == line(a, 0));
      return frozen;
    };
    bool frozen = is_frozen(fine), visible = false;
    // Frozen along one direction is not yet frozen: an ill-conditioned double f whose value carries
    // a large cancellation (a' inv(X) b at det X = 1e-10: terms of 1e10 that leave 0.3, an ulp of
    // 4e-6) does not move along the directions that keep det X to first order (6 of the 16 sign
    // patterns of a 2 x 2 X), where inputs rounded to float32 freeze f along every direction. Two
    // more directions are tried; the first that moves is the fine line.
    for (int retry = 0; retry < 2 && frozen; ++retry) {
      draw_direction();
      arma::mat other = line_samples(target, values, f0, u, kFineDelta, noise.evaluations);
      if (!is_frozen(other)) {
        fine = std::move(other);
        coarse.reset();  // (along the first direction: read again below only if needed)
        frozen = false;
      }
    }
    if (frozen && coarse.is_empty()) coarse = line_samples(target, values, f0, u, kCoarseDelta, noise.evaluations);
    for (arma::uword a = 0; a < fine.n_rows && frozen; ++a) {
      const double coarse_move = arma::abs(coarse.row(a) - f0(a)).max();
      visible = visible || coarse_move * (kFineDelta / kCoarseDelta) > 64 * kEps * std::abs(f0(a));
    }
    quantized = frozen && visible;
    // Rounded to float32 inside, f cannot tell x from any point that rounds to the same float32
    // numbers: y = fl32(x) and y + ulp32(y) / 4 in random signs (1.5e-8 relative, far beyond the
    // fine line) give the same f bit for bit. Double code frozen only at 1e-12 moves there; its
    // rounding is still coarser than its changes over 1e-12 ((sum(x) + 6e8) - 6e8 in a program:
    // a quantum of 1.2e-7), so its noise is the coarse line's all the same (the fine line's
    // frozen samples read as no noise at all, and a difference at a step below the quantum then
    // read 0 +- 3 eps |f| / h: a right derivative failed at 11 of 20 seeds).
    if (quantized && !target.computed_in_double) {
      arma::mat& x = values[target.wrt];
      const arma::mat x_saved = x;
      arma::mat y = x;
      for (arma::uword k = 0; k < y.n_elem; ++k) y(k) = static_cast<double>(static_cast<float>(y(k)));
      arma::mat y_moved = y;
      for (arma::uword k = 0; k < y.n_elem; ++k) {
        const float v = static_cast<float>(y(k));
        const double ulp = static_cast<double>(std::nextafter(std::abs(v), std::numeric_limits<float>::infinity())) -
                           std::abs(static_cast<double>(v));
        y_moved(k) += (random.uniform() < 0.5 ? -0.25 : 0.25) * ulp;
      }
      symmetrize(y_moved);
      // (f throwing there, where it did not at x, is not code that rounds its inputs either.)
      arma::mat at_y, at_moved;
      bool same = true;
      try {
        x = y;
        target.f(values, at_y);
        x = y_moved;
        target.f(values, at_moved);
      } catch (...) {
        same = false;
      }
      x = x_saved;
      noise.evaluations += 2;
      auto equal = [](const arma::mat& p, const arma::mat& q) {
        return p.n_elem == q.n_elem && arma::all(arma::vectorise(p) == arma::vectorise(q));
      };
      inputs_rounded = same && equal(at_y, f0) && equal(at_moved, f0);
    }
    samples = quantized ? coarse : fine;
    on_fine_line = !quantized;
    // Frozen on both lines: f is rounded more coarsely than both probes (norm(X) + 1e12 - 1e12),
    // or locally constant. A third line at 1e-3 tells: if f moves there, its noise is measured
    // there; if not, f is constant near the point and its noise is the rounding of its value.
    if (frozen && is_frozen(coarse)) {
      samples = line_samples(target, values, f0, u, kWideDelta, noise.evaluations);
      on_fine_line = false;
      on_wide_line = true;
      // (Float32 code flat at 1e-6, a saturated tanh, shows its float32 values here only: it was
      // read as double code, with double's tolerance, and left undecided.)
      if (!target.computed_in_double) float_values = float32_values(samples);
    }
  }

  noise.sigma.set_size(p);
  for (arma::uword a = 0; a < p; ++a) {
    const double sigma = sigma_of(samples.memptr() + a, p);
    const double floor = 0.5 * kEps * std::abs(f0(a));
    noise.sigma(a) = std::isfinite(sigma) ? std::max(sigma, floor) : floor;
  }
  // Noise is the same at every scale of the line; the smooth part is not. Within 1e-12 of a
  // singularity (a' inv(X) b at det X = 1e-12) the fine line, whose moves reach 5e-12, samples f's
  // own shape, whose higher differences do not fall, and reads it as noise of the order of |f|:
  // a bound of 3 sigma / h then holds nothing (a correct gradient of 1e24 failed against
  // -4e5 +- 8e14). Rounding alone gives a sigma above 1e-6 max(|f_a|, 1) only at a condition
  // number beyond 4e9, so such an entry is sampled again at 1e-14 (45 ulps of each input, 11
  // evaluations more): noise gives a sigma within a factor 4 there (the estimator's own spread
  // over 11 samples is far inside it), shape does not. Where the two scales disagree, noise and
  // shape cannot be told apart at this point (Noise::unresolved), and no sigma is lowered: a
  // rounding error pattern a few ulps wide is not the noise of f at the steps the reference takes.
  if (on_fine_line) {
    std::vector<arma::uword> pending;  // entries whose sigma is beyond rounding at any sane condition
    for (arma::uword a = 0; a < p; ++a)
      if (noise.sigma(a) > 1e-6 * std::max(std::abs(f0(a)), 1.0)) pending.push_back(a);
    if (!pending.empty()) {
      const arma::mat finest = line_samples(target, values, f0, u, kFinestDelta, noise.evaluations);
      for (arma::uword a : pending) {
        const double sigma = std::max(sigma_of(finest.memptr() + a, p), 0.5 * kEps * std::abs(f0(a)));
        if (!(sigma >= 0.25 * noise.sigma(a) && sigma <= 4 * noise.sigma(a))) noise.unresolved = true;
      }
    }
  }

  // Quantised double code that is not a compiled expression: a lattice of values can fall on
  // the line in even steps (each move exactly 3 quanta), whose differences of order 3 and up are
  // exactly 0, so sigma reads as no noise at all (then a difference at a step below the quantum
  // read 0 +- 3 eps |f| / h and failed a right derivative). The quantum q, read from the values'
  // trailing zero bits, is noise of at least half of it, as float32 rounding is below.
  // A lattice within 1e-3 of the values' size is rounding; a coarser one is f's own shape (a
  // step function's integers: sum(sign(x)) crosses its jump on the line, and decides it there).
  // (Frozen on both lines, f is read on the wide one, its lattice coarser still: c + sum(x.^2)
  // accumulated in float32 at c = 1e4, a quantum of 2^-10.)
  if (((quantized && !inputs_rounded) || on_wide_line) && !target.computed_in_double)
    for (arma::uword a = 0; a < p; ++a) {
      const double quantum = common_quantum(samples.memptr() + a, p, f0(a));
      const double size = std::max(std::abs(f0(a)), arma::abs(samples.row(a)).max());
      if (quantum <= 1e-3 * size) noise.sigma(a) = std::max(noise.sigma(a), 0.5 * quantum);
    }
  const double scale = std::max(1.0, f0.is_finite() ? arma::abs(f0).max() : 0.0);
  const double top = noise.sigma.is_empty() ? 0.0 : noise.sigma.max();
  noise.relative = std::max(kEps, top / scale);

  // A compiled expression computes in double whatever its inputs (Target::computed_in_double):
  // frozen on every fine line and moving on the coarse one, it is double code whose rounding is
  // coarser than its changes over 1e-12 (a large cancellation); its noise is measured on the
  // coarse line all the same, and its precision stays double (single would loosen the tolerance
  // 1000 times: the brief's false pass of a'*inv(X)*b with a stray factor 1.01 at det X = 1e-10).
  const bool inputs_in_float = inputs_rounded;
  if (float_values || inputs_in_float) {
    noise.precision = Precision::kSingle;
    noise.evidence = float_values ? "every value of f near the point is a float32 number"
                                  : "f does not move under changes of 1e-12 of its inputs (they are rounded to float32)";
    // Rounding to float32 is noise of at least half an ulp of the result.
    for (arma::uword a = 0; a < p; ++a)
      noise.sigma(a) = std::max(noise.sigma(a), 0.5 * std::numeric_limits<float>::epsilon() * std::abs(f0(a)));
    noise.relative = std::max(noise.relative, 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon()));
  } else if (quantized) {
    noise.precision = Precision::kDouble;
    noise.evidence = fmt::format(
        "the rounding noise of f is {:.1e} of |f| (measured under changes of 1e-6 of its inputs: f is computed in "
        "double{}, and its rounding is coarser than its changes under 1e-12)",
        noise.relative, target.computed_in_double ? "" : " (it moves within a float32 ulp of its inputs)");
  } else {
    noise.precision = Precision::kDouble;
    noise.evidence = fmt::format("the rounding noise of f is {:.1e} of |f|", noise.relative);
  }
  return noise;
}

}  // namespace gradcheck::reference
