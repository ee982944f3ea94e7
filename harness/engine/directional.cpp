// SPDX-License-Identifier: MIT
// The directional check: probes, their verdict, narrowing, the probe-decided diagnoses. The
// rules and the derivation of the miss probability are in directional.hpp.
#include "engine/directional.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <limits>

#include "common/random.hpp"
#include "compare/compare.hpp"
#include "diagnose/diagnose.hpp"
#include "engine/moves.hpp"
#include "engine/precision.hpp"
#include "reference/reference.hpp"

namespace gradcheck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = std::numeric_limits<double>::epsilon();
// The widest bound of an undecided probe that a fresh probe may replace, in units of its
// tolerance (directional.hpp: a passing check's threshold tol + 2e then stays within 5 tol).
constexpr double kReplaceableBound = 2.0;

// One probe: weights over vec(f) and over the entries of x (+-1, or 0 outside a block).
struct Probe {
  arma::vec v, w;
  double analytic = kNaN;   // v' E_J (w .* s)
  double tol = kNaN;        // root-sum-square of the entry-wise tolerances it adds up
  double reference = kNaN;  // v' J (w .* s)
  double bound = kInf;      // |reference - truth| <= bound
  std::vector<reference::Reference::Kink> kinks;
  std::string detail;
  EntryVerdict verdict = EntryVerdict::kUndecided;

  Tolerance tolerance() const {
    Tolerance t;
    t.rtol = 0.0;
    t.atol = tol;
    return t;
  }
  double excess() const { return gradcheck::excess(analytic, reference, bound, tolerance()); }
  void decide_now() { verdict = decide(analytic, reference, bound, tolerance()); }
  // Decided, or undecided with a bound within kReplaceableBound of its tolerance: a fresh probe
  // may take its place (directional.hpp).
  bool replaceable() const { return verdict != EntryVerdict::kUndecided || bound <= kReplaceableBound * tol; }
};

// The check's rule over its probes (directional.hpp), for the check itself and for each other
// arrangement of expected: `wanted` probes must pass and none fail; an undecided probe is
// replaced by a fresh one (`more`), up to `wanted` replacements, while every undecided probe so
// far is replaceable.
struct Tally {
  int wanted = 0, passing = 0, failing = 0, replaced = 0;
  bool replaceable = true;
  void count(const Probe& p) {
    passing += p.verdict == EntryVerdict::kPass;
    failing += p.verdict == EntryVerdict::kFail;
    replaceable = replaceable && p.replaceable();
  }
  bool more() const { return failing == 0 && passing < wanted && replaced < wanted && replaceable; }
  bool pass() const { return failing == 0 && passing >= wanted; }
  int decided() const { return passing + failing; }
};

class DirectionalTrial {
 public:
  DirectionalTrial(const Problem& problem, const FormMap& map, const Options& options, int trial)
      : problem_(problem), map_(map), options_(options), trial_(trial), p_(problem.f_shape.numel()) {}

