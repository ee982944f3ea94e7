// SPDX-License-Identifier: MIT
// Finite differences with an error bound per entry.
//
// Error models (sigma_a: the measured noise of f_a; every evaluation of f_a is taken to be within
// 3 sigma_a of its exact value; h: the step actually taken, exactly representable):
//
//   central      D(h) = (f(x+h) - f(x-h)) / 2h = f' + c2 h^2 + O(h^4) + rounding <= 3 sigma / h.
//                Evaluated at h and 2h: D(h) - D(2h) = -3 c2 h^2 + ..., so the truncation of D(h)
//                is estimated as |D(h) - D(2h)| / 3 and bounded by twice that:
//                    E = 2/3 |D(h) - D(2h)| + 3 sigma / h.
//   forward/     D1(h) = (f(x + s h) - f(x)) / (s h) = f' + c1 s h + ...; at h and 2h,
//   backward     D1(h) - D1(2h) = -c1 s h:  E = 2 |D1(h) - D1(2h)| + 6 sigma / h.
//   richardson   R = (4 D(h/2) - D(h)) / 3 cancels c2; its truncation is bounded by that of
//                D(h/2), estimated as |R - D(h/2)|:  E = 2 |R - D(h/2)| + 9 sigma / h.
//   ridders      Neville tableau of D(h_i), h_i = h0 / 2^i; the best entry is the one whose
//                difference from its neighbours (err) is smallest:  E = 2 err + 3 sigma / h_i.
//   one-sided    (when f is not finite on one side) 2 D1(h) - D1(2h) = f' + O(h^2):
//   fallback         E = 2 |D1(h) - D1(2h)| + 12 sigma / h.
//   central, f a polynomial of degree <= 2 in x (Target::polynomial_degree): c2 and every
//                higher coefficient are 0, D(h) is exact but for rounding, and f is evaluated at
//                x +- h alone, with h at least kQuadraticStep max(1, |x_b|) (no truncation to
//                keep small; a step the user set is kept). Its bound is the general rule's at
//                c2 = 0 with every evaluation at its worst (D(h) - D(2h) then rounding alone,
//                <= 3 sigma / h + 3 sigma / 2h), plus the rounding of what changed between x and
//                x +- h at the working precision rho (noise.relative), which sigma, measured at
//                x, does not see where f is near 0 at x and not at x +- h:
//                    E = 2/3 (9 sigma / 2h) + 3 sigma / h + 3 rho (|f(x+h) - f(x)| + |f(x-h) - f(x)|) / 2h
//                      = 6 sigma / h + 3 rho (|f(x+h) - f(x)| + |f(x-h) - f(x)|) / 2h.
//                A polynomial has no kink and no pole: the checks below do not apply. Where f is
//                not finite at x +- h (overflow) the general rule is taken.
//   central, f a polynomial of degree <= 1 in x (linear, or constant, in x: W*x, A*H*W, trace):
//                f(x + h) - f(x) = h f' exactly, so the forward difference D1(h) is exact but for
//                rounding and f is evaluated at x + h alone (one evaluation per entry instead of
//                two; the same step as degree 2). D1(h) is within 6 sigma / h of f' (f(x + h) and
//                f(x) each within 3 sigma), twice that is taken, as the degree-2 bound is twice its
//                difference's worst rounding (3 sigma / h), with the rounding of what changed:
//                    E = 12 sigma / h + 3 rho |f(x+h) - f(x)| / h.
//                Where f is not finite at x + h the degree-2 rule, then the general one, is taken.
//
// The asymptotic regime: the estimates above assume h is small next to the distance d to where f
// stops being smooth (a singular matrix, a pole). From the same evaluations, the second
// derivative is estimated at two steps, g(h) / h and g(2h) / 2h; their difference is about
// h^2 f''''/4, which for f^(k) ~ k! / d^(k+1) is 3 (h/d)^2 of f''. When they differ by more than
// half (h > 0.4 d) and by more than their rounding (12 sigma / h^2), the step is not small
// enough for the truncation estimate to mean anything: E = +inf (the entry stays undecided and
// is tightened at smaller steps).
//
// Kinks, from the same evaluations: the one-sided slopes at h differ by
//     g(h) = (f(x+h) - 2 f(x) + f(x-h)) / h,   rounding <= 12 sigma / h.
// For smooth f, g(h) = h f'' + ... scales with h (g(2h) = 2 g(h)); at a kink with slopes s+ and
// s-, g(h) -> s+ - s- does not. An entry is a kink when |g(h)| > 100 sigma / h (far above its
// rounding), |g(h)| > 1e-8 max(1, |s+|, |s-|), and |g(2h) - g(h)| < |g(h)| / 2. Its value is
// then unknown between the two slopes: E >= |g(h)| / 2 + 12 sigma / h.
//
// Steps: h_b = c max(1, |x_b|) rounded so that x_b + h_b is exact. A step at which f is not
// finite (while f(x) is) is divided by 10 up to 4 times; if one side stays non-finite, the
// differences are one-sided on the other side.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <thread>

#include "gradcheck/error.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kInf = std::numeric_limits<double>::infinity();
// The smallest relative step of central differences of a polynomial of degree <= 2 (the header
// comment): its rounding bound is ~170 times below that at the rule's eps^(1/3) in double, while
// f at x +- h stays within about 0.1% of f(x), where the noise measured at x still describes it.
constexpr double kQuadraticStep = 1e-3;

// The working precision rho of the quadratic rule's bound: the measured one, at least eps.
double working_rho(const Noise& noise) { return std::max(kEps, noise.relative); }

// The rounding of the inputs to the step (relative to |x_b|): float32 code rounds x + h to a
// float32 number, half an ulp (2^-24 |x_b|) away at most, so the step taken is h +- u and D(h)
// is off by |D| u / h; below u it may be 0. Double code: none beyond what its noise says.
double input_rounding(const Noise& noise) {
  return noise.precision == Precision::kSingle ? 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon()) : 0.0;
}

// The step actually taken: h = c * max(1, |x_b|), rounded so that (x_b + h) - x_b is exact.
double step_for(double xb, double c) {
  const double h = c * std::max(1.0, std::abs(xb));
  volatile double moved = xb + h;  // volatile: keep the compiler from folding (xb + h) - xb to h
  return moved - xb;
}

// The perturbed evaluator of the target prepared at `values`, or nullptr when it has none.
std::unique_ptr<PerturbedFunction> prepared(const Target& target, const std::vector<arma::mat>& values) {
  if (!target.perturbed) return nullptr;
  std::unique_ptr<PerturbedFunction> p = target.perturbed();
  p->prepare(values);
  return p;
}

// Evaluations of f along one coordinate of x: through the target's perturbed evaluator when
// `perturbed` is given (prepared at `values`), else f itself with x moved in place.
class Line {
 public:
  Line(const Target& target, std::vector<arma::mat>& values, Coordinate c, std::uint64_t& evaluations,
       PerturbedFunction* perturbed = nullptr)
      : target_(target), values_(values), c_(c), evaluations_(evaluations), perturbed_(perturbed) {}

  double x() const { return values_[target_.wrt](c_.first); }
  // f is a polynomial of degree <= 2 in x: central differences are exact but for rounding.
  bool quadratic() const { return degree_at_most(2); }
  // Of degree <= 1 (linear in x): a forward difference is exact but for rounding.
  bool linear() const { return degree_at_most(1); }
  bool degree_at_most(int k) const { return target_.polynomial_degree >= 0 && target_.polynomial_degree <= k; }
  // Target::confirm_regime: the odd part's regime is checked at 4h as well.
  bool confirm_regime() const { return target_.confirm_regime; }
  bool smooth() const { return target_.smooth; }
  // f answers many points in one call (a program): the evaluations of a step go together.
  bool batched() const { return !perturbed_ && target_.f_batch; }

  // vec(f) at x + delta along the coordinate, into `into` (its memory reused); x is restored
  // exactly.
  void at(double delta, arma::vec& into) {
    const arma::mat& out = view(delta);
    into.set_size(out.n_elem);
    std::copy(out.begin(), out.end(), into.begin());
  }
  // The same without the copy: f's result as the evaluator holds it, valid until the next
  // evaluation along this line.
  const arma::mat& view(double delta) {
    if (perturbed_) {
      const arma::mat& out = perturbed_->at(c_.first, c_.second, delta);
      ++evaluations_;
      return out;
    }
    arma::mat& x = values_[target_.wrt];
    const double first = x(c_.first), second = x(c_.second);
    x(c_.first) += delta;
    if (c_.second != c_.first) x(c_.second) += delta;
    try {
      target_.f(values_, out_);
    } catch (...) {
      x(c_.first) = first;
      x(c_.second) = second;
      throw;
    }
    x(c_.first) = first;
    x(c_.second) = second;
    ++evaluations_;
    return out_;
  }
  arma::vec at(double delta) {
    arma::vec v;
    at(delta, v);
    return v;
  }

  // vec(f) at x + delta for each delta: one call of target.f_batch when it is set.
  std::vector<arma::vec> at(const std::vector<double>& deltas) {
    std::vector<arma::vec> out;
    if (!target_.f_batch) {
      for (double d : deltas) out.push_back(at(d));
      return out;
    }
    std::vector<std::vector<arma::mat>> points(deltas.size(), values_);
    for (std::size_t k = 0; k < deltas.size(); ++k) {
      arma::mat& x = points[k][target_.wrt];
      x(c_.first) += deltas[k];
      if (c_.second != c_.first) x(c_.second) += deltas[k];
    }
    std::vector<arma::mat> outs;
    target_.f_batch(points, outs);
    evaluations_ += deltas.size();
    for (const arma::mat& m : outs) out.push_back(arma::vectorise(m));
    return out;
  }

 private:
  const Target& target_;
  std::vector<arma::mat>& values_;
  Coordinate c_;
  std::uint64_t& evaluations_;
  PerturbedFunction* perturbed_;
  arma::mat out_;
};

// f at x +- h and x +- 2h, shrinking h while f is not finite there.
struct Symmetric {
  double h = 0.0;
  arma::vec plus, minus, plus2, minus2;
  bool plus_ok = false, minus_ok = false;  // both steps of that side finite
  int shrinks = 0;
};

