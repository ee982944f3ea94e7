// SPDX-License-Identifier: MIT
// The reference seam: for a function at a point, the reference derivative J with a per-entry
// error bound E (|J - true derivative| <= E, from the method's own error model), the
// evaluations spent, the steps taken and why. The engine composes references (finite
// differences of every method, complex step) and never differentiates itself.
//
// Notation: x is the wrt variable at the point, b a coordinate of x (one entry, or the pair
// (i,j), (j,i) of a symmetric x), a an entry of vec(f), J[a,b] = d vec(f)[a] / d x_b,
// sigma_a the measured rounding noise of f_a at the point (noise.cpp).
#pragma once

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <complex>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gradcheck/options.hpp"
#include "gradcheck/perturbed.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck::reference {

// What is differentiated: f of all variables, with respect to one of them.
struct Target {
  // f at `values` into `out` (any exception propagates to the caller).
  std::function<void(const std::vector<arma::mat>& values, arma::mat& out)> f;
  // f at complex `values` (the holomorphic extension); empty when f has none.
  std::function<void(const std::vector<arma::cx_mat>& values, arma::cx_mat& out)> f_complex;
  // f at many points in one call (outs[k] = f(points[k])), for a function whose every call is
  // expensive on its own (a program answering requests); empty: f is called point by point.
  // Central differences pass the four points of a coordinate at once.
  std::function<void(const std::vector<std::vector<arma::mat>>& points, std::vector<arma::mat>& outs)> f_batch;
  std::size_t wrt = 0;
  Structure structure = Structure::kNone;
  // Second order without a complex extension: when set, f is (an estimate of) the gradient of this
  // scalar function with respect to values[gradient_of_wrt], and finite_differences and tighten
  // take second differences of it instead of differencing f (second_difference.cpp).
  std::function<void(const std::vector<arma::mat>& values, arma::mat& out)> gradient_of;
  std::size_t gradient_of_wrt = 0;
  // The Jacobian J (numel(f) x numel(x); for a symmetric x, column b the derivative along the
  // pair of b) at `values`, from a formula derived symbolically; empty when there is none.
  std::function<arma::mat(const std::vector<arma::mat>& values)> jacobian;
  // Optional: f along single coordinates of x from work done once per point (perturbation
  // propagation, gradcheck/perturbed.hpp). When set, every finite difference below evaluates f
  // through it (its values equal f's to rounding); noise is still measured with f.
  PerturbedFactory perturbed;
  // f is a polynomial of at most this degree in values[wrt]; -1: not known (Problem::polynomial_degree).
  int polynomial_degree = -1;
  // f computes in double by construction (Problem::computed_in_double): measure_noise skips the
  // line that looks for float32 arithmetic.
  bool computed_in_double = false;
  // Central differences also evaluate f at x +- 4h and require the asymptotic regime of the odd
  // part too: D(2h) - D(4h) = 4 (D(h) - D(2h)) within a factor 2 (or both differences within
  // rounding), else the entry's bound is +inf (undecided: tightened). The regime check on second
  // differences sees only the even part of f along the step; the derivative is in the odd part,
  // and near a singularity (a complex pole pair of c' solve(A + t U, b) at cond 1e8) the two can
  // disagree: D(h) and D(2h) then agree with each other far from the truth. Two evaluations
  // more per entry: the directional check sets it for its few probes.
  bool confirm_regime = false;
  // f has no kink or jump (Problem::smooth): finite differences then record no kink (the
  // disagreeing one-sided slopes only leave the bound as wide as they say) and scan_kinks looks
  // for none.
  bool smooth = false;
  // Coordinates that finite_differences computes in parallel; the result is bit-identical to
  // threads = 1. Each worker has its own copy of the values and its own `perturbed` evaluator;
  // without one, f itself is called from several threads at once (it must be thread-safe).
  int threads = 1;
};

