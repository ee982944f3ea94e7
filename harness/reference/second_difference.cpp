// SPDX-License-Identifier: MIT
// Second differences of a scalar function, each entry with its error bound: the reference of a
// second-order check when f has no complex extension (with one, the engine differences the exact
// complex-step gradient once instead; see engine/second_order.cpp).
//
// Notation: f the scalar function (target.gradient_of), x = values[gradient_of_wrt] with
// coordinate a, y = values[wrt] with coordinate b (the same variable for a pure Hessian), sigma the
// measured rounding noise of f at the point (noise.cpp; every evaluation within 3 sigma of its
// exact value), steps h_a = c max(1, |x_a|) and h_b = c max(1, |y_b|), each rounded so that
// x_a + h_a is exact.
//
//   D(s) = [f(+s h_a, +s h_b) - f(+s h_a, -s h_b) - f(-s h_a, +s h_b) + f(-s h_a, -s h_b)] / (4 s^2 h_a h_b)
//
// where f(u, v) is f with x_a moved by u and y_b by v (a = b of one variable: both moves add up,
// D(s) = (f(x + 2 s h) - 2 f(x) + f(x - 2 s h)) / (4 s^2 h^2)). For smooth f,
// D(s) = H_ab + c2 s^2 + O(s^4).
//
//   truncation  from two steps: D(1) - D(2) = -3 c2 + ..., so the truncation of D(1) is estimated
//               as |D(1) - D(2)| / 3 and bounded by twice that;
//   rounding    four values each within 3 sigma, over 4 h_a h_b: 3 sigma / (h_a h_b);
//
//   inputs      float32 code (noise.precision single) rounds the moved inputs itself:
//               (|g_a| d_a + |g_b| d_b) / (h_a h_b), d = 2^-24 |x + h| (input_rounding);
//
//               E = 2/3 |D(1) - D(2)| + 3 sigma / (h_a h_b) + inputs.
//
//   asymptotic  the estimate assumes the s^2 term dominates; then D(2) - D(4) is 4 times
//   regime      D(1) - D(2). When |D(1) - D(2)| stands above 4 times its own rounding (it is
//               truncation, not noise) and |D(2) - D(4)| < 2 |D(1) - D(2)|, the steps are not
//               small enough for the estimate to mean anything: E = +inf (the entry stays
//               undecided and is tightened).
//
// Step rule: c = rho^(1/4), rho = max(eps, noise.relative) (truncation c2 h^2 against rounding
// sigma / h^2 for f of unit scale), or fd.step when stated. Tightening, level 0: per entry, first
// a second opinion at s = 10^-1.5 (as first differences take one, finite_difference.cpp: D(1),
// D(2), D(4) at a step of ~2 pi along cos(x) at x = 2.6e4 agree with each other far from the
// truth, and no regime test sees it); where the two contradict each other beyond their bounds,
// the entry keeps their hull (keep_hull) and nothing else; where the opinion is out of its own
// regime far beyond rounding (rough: f is not smooth on its scale), the entry's bound is void
// (+inf) and only a smaller re-chosen step may narrow it. Else the tighter of the two, then the
// step that minimises the estimated |c2| s^2 + 3 sigma / (h_a h_b s^2), s^4 = 3 sigma / (h_a h_b |c2|),
// kept when its bound is tighter; where |D(1) - D(2)| at that s is within 4 times its rounding
// (c2 is then only bounded, and s only a lower bound of the best step), s is doubled up to 16
// and the tightest kept. A pure Hessian is computed for a <= b and mirrored (D is
// symmetric in a and b there).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "gradcheck/error.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::uint64_t kNoiseSeed = 0x5ec0d;

double exact_step(double v, double c) {
  const double h = c * std::max(1.0, std::abs(v));
  volatile double moved = v + h;  // volatile: keep (v + h) - v from being folded to h
  return moved - v;
}

class SecondDifferences {
 public:
  SecondDifferences(const Target& target, std::vector<arma::mat>& values, Reference& r)
      : target_(target), values_(values), r_(r) {
    scalar_.f = target.gradient_of;
    scalar_.wrt = target.gradient_of_wrt;
    arma::mat f0;
    target.gradient_of(values, f0);
    ++r_.evaluations;
    noise_ = measure_noise(scalar_, values, f0, kNoiseSeed);
    r_.evaluations += noise_.evaluations;
  }

  double sigma() const { return noise_.sigma.is_empty() ? 0.0 : noise_.sigma(0); }
  double rho() const { return std::max(kEps, noise_.relative); }
  bool pure() const { return target_.wrt == target_.gradient_of_wrt; }