  Attempt at(const std::vector<arma::mat>& point) {
    Attempt out;
    TrialResult& r = out.result;
    r.trial = trial_;
    r.fd.method = to_string(options_.fd.method);
    work_ = point;
    x0_ = point[problem_.wrt];
    q_ = x0_.n_elem;
    scale_ = arma::clamp(arma::abs(x0_), 1.0, kInf);
    evaluations_ = 0;
    // A black box's Hessian (problem_.gradient_of): probes weight G's entries, those of the
    // variable G is taken by, with that variable's scale too (second_difference_side).
    const bool hessian = static_cast<bool>(problem_.gradient_of);
    if (hessian) {
      fscale_ = arma::clamp(arma::abs(arma::vectorise(point[problem_.gradient_of_wrt])), 1.0, kInf);
      if (fscale_.n_elem != p_) throw Error("check.function", "the gradient is not shaped like its variable");
    } else {
      fscale_.reset();
    }
    r.directional.scaled_by_both = hessian;
    auto fail_with = [&](Diagnosis d) {
      r.status = Status::kFail;
      r.diagnoses.push_back(std::move(d));
      finish(r);
      return out;
    };
    // f at the point (for a black box's Hessian the scalar f itself: its gradient is only an
    // estimate, which no probe reads).
    reference::Target own;
    own.f = [this](const std::vector<arma::mat>& values, arma::mat& o) { eval_f(values, o); };
    own.wrt = problem_.wrt;
    own.structure = problem_.structure;
    own.computed_in_double = problem_.computed_in_double;
    const reference::Target target = noise_target(problem_, own);
    target.f(work_, f0_);
    if (!f0_.is_finite()) return fail_with(diagnose_nonfinite("f", "at this point (check the inputs' init)"));

    // The working precision and the tolerance: the entry-wise check's rule.
    noise_ = reference::measure_noise(target, work_, f0_, mix_seed(options_.seed, 0x5eed + trial_));
    evaluations_ += noise_.evaluations;
    const WorkingPrecision working = working_precision(options_, f0_, noise_);
    tolerance_ = working.tolerance;
    r.precision = to_string(working.precision);
    r.precision_evidence = working.evidence;
    r.tolerance = tolerance_;
    cx_work_.clear();  // the point in complex form, made when a probe first needs it (reference_side)

    arma::mat expected;
    try {
      expected = problem_.expected(point);
      if (problem_.form.form == Form::kIndex && expected.n_elem == map_.wanted.numel())
        expected.reshape(map_.wanted.rows, map_.wanted.cols);
    } catch (const ExprError& error) {
      if (error.id() != "expr.shape") throw;
      return fail_with(diagnose_expected_shape_error(map_, error.what()));
    }
    Random random(mix_seed(options_.seed, 0xd1ec7 + static_cast<std::uint64_t>(trial_)));

    if (expected.n_rows != map_.wanted.rows || expected.n_cols != map_.wanted.cols) {
      // The other arrangements with expected's shape are probed: one that matches every probe names
      // the arrangement expected was written in.
      r.status = Status::kFail;
      r.diagnoses.push_back(
          {"shape-mismatch", fmt::format("expected is {}x{} but the check wants {}", expected.n_rows, expected.n_cols,
                                         map_.describe())});
      for (const AlternativeMap& alt : alternative_maps(map_, problem_.audience)) {
        if (alt.map.wanted.rows != expected.n_rows || alt.map.wanted.cols != expected.n_cols) continue;
        const Tally tally = probe_arrangement(carry(alt.map, expected), {}, random);
        r.directional.probes += tally.decided();  // (these are the check's probes here)
        r.directional.replaced_probes += tally.replaced;
        if (tally.pass()) {
          r.diagnoses.push_back({alt.code, alt.sentence + matches(tally, 0), {}});
          break;
        }
      }
      finish(r);
      return out;
    }
    if (!expected.is_finite()) {
      arma::uword k = 0;
      while (k < expected.n_elem && std::isfinite(expected(k))) ++k;
      return fail_with(diagnose_nonfinite("expected", fmt::format("first at {}", map_.label(k))));
    }

    // The probes. Their weights are drawn into two buffers every probe reuses (x may have a
    // million entries: a fresh pair per probe was a fresh 16 MB of pages per check at 512 x 512)
    // and drawn again, from the generator's state before each probe, only where a failing check
    // reads them (below).
    std::vector<Probe> probes;
    std::vector<Random> draws;  // the generator before each probe's draws
    const Carried carried = carry(map_, expected);
    probes.reserve(options_.probes);
    arma::vec v, w;
    Tally tally{options_.probes};
    auto add_probe = [&] {
      draws.push_back(random);
      rademacher(random, p_, v);  // (v before w: the order of the draws)
      rademacher(random, q_, w);
      probes.push_back(measure(carried, std::move(v), std::move(w)));
      v = std::move(probes.back().v);  // (the buffers back for the next probe)
      w = std::move(probes.back().w);
      tally.count(probes.back());
    };
    for (int i = 0; i < options_.probes; ++i) add_probe();
    for (; tally.more(); ++tally.replaced) add_probe();  // undecided ones replaced (Tally)
    r.directional.probes = tally.decided();
    r.directional.replaced_probes = tally.replaced;

    // Figures over the probes (as compare() takes them over entries).
    double diff2 = 0, norm2 = 0, threshold = 0;
    std::size_t worst = 0;
    bool fails = false, nonfinite = false;
    r.max_abs_error = r.max_rel_error = 0.0;
    r.resolution = kNaN;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      const Probe& pr = probes[i];
      const double d = std::abs(pr.analytic - pr.reference);
      nonfinite = nonfinite || !std::isfinite(pr.reference);
      r.max_abs_error = std::max(r.max_abs_error, std::isnan(d) ? kInf : d);
      r.max_rel_error = std::max(r.max_rel_error, std::isnan(d) ? kInf : d / std::max(std::abs(pr.reference), tolerance_.atol));
      diff2 += d * d;
      norm2 += pr.reference * pr.reference;
      if (pr.reference != 0.0 && std::isfinite(pr.reference)) {
        const double res = (pr.tol + pr.bound) / std::abs(pr.reference);
        if (!(res >= r.resolution)) r.resolution = res;
      }
      threshold = std::max(threshold, pr.tol + 2 * pr.bound);
      r.reference.max_error_bound = i == 0 ? pr.bound : std::max(r.reference.max_error_bound, pr.bound);
      fails = fails || pr.verdict == EntryVerdict::kFail;
      if (pr.verdict == EntryVerdict::kUndecided) ++r.undecided;
    }
    // The worst probe: the largest excess; on a pass, among the passing probes (the replaced
    // ones decided nothing).
    const bool passed = tally.pass();
    auto eligible = [&](std::size_t i) { return !passed || probes[i].verdict == EntryVerdict::kPass; };
    while (!eligible(worst)) ++worst;  // (a pass has `probes` passing probes)
    for (std::size_t i = worst + 1; i < probes.size(); ++i)
      if (eligible(i) && !(probes[i].excess() <= probes[worst].excess())) worst = i;
    // Undecided: fewer than `probes` passed and none failed. r.undecided counts the undecided
    // probes of a trial that did not pass (a pass replaced them all).
    const bool undecided = !fails && !passed;
    if (passed) r.undecided = 0;
    r.rel_error_norm = std::sqrt(diff2) / std::max(std::sqrt(norm2), tolerance_.atol);
    r.directional.threshold = threshold;
    r.worst = probe_entry(probes[worst], worst);
    r.reference.detail = probes.front().detail;