// One "variable" of the differentiation: the entries of x moved together by one perturbation.
// For an unstructured x, each entry alone; for a symmetric x, (i,j) and (j,i) together.
struct Coordinate {
  arma::uword first;   // linear index into x
  arma::uword second;  // == first unless paired
};
std::vector<Coordinate> coordinates(const arma::mat& x, Structure structure);

// The rounding noise of f at a point, measured (never assumed).
struct Noise {
  arma::vec sigma;                     // per entry of vec(f): standard deviation of its rounding noise
  double relative = 0.0;               // max(eps, max_a sigma_a / max(max_a |f_a|, 1)): the working precision seen
  Precision precision = Precision::kDouble;  // measured: kSingle when f's values are float32 numbers or
                                       // its noise is at float32's level
  std::uint64_t evaluations = 0;
  std::string evidence;                // how the precision was decided, for reports
  // f's values still vary at every scale of the line down to 1e-14 of its inputs (a singular
  // matrix or a pole within rounding of the point): sigma is f's own shape, not its noise, and
  // no error bound built on it holds. The engine then claims no verdict (noise.cpp).
  bool unresolved = false;
};

// Measures the noise of f near values (values[wrt] is moved along a seeded random direction by
// relative steps of 1e-6, 11 evaluations; see noise.cpp for the estimator). f0 = f(values).
Noise measure_noise(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, std::uint64_t seed);

// A reference derivative with its bound.
struct Reference {
  ReferenceMethod method = ReferenceMethod::kFd;
  std::string detail;            // "central differences", "complex step", "ridders (tightened)", ...
  arma::mat values;              // J, numel(f) x numel(x)
  arma::mat bound;               // E, same shape; +inf where nothing is known
  arma::vec steps;               // per entry of x: the step h taken (0 for complex step)
  std::vector<std::string> step_notes;  // per entry of x: why the step differs from the rule, or ""
  // One-sided slopes where they disagree beyond their rounding at a step-independent gap (a kink):
  // entries (a, b) of J with the forward and backward slopes. Filled by central differences and
  // by scan_kinks.
  struct Kink {
    arma::uword a, b;
    double forward, backward;
    bool jump = false;  // f itself jumps (sign(x) at 0): f(x+h) - f(x-h) does not shrink with h
  };
  std::vector<Kink> kinks;
  // Entries of a smooth f (Target::smooth) where complex step and finite differences disagreed
  // beyond both bounds (tighten, level 0): the complex step's value and bound. Either may be the
  // wrong one (a finite difference blind to a feature narrower than its step, a bound that
  // missed a cancellation), so a later finite difference is taken there only when it agrees with
  // this value within both bounds: two methods then vouch for it.
  struct Contradiction {
    arma::uword a, b;
    double value, bound;
  };
  std::vector<Contradiction> contradictions;
  // 1 at entries (a, b) where differences at two steps contradicted each other beyond their
  // bounds, or a smaller step's were outside their asymptotic regime: f is not smooth on the
  // scale of the steps there, so no larger step is taken for them (tighten, level 4). Shaped
  // like `values` once an entry is marked; empty while none is.
  arma::Mat<unsigned char> rough;
  std::uint64_t evaluations = 0;
  double base_step = 0.0;        // the base step c of the step rule used (h_b = c max(1, |x_b|))
};

// The rule at an unresolved point (Noise::unresolved: f within rounding of a singularity): no
// bound built on the measured noise holds, so every entry's bound is +inf (undecided, whatever
// the reference method) and no kink is claimed; tighten() then does nothing. Applied by the
// engine to every reference it takes at such a point (entry-wise and directional alike).
void withhold_when_unresolved(const Noise& noise, Reference& reference);

// Finite differences of every coordinate by `fd.method`, each entry with its bound. The step
// rule is h_b = c * max(1, |x_b|), c = fd.step when stated, else chosen from the measured
// precision (rho = max(eps, noise.relative)):
//
//     central c = rho^(1/3), forward/backward c = rho^(1/2), richardson c = rho^(1/5),
//     ridders c = 1e-2 (its first step)
//
// (the minimisers of truncation + rounding for a function of unit scale). A step that would leave
// the region where f is finite is shrunk, then made one-sided (step_notes say so).
Reference finite_differences(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0,
                             const Noise& noise, const FdOptions& fd);