  // f with x_a moved by u and y_b by v; both restored exactly.
  double at(arma::uword a, double u, arma::uword b, double v) {
    arma::mat& x = values_[target_.gradient_of_wrt];
    arma::mat& y = values_[target_.wrt];
    const double xa = x(a), yb = y(b);
    x(a) += u;
    y(b) += v;  // the same entry as x(a) when a = b of one variable: the moves add up
    try {
      target_.gradient_of(values_, out_);
    } catch (...) {
      x(a) = xa;
      y(b) = yb;
      throw;
    }
    x(a) = xa;
    y(b) = yb;
    ++r_.evaluations;
    return out_.n_elem == 1 ? out_(0) : std::numeric_limits<double>::quiet_NaN();
  }

  // D(s); with `inputs`, the bound of what float32 code's rounding of the moved inputs adds
  // to it (input_rounding below).
  double d(arma::uword a, arma::uword b, double ha, double hb, double s, double* inputs = nullptr) {
    const double u = s * ha, v = s * hb;
    const double pp = at(a, u, b, v), pm = at(a, u, b, -v), mp = at(a, -u, b, v), mm = at(a, -u, b, -v);
    if (inputs) *inputs = input_rounding(a, b, u, v, pp, pm, mp, mm);
    return (pp - pm - mp + mm) / (4 * u * v);
  }

  // float32 code rounds each moved input, x_a + u to within d_a = 2^-24 |x_a + u| (and y_b + v
  // alike), so each of D's four values is off by up to |g_a| d_a + |g_b| d_b (g the first
  // derivatives, estimated from the same four values), and D by
  //     (|g_a| d_a + |g_b| d_b) / (u v),   +inf where d_a >= u / 2 or d_b >= v / 2
  // (x + u may be x itself). 0 at double precision: the moves are exact (exact_step).
  double input_rounding(arma::uword a, arma::uword b, double u, double v, double pp, double pm, double mp,
                        double mm) const {
    if (noise_.precision != Precision::kSingle) return 0.0;
    const double half_ulp = 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon());
    const double xa = values_[target_.gradient_of_wrt](a), yb = values_[target_.wrt](b);
    const double da = half_ulp * (std::abs(xa) + std::abs(u)), db = half_ulp * (std::abs(yb) + std::abs(v));
    if (da >= 0.5 * u || db >= 0.5 * v) return kInf;
    const double ga = std::abs(pp + pm - mp - mm) / (4 * u), gb = std::abs(pp - pm + mp - mm) / (4 * v);
    return (ga * da + gb * db) / (u * v);
  }

  // The entry (a, b) at base step c, scaled by s: value and bound (the model in the header).
  // (`noisy`: |D(1) - D(2)| within 4 times its rounding, so that c2 is only bounded by it;
  // `rough`: out of the regime far beyond rounding, |D(1) - D(2)| > 8 rounding + 1e-6 |D(1)|.)
  std::pair<double, double> entry(arma::uword a, arma::uword b, double c, double s, double* c2 = nullptr,
                                  bool* noisy = nullptr, bool* rough = nullptr) {
    const double ha = exact_step(values_[target_.gradient_of_wrt](a), c);
    const double hb = exact_step(values_[target_.wrt](b), c);
    double inputs = 0.0;  // (float32 code: the rounding of the moved inputs, at s)
    const double d1 = d(a, b, ha, hb, s, &inputs), d2 = d(a, b, ha, hb, 2 * s), d4 = d(a, b, ha, hb, 4 * s);
    const double rounding = 3 * sigma() / (ha * hb * s * s) + inputs;
    const double t1 = std::abs(d1 - d2), t2 = std::abs(d2 - d4);
    if (c2) *c2 = t1 / 3 / (s * s);  // per unit s^2, for the tightening rule
    if (noisy) *noisy = !(t1 > 4 * rounding);
    double e = 2.0 / 3.0 * t1 + rounding;
    if (t1 > 4 * rounding && t2 < 2 * t1) e = kInf;
    // Nor does it mean anything when D(4) strays further than the s^2 term allows: in the
    // regime t2 = 4 t1 up to rounding (D(s)'s own is R / s^2, R = `rounding`: t1 within 1.25 R
    // of its value, t2 within 0.32 R, so t2 <= 4 t1 + 5.3 R), here with a margin of 2. (D(1) and
    // D(2) that agree by chance while D(4) does not: a step spanning periods of cos.)
    const bool strays = t2 > 8 * t1 + 8 * rounding;
    if (strays) e = kInf;
    if (rough) *rough = (t1 > 8 * rounding + 1e-6 * std::abs(d1) && t2 < 2 * t1) || (strays && t2 > 1e-6 * std::abs(d1));
    if (!std::isfinite(d1) || !std::isfinite(e)) e = kInf;
    return {d1, e};
  }

  // The second opinions of entry (a, b) (the header's tightening): at s = 10^-1.5, and where x_a
  // or y_b is large (scale S = max(1, |x_a|, |y_b|) > 4 10^1.5) at s = 1 / S too, the steps that
  // the rule would take at |x| = 1: f of a large x may vary on the scale of 1 (cos(x) at
  // x = 5e5) where both relative steps span periods. Where f is smooth on x's own scale, the
  // smaller step's larger rounding only widens that opinion's bound: it contradicts nothing.
  struct Opinion {
    double s = 1.0, value = 0.0, bound = kInf;
    bool rough = false;
  };
  std::vector<Opinion> opinions(arma::uword a, arma::uword b, double c) {
    const double scale = std::max({1.0, std::abs(values_[target_.gradient_of_wrt](a)), std::abs(values_[target_.wrt](b))});
    std::vector<double> steps{1.0 / kSecondOpinionShrink};
    if (scale > 4 * kSecondOpinionShrink) steps.push_back(1.0 / scale);
    std::vector<Opinion> out;
    for (double s : steps) {
      Opinion o;
      o.s = s;
      std::tie(o.value, o.bound) = entry(a, b, c, s, nullptr, nullptr, &o.rough);
      out.push_back(o);
    }
    return out;
  }

  Noise noise_;

 private:
  const Target& target_;
  std::vector<arma::mat>& values_;
  Reference& r_;
  Target scalar_;
  arma::mat out_;
};