    // A kink of g at 0: f has no derivative along the probe (relu or abs at 0 in some entry).
    std::string kink_where;
    for (std::size_t i = 0; i < probes.size() && kink_where.empty(); ++i)
      for (const auto& kink : probes[i].kinks) {
        const double gap = std::abs(kink.forward - kink.backward);
        if (kink.jump || gap > 2 * probes[i].tol) {
          kink_where = fmt::format("probe {}", i + 1);
          r.kinks.push_back({kink_where, kink.forward, kink.backward, kink.jump});
          break;
        }
      }

    if (!fails && kink_where.empty()) {
      r.status = undecided ? Status::kInconclusive : Status::kPass;
      if (undecided) {
        // The reason is the undecided probe's (the one whose bound is largest next to its tolerance).
        std::size_t which = worst;
        double loosest = -1.0;
        for (std::size_t i = 0; i < probes.size(); ++i)
          if (probes[i].verdict == EntryVerdict::kUndecided && probes[i].bound / probes[i].tol > loosest) {
            loosest = probes[i].bound / probes[i].tol;
            which = i;
          }
        const Probe& u = probes[which];
        if (noise_.unresolved) {
          r.reason_code = "ill-conditioned";
          r.reason = unresolved_noise_reason(problem_.audience);
          finish(r);
          return out;
        }
        r.reason_code = "fd-noise";
        r.reason = fmt::format(
            "the reference of probe {} (v' J u) is only known to +-{:.2g} after tightening ({}), and the probe's "
            "tolerance asks for {:.2g}: f is too large or too ill-conditioned next to its changes along the probe",
            which + 1, u.bound, u.detail, u.tol);
      }
      finish(r);
      return out;
    }