// One coordinate's result.
struct Column {
  arma::vec value, bound;
  double step = 0.0;
  std::string note;
  std::vector<Reference::Kink> kinks;  // with b unset (the caller fills it)
  // Entries whose odd part is outside its asymptotic regime at 4h (Target::confirm_regime), or
  // its even part (the curvature test), beyond 8 times the differences' rounding and 1e-6 of
  // their size: f is not smooth on the scale of the step, which a sigma measured too small
  // cannot explain (a polynomial gradient, and a complex-step gradient measured at eps / 2, at
  // h / 31.6 failed the regime test on their rounding alone). Read by the second opinion and
  // levels 1-3 of tighten (Reference::rough).
  std::vector<arma::uword> off_regime;
  // Not part of the result: the evaluations behind it, kept so that a Column filled for one
  // coordinate after another (each_column) reuses their memory instead of allocating f-sized
  // buffers for every coordinate.
  struct Scratch {
    Symmetric s;
    arma::vec plus, plus4, minus4;
  } scratch;
};


// Into `s`, whose buffers are reused (a column after another keeps their memory).
void symmetric_evaluations(Line& line, double h, Symmetric& s) {
  s.shrinks = 0;
  // Down to 1e3 eps of |x_b| (of 1 at x_b = 0): near the edge of the domain at a tiny x_b (log x at
  // 1e-18) the step must become relative to x_b itself.
  const double floor = 1e3 * kEps * (line.x() != 0.0 ? std::abs(line.x()) : 1.0);
  for (int attempt = 0; attempt <= 30; ++attempt) {
    s.h = h;
    if (line.batched()) {
      std::vector<arma::vec> v = line.at(std::vector<double>{h, 2 * h, -h, -2 * h});
      s.plus = std::move(v[0]);
      s.plus2 = std::move(v[1]);
      s.minus = std::move(v[2]);
      s.minus2 = std::move(v[3]);
    } else {
      line.at(h, s.plus);
      line.at(2 * h, s.plus2);
      line.at(-h, s.minus);
      line.at(-2 * h, s.minus2);
    }
    s.plus_ok = s.plus.is_finite() && s.plus2.is_finite();
    s.minus_ok = s.minus.is_finite() && s.minus2.is_finite();
    if (s.plus_ok && s.minus_ok) return;
    const double smaller = step_for(line.x(), h / 10.0 / std::max(1.0, std::abs(line.x())));
    if (!(smaller > 0) || smaller < floor) break;
    h = smaller;
    ++s.shrinks;
  }
}

// One-sided second-order difference 2 D1(h) - D1(2h) on the side `sign` from f0, f(x+sh), f(x+2sh).
Column one_sided(const arma::vec& f0, const arma::vec& near, const arma::vec& far, double h, double sign,
                 const arma::vec& sigma) {
  Column c;
  c.step = h;
  const arma::vec d1 = (near - f0) / (sign * h), d2 = (far - f0) / (2 * sign * h);
  c.value = 2 * d1 - d2;
  c.bound = 2 * arma::abs(d1 - d2) + 12 * sigma / h;
  return c;
}

// The tests of one entry from its evaluations at h and 2h (curve1, curve2: f+ - 2 f0 + f- at h
// and 2h; step1, step2: f+ - f- at h and 2h; sigma its noise), each written once for the
// entry-by-entry rule and its vectorised pass (plain_central), in branch-free form (& and |:
// every operand is computed anyway).
//
// The second differences at h and 2h must agree (within half, and their rounding): else the step
// is not small next to where f changes curvature, and D(h) - D(2h) says nothing. The test,
// |s2 - s1| > |s1| / 2 + 12 sigma / h^2, is taken only where its h^2 multiple (c1 = h^2 s1,
// c2 = 4 h^2 s2) does not pass it by a factor 4 (that margin is far above the rounding of either
// form, so the outcome is the exact test's).
inline bool curvature_fails(double curve1, double curve2, double sigma, double h) {
  const bool screened = std::abs(curve2 / 4 - curve1) <= 0.25 * (0.5 * std::abs(curve1) + 12 * sigma);
  const double second1 = curve1 / (h * h), second2 = curve2 / (4 * h * h);
  const double rounding2 = 12 * sigma / (h * h);
  return !screened & (std::abs(second2 - second1) > 0.5 * std::abs(second1) + rounding2);
}
// A jump (find_kink): f+ - f- far above the noise and not growing with the step, the even part
// unchanged too.
inline bool jump_at(double step1, double step2, double curve1, double curve2, double sigma) {
  return (std::abs(step1) > 100 * sigma) & (std::abs(step2 - step1) < 0.5 * std::abs(step1)) &
         (std::abs(curve2 - curve1) <= 0.5 * std::abs(curve1) + 100 * sigma);
}
// The kink test of find_kink fails for certain (its screen, below): no kink.
inline bool no_kink_for_certain(double curve1, double curve2, double sigma) {
  return (std::abs(curve1) <= 100 * sigma * (1 - 1e-12)) | (std::abs(curve2 / 2 - curve1) >= 0.75 * std::abs(curve1));
}

// A kink at entry a from the symmetric evaluations at h and 2h (see the header comment), or a
// jump: f(x+h) - f(x-h) far above the noise (100 sigma) that does not grow with the step (smooth
// f: it doubles from h to 2h; a jump of f stays): no derivative, whatever the one-sided slopes
// say. Pushed to c.kinks; `bound` widened. curve1, curve2: f+ - 2 f0 + f- at h and at 2h.
void find_kink(arma::uword a, const arma::vec& f0, const Symmetric& s, const arma::vec& sigma, double curve1,
               double curve2, Column& c, double& bound) {
  // A jump leaves the even part alone too (f+ + f- - 2 f0 is the jump's offset at both steps);
  // a kink within the step also keeps f+ - f- constant (abs at x = d < h: 2d), but its even part
  // grows with the step (2h - 2d, 4h - 2d): that is no jump.
  const double step1 = s.plus[a] - s.minus[a], step2 = s.plus2[a] - s.minus2[a];
  if (jump_at(step1, step2, curve1, curve2, sigma[a])) {
    c.kinks.push_back({a, 0, (s.plus[a] - f0[a]) / s.h, (f0[a] - s.minus[a]) / s.h, true});
    bound = kInf;
    return;
  }
  // The test below needs |g1| > 100 sigma / h and |g2 - g1| < |g1| / 2, with g1 = c1 / h and
  // g2 = c2 / 2h: an entry whose c1 is below 100 sigma by more than rounding, or whose
  // |c2 / 2 - c1| is at least 3/4 |c1| (a smooth f: c2 = 4 c1 + O(h^4), so 1), fails it for
  // certain and is passed without a division (the margins are far above the rounding of g1, g2).
  if (no_kink_for_certain(curve1, curve2, sigma[a])) return;
  const double g1 = curve1 / s.h;
  const double g2 = curve2 / (2 * s.h);
  const double fw = (s.plus[a] - f0[a]) / s.h, bw = (f0[a] - s.minus[a]) / s.h;
  const double rounding = 12 * sigma[a] / s.h;
  if (std::abs(g1) > 100 * sigma[a] / s.h && std::abs(g1) > 1e-8 * std::max({1.0, std::abs(fw), std::abs(bw)}) &&
      std::abs(g2 - g1) < 0.5 * std::abs(g1)) {
    c.kinks.push_back({a, 0, fw + 0.0, bw + 0.0, false});
    bound = std::max(bound, 0.5 * std::abs(g1) + rounding);
  }
}

// The general central rule's column in one branch-free pass (vectorised; it runs for every
// column of every check of an f that is not a polynomial of degree <= 2, a C++ callable among
// them): value = D(h), bound = 2/3 |D(h) - D(2h)| + 3 sigma / h, infinite where the curvature
// test fails, each by the operations of the entry-by-entry loop of central_column (the same
// bits), and the count of entries where find_kink would do more: a jump, or a kink past its
// screen (each condition as find_kink writes it). True (the column done: no kink) when there is
// none; else the loop takes the column again.
bool plain_central(const Symmetric& s, const arma::vec& f0, const arma::vec& sigma, Column& c) {
  const arma::uword n = f0.n_elem;
  const double *pp = s.plus.memptr(), *mp = s.minus.memptr(), *p2 = s.plus2.memptr(), *m2 = s.minus2.memptr();
  const double *fp = f0.memptr(), *sp = sigma.memptr();
  double *vp = c.value.memptr(), *bp = c.bound.memptr();
  const double h = s.h;
  double special = 0.0;
#pragma omp simd reduction(+ : special)
  for (arma::uword a = 0; a < n; ++a) {
    const double d1 = (pp[a] - mp[a]) / (2 * h), d2 = (p2[a] - m2[a]) / (4 * h);
    const double bound = (2.0 / 3.0) * std::abs(d1 - d2) + 3 * sp[a] / h;
    const double curve1 = pp[a] - 2 * fp[a] + mp[a], curve2 = p2[a] - 2 * fp[a] + m2[a];
    const double step1 = pp[a] - mp[a], step2 = p2[a] - m2[a];
    vp[a] = d1;
    bp[a] = curvature_fails(curve1, curve2, sp[a], h) ? kInf : bound;  // (widened here, as the loop does)
    const bool more = jump_at(step1, step2, curve1, curve2, sp[a]) | !no_kink_for_certain(curve1, curve2, sp[a]);
    special += more ? 1.0 : 0.0;
  }
  return special == 0.0;
}

// Central (or, with `richardson`, Richardson-extrapolated) differences along one coordinate, into
// `c` (its previous contents replaced; its buffers reused).
void central_column_of_exact_inputs(Line& line, const arma::vec& f0, double c0, const arma::vec& sigma,
                                    bool richardson, double rho, Column& c);

// central_column_of_exact_inputs with the rounding of the inputs to the step (input_rounding,
// relative to |x_b|: u = input_rounding |x_b|): the step taken is h +- u, so each entry's bound
// gains |D| u / h, and is +inf where u >= h / 2 (x + h may be x itself).
void central_column(Line& line, const arma::vec& f0, double c0, const arma::vec& sigma, bool richardson, double rho,
                    Column& c, double input_rounding = 0.0) {
  central_column_of_exact_inputs(line, f0, c0, sigma, richardson, rho, c);
  if (input_rounding <= 0.0 || !(c.step > 0.0)) return;
  const double u = input_rounding * std::abs(line.x());
  for (arma::uword a = 0; a < c.bound.n_elem; ++a)
    c.bound(a) = u >= 0.5 * c.step ? kInf : c.bound(a) + std::abs(c.value(a)) * u / c.step;
}