void require_unstructured(const Target& target) {
  if (target.structure != Structure::kNone)
    throw Error("check.reference", "second differences take every entry as an independent variable; a symmetric "
                                   "structure is not supported for derivative_order 2 without a complex extension");
}

}  // namespace

Reference second_differences(const Target& target, std::vector<arma::mat>& values, const FdOptions& fd) {
  require_unstructured(target);
  const arma::uword p = values[target.gradient_of_wrt].n_elem, q = values[target.wrt].n_elem;
  Reference r;
  r.method = ReferenceMethod::kFd;
  r.detail = "second differences";
  r.values.zeros(p, q);
  r.bound.zeros(p, q);
  r.steps.zeros(q);
  r.step_notes.assign(q, "");
  SecondDifferences sd(target, values, r);
  const double c = fd.step > 0 ? fd.step : std::pow(sd.rho(), 0.25);
  r.base_step = c;
  for (arma::uword b = 0; b < q; ++b) {
    r.steps(b) = exact_step(values[target.wrt](b), c);
    for (arma::uword a = 0; a < p; ++a) {
      if (sd.pure() && a > b) continue;  // mirrored below
      const auto [v, e] = sd.entry(a, b, c, 1.0);
      r.values(a, b) = v;
      r.bound(a, b) = e;
    }
  }
  if (sd.pure())
    for (arma::uword b = 0; b < q; ++b)
      for (arma::uword a = b + 1; a < p; ++a) {
        r.values(a, b) = r.values(b, a);
        r.bound(a, b) = r.bound(b, a);
      }
  return r;
}