    r.status = Status::kFail;
    if (!kink_where.empty()) {
      out.move_because = fmt::format("f has a kink along {}", kink_where);
      r.diagnoses.push_back(
          {"nondifferentiable",
           fmt::format("f is not differentiable at this point along {}: the one-sided slopes of v' f(x + t u) at t = 0 "
                       "are {:.6g} and {:.6g}, apart by more than their error bounds and the tolerance (a kink such "
                       "as relu or abs at 0 in some entry); no formula is the derivative there",
                       kink_where, r.kinks.front().forward, r.kinks.front().backward)});
      if (!fails) {
        finish(r);
        return out;
      }
    }
    if (nonfinite) {
      r.diagnoses.push_back(diagnose_nonfinite("the reference derivative", "along a probe"));
      finish(r);
      return out;
    }
    // Narrowed down to an entry, in the variable's own indices; narrowing and the diagnoses read
    // the probes' weights, drawn again here.
    for (std::size_t i = 0; i < probes.size(); ++i) {
      rademacher(draws[i], p_, probes[i].v);
      rademacher(draws[i], q_, probes[i].w);
    }
    locate(map_, carried, expected, probes[worst], r);
    for (std::size_t i = 0; i < probes.size() && static_cast<int>(r.worst_entries.size()) < options_.worst_entries; ++i)
      if (probes[i].verdict == EntryVerdict::kFail) r.worst_entries.push_back(probe_entry(probes[i], i));
    if (options_.diagnose) diagnose_probes(expected, probes, random, r);
    finish(r);
    return out;
  }

 private:
  void eval_f(const std::vector<arma::mat>& values, arma::mat& out) const {
    problem_.f(values, out);
    if (out.n_rows != problem_.f_shape.rows || out.n_cols != problem_.f_shape.cols)
      throw Error("check.function", fmt::format("f returned a {}x{} result, declared {}", out.n_rows, out.n_cols,
                                                problem_.f_shape.str()));
  }

  // U = w .* s shaped like x; for a symmetric x, W + W' - diag(W) (see directional.hpp). Into
  // u_, which every probe reuses: x may have a million entries, and a fresh buffer per probe and
  // per evaluation (page faults, copies into the closures below) cost more than f did.
  void direction(const arma::vec& w) {
    u_.set_size(x0_.n_rows, x0_.n_cols);
    const double* from = w.memptr();
    const double* s = scale_.memptr();
    double* to = u_.memptr();
    for (arma::uword k = 0; k < u_.n_elem; ++k) to[k] = from[k] * s[k];
    if (problem_.structure == Structure::kSymmetric && u_.is_square()) u_ = u_ + u_.t() - arma::diagmat(u_.diag());
  }

  // expected carried into J's positions, E_J (numel(f) x numel(x)), and the square of each entry's
  // tolerance there: what every probe under one map reads.
  struct Carried {
    arma::mat e, tol2;
    // The tol of a full probe (every weight +-1: v.^2 and ws.^2 = s.^2 are then the same for
    // every probe, so is tol, bit for bit), once computed; NaN before.
    mutable double full_tol = std::numeric_limits<double>::quiet_NaN();
  };
  Carried carry(const FormMap& map, const arma::mat& expected) const {
    Carried c;
    if (map.identity && expected.n_elem == p_ * q_) {
      c.e = arma::reshape(expected, p_, q_);
      c.tol2 = arma::square(tolerance_.atol + tolerance_.rtol * arma::abs(c.e));
      return c;
    }
    c.e.zeros(p_, q_);
    c.tol2.zeros(p_, q_);
    for (arma::uword k = 0; k < map.size() && k < expected.n_elem; ++k) {
      const arma::uword j = map.index(k);
      const double t = tolerance_.atol + tolerance_.rtol * std::abs(expected[k]);
      c.e[j] = expected[k];
      c.tol2[j] = t * t;
    }
    return c;
  }

  // A, tol of a probe: with ws = w .* s (s the entries' scales),
  //     A = v' E_J ws,   tol = sqrt( (v.^2)' T2 (ws.^2) ),   T2[a,b] = (atol + rtol |E_J[a,b]|)^2,
  // i.e. the root-sum-square of the entry-wise tolerances |v_a ws_b| tol_ab the probe adds up.
  // (ws_, ws2_: buffers every probe reuses.)
  void analytic_side(const Carried& c, Probe& probe) const {
    ws_.set_size(q_);
    ws2_.set_size(q_);
    const double* w = probe.w.memptr();
    const double* s = scale_.memptr();
    for (arma::uword b = 0; b < q_; ++b) {
      ws_[b] = w[b] * s[b];
      ws2_[b] = ws_[b] * ws_[b];
    }
    const arma::vec& vs = weights_of_f(probe.v);
    probe.analytic = arma::dot(vs, c.e * ws_);
    auto all_signs = [](const arma::vec& x) {
      return std::all_of(x.begin(), x.end(), [](double s) { return s == 1.0 || s == -1.0; });
    };
    const bool full = all_signs(probe.v) && all_signs(probe.w);
    if (full && !std::isnan(c.full_tol)) {
      probe.tol = c.full_tol;
      return;
    }
    probe.tol = std::sqrt(arma::dot(arma::square(vs), c.tol2 * ws2_));
    if (full) c.full_tol = probe.tol;
  }

  // v .* fs, the probe's weights over f's entries with their scales: v itself but for a black
  // box's Hessian (fs = max(1, |x_a|) of the variable G is taken by; fs_ holds the product).
  const arma::vec& weights_of_f(const arma::vec& v) const {
    if (fscale_.is_empty()) return v;
    fs_ = v % fscale_;
    return fs_;
  }

  // R, e of a probe of a black box's Hessian (problem_.gradient_of, directional.hpp): the mixed
  // second difference of the scalar f along both of the probe's directions,
  //     phi(s, t) = f(x + s V, y + t U),   d2 phi / ds dt (0, 0) = V' H U,   V = v .* fs shaped like x
  // (x = y for a pure Hessian: both moves add up), by the reference seam on phi as a function of
  // two 1 x 1 variables: second differences with their bound and tightening
  // (reference/second_difference.cpp). problem_.f, the central-difference estimate of G, is never
  // differenced: a difference of it compounds two estimates' errors under the bound of the outer
  // one alone (float32 logreg's right Hessian failed 19 seeds of 20 so).
  void second_difference_side(Probe& probe) {
    direction(probe.w);
    const std::size_t gx = problem_.gradient_of_wrt, y = problem_.wrt;
    const arma::mat xg = work_[gx];  // the point's x (y is x0_)
    arma::mat vx = weights_of_f(probe.v);
    vx.reshape(xg.n_rows, xg.n_cols);
    // s and t sit at the directions' scales S = max|V| and T = max|U| over unit directions
    // V / S, U / T (as the Hessian-vector product's t does, second_order.cpp): the rule's steps
    // c S and c T move x as before, and the second opinion at the scale of 1 (second_difference.cpp)
    // moves the largest entries by c, where f of a large x may vary (cos(x) at 5e5).
    const double S = std::max(1.0, arma::abs(vx).max()), T = std::max(1.0, arma::abs(u_).max());
    vx /= S;
    u_ /= T;
    reference::Target phi;
    phi.gradient_of = [&](const std::vector<arma::mat>& st, arma::mat& out) {
      const double s = st[0](0) - S, t = st[1](0) - T;
      if (gx == y) {
        work_[y] = x0_ + s * vx + t * u_;
      } else {
        work_[gx] = xg + s * vx;
        work_[y] = x0_ + t * u_;
      }
      problem_.gradient_of(work_, out);
    };
    phi.gradient_of_wrt = 0;
    phi.wrt = 1;
    std::vector<arma::mat> st{arma::mat(1, 1, arma::fill::value(S)), arma::mat(1, 1, arma::fill::value(T))};
    const arma::mat f0(1, 1, arma::fill::value(f0_(0)));
    reference::Noise noise = noise_;  // (second differences measure phi's own; this one says unresolved)
    reference::Reference ref = reference::finite_differences(phi, st, f0, noise, options_.fd);
    reference::withhold_when_unresolved(noise, ref);
    auto take = [&] {  // d2 phi / ds dt = (V / S)' H (U / T)
      probe.reference = ref.values(0, 0) * S * T;
      probe.bound = ref.bound(0, 0) * S * T;
      probe.decide_now();
    };
    take();
    // Level 0 always (its second opinion, at a 10^1.5 times smaller step); there is no other.
    if (!noise.unresolved && reference::tighten(phi, st, f0, noise, {0}, 0, ref)) take();
    work_[gx] = xg;
    work_[y] = x0_;
    probe.detail = ref.detail;
    base_step_ = ref.base_step;
    evaluations_ += ref.evaluations;
  }

  // R, e of a probe: the reference seam on g(t) = v' vec f(x + t U), a function of a 1 x 1 t.
  void reference_side(Probe& probe) {
    if (problem_.gradient_of) return second_difference_side(probe);
    direction(probe.w);
    const arma::vec& v = probe.v;  // (probe outlives g: the closures hold references)
    reference::Target g;
    g.wrt = 0;
    g.polynomial_degree = problem_.polynomial_degree;  // g(t) = v' f(x + t U): f's degree in x
    g.f = [this, &v](const std::vector<arma::mat>& t, arma::mat& out) {
      work_[problem_.wrt] = x0_ + t[0](0) * u_;
      eval_f(work_, f_);
      out.set_size(1, 1);
      out(0) = arma::dot(v, arma::vectorise(f_));
    };
    if (problem_.f_complex) {
      g.f_complex = [this, &v](const std::vector<arma::cx_mat>& t, arma::cx_mat& out) {
        const std::complex<double> at = t[0](0);
        if (cx_work_.empty())  // work_ is the point but for x, which is set below
          for (const arma::mat& m : work_) cx_work_.emplace_back(m, arma::zeros<arma::mat>(m.n_rows, m.n_cols));
        // x0 + at U, in place: re x0_k + Re(at) u_k, im Im(at) u_k.
        arma::cx_mat& z = cx_work_[problem_.wrt];
        z.set_size(x0_.n_rows, x0_.n_cols);
        const double* x = x0_.memptr();
        const double* d = u_.memptr();
        std::complex<double>* o = z.memptr();
        for (arma::uword k = 0; k < z.n_elem; ++k) o[k] = std::complex<double>(x[k] + at.real() * d[k], at.imag() * d[k]);
        problem_.f_complex(cx_work_, cx_f_);
        out.set_size(1, 1);
        out(0) = arma::dot(arma::cx_vec(v, arma::zeros<arma::vec>(v.n_elem)), arma::vectorise(cx_f_));
      };
    }
    // g's noise from f's (directional.hpp).
    reference::Noise noise;
    noise.precision = noise_.precision;
    const arma::vec fv = arma::vectorise(f0_);
    const double g0 = arma::dot(v, fv);
    const double sigma = std::sqrt(arma::accu(arma::square(v % noise_.sigma))) + kEps * arma::accu(arma::abs(v % fv));
    noise.sigma = arma::vec{sigma};
    noise.relative = std::max(noise_.relative, sigma / std::max(std::abs(g0), 1.0));
    noise.unresolved = noise_.unresolved;
    std::vector<arma::mat> t{arma::mat(1, 1, arma::fill::zeros)};
    const arma::mat g0m(1, 1, arma::fill::value(g0));
    // A probe decides a whole check, so its finite difference is confirmed: by complex step where
    // g has a complex extension (tightening level 0 always runs: the two must agree within their
    // bounds, and where they do not, only a value both vouch for decides; the complex step sees
    // what no step of a difference can, a feature of g narrower than h: c' solve(A + t U, b)
    // near a complex pole pair at cond 1e8), else by the odd part's regime at 4h
    // (Target::confirm_regime) and the second opinion of level 0, the difference at a 10^1.5
    // times smaller step: where D(h), D(2h) and D(4h) all alias to ~0 (sin(x) at
    // x = 1037607.558: h = 2 pi) the regime test sees nothing wrong. A polynomial of degree <= 2
    // needs neither: its difference is exact.
    const bool polynomial = g.polynomial_degree >= 0 && g.polynomial_degree <= 2;
    const bool confirm_by_second_opinion = options_.reference == ReferenceMethod::kFd && !polynomial;
    g.confirm_regime = !g.f_complex && !polynomial;
    g.smooth = problem_.smooth;
    reference::Reference ref;
    if (options_.reference == ReferenceMethod::kComplexStep && g.f_complex) {
      ref = reference::complex_step(g, t, noise);
      reference::scan_kinks(g, t, g0m, noise, ref);
    } else {
      ref = reference::finite_differences(g, t, g0m, noise, options_.fd);
      if (options_.fd.method != FdMethod::kCentral && options_.fd.method != FdMethod::kRichardson)
        reference::scan_kinks(g, t, g0m, noise, ref);
    }
    base_step_ = ref.base_step;
    // Within rounding of a singularity no probe's bound holds: undecided, and nothing tightens.
    reference::withhold_when_unresolved(noise, ref);
    auto take = [&] {
      probe.reference = ref.values(0, 0);
      probe.bound = ref.bound(0, 0);
      probe.decide_now();
    };
    take();
    // Tightened while undecided; a failing probe also while its bound is above a tenth of its
    // tolerance when diagnoses follow (as the entry-wise check does before testing hypotheses).
    auto loose = [&] {
      return probe.verdict == EntryVerdict::kUndecided ||
             (options_.diagnose && probe.verdict == EntryVerdict::kFail && !(probe.bound <= 0.1 * probe.tol));
    };
    for (int level = 0; loose() || (level == 0 && confirm_by_second_opinion); ++level) {  // until tighten has no further level
      if (!reference::tighten(g, t, g0m, noise, {0}, level, ref)) break;
      take();
    }
    probe.kinks = ref.kinks;
    probe.detail = ref.detail;
    evaluations_ += ref.evaluations;
  }

  Probe measure(const Carried& carried, arma::vec v, arma::vec w) {
    Probe probe;
    probe.v = std::move(v);
    probe.w = std::move(w);
    analytic_side(carried, probe);
    reference_side(probe);
    return probe;
  }

  EntryError probe_entry(const Probe& probe, std::size_t i) const {
    EntryError e;
    e.label = fmt::format("probe {}", i + 1);
    e.analytic = probe.analytic;
    e.numeric = probe.reference;
    e.abs_error = std::abs(e.analytic - e.numeric);
    e.rel_error = e.abs_error / std::max(std::abs(e.numeric), tolerance_.atol);
    return e;
  }

  // Bisection of a failing probe (directional.hpp): over x's entries, then f's, then the leaf alone.
  void locate(const FormMap& map, const Carried& carried, const arma::mat& expected, Probe current, TrialResult& r) {
    auto restricted = [](const arma::vec& weights, const std::vector<arma::uword>& keep) {
      arma::vec out(weights.n_elem, arma::fill::zeros);
      for (arma::uword i : keep) out(i) = weights(i);
      return out;
    };
    auto support = [](const arma::vec& weights) {
      std::vector<arma::uword> out;
      for (arma::uword i = 0; i < weights.n_elem; ++i)
        if (weights(i) != 0.0) out.push_back(i);
      return out;
    };
    auto bisect = [&](bool over_x) {
      std::vector<arma::uword> block = support(over_x ? current.w : current.v);
      while (block.size() > 1) {
        const std::vector<arma::uword> first(block.begin(), block.begin() + block.size() / 2),
            second(block.begin() + block.size() / 2, block.end());
        Probe one = over_x ? measure(carried, current.v, restricted(current.w, first))
                           : measure(carried, restricted(current.v, first), current.w);
        ++r.directional.narrowing_probes;
        Probe two;
        two.v = over_x ? current.v : restricted(current.v, second);
        two.w = over_x ? restricted(current.w, second) : current.w;
        analytic_side(carried, two);
        two.reference = current.reference - one.reference;
        two.bound = current.bound + one.bound;
        two.decide_now();
        const bool keep_first = !(two.excess() > one.excess());
        current = keep_first ? one : two;
        block = keep_first ? first : second;
      }
    };
    bisect(true);
    bisect(false);
    const std::vector<arma::uword> as = support(current.v), bs = support(current.w);
    if (as.size() != 1 || bs.size() != 1) return;
    const arma::uword a = as[0], b = bs[0];
    arma::vec ea(p_, arma::fill::zeros), eb(q_, arma::fill::zeros);
    ea(a) = 1.0;
    eb(b) = 1.0;
    const Probe leaf = measure(carried, ea, eb);
    ++r.directional.narrowing_probes;
    // Entry k of expected at J(a, b) (require_directional: exactly one).
    arma::uword k = 0;
    while (k < map.size() && map.index(k) != a + b * p_) ++k;
    if (k == map.size()) return;
    EntryError e;
    e.index = map.position(k);
    e.label = map.label(k);
    e.analytic = expected(k);
    const double leaf_scale = scale_(b) * (fscale_.is_empty() ? 1.0 : fscale_(a));  // the probe's weight of (a, b)
    e.numeric = leaf.reference / leaf_scale;
    e.abs_error = std::abs(e.analytic - e.numeric);
    e.rel_error = e.abs_error / std::max(std::abs(e.numeric), tolerance_.atol);
    const EntryVerdict alone = decide(e.analytic, e.numeric, leaf.bound / leaf_scale, tolerance_);
    r.directional.located = alone == EntryVerdict::kFail;
    if (r.directional.located) {
      r.worst = e;
      r.worst_entries.insert(r.worst_entries.begin(), e);
    } else {
      r.notes.push_back(fmt::format("narrowing ended at {}, which {} alone: the mismatch is spread over entries "
                                    "whose errors cancel in blocks",
                                    e.label, alone == EntryVerdict::kPass ? "passes" : "is undecided"));
    }
  }

  // The diagnoses the probes decide: a factor (sign, scale) over the probes, and the other
  // arrangements of expected (layout-transposed, vec-order) probed against the same references.
  void diagnose_probes(const arma::mat& expected, const std::vector<Probe>& probes, Random& random, TrialResult& r) {
    if (probes.size() >= 3) {
      // Full probes all have the same tolerance (their weights are all +-1).
      arma::mat a(probes.size(), 1), ref(probes.size(), 1), bound(probes.size(), 1);
      for (std::size_t i = 0; i < probes.size(); ++i) {
        a(i) = probes[i].analytic;
        ref(i) = probes[i].reference;
        bound(i) = probes[i].bound;
      }
      const std::vector<Diagnosis> factors =
          diagnose_factor(a, ref, bound, probes.front().tolerance(), problem_.dims, "the reference along every probe");
      r.diagnoses.insert(r.diagnoses.end(), factors.begin(), factors.end());
    }
    for (const AlternativeMap& alt : alternative_maps(map_, problem_.audience)) {
      if (alt.map.wanted != map_.wanted) continue;
      const Tally tally = probe_arrangement(carry(alt.map, expected), probes, random);
      if (tally.pass()) {
        r.diagnoses.push_back({alt.code, alt.sentence + matches(tally, probes.size()), {}});
        break;
      }
    }
  }

  // The check's rule (Tally) for another arrangement of expected (`alt`): along the probes
  // already measured (their references, its own A), then along fresh probes drawn from `random`
  // as the rule asks (to `probes`, then replacing undecided ones), stopping where it cannot pass.
  Tally probe_arrangement(const Carried& alt, const std::vector<Probe>& measured, Random& random) {
    Tally tally{options_.probes};
    for (const Probe& pr : measured) {
      Probe other = pr;
      analytic_side(alt, other);
      other.decide_now();
      tally.count(other);
    }
    auto fresh = [&] {
      arma::vec v = rademacher(random, p_);  // (v before w: the order of the draws)
      tally.count(measure(alt, std::move(v), rademacher(random, q_)));
    };
    for (int i = static_cast<int>(measured.size()); i < options_.probes && tally.failing == 0 && tally.replaceable; ++i)
      fresh();
    for (; tally.more(); ++tally.replaced) fresh();
    return tally;
  }

  // " (it matches along every probe)", or how many decided where some did not (the sentence of
  // an arrangement named by probe_arrangement over `measured` probes).
  static std::string matches(const Tally& tally, std::size_t measured) {
    if (tally.replaced == 0 && tally.failing == 0 &&
        tally.passing == static_cast<int>(std::max<std::size_t>(measured, static_cast<std::size_t>(tally.wanted))))
      return " (it matches along every probe)";
    return fmt::format(" (it matches along {} probes; the others decide nothing)", tally.passing);
  }

  void finish(TrialResult& r) const {
    r.reference.method = to_string(options_.reference);
    r.reference.evaluations = evaluations_;
    r.fd.evaluations = evaluations_ + 1;
    r.fd.step = base_step_ > 0 ? base_step_ : reference::base_step(options_.fd, kEps);
    r.directional.miss_probability = directional_miss_probability(r.directional.probes);
    r.directional.probes_for_one_in_a_million = directional_probes_for(1e-6);
  }

  const Problem& problem_;
  const FormMap& map_;
  const Options& options_;
  const int trial_;
  const arma::uword p_;
  arma::uword q_ = 0;
  arma::mat x0_, scale_, f0_;
  arma::vec fscale_;             // fs (weights_of_f): empty but for a black box's Hessian
  mutable arma::vec fs_;         // v .* fs (weights_of_f)
  arma::mat u_;          // the current probe's direction U (direction())
  mutable arma::vec ws_, ws2_;  // w .* s and its square (analytic_side)
  std::vector<arma::mat> work_;
  std::vector<arma::cx_mat> cx_work_;
  mutable arma::mat f_;
  arma::cx_mat cx_f_;
  reference::Noise noise_;
  Tolerance tolerance_;
  std::uint64_t evaluations_ = 0;
  double base_step_ = 0.0;
};

}  // namespace