void central_column_of_exact_inputs(Line& line, const arma::vec& f0, double c0, const arma::vec& sigma,
                                    bool richardson, double rho, Column& c) {
  c.note.clear();
  c.kinks.clear();
  c.off_regime.clear();
  const double h = step_for(line.x(), richardson ? c0 / 2 : c0);
  if (!richardson && line.linear() && !line.batched()) {
    // Degree <= 1: value = (f+ - f0) / h, bound = 12 sigma / h + 3 rho |f+ - f0| / h (the
    // header comment), in one pass over f+ as the evaluator holds it.
    // (f+ finite: the sum of the changes is, unless it overflows, which only sends the column to
    // the degree-2 rule below.)
    const arma::mat& up = line.view(h);
    const arma::uword n = f0.n_elem;
    if (up.n_elem == n) {
      c.step = h;
      c.value.set_size(n);
      c.bound.set_size(n);
      const double *pp = up.memptr(), *fp = f0.memptr(), *sp = sigma.memptr();
      double *vp = c.value.memptr(), *bp = c.bound.memptr();
      const double noise_scale = 12 / h, change_scale = 3 * rho / h;
      double changes = 0.0;  // (its order of addition is free: only its finiteness is read)
#pragma omp simd reduction(+ : changes)
      for (arma::uword a = 0; a < n; ++a) {
        const double change = pp[a] - fp[a];
        changes += change;
        vp[a] = change / h;
        bp[a] = noise_scale * sp[a] + change_scale * std::abs(change);
      }
      if (std::isfinite(changes)) return;
    }
  }
  if (!richardson && line.quadratic()) {
    // Degree <= 2: D(h) exact but for rounding (the header comment).
    arma::vec& plus = c.scratch.plus;
    arma::vec minus;
    const double* mp = nullptr;  // f at x - h
    arma::uword minus_size = 0;
    if (line.batched()) {
      std::vector<arma::vec> v = line.at(std::vector<double>{h, -h});
      plus = std::move(v[0]);
      minus = std::move(v[1]);
      mp = minus.memptr();
      minus_size = minus.n_elem;
    } else {
      line.at(h, plus);  // (copied: the next evaluation reuses the evaluator's buffer)
      const arma::mat& down = line.view(-h);
      mp = down.memptr();
      minus_size = down.n_elem;
    }
    // value = (f+ - f-) / 2h, bound = 6 sigma / h + 3 rho (|f+ - f0| + |f- - f0|) / 2h, in one
    // pass (this runs for every column of every check of such an f).
    const arma::uword n = f0.n_elem;
    c.step = h;
    c.value.set_size(n);
    c.bound.set_size(n);
    const double *pp = plus.memptr(), *fp = f0.memptr(), *sp = sigma.memptr();
    double *vp = c.value.memptr(), *bp = c.bound.memptr();
    const double two_h = 2 * h, noise_scale = 6 / h, change_scale = 3 * rho / two_h;
    bool finite = plus.n_elem == n && minus_size == n;
    for (arma::uword a = 0; a < n && finite; ++a) {
      const double up = pp[a], down = mp[a];
      finite = std::isfinite(up) && std::isfinite(down);
      vp[a] = (up - down) / two_h;
      bp[a] = noise_scale * sp[a] + change_scale * (std::abs(up - fp[a]) + std::abs(down - fp[a]));
    }
    if (finite) return;
  }
  Symmetric& s = c.scratch.s;
  symmetric_evaluations(line, h, s);
  if (!(s.plus_ok && s.minus_ok)) {
    // One side stays where f is not finite: one-sided on the other, at the first step tried.
    if (s.plus_ok || s.minus_ok) {
      const bool forward = s.plus_ok;
      Column side = one_sided(f0, forward ? s.plus : s.minus, forward ? s.plus2 : s.minus2, s.h, forward ? 1.0 : -1.0,
                              sigma);
      c.value = std::move(side.value);
      c.bound = std::move(side.bound);
      c.step = side.step;
      // The asymptotic regime of a one-sided difference: D1(h) - D1(2h) = -c h and D1(2h) -
      // D1(4h) = -2 c h, so their ratio is 1/2; far from it (outside [1/4, 1]) the step is not
      // small next to where f stops being smooth, and the bound means nothing.
      const double sign = forward ? 1.0 : -1.0;
      const arma::vec far4 = line.at(4 * sign * s.h);
      const arma::vec d1 = ((forward ? s.plus : s.minus) - f0) / (sign * s.h);
      const arma::vec d2 = ((forward ? s.plus2 : s.minus2) - f0) / (2 * sign * s.h);
      const arma::vec d4 = (far4 - f0) / (4 * sign * s.h);
      for (arma::uword a = 0; a < f0.n_elem; ++a) {
        const double near_diff = d1(a) - d2(a), far_diff = d2(a) - d4(a);
        const double rounding = 12 * sigma(a) / s.h;
        if (std::abs(near_diff) <= rounding && std::abs(far_diff) <= rounding) continue;
        const double ratio = near_diff / far_diff;
        if (!std::isfinite(ratio) || ratio < 0.25 || ratio > 1.0) c.bound(a) = kInf;
      }
      c.note = fmt::format("one-sided ({}) at h = {:.3g}: f is not finite at x {} h", forward ? "forward" : "backward",
                           s.h, forward ? "-" : "+");
    } else {
      c.step = s.h;
      c.value.set_size(f0.n_elem);
      c.value.fill(std::numeric_limits<double>::quiet_NaN());
      c.bound.set_size(f0.n_elem);
      c.bound.fill(kInf);
      c.note = fmt::format("f is not finite on either side of x, down to h = {:.3g}", s.h);
    }
    return;
  }
  c.step = s.h;
  if (s.shrinks > 0)
    c.note = fmt::format("step {:.3g} ({} times smaller than the rule): f is not finite somewhere within x +- {:.3g}",
                         s.h, static_cast<int>(std::pow(10, s.shrinks)), s.h * 20);
  // Entry by entry in one pass (this runs for every column of every check of an f that is not a
  // polynomial of degree <= 2): D(h) = (f+ - f-) / 2h and D(2h), the value and its bound, then
  // what makes the bound infinite (each test only widens it, so their order does not matter).
  const bool confirm = line.confirm_regime();
  arma::vec &plus4 = c.scratch.plus4, &minus4 = c.scratch.minus4;
  if (confirm) {
    line.at(4 * s.h, plus4);
    line.at(-4 * s.h, minus4);
  }
  const arma::uword n = f0.n_elem;
  // (The loop reads each answer at every entry: a target that answered another size is an
  // error, not a read past its end.)
  const arma::vec* answers[] = {&s.plus, &s.minus, &s.plus2, &s.minus2, &plus4, &minus4};
  for (int k = 0; k < (confirm ? 6 : 4); ++k)
    if (answers[k]->n_elem != n)
      throw Error("check.function",
                  fmt::format("f returned {} values along a coordinate, {} at the point", answers[k]->n_elem, n));
  c.value.set_size(n);
  c.bound.set_size(n);
  if (!richardson && !confirm && plain_central(s, f0, sigma, c)) return;
  for (arma::uword a = 0; a < n; ++a) {
    const double d1 = (s.plus[a] - s.minus[a]) / (2 * s.h), d2 = (s.plus2[a] - s.minus2[a]) / (4 * s.h);
    double value, bound;
    if (richardson) {
      // Here h_small = s.h, h_large = 2 s.h: R = (4 D(h_small) - D(h_large)) / 3.
      value = (4 * d1 - d2) / 3;
      bound = 2 * std::abs(value - d1) + 9 * sigma[a] / (2 * s.h);
    } else {
      value = d1;
      bound = (2.0 / 3.0) * std::abs(d1 - d2) + 3 * sigma[a] / s.h;
    }
    if (confirm) {
      // The odd part at 4h (Target::confirm_regime): with D(h) - D(2h) = -3 c h^2 in the regime,
      // D(2h) - D(4h) = -12 c h^2; a ratio outside [2, 8] (the rounding of each difference,
      // 6 sigma / h, aside) means neither D(h) nor its bound can be trusted.
      const double d4 = (plus4[a] - minus4[a]) / (8 * s.h);
      const double near = d1 - d2, far = d2 - d4;
      const double rounding = 6 * sigma[a] / s.h;
      if (!std::isfinite(d4)) {
        bound = kInf;
      } else if (!(std::abs(near) <= rounding && std::abs(far) <= 4 * rounding)) {
        const double ratio = far / near;
        if (!(ratio >= 2.0 && ratio <= 8.0)) {
          bound = kInf;
          if (std::max(std::abs(near), std::abs(far)) > 8 * rounding + 1e-6 * std::abs(d1)) c.off_regime.push_back(a);
        }
      }
    }
    // The curvature test (curvature_fails).
    const double curve1 = s.plus[a] - 2 * f0[a] + s.minus[a], curve2 = s.plus2[a] - 2 * f0[a] + s.minus2[a];
    if (curvature_fails(curve1, curve2, sigma[a], s.h)) {
      bound = kInf;
      // (Far beyond its rounding, with the regime confirmed: Column::off_regime, as below.)
      if (confirm && std::abs(curve2 / 4 - curve1) > 8 * 12 * sigma[a] + 1e-6 * std::abs(curve1) &&
          (c.off_regime.empty() || c.off_regime.back() != a))
        c.off_regime.push_back(a);
    }
    find_kink(a, f0, s, sigma, curve1, curve2, c, bound);
    c.value[a] = value;
    c.bound[a] = bound;
  }
  if (line.smooth()) c.kinks.clear();  // Target::smooth: the bounds find_kink widened stay
}

Column central_column(Line& line, const arma::vec& f0, double c0, const arma::vec& sigma, bool richardson,
                      double rho, double input_rounding = 0.0) {
  Column c;
  central_column(line, f0, c0, sigma, richardson, rho, c, input_rounding);
  return c;
}