// Recomputes the listed columns of J (entries of x) with a tighter method; `level` says which:
//   0  kinks re-examined at a 100 times smaller step (one beside the point disappears, one at the
//      point stays), then a second opinion: complex step where target.f_complex is set, else
//      central differences at a 10^1.5 times smaller step than the last one tried;
//   1  central differences at the step that minimises the estimated truncation + rounding;
//   2, 3  central differences at a 100 times smaller step than the last one tried;
//   4  central differences at 16 and 256 times the rule's step (rounding-bound entries), kept
//      only where tighter and consistent with the value known (within both bounds).
// (Ridders' extrapolation is not used to tighten: far outside the asymptotic regime its tableau
// can agree with itself on a plateau and be wrong, with a small error estimate.)
// An entry keeps the value of whichever method bounds it most tightly; entries at a kink keep
// their wide bound. The second opinion must agree with the reference within both bounds where
// that one is finite, else the entry keeps the hull of both (complex step of an f that is not
// smooth: its bound becomes +inf; a bug in a complex extension cannot pass silently). Returns
// false when there is no such level (nothing was done).
// With noise.unresolved (f within rounding of a singularity) there is nothing to tighten: false.
bool tighten(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, const Noise& noise,
             const std::vector<arma::uword>& columns, int level, Reference& reference);

// Two references of one entry contradict each other: d +- e_d (finite bound) and c +- e_c do
// not overlap, |c - d| > e_d + e_c, so one of the two bounds does not hold (tighten, level 0).
inline bool contradicts(double d, double e_d, double c, double e_c) {
  return std::isfinite(e_d) && std::abs(c - d) > e_d + e_c;
}

// The second opinion without a complex step: central differences at the column's last step
// divided by 10^1.5. Aliasing makes D(h) and D(2h) agree far from the truth where f repeats
// itself at the scale of the step (sin(x) at x = 1e6: h = 6.06e-6 x ~ 2 pi, both ~0); the same
// coincidence at h / 10^1.5 and 2h / 10^1.5 would need f to repeat itself at both scales, and
// 10^1.5 is no ratio of small integers. Its truncation is 10^3 times smaller, its rounding
// 10^1.5 times larger (3 sigma / h: 1e-9 of |f| at double precision's rule step).
inline constexpr double kSecondOpinionShrink = 31.622776601683793;

// The hull of two intervals d +- e_d and c +- e_c that contradict each other (contradicts()),
//     [min(d - e_d, c - e_c), max(d + e_d, c + e_c)]  as  value +- bound,
// into d, e_d: it holds the truth if either bound does.
inline void keep_hull(double& d, double& e_d, double c, double e_c) {
  const double lo = std::min(d - e_d, c - e_c), hi = std::max(d + e_d, c + e_c);
  d = 0.5 * (lo + hi);
  e_d = std::isfinite(hi - lo) ? 0.5 * (hi - lo) : std::numeric_limits<double>::infinity();
}

// Level 0's second opinion (see tighten) at the listed columns (entries of x) against the
// reference r there: true when it contradicts r at some entry off a kink (the evaluations are
// added to r's, r is left as it is). False, with nothing evaluated, with noise.unresolved.
// Second differences (target.gradient_of): second_differences_contradicted.
bool second_opinion_contradicts(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0,
                                const Noise& noise, const std::vector<arma::uword>& columns, Reference& r);

// One probe of every column of r at once, for a pass's spot check (which reads three columns,
// so that one aliased column among many passed unseen): the derivative of f along `signs` (one
// per entry of x) by a 10^1.5 times smaller step than r's, or by complex step where f has a
// complex extension, against the same sum of r's columns; true when the two contradict each
// other beyond both bounds at some entry of f (the model is in finite_difference.cpp). False,
// with nothing evaluated, for noise.unresolved, second differences, a symmetric x or a
// reference with kinks. The evaluations are added to r's.
bool probe_contradicts(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, const Noise& noise,
                       const arma::vec& signs, Reference& r);