double directional_miss_probability(int probes) { return std::pow(0.75, probes); }

int directional_probes_per_trial(const Options& options, std::size_t trials) {
  if (options.probes > 0) return options.probes;
  const int t = static_cast<int>(std::min<std::size_t>(std::max<std::size_t>(trials, 1), kDirectionalProbesPerCheck));
  return std::max(kDirectionalProbesPerTrial, (kDirectionalProbesPerCheck + t - 1) / t);
}

int directional_probes_for(double chance) {
  // The smallest k with (3/4)^k < chance.
  int k = static_cast<int>(std::ceil(std::log(chance) / std::log(0.75)));
  while (directional_miss_probability(k) >= chance) ++k;
  return k;
}

bool directional_decides(const std::string& code) {
  static const char* const kDecided[] = {"shape-mismatch", "nonfinite", "nondifferentiable", "scale",
                                         "sign",           "layout-transposed", "vec-order"};
  return std::any_of(std::begin(kDecided), std::end(kDecided), [&](const char* c) { return code == c; });
}

bool directional_applies(const FormMap& map, std::string* why_not) {
  const arma::uword total = map.f_shape.numel() * map.x_shape.numel();
  bool ok = map.size() == total;
  if (ok && !map.identity) {
    std::vector<char> seen(total, 0);
    for (arma::uword j : map.to_jacobian) {
      if (j >= total || seen[j]) {
        ok = false;
        break;
      }
      seen[j] = 1;
    }
  }
  if (!ok && why_not)
    *why_not = fmt::format("checked entry-wise: \"mode\": \"directional\" probes the whole derivative, and expected "
                           "({}) holds {} of its {} entries",
                           map.describe(), map.size(), total);
  return ok;
}