bool tighten_second_differences(const Target& target, std::vector<arma::mat>& values,
                                const std::vector<arma::uword>& columns, int level, Reference& r) {
  if (level > 0 || columns.empty()) return false;
  require_unstructured(target);
  SecondDifferences sd(target, values, r);
  const double c = r.base_step;
  const arma::uword p = r.values.n_rows;
  for (arma::uword b : columns) {
    for (arma::uword a = 0; a < p; ++a) {
      double c2 = 0.0;
      // The estimate of c2 from the base step (the same evaluations as the first pass).
      sd.entry(a, b, c, 1.0, &c2);
      const double ha = exact_step(values[target.gradient_of_wrt](a), c);
      const double hb = exact_step(values[target.wrt](b), c);
      double s = c2 > 0 ? std::pow(3 * sd.sigma() / (ha * hb * c2), 0.25) : 1.0;
      if (!std::isfinite(s) || s <= 0) s = 1.0;
      s = std::clamp(s, 1e-3, 16.0);
      const std::vector<SecondDifferences::Opinion> opinions = sd.opinions(a, b, c);
      // An opinion out of its regime far beyond rounding: f is not smooth on the scale of its
      // step, so neither is any larger step's difference (cos(x) at x = 5e5, whose rule step 50
      // spans eight periods: D(1), D(2), D(4) ~ 1e-5 agree with each other and with the regime
      // test by chance, far from -cos(x)): the entry's bound is void, and only a step smaller
      // than the smallest rough opinion's may narrow it (as first differences mark an entry
      // rough). Steps in the ratios 1 : 2 : 4 alias together near a period (2 s h ~ 2 pi, 4 pi,
      // 8 pi along cos: D(s), D(2s), D(4s) agree with the regime test), so that smaller step is
      // confirmed in turn at a 10^1.5 times smaller one: it stays void where that one is rough
      // too, and takes the hull where the two contradict each other.
      auto mirror = [&] {
        if (sd.pure() && a != b && b < p && a < r.values.n_cols) {
          r.values(b, a) = r.values(a, b);
          r.bound(b, a) = r.bound(a, b);
        }
      };
      double rough_at = kInf;  // the smallest step of a rough opinion
      for (const SecondDifferences::Opinion& o : opinions)
        if (o.rough) rough_at = std::min(rough_at, o.s);
      if (std::isfinite(rough_at)) {
        r.bound(a, b) = kInf;
        r.detail = "second differences (f not smooth on the scale of the steps)";
        if (s < rough_at) {
          bool rough_again = false;
          const std::pair<double, double> smaller = sd.entry(a, b, c, s);
          const std::pair<double, double> check =
              sd.entry(a, b, c, s / kSecondOpinionShrink, nullptr, nullptr, &rough_again);
          if (!rough_again && std::isfinite(smaller.second)) {
            r.values(a, b) = smaller.first;
            r.bound(a, b) = smaller.second;
            if (contradicts(smaller.first, smaller.second, check.first, check.second))
              keep_hull(r.values(a, b), r.bound(a, b), check.first, check.second);
            else if (check.second < smaller.second)
              r.values(a, b) = check.first, r.bound(a, b) = check.second;
          }
        }
        mirror();
        continue;
      }
      bool noisy = false;
      std::pair<double, double> tightened = sd.entry(a, b, c, s, nullptr, &noisy);
      // A c2 estimated from differences within their rounding is only an upper bound, so s is
      // only a lower bound of the best step: doubled while the differences stay within rounding
      // (up to s = 16), the tightest kept (float32 f, whose rounding 3 sigma / (h_a h_b) at the
      // rule's step is near a tolerance of 1e-3).
      for (double larger = 2 * s; noisy && larger <= 16.0; larger *= 2) {
        const std::pair<double, double> next = sd.entry(a, b, c, larger, nullptr, &noisy);
        if (next.second < tightened.second) tightened = next;
      }
      // The opinion, then the re-chosen step: each narrows the entry where tighter, until one
      // contradicts it; from then on the entry only widens to hulls.
      auto keep = [&](arma::uword i, arma::uword j) {
        double& value = r.values(i, j);
        double& bound = r.bound(i, j);
        bool disagree = false;
        std::vector<std::pair<double, double>> all;
        for (const SecondDifferences::Opinion& o : opinions) all.emplace_back(o.value, o.bound);
        all.push_back(tightened);
        for (const std::pair<double, double>& t : all) {
          if (contradicts(value, bound, t.first, t.second)) {
            keep_hull(value, bound, t.first, t.second);
            disagree = true;
          } else if (!disagree && (t.second < bound || !std::isfinite(bound))) {
            value = t.first;
            bound = t.second;
          }
        }
        if (disagree) r.detail = "second differences (at two steps disagreeing beyond their bounds)";
      };
      keep(a, b);
      if (sd.pure() && a != b && b < p && a < r.values.n_cols) keep(b, a);
    }
  }
  if (r.detail.find("disagreeing") == std::string::npos && r.detail.find("not smooth") == std::string::npos)
    r.detail = "second differences (tightened)";
  return true;
}

bool second_differences_contradicted(const Target& target, std::vector<arma::mat>& values,
                                     const std::vector<arma::uword>& columns, Reference& r) {
  if (columns.empty()) return false;
  require_unstructured(target);
  SecondDifferences sd(target, values, r);
  bool contradicted = false;
  for (arma::uword b : columns)
    for (arma::uword a = 0; a < r.values.n_rows && !contradicted; ++a) {
      for (const SecondDifferences::Opinion& o : sd.opinions(a, b, r.base_step))
        contradicted = contradicted || o.rough || contradicts(r.values(a, b), r.bound(a, b), o.value, o.bound);
    }
  return contradicted;
}

}  // namespace gradcheck::reference