// Forward or backward differences at h and 2h.
Column one_sided_column(Line& line, const arma::vec& f0, double c0, const arma::vec& sigma, double sign) {
  Column c;
  double h = step_for(line.x(), c0);
  for (int attempt = 0; attempt <= 4; ++attempt) {
    const arma::vec near = line.at(sign * h), far = line.at(2 * sign * h);
    if ((near.is_finite() && far.is_finite()) || attempt == 4) {
      c.step = h;
      const arma::vec d1 = (near - f0) / (sign * h), d2 = (far - f0) / (2 * sign * h);
      c.value = d1;
      c.bound = 2 * arma::abs(d1 - d2) + 6 * sigma / h;
      if (attempt > 0) c.note = fmt::format("step {:.3g}: f is not finite at larger steps", h);
      return c;
    }
    h = step_for(line.x(), h / 10.0 / std::max(1.0, std::abs(line.x())));
  }
  return c;
}

// Ridders' extrapolation (the Neville tableau of Numerical Recipes' dfridr, as Ceres'
// GradientChecker uses it): central differences at h0, h0/s, h0/s^2, ... extrapolated to h -> 0;
// per entry the estimate whose error (its difference from its neighbours) is smallest; stops when
// higher orders make every entry worse by a factor 2.
Column ridders_column(Line& line, const arma::vec& f0, double c0, double shrink, int max_iterations,
                      const arma::vec& sigma) {
  const arma::uword p = f0.n_elem;
  Column c;
  double h = step_for(line.x(), c0);
  // The first step is shrunk (by 4, up to 12 times) while f is not finite at x +- h, x +- 2h (log x
  // at small x) or the step is outside the asymptotic regime (the second derivatives at h and 2h
  // differ by more than half: a pole or a singular matrix within a few steps). A tableau started
  // there agrees with itself on a plateau and is wrong with a small error estimate.
  for (int attempt = 0; attempt < 12; ++attempt) {
    const arma::vec plus = line.at(h), minus = line.at(-h), plus2 = line.at(2 * h), minus2 = line.at(-2 * h);
    bool ok = plus.is_finite() && minus.is_finite() && plus2.is_finite() && minus2.is_finite();
    for (arma::uword a = 0; a < p && ok; ++a) {
      const double s1 = (plus(a) - 2 * f0(a) + minus(a)) / (h * h);
      const double s2 = (plus2(a) - 2 * f0(a) + minus2(a)) / (4 * h * h);
      ok = std::abs(s2 - s1) <= 0.5 * std::abs(s1) + 12 * sigma(a) / (h * h);
    }
    if (ok) break;
    h = step_for(line.x(), h / 4.0 / std::max(1.0, std::abs(line.x())));
  }
  const double s2 = shrink * shrink;
  std::vector<std::vector<arma::vec>> table(max_iterations, std::vector<arma::vec>(max_iterations));
  auto central = [&](double step) { return arma::vec((line.at(step) - line.at(-step)) / (2 * step)); };
  table[0][0] = central(h);
  arma::vec best = table[0][0];
  arma::vec best_error(p, arma::fill::value(kInf));
  arma::vec best_step(p, arma::fill::value(h));
  for (int i = 1; i < max_iterations; ++i) {
    h = step_for(line.x(), h / shrink / std::max(1.0, std::abs(line.x())));
    table[0][i] = central(h);
    double factor = s2;
    for (int j = 1; j <= i; ++j) {
      table[j][i] = (table[j - 1][i] * factor - table[j - 1][i - 1]) / (factor - 1.0);
      factor *= s2;
      const arma::vec err =
          arma::max(arma::abs(table[j][i] - table[j - 1][i]), arma::abs(table[j][i] - table[j - 1][i - 1]));
      for (arma::uword k = 0; k < p; ++k) {
        if (err(k) <= best_error(k)) {
          best_error(k) = err(k);
          best(k) = table[j][i](k);
          best_step(k) = h;
        }
      }
    }
    const arma::vec growth = arma::abs(table[i][i] - table[i - 1][i - 1]);
    if (arma::all(growth >= 2.0 * best_error)) break;
  }
  c.value = best;
  c.bound = 2 * best_error + 3 * sigma / best_step;
  c.step = best_step.min();
  for (arma::uword k = 0; k < p; ++k)
    if (!std::isfinite(c.value(k))) c.bound(k) = kInf;
  return c;
}

// Entry (a, b) of J sits on a kink the reference records.
bool on_kink(const Reference& r, arma::uword a, arma::uword b) {
  for (const Reference::Kink& k : r.kinks)
    if (k.a == a && k.b == b) return true;
  return false;
}


// Marks entry (a, b) rough (Reference::rough), and reads the mark.
void mark_rough(Reference& r, arma::uword a, arma::uword b) {
  if (r.rough.is_empty()) r.rough.zeros(r.values.n_rows, r.values.n_cols);
  r.rough(a, b) = 1;
}
bool is_rough(const Reference& r, arma::uword a, arma::uword b) { return !r.rough.is_empty() && r.rough(a, b); }

// Entry a of the column is in its off_regime list (ascending: pushed in entry order).
bool off_regime(const Column& c, arma::uword a) {
  return std::binary_search(c.off_regime.begin(), c.off_regime.end(), a);
}

// A new finite difference `value +- bound` may replace entry (a, b) of a contradicted entry
// (Reference::contradictions) only when it agrees with the complex step's within both bounds.
bool vouched(const Reference& r, arma::uword a, arma::uword b, double value, double bound) {
  for (const Reference::Contradiction& k : r.contradictions)
    if (k.a == a && k.b == b) return std::abs(value - k.value) <= bound + k.bound;
  return true;
}

// A difference of exactly 0 at a step where a step before saw f move (known: a nonzero value):
// the step is below f's own resolution of its inputs (tighten, levels 1-3), not a measurement.
bool frozen(double value, double known) { return value == 0.0 && known != 0.0 && std::isfinite(known); }

// Writes a column's result into the reference (both entries of a symmetric pair). With
// replace_only_if_tighter, a value replaces the known one where its bound is tighter, and with
// hull_if_contradicted too, where the two contradict each other the entry keeps their hull
// (keep_hull): a black box, with no complex step to vouch for either, whose difference at an
// aliasing step (sin at x = 1e9, h = 7560 = 1203 periods + 0.24) has the tight bound of a step
// of 0.24 around a value 0.24 / h times too small, which a right smaller step must not lose to.
void store(Reference& r, Coordinate co, const Column& c, bool replace_only_if_tighter,
           bool hull_if_contradicted = false) {
  for (arma::uword b : {co.first, co.second}) {
    if (replace_only_if_tighter) {
      for (arma::uword a = 0; a < c.value.n_elem; ++a) {
        if (!r.contradictions.empty() && !vouched(r, a, b, c.value(a), c.bound(a))) continue;
        if (hull_if_contradicted && contradicts(r.values(a, b), r.bound(a, b), c.value(a), c.bound(a))) {
          keep_hull(r.values(a, b), r.bound(a, b), c.value(a), c.bound(a));
          mark_rough(r, a, b);
          continue;
        }
        // (A step of these levels outside its asymptotic regime: rough on its scale.)
        if (hull_if_contradicted && off_regime(c, a)) mark_rough(r, a, b);
        if (c.bound(a) < r.bound(a, b) || !std::isfinite(r.bound(a, b))) {
          r.values(a, b) = c.value(a);
          r.bound(a, b) = c.bound(a);
        }
      }
    } else if (c.value.n_elem == 1 && r.values.n_rows == 1 && c.bound.n_elem == 1) {
      r.values.at(0, b) = c.value[0];  // (a scalar f: no copy call for one entry)
      r.bound.at(0, b) = c.bound[0];
    } else if (c.value.n_elem == r.values.n_rows && c.bound.n_elem == r.values.n_rows) {
      std::copy(c.value.begin(), c.value.end(), r.values.colptr(b));
      std::copy(c.bound.begin(), c.bound.end(), r.bound.colptr(b));
    } else {
      r.values.col(b) = c.value;  // (throws: another size)
      r.bound.col(b) = c.bound;
    }
    r.steps(b) = c.step;
    if (!c.note.empty()) r.step_notes[b] = c.note;
    if (co.second == co.first) break;
  }
  for (Reference::Kink k : c.kinks) {
    k.b = co.first;
    r.kinks.push_back(k);
    if (co.second != co.first) r.kinks.push_back({k.a, co.second, k.forward, k.backward, k.jump});
  }
}

// The relative precision the step rule assumes: float32's half ulp for single precision, eps for
// double (a noisy double f is usually ill-conditioned, and ill-conditioning wants smaller steps,
// not larger).
double step_rho(const Noise& noise) {
  return noise.precision == Precision::kSingle
             ? std::max(noise.relative, 0.5 * double(std::numeric_limits<float>::epsilon()))
             : kEps;
}

// The coordinate that moves entry b (see coordinates(): for a symmetric x the pair of (i,j) with
// i >= j and (j,i)), without listing them all.
Coordinate coordinate_of(const arma::mat& x, Structure structure, arma::uword b) {
  if (structure != Structure::kSymmetric || x.n_rows != x.n_cols || b >= x.n_elem) return {b, b};
  arma::uword i = b % x.n_rows, j = b / x.n_rows;
  if (i < j) std::swap(i, j);
  return {i + j * x.n_rows, j + i * x.n_rows};
}

// Every column is stored by finite_differences (the coordinates cover x), so none is zeroed first.
Reference empty_reference(const arma::mat& x, arma::uword p) {
  Reference r;
  r.values.set_size(p, x.n_elem);
  r.bound.set_size(p, x.n_elem);
  r.steps.zeros(x.n_elem);
  r.step_notes.assign(x.n_elem, "");
  return r;
}

}  // namespace

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

int evaluations_per_entry(const FdOptions& fd) {
  switch (fd.method) {
    case FdMethod::kCentral:
    case FdMethod::kRichardson: return 4;
    case FdMethod::kForward:
    case FdMethod::kBackward: return 2;
    case FdMethod::kRidders: return 2 * fd.ridders_max_iterations + 4;
  }
  return 4;
}