TrialResult run_directional_trial(const Problem& problem, const FormMap& map, const Options& options, int trial,
                                  const std::vector<arma::mat>& point) {
  Options o = options;  // (probes 0, the default, is resolved by the check: 24 a check; here one trial)
  if (o.probes < 1) o.probes = directional_probes_per_trial(options, 1);
  DirectionalTrial runner(problem, map, o, trial);
  // The trial with its moves (engine/moves.hpp: one rule with the entry-wise check).
  return run_with_moves(problem, options.fd, trial, point,
                        [&](const std::vector<arma::mat>& values) { return runner.at(values); });
}

void summarize_directional(CheckResult& result) {
  DirectionalInfo info;
  info.threshold = 0.0;
  for (const TrialResult& t : result.trials) {
    info.probes += t.directional.probes;
    info.narrowing_probes += t.directional.narrowing_probes;
    info.replaced_probes += t.directional.replaced_probes;
    if (std::isfinite(t.directional.threshold)) info.threshold = std::max(info.threshold, t.directional.threshold);
  }
  if (!result.trials.empty()) info.located = result.trials[result.worst_trial].directional.located;
  for (const TrialResult& t : result.trials) info.scaled_by_both = info.scaled_by_both || t.directional.scaled_by_both;
  info.miss_probability = directional_miss_probability(info.probes);
  info.probes_for_one_in_a_million = directional_probes_for(1e-6);
  result.directional = info;
}

}  // namespace gradcheck