// Complex step Im f(x + i h e_b) / h for every coordinate (h = 1e-20 |x_b|, 1e-20 at 0), with the bound
// of working precision: E[a,b] = 16 rho_a |J[a,b]| + 16 eps max_a' |J[a',b]| + 64 denorm_min / h_b, rho_a = max(eps, sigma_a / |f_a|)
// (the last term: the spacing of a subnormal imaginary part, h J below 2.2e-308).
// Requires target.f_complex.
// `columns` (entries of x) limits the work to those columns (the others stay 0 with bound +inf);
// empty: every column.
Reference complex_step(const Target& target, std::vector<arma::mat>& values, const Noise& noise,
                       const std::vector<arma::uword>& columns = {});

// The symbolic reference: J = target.jacobian(values), exact but for rounding, with the bound
// (rounding only: no step, no truncation)
//
//     E[a,b] = 64 rho (|J[a,b]| + max_b' |J[a,b']|),  rho = max(eps, noise.relative),
//
// i.e. a few dozen roundings of the largest term of the row, at the working precision seen in f.
// Cross-checked at `checks` random entries (seeded) against central differences at steps h and
// 2h: an entry where |J - D(h)| exceeds 10 (|D(h) - D(2h)| + 4 sigma_a / h + E) + 1e-8 (|J| + 1)
// means a rule of the derivation is wrong, and throws Error "reference.symbolic" (the check then
// ends as an error, never as a pass). Requires target.jacobian.
Reference symbolic(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, const Noise& noise,
                   std::uint64_t seed, int checks = 3);

// Looks for kinks with one-sided differences at steps h and 2h (4 evaluations per coordinate)
// for references that do not see them (complex step, Richardson, Ridders, one-sided methods).
std::uint64_t scan_kinks(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0,
                         const Noise& noise, Reference& reference);

// Second differences of the scalar target.gradient_of with respect to coordinate a of
// values[target.gradient_of_wrt] and coordinate b of values[target.wrt]: J[a,b] = d2f / dx_a dy_b
// with its bound (the error model is in second_difference.cpp). The noise of f is measured there
// (the `noise` of the gradient estimate does not say it). fd.step, when stated, is the base step.
// Unstructured variables only.
Reference second_differences(const Target& target, std::vector<arma::mat>& values, const FdOptions& fd);
// Tightening of second differences: level 0 recomputes the listed columns at the step that
// minimises each entry's estimated truncation + rounding; there is no other level.
bool tighten_second_differences(const Target& target, std::vector<arma::mat>& values,
                                const std::vector<arma::uword>& columns, int level, Reference& reference);
// The second opinion of tighten_second_differences (s = 1 / kSecondOpinionShrink) at the listed
// columns against `reference`: true when it contradicts it at some entry, or is rough there
// (out of its regime far beyond rounding; second_opinion_contradicts
// for second differences; the evaluations are added to the reference's).
bool second_differences_contradicted(const Target& target, std::vector<arma::mat>& values,
                                     const std::vector<arma::uword>& columns, Reference& reference);

// Evaluations of f per entry of x that finite_differences spends by `fd.method` (before any
// tightening): central and Richardson 4 (two steps each side), forward/backward 2, Ridders up to
// 2 per row of its tableau plus the 4 per shrink of its first step.
int evaluations_per_entry(const FdOptions& fd);

// The base step c of the step rule for `fd` at relative precision rho (see finite_differences).
double base_step(const FdOptions& fd, double rho);

// |analytic - central difference with step h| at entry (a, b) for h = 1e-1 ... 1e-12: the V of
// truncation and rounding on a log-log plot, for reports of failing checks.
std::vector<std::pair<double, double>> error_vs_step(const Target& target, std::vector<arma::mat>& values,
                                                     arma::uword a, arma::uword b, double analytic);

}  // namespace gradcheck::reference