double base_step(const FdOptions& fd, double rho) {
  if (fd.step > 0) return fd.step;
  rho = std::clamp(rho, kEps, 1e-6);
  switch (fd.method) {
    case FdMethod::kCentral: return std::cbrt(rho);
    case FdMethod::kForward:
    case FdMethod::kBackward: return std::sqrt(rho);
    case FdMethod::kRichardson: return std::pow(rho, 0.2);
    case FdMethod::kRidders: return 1e-2;
  }
  return std::cbrt(rho);
}

namespace {

// Computes column(line, co) for every coordinate of `todo` and hands each to sink(co, column) in
// todo's order. With target.threads > 1, worker w takes coordinates w, w + workers, ... with its
// own copy of the values and its own `perturbed` evaluator, and the columns are sunk afterwards
// in order; the first coordinate (in that order) whose evaluation threw rethrows, as one thread
// would have: the same result, bit for bit. `evaluations` counts f's evaluations.
template <typename ColumnFn, typename Sink>
void each_column(const Target& target, std::vector<arma::mat>& values, const std::vector<Coordinate>& todo,
                 std::uint64_t& evaluations, const ColumnFn& column, const Sink& sink) {
  const std::size_t workers = std::min<std::size_t>(std::max(1, target.threads), todo.size());
  if (workers <= 1) {
    std::unique_ptr<PerturbedFunction> perturbed = prepared(target, values);
    Column c;  // one for every coordinate: its buffers are allocated once
    for (const Coordinate& co : todo) {
      Line line(target, values, co, evaluations, perturbed.get());
      column(line, co, c);
      sink(co, c);
    }
    return;
  }
  std::vector<Column> columns(todo.size());
  std::vector<std::uint64_t> counts(todo.size(), 0);
  std::vector<std::exception_ptr> errors(todo.size());
  std::vector<std::vector<arma::mat>> copies(workers, values);
  std::vector<std::unique_ptr<PerturbedFunction>> evaluators(workers);
  for (std::size_t w = 0; w < workers; ++w) evaluators[w] = prepared(target, values);
  auto work = [&](std::size_t w) {
    Column scratch;  // the worker's evaluations; columns[k] keeps the result alone
    for (std::size_t k = w; k < todo.size(); k += workers) {
      try {
        Line line(target, copies[w], todo[k], counts[k], evaluators[w].get());
        column(line, todo[k], scratch);
        Column& out = columns[k];
        out.value = std::move(scratch.value);
        out.bound = std::move(scratch.bound);
        out.step = scratch.step;
        out.note = std::move(scratch.note);
        out.kinks = std::move(scratch.kinks);
        out.off_regime = std::move(scratch.off_regime);
      } catch (...) {
        errors[k] = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  for (std::size_t k = 0; k < todo.size(); ++k) {
    evaluations += counts[k];
    if (errors[k]) std::rethrow_exception(errors[k]);
    sink(todo[k], columns[k]);
  }
}

// One coordinate's column of finite differences by `fd.method` (c0: the base step), into `c`
// (its buffers reused).
void fd_column(Line& line, const arma::vec& f0, double c0, const Noise& noise, const FdOptions& fd, Column& c) {
  switch (fd.method) {
    case FdMethod::kCentral:
      if (line.quadratic() && fd.step <= 0) c0 = std::max(c0, kQuadraticStep);
      return central_column(line, f0, c0, noise.sigma, false, working_rho(noise), c, input_rounding(noise));
    case FdMethod::kRichardson: {
      // Its step is large: near a small nonzero x_b (log x at x = 0.002) it would leave the
      // region where f is smooth, so it is capped at |x_b| / 100, never below the central step.
      const double xb = line.x();
      if (xb != 0.0 && fd.step <= 0)
        c0 = std::max(std::min(c0, std::abs(xb) / 100.0 / std::max(1.0, std::abs(xb))), std::cbrt(step_rho(noise)));
      return central_column(line, f0, c0, noise.sigma, true, working_rho(noise), c, input_rounding(noise));
    }
    case FdMethod::kForward: c = one_sided_column(line, f0, c0, noise.sigma, 1.0); return;
    case FdMethod::kBackward: c = one_sided_column(line, f0, c0, noise.sigma, -1.0); return;
    case FdMethod::kRidders:
      c = ridders_column(line, f0, c0, fd.ridders_shrink, fd.ridders_max_iterations, noise.sigma);
      return;
  }
  central_column(line, f0, c0, noise.sigma, false, working_rho(noise), c);
}

// The last step tried along entry b of x (the central rule's step when none was: complex step).
double last_step(const Reference& r, const arma::mat& x, const Noise& noise, arma::uword b) {
  return r.steps(b) > 0 ? r.steps(b) : step_for(x(b), base_step(FdOptions{}, step_rho(noise)));
}

// The target as tightening and the second opinion difference it: without a complex extension
// (a black box), with the odd part's regime confirmed at 4h (Target::confirm_regime). The
// curvature test alone passes a step spanning many periods of sin about half of the time
// (c(2h) / c(h) = 2 (1 + cos h)), and a tighter bound from such a step wins over a right one.
// With a complex extension, the complex step vouches instead (Reference::contradictions).
Target regime_checked(const Target& target) {
  Target t = target;
  if (!target.f_complex) t.confirm_regime = true;
  return t;
}

// A black box's rough entry (Reference::rough: f is not smooth on the scale of a step tried)
// is narrowed at levels 1-3 only by a difference that its own second opinion confirms: at a
// re-chosen or smaller step, the aliasing that made the entry rough can recur (sum(sin(x)) at
// x = 1.5e9: the re-chosen step 88 = 14 periods + 0.03 gave 7.9e-7 +- 3.9e-9 for cos x =
// 7.5e-4). With o the column at c.step / kSecondOpinionShrink, per rough entry a of `c`:
// +inf where o is out of its regime far beyond rounding, the hull of both where they
// contradict each other, else the tighter of the two.
void confirm_rough_entries(Line& line, const arma::vec& f0, const Reference& r, const arma::mat& x,
                           const Noise& noise, const Coordinate& co, Column& c) {
  if (r.rough.is_empty() || !(c.step > 0.0) || !std::isfinite(c.step)) return;
  std::vector<arma::uword> rough;
  for (arma::uword a = 0; a < c.value.n_elem && a < r.rough.n_rows; ++a)
    if (is_rough(r, a, co.first) || is_rough(r, a, co.second)) rough.push_back(a);
  if (rough.empty()) return;
  Column o;
  central_column(line, f0, c.step / kSecondOpinionShrink / std::max(1.0, std::abs(x(co.first))), noise.sigma, false,
                 working_rho(noise), o, input_rounding(noise));
  for (arma::uword a : rough) {
    if (a >= o.value.n_elem || frozen(o.value(a), c.value(a))) continue;  // (below f's resolution: no opinion)
    if (off_regime(o, a)) {
      c.bound(a) = kInf;
    } else if (contradicts(c.value(a), c.bound(a), o.value(a), o.bound(a))) {
      keep_hull(c.value(a), c.bound(a), o.value(a), o.bound(a));
    } else if (o.bound(a) < c.bound(a)) {
      c.value(a) = o.value(a);
      c.bound(a) = o.bound(a);
    }
  }
}

// The second opinion's column without a complex step (kSecondOpinionShrink), into `c`.
void second_opinion_column(Line& line, const arma::vec& f0, const Reference& r, const arma::mat& x,
                           const Noise& noise, const Coordinate& co, Column& c) {
  const double h = last_step(r, x, noise, co.first) / kSecondOpinionShrink;
  central_column(line, f0, h / std::max(1.0, std::abs(x(co.first))), noise.sigma, false, working_rho(noise), c,
                 input_rounding(noise));
}

}  // namespace

Reference finite_differences(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0_mat,
                             const Noise& noise, const FdOptions& fd) {
  if (target.gradient_of) return second_differences(target, values, fd);
  const arma::vec f0 = arma::vectorise(f0_mat);
  arma::mat& x = values[target.wrt];
  Reference r = empty_reference(x, f0.n_elem);
  r.method = ReferenceMethod::kFd;
  r.detail = to_string(fd.method) + " differences";
  r.base_step = base_step(fd, step_rho(noise));
  each_column(target, values, coordinates(x, target.structure), r.evaluations,
              [&](Line& line, const Coordinate&, Column& c) { fd_column(line, f0, r.base_step, noise, fd, c); },
              [&](const Coordinate& co, const Column& c) { store(r, co, c, false); });
  return r;
}

void withhold_when_unresolved(const Noise& noise, Reference& reference) {
  if (!noise.unresolved) return;
  reference.bound.fill(kInf);
  reference.kinks.clear();
}

bool tighten(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0_mat, const Noise& noise,
             const std::vector<arma::uword>& columns, int level, Reference& r) {
  if (noise.unresolved) return false;  // (withhold_when_unresolved)
  if (target.gradient_of) return tighten_second_differences(target, values, columns, level, r);
  const arma::vec f0 = arma::vectorise(f0_mat);
  arma::mat& x = values[target.wrt];
  // Levels 0 and 4 evaluate through one evaluator, prepared when first asked for (levels 1-3 run
  // each_column, which prepares its own).
  std::unique_ptr<PerturbedFunction> evaluator;
  auto perturbed_at_point = [&]() -> PerturbedFunction* {
    if (!evaluator) evaluator = prepared(target, values);
    return evaluator.get();
  };
  std::vector<Coordinate> todo;
  std::vector<bool> seen(x.n_elem, false);
  for (arma::uword b : columns) {
    const Coordinate co = coordinate_of(x, target.structure, b);
    if (co.first < seen.size() && seen[co.first]) continue;
    if (co.first < seen.size()) seen[co.first] = true;
    todo.push_back(co);
  }
  auto is_kink = [&](arma::uword a, arma::uword b) { return on_kink(r, a, b); };
  const Target checked = regime_checked(target);  // (the levels difference through it)
  // A column of levels 1-3 records no kink: the kinks level 0 kept stay kinks (their entries
  // unknown, +inf), and the column's own disagreeing slopes only widen its bound. And a
  // difference of exactly 0 where a step before saw f move (a nonzero value known) is a step
  // below f's own resolution of its inputs, not a measurement (frozen: x + h V at |x| = 1.5e6 is
  // x itself for h V below 1.2e-10, and f(x + h) = f(x - h) read 0 +- 3 sigma / h). Its bound is
  // +inf.
  auto no_new_kinks = [&](const Coordinate& co, Column& c) {
    for (arma::uword b : {co.first, co.second})
      for (arma::uword a = 0; a < r.values.n_rows && a < c.value.n_elem; ++a)
        if (is_kink(a, b)) {
          c.bound(a) = kInf;
        } else if (frozen(c.value(a), r.values(a, b))) {
          // (The known value stays: stored, a 0 would make every later frozen step look moved.)
          c.value(a) = r.values(a, b);
          c.bound(a) = kInf;
        }
    c.kinks.clear();
  };
  auto drop_kinks = [&](const Coordinate& co) {
    r.kinks.erase(std::remove_if(r.kinks.begin(), r.kinks.end(),
                                 [&](const Reference::Kink& k) { return k.b == co.first || k.b == co.second; }),
                  r.kinks.end());
  };
  // What tightened the reference, said once (a level runs again on other columns: the failing
  // ones first, then those a diagnosis needs).
  auto mention = [&](const std::string& what) {
    if (r.detail.find(what) == std::string::npos) r.detail += what;
  };
  switch (level) {
    case 0: {
      // Kinks first: a kink beside the point (within the step) disappears at a 100 times smaller
      // step; one at the point stays.
      for (const Coordinate& co : todo) {
        bool has_kink = false;
        for (const Reference::Kink& k : r.kinks) has_kink = has_kink || k.b == co.first;
        if (!has_kink) continue;
        // A kink at x_b + d (d > 0) shows at every step h > d: shrink by 100 until it is gone or
        // the step reaches 1e4 eps max(1, |x_b|) (below, rounding hides any slope).
        Line line(target, values, co, r.evaluations, perturbed_at_point());
        const double scale = std::max(1.0, std::abs(x(co.first)));
        // A kink that vanishes only where rounding (100 sigma / h) is too large to see its gap
        // has not vanished: the last step that could see it decides.
        double h = r.steps(co.first);
        Column c = central_column(line, f0, h / scale, noise.sigma, false, working_rho(noise));
        while (!c.kinks.empty() && h / 100.0 > 1e4 * kEps * scale) {
          double gap = 0.0;
          for (const Reference::Kink& k : c.kinks) gap = std::max(gap, std::abs(k.forward - k.backward));
          h /= 100.0;
          Column smaller = central_column(line, f0, h / scale, noise.sigma, false, working_rho(noise));
          if (smaller.kinks.empty() && 100 * noise.sigma.max() / h > 0.5 * gap) break;
          c = std::move(smaller);
        }
        // Still seen at the smallest step that can see it: at the point, or within that step of
        // it. A kink at the point has one-sided slopes that do not depend on the step; one at
        // x_b + d (0 < d < h) moves the slope of the side that crosses it like 1/h (abs at d:
        // the forward slope is 1 - 2d / h). So the slopes at h = seen, 2h and 4h decide, side by
        // side, with D1 = s(h) - s(2h) and D2 = s(2h) - s(4h):
        //   - beside the point: on either side D1 and D2 of one sign, D1 / D2 in [1.5, 2.5] (1/h
        //     gives 2), and |D1| above the slopes' own rounding,
        //         floor = 12 eps max(1, |f0|) / h + 1e-6 max(1, |s|) + R,
        //     R = 16 eps max(1, |x_b|) |forward - backward| / h (the inputs' rounding: x + t u
        //     rounded entry by entry moves the step itself by ~eps |x| / h; at W a = 0 in
        //     w' relu(W a), h ~ 1e-11, that is ~1e-5 of the gap). sigma is not in the floor: a
        //     kink within the noise line's reach (1e-12) inflates sigma with its own shape, and
        //     would hide the 1/h law (abs at 1e-12 read as a kink at the point);
        //   - at the point: no such law, and both sides the same at h and 2h within
        //         12 sigma / h + 1e-6 max(1, |s|) + R;
        //   - otherwise undecided.
        // Beside or undecided: no step here resolves it; the entry is undecided (bound +inf) and
        // no kink is claimed (the complex step, where f has one, then decides by the real part
        // at x). A jump is left as it is.
        if (!c.kinks.empty()) {
          const double seen = c.step;  // (the last step that could see the kink: h, or 100 h)
          auto column_at = [&](double step) {
            return central_column(line, f0, step / scale, noise.sigma, false, working_rho(noise));
          };
          auto kink_of = [](const Column& col, arma::uword a) -> const Reference::Kink* {
            for (const Reference::Kink& k : col.kinks)
              if (k.a == a) return &k;
            return nullptr;
          };
          const Column wider = column_at(2 * seen);
          std::optional<Column> widest;  // at 4h: taken only when a kink reads as at the point
          std::vector<Reference::Kink> at_point;
          for (const Reference::Kink& k : c.kinks) {
            bool same = k.jump;
            const Reference::Kink* w = k.jump ? nullptr : kink_of(wider, k.a);
            if (w) {
              const double inputs = 16 * kEps * scale * std::abs(k.forward - k.backward) / seen;
              const double allowed = 12 * noise.sigma(k.a) / seen + inputs;
              same = std::abs(w->forward - k.forward) <= allowed + 1e-6 * std::max(1.0, std::abs(k.forward)) &&
                     std::abs(w->backward - k.backward) <= allowed + 1e-6 * std::max(1.0, std::abs(k.backward));
              if (same && !widest) widest = column_at(4 * seen);
              if (const Reference::Kink* z = same ? kink_of(*widest, k.a) : nullptr) {
                const double rounding = 12 * kEps * std::max(1.0, std::abs(f0(k.a))) / seen + inputs;
                auto moves_like_one_over_h = [&](double s1, double s2, double s4) {
                  const double d1 = s1 - s2, d2 = s2 - s4;
                  return std::abs(d1) > rounding + 1e-6 * std::max(1.0, std::abs(s1)) && d1 * d2 > 0 &&
                         std::abs(d1) >= 1.5 * std::abs(d2) && std::abs(d1) <= 2.5 * std::abs(d2);
                };
                same = !moves_like_one_over_h(k.forward, w->forward, z->forward) &&
                       !moves_like_one_over_h(k.backward, w->backward, z->backward);
              }
            }
            if (same) at_point.push_back(k);
            else c.bound(k.a) = kInf;
          }
          c.kinks = std::move(at_point);
        }
        drop_kinks(co);
        store(r, co, std::move(c), false);
      }
      // The second opinion, entry by entry off the kinks: the complex step where f has a
      // complex extension, else central differences at a 10^1.5 times smaller step
      // (kSecondOpinionShrink). Two references that contradict each other beyond their bounds:
      // one of them is wrong, so neither wins.
      // - Another finite difference, or the complex step of a smooth f (Target::smooth: its
      //   extension is holomorphic, so the finite difference is the suspect, blind to a feature
      //   narrower than its step, or a bound missed a cancellation): the entry keeps the hull of
      //   both intervals,
      //       [min(d - e_d, c - e_c), max(d + e_d, c + e_c)]  as  value +- bound,
      //   which holds the truth if either bound does (a value only one supports cannot pass; a
      //   disagreement far below the tolerance decides nothing by itself). A later difference
      //   narrows it where it is tighter, and after a complex step only where that vouches for it.
      // - The complex step of an f that is not smooth (a jump or kink that the extension decides
      //   by real parts, or a bug in it): the entry is unknown and later differences decide it,
      //   as the first reference.
      // Where the two agree, the tighter one is kept.
      auto weigh = [&](arma::uword a, arma::uword b, double c, double ec, bool complex_step,
                       bool off = false) {
        const double d = r.values(a, b), ed = r.bound(a, b);
        if (off) {
          // The smaller step's differences are outside their asymptotic regime, far beyond
          // their rounding: f is not smooth on that scale, so not on the larger step's either,
          // whose bound then holds nothing. The entry is unknown.
          mark_rough(r, a, b);
          if (!(ed < kInf)) return false;
          r.bound(a, b) = kInf;
          mention(" (not smooth on the scale of a 31.6 times smaller step)");
          return true;
        }
        if (contradicts(d, ed, c, ec)) {
          if (!complex_step || target.smooth) keep_hull(r.values(a, b), r.bound(a, b), c, ec);
          else r.bound(a, b) = kInf;
          if (!complex_step) mark_rough(r, a, b);
          if (complex_step && target.smooth) r.contradictions.push_back({a, b, c, ec});
          mention(complex_step ? " (complex step and finite differences disagree beyond their bounds)"
                               : " (finite differences at two steps disagree beyond their bounds)");
          return true;
        }
        if (ec < ed || !std::isfinite(ed)) {
          r.values(a, b) = c;
          r.bound(a, b) = ec;
          return true;
        }
        return false;
      };
      auto entries_of = [](const Coordinate& co) {
        return co.second == co.first ? std::vector<arma::uword>{co.first}
                                     : std::vector<arma::uword>{co.first, co.second};
      };
      if (!target.f_complex) {
        each_column(
            checked, values, todo, r.evaluations,
            [&](Line& line, const Coordinate& co, Column& c) {
              second_opinion_column(line, f0, r, x, noise, co, c);
            },
            [&](const Coordinate& co, const Column& c) {
              // (Its own one-sided slopes are not read: only level 0's kinks above are kinks.)
              for (arma::uword b : entries_of(co)) {
                bool taken = false;
                for (arma::uword a = 0; a < r.values.n_rows && a < c.value.n_elem; ++a) {
                  if (!is_kink(a, b) && weigh(a, b, c.value(a), c.bound(a), false, off_regime(c, a))) taken = true;
                }
                if (taken) r.steps(b) = c.step;  // (the step that explains the entry now)
              }
            });
        mention(", confirmed by central differences at a 31.6 times smaller step");
        return true;
      }
      std::vector<arma::uword> bs;
      for (const Coordinate& co : todo) bs.push_back(co.first);
      Reference cs = complex_step(target, values, noise, bs);
      r.evaluations += cs.evaluations;
      for (const Coordinate& co : todo)
        for (arma::uword b : entries_of(co))
          for (arma::uword a = 0; a < r.values.n_rows; ++a)
            if (!is_kink(a, b)) weigh(a, b, cs.values(a, b), cs.bound(a, b), true);
      mention(", tightened by complex step");
      return true;
    }
    case 1: {
      // Central differences at the step that minimises the estimated truncation + rounding:
      // with T = c2 h^2 (estimated from the bound's truncation part) and R = 3 sigma / h,
      // h* = h (R / 2T)^(1/3), taken for the entry of the column with the largest bound.
      // (Each column reads only its own entries of r, and is stored before the next is read on
      // one thread: the same columns on any number of threads.)
      auto rechosen = [&](Line& line, const Coordinate& co, Column& c) {
        const double h = last_step(r, x, noise, co.first);
        const arma::uword a = r.bound.col(co.first).index_max();
        const double rounding = 3 * noise.sigma(a) / h;
        const double truncation = std::max(r.bound(a, co.first) - rounding, 1e-300);
        double factor = std::cbrt(rounding / (2 * truncation));
        if (!std::isfinite(factor)) factor = 1.0;
        // An unknown truncation (+inf: outside the asymptotic regime) asks for a much smaller step;
        // a larger one never goes past 4 times the rule (large steps leave the regime).
        if (!std::isfinite(r.bound(a, co.first))) factor = 1e-2;
        factor = std::clamp(factor, 1e-2, 4.0);
        if (std::abs(factor - 1.0) < 0.2) factor = rounding > truncation ? 4.0 : 0.25;
        central_column(line, f0, h * factor / std::max(1.0, std::abs(x(co.first))), noise.sigma, false,
                       working_rho(noise), c, input_rounding(noise));
        if (!target.f_complex) confirm_rough_entries(line, f0, r, x, noise, co, c);
        // One-sided slopes that disagree at this step alone are not a kink: only level 0 re-examines
        // a kink at shrinking steps (a smooth f far outside its asymptotic regime, inv(X) within a
        // step of singular, shows the same gap once). Those entries keep the bound central_column
        // widened, and a kink level 0 kept stays one.
        no_new_kinks(co, c);
      };
      each_column(checked, values, todo, r.evaluations, rechosen,
                  [&](const Coordinate& co, const Column& c) { store(r, co, c, true, !target.f_complex); });
      mention(", tightened by central differences at a re-chosen step");
      return true;
    }
    case 2:
    case 3: {
      // Central differences at a 100 times smaller step than the last one tried, twice: an
      // entry near a singularity or a pole (1/x at x = 1e-5) reaches the asymptotic regime only
      // at steps far below the rule's. The regime check keeps a wrong plateau from counting.
      auto smaller = [&](Line& line, const Coordinate& co, Column& c) {
        const double h = last_step(r, x, noise, co.first);
        central_column(line, f0, h / 100.0 / std::max(1.0, std::abs(x(co.first))), noise.sigma, false,
                       working_rho(noise), c, input_rounding(noise));
        if (!target.f_complex) confirm_rough_entries(line, f0, r, x, noise, co, c);
        no_new_kinks(co, c);
      };
      each_column(checked, values, todo, r.evaluations, smaller,
                  [&](const Coordinate& co, const Column& c) { store(r, co, c, true, !target.f_complex); });
      if (level == 2) mention(", tightened by central differences at smaller steps");
      return true;
    }
    case 4: {
      // Larger steps, last: an entry whose bound is rounding (3 sigma / h, a large f with a small
      // derivative: sum of squares at n = 64 has |f| ~ 4e3 and sigma ~ 1e-12) needs a larger
      // step, which the truncation estimate allows when f is nearly polynomial there. Central
      // differences at H = 16 h and 256 h (h the rule's step) with their own bound and regime
      // check (a step outside the asymptotic regime gets +inf); a value replaces the known one
      // only where its bound is tighter AND it agrees with it within both bounds
      // (|D(H) - r| <= E(H) + E_r), so a large step that sees something else never decides.
      // Kinks are left as they are (a larger step only widens the bracket), and so are rough
      // entries (Reference::rough: float32 sin(x) at x = 1.5e4, where the differences at smaller
      // steps disagreed, had its right derivative 1.5 cos x replaced by 3e-5 +- 2e-5 from
      // H = 90 = 14 periods + 2.0, a value a black box's regime tests cannot tell from smooth).
      bool improved = false;
      for (const Coordinate& co : todo) {
        bool has_kink = false;
        for (const Reference::Kink& k : r.kinks) has_kink = has_kink || k.b == co.first || k.b == co.second;
        if (has_kink) continue;
        Line line(checked, values, co, r.evaluations, perturbed_at_point());
        const double scale = std::max(1.0, std::abs(x(co.first)));
        const double rule = step_for(x(co.first), r.base_step);
        for (double factor : {16.0, 256.0}) {
          Column c = central_column(line, f0, rule * factor / scale, noise.sigma, false, working_rho(noise),
                                    input_rounding(noise));
          if (!c.kinks.empty() || !c.note.empty()) break;  // not smooth, or not finite, out there
          bool any = false;
          for (arma::uword b : {co.first, co.second}) {
            for (arma::uword a = 0; a < r.values.n_rows; ++a) {
              if (is_rough(r, a, b)) continue;  // (not smooth on a smaller scale: nor on a larger one)
              const double known = r.values(a, b), known_bound = r.bound(a, b);
              if (!(c.bound(a) < known_bound)) continue;
              if (std::isfinite(known_bound) && std::abs(c.value(a) - known) > known_bound + c.bound(a)) continue;
              if (!std::isfinite(known_bound)) continue;  // nothing known to agree with
              if (!vouched(r, a, b, c.value(a), c.bound(a))) continue;  // nor the complex step
              r.values(a, b) = c.value(a);
              r.bound(a, b) = c.bound(a);
              any = true;
            }
            if (co.second == co.first) break;
          }
          // The column's step stays the last one of the levels before: it is what explains an
          // entry left undecided (rounding at small steps), and these values only narrow it.
          improved = improved || any;
        }
      }
      if (improved) mention(", tightened by central differences at larger steps");
      return true;
    }
    default: return false;
  }
}

namespace {

// The complex step along each coordinate of `todo` (a coordinate once), compactly: column i of
// `values` and `bound` is coordinate i's (its entries first and second share it).
struct ComplexColumns {
  std::vector<Coordinate> coordinates;
  arma::mat values, bound;
  std::vector<double> steps;
  std::uint64_t evaluations = 0;
};

ComplexColumns complex_columns(const Target& target, std::vector<arma::mat>& values, const Noise& noise,
                               const std::vector<Coordinate>& todo) {
  const arma::mat& x = values[target.wrt];
  // The complex copy of every value, made only when f_complex is evaluated whole (the
  // propagated complex step keeps its own).
  std::vector<arma::cx_mat> cx;
  auto complex_values = [&]() -> std::vector<arma::cx_mat>& {
    if (cx.empty())
      for (const arma::mat& v : values) cx.push_back(arma::conv_to<arma::cx_mat>::from(v));
    return cx;
  };
  arma::cx_mat out;
  ComplexColumns c;
  std::vector<bool> done(x.n_elem, false);
  for (const Coordinate& co : todo)
    if (!done[co.first]) {
      done[co.first] = done[co.second] = true;
      c.coordinates.push_back(co);
    }
  // Through the target's perturbed evaluator when it propagates the complex step (only the
  // region the entry changes is recomputed), else f_complex whole.
  const std::unique_ptr<PerturbedFunction> perturbed = prepared(target, values);
  for (std::size_t i = 0; i < c.coordinates.size(); ++i) {
    const Coordinate& co = c.coordinates[i];
    // h relative to x_b (1e-20 |x_b|, 1e-20 at 0): the truncation of complex step is
    // h^2 f''' / 6, which for log x is (h / x)^2 / 3 of the derivative; an absolute h of 1e-20 at
    // x = 1e-19 would be 0.3% off. Floored at 1e-300 (subnormal h loses digits).
    const double xb = std::abs(x(co.first));
    const double h = std::max(1e-20 * (xb > 0 ? xb : 1.0), 1e-300);
    const arma::cx_mat* propagated = perturbed ? perturbed->at_complex(co.first, co.second, h) : nullptr;
    if (propagated) {
      out = *propagated;
    } else {
      arma::cx_mat& z = complex_values()[target.wrt];
      z(co.first) += std::complex<double>(0.0, h);
      if (co.second != co.first) z(co.second) += std::complex<double>(0.0, h);
      target.f_complex(cx, out);
      z(co.first) = x(co.first);
      z(co.second) = x(co.second);
    }
    ++c.evaluations;
    if (c.values.is_empty()) c.values.set_size(out.n_elem, c.coordinates.size());
    c.values.col(i) = arma::vectorise(arma::imag(out)) / h;
    c.steps.push_back(h);
  }
  if (c.values.is_empty()) return c;
  // The bound of working precision (see the header), plus the underflow of the imaginary part:
  // Im f(x + i h) = h J is subnormal for |J| h below 2.2e-308 (1e-300 sum(exp(x)): 1e-320),
  // where its spacing, not eps, is its precision: 64 of its steps (4.9e-324 each) over h.
  c.bound.set_size(c.values.n_rows, c.values.n_cols);
  const arma::vec f_abs = arma::abs(arma::vectorise(arma::real(out)));
  for (arma::uword i = 0; i < c.values.n_cols; ++i) {
    const double col_max = c.values.col(i).is_finite() ? arma::abs(c.values.col(i)).max() : kInf;
    const double underflow = 64 * std::numeric_limits<double>::denorm_min() / c.steps[i];
    for (arma::uword a = 0; a < c.values.n_rows; ++a) {
      const double rho = std::max(kEps, f_abs(a) > 0 ? noise.sigma(a) / f_abs(a) : kEps);
      c.bound(a, i) = std::isfinite(c.values(a, i))
                          ? 16 * rho * std::abs(c.values(a, i)) + 16 * kEps * col_max + underflow
                          : kInf;
    }
  }
  return c;
}

}  // namespace

Reference complex_step(const Target& target, std::vector<arma::mat>& values, const Noise& noise,
                       const std::vector<arma::uword>& columns) {
  const arma::mat& x = values[target.wrt];
  Reference r;
  r.method = ReferenceMethod::kComplexStep;
  r.detail = "complex step";
  r.base_step = 1e-20;
  std::vector<Coordinate> todo;
  if (columns.empty()) {
    todo = coordinates(x, target.structure);
  } else {
    for (arma::uword b : columns) todo.push_back(coordinate_of(x, target.structure, b));
  }
  const ComplexColumns c = complex_columns(target, values, noise, todo);
  r.evaluations = c.evaluations;
  if (c.values.is_empty()) return r;
  // +inf for the columns not computed.
  r.values.zeros(c.values.n_rows, x.n_elem);
  r.bound.set_size(c.values.n_rows, x.n_elem);
  r.bound.fill(kInf);
  r.steps.zeros(x.n_elem);
  r.step_notes.assign(x.n_elem, "");
  for (std::size_t i = 0; i < c.coordinates.size(); ++i)
    for (arma::uword b : {c.coordinates[i].first, c.coordinates[i].second}) {
      r.values.col(b) = c.values.col(i);
      r.bound.col(b) = c.bound.col(i);
      r.steps(b) = c.steps[i];
    }
  return r;
}

bool second_opinion_contradicts(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0_mat,
                                const Noise& noise, const std::vector<arma::uword>& columns, Reference& r) {
  if (noise.unresolved || columns.empty()) return false;
  if (target.gradient_of) return second_differences_contradicted(target, values, columns, r);
  const arma::mat& x = values[target.wrt];
  std::vector<Coordinate> todo;
  for (arma::uword b : columns) todo.push_back(coordinate_of(x, target.structure, b));
  bool contradicted = false;
  auto weigh = [&](arma::uword b, const arma::vec& value, const arma::vec& bound) {
    for (arma::uword a = 0; a < r.values.n_rows && a < value.n_elem; ++a)
      if (!on_kink(r, a, b) && contradicts(r.values(a, b), r.bound(a, b), value(a), bound(a))) contradicted = true;
  };
  if (target.f_complex) {
    const ComplexColumns cs = complex_columns(target, values, noise, todo);
    r.evaluations += cs.evaluations;
    for (std::size_t i = 0; i < cs.coordinates.size(); ++i)
      for (arma::uword b : {cs.coordinates[i].first, cs.coordinates[i].second})
        weigh(b, cs.values.col(i), cs.bound.col(i));
    return contradicted;
  }
  // (A smaller step outside its regime where the reference has a finite bound counts: that
  // bound holds nothing either; see tighten's level 0.)
  const arma::vec f0 = arma::vectorise(f0_mat);
  const Target checked = regime_checked(target);
  each_column(
      checked, values, todo, r.evaluations,
      [&](Line& line, const Coordinate& co, Column& c) { second_opinion_column(line, f0, r, x, noise, co, c); },
      [&](const Coordinate& co, const Column& c) {
        for (arma::uword b : {co.first, co.second}) {
          weigh(b, c.value, c.bound);
          for (arma::uword a : c.off_regime)
            if (a < r.values.n_rows && !on_kink(r, a, b) && r.bound(a, b) < kInf) contradicted = true;
        }
      });
  return contradicted;
}

std::uint64_t scan_kinks(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0_mat,
                         const Noise& noise, Reference& r) {
  if (target.smooth) return 0;  // no kink to find (Target::smooth)
  const arma::vec f0 = arma::vectorise(f0_mat);
  const arma::mat& x = values[target.wrt];
  std::uint64_t evaluations = 0;
  const std::unique_ptr<PerturbedFunction> perturbed = prepared(target, values);
  for (const Coordinate& co : coordinates(x, target.structure)) {
    Line line(target, values, co, evaluations, perturbed.get());
    Column c = central_column(line, f0, std::cbrt(step_rho(noise)), noise.sigma, false, working_rho(noise));
    for (Reference::Kink k : c.kinks) {
      for (arma::uword b : {co.first, co.second}) {
        k.b = b;
        r.kinks.push_back(k);
        r.values(k.a, b) = c.value(k.a);
        r.bound(k.a, b) = std::max(r.bound(k.a, b), c.bound(k.a));
        if (co.second == co.first) break;
      }
    }
  }
  r.evaluations += evaluations;
  return evaluations;
}

std::vector<std::pair<double, double>> error_vs_step(const Target& target, std::vector<arma::mat>& values,
                                                     arma::uword a, arma::uword b, double analytic) {
  const arma::mat& x = values[target.wrt];
  const Coordinate co = coordinate_of(x, target.structure, b);
  std::uint64_t n = 0;
  const std::unique_ptr<PerturbedFunction> perturbed = prepared(target, values);
  Line line(target, values, co, n, perturbed.get());
  std::vector<std::pair<double, double>> out;
  for (int e = 2; e <= 24; ++e) {
    const double h = step_for(x(co.first), std::pow(10.0, -e / 2.0));
    const arma::vec d = (line.at(h) - line.at(-h)) / (2 * h);
    out.emplace_back(h, std::abs(analytic - d(a)));
  }
  return out;
}

}  // namespace gradcheck::reference

namespace gradcheck::reference {

// The probe of every column at once (probe_contradicts, reference.hpp). With s_b the column's
// step (r.steps; the rule's where it is 0) and u the signs:
//  - without a complex extension: d_b = u_b s_b / kSecondOpinionShrink, the moves actually taken
//    d+_b = (x_b + d_b) - x_b and d-_b = x_b - (x_b - d_b), and per entry a of f
//        P = f_a(x + d) - f_a(x - d)        R = sum_b (d+_b + d-_b) r(a, b),
//        e_P = 2/3 |P - P2| + 6 sigma_a + 2 u_in sum_b |r(a, b)| |x_b|,
//    P2 = (f_a(x + 2d) - f_a(x - 2d)) / 2 (the cubic term of P is |P - P2| / 3, bounded by twice
//    that), each evaluation within 3 sigma_a, u_in the inputs' rounding (float32 code: the moves
//    it sees are off by up to u_in |x_b| each side);
//  - with one: d_b = u_b max(1, |x_b|), P = Im f_a(x + i 1e-20 d) / 1e-20 and R = sum_b d_b r(a, b),
//        e_P = 16 rho_a (|P| + sum_b |d_b r(a, b)|),   rho_a = max(eps, sigma_a / |f_a|),
//    the complex step's rounding at working precision;
// and R's own bound e_R = sum_b |d+_b + d-_b| e(a, b) (|d_b| e(a, b)). Contradicted when
// |P - R| > e_P + e_R at some a: some column's reference is off by more than its bound.
bool probe_contradicts(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0_mat,
                       const Noise& noise, const arma::vec& signs, Reference& r) {
  if (noise.unresolved || target.gradient_of || target.structure != Structure::kNone || !r.kinks.empty())
    return false;
  arma::mat& x = values[target.wrt];
  const arma::uword q = x.n_elem, p = r.values.n_rows;
  if (signs.n_elem != q || r.values.n_cols != q || q == 0) return false;
  const arma::mat x0 = x;
  const arma::vec f0 = arma::vectorise(f0_mat);
  arma::vec P(p), R(p, arma::fill::zeros), eR(p, arma::fill::zeros), eP(p, arma::fill::zeros);
  arma::mat out;
  try {
    if (target.f_complex) {
      constexpr double kH = 1e-20;
      arma::vec d(q);
      for (arma::uword b = 0; b < q; ++b) d(b) = signs(b) * std::max(1.0, std::abs(x0(b)));
      std::vector<arma::cx_mat> cv;
      for (const arma::mat& m : values) cv.emplace_back(m, arma::zeros<arma::mat>(m.n_rows, m.n_cols));
      cv[target.wrt] = arma::cx_mat(x0, arma::reshape(kH * d, x0.n_rows, x0.n_cols));
      arma::cx_mat cout;
      target.f_complex(cv, cout);
      ++r.evaluations;
      if (cout.n_elem != p) return false;
      P = arma::vectorise(arma::imag(cout)) / kH;
      for (arma::uword a = 0; a < p; ++a) {
        double spread = 0.0;
        for (arma::uword b = 0; b < q; ++b) {
          R(a) += d(b) * r.values(a, b);
          eR(a) += std::abs(d(b)) * r.bound(a, b);
          spread += std::abs(d(b) * r.values(a, b));
        }
        const double sigma = noise.sigma.n_elem == p ? noise.sigma(a) : 0.0;
        const double rho = std::max(kEps, std::abs(f0(a)) > 0 ? sigma / std::abs(f0(a)) : 0.0);
        eP(a) = 16 * rho * (std::abs(P(a)) + spread);
      }
    } else {
      arma::vec d(q), moved(q);
      for (arma::uword b = 0; b < q; ++b) {
        const double s = r.steps(b) > 0 ? r.steps(b) : step_for(x0(b), r.base_step);
        d(b) = signs(b) * s / kSecondOpinionShrink;
      }
      auto at = [&](double t) {
        for (arma::uword b = 0; b < q; ++b) x(b) = x0(b) + t * d(b);
        target.f(values, out);
        ++r.evaluations;
        return arma::vec(arma::vectorise(out));
      };
      for (arma::uword b = 0; b < q; ++b) {
        volatile double up = x0(b) + d(b), down = x0(b) - d(b);  // volatile: the moves as taken
        moved(b) = (up - x0(b)) + (x0(b) - down);
      }
      const arma::vec plus = at(1.0), minus = at(-1.0), plus2 = at(2.0), minus2 = at(-2.0);
      x = x0;
      if (plus.n_elem != p || minus.n_elem != p || plus2.n_elem != p || minus2.n_elem != p) return false;
      P = plus - minus;
      const arma::vec P2 = 0.5 * (plus2 - minus2);
      const double u_in = input_rounding(noise);
      for (arma::uword a = 0; a < p; ++a) {
        double inputs = 0.0;
        for (arma::uword b = 0; b < q; ++b) {
          R(a) += moved(b) * r.values(a, b);
          eR(a) += std::abs(moved(b)) * r.bound(a, b);
          inputs += std::abs(r.values(a, b)) * std::abs(x0(b));
        }
        const double sigma = noise.sigma.n_elem == p ? noise.sigma(a) : 0.0;
        eP(a) = 2.0 / 3.0 * std::abs(P(a) - P2(a)) + 6 * sigma + 2 * u_in * inputs;
      }
    }
  } catch (...) {
    x = x0;
    throw;
  }
  x = x0;
  for (arma::uword a = 0; a < p; ++a)
    if (std::isfinite(P(a)) && std::isfinite(R(a)) && std::abs(P(a) - R(a)) > eP(a) + eR(a)) return true;
  return false;
}

}  // namespace gradcheck::reference
