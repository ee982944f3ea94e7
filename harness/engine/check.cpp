// SPDX-License-Identifier: MIT
// run_check: one check, trial by trial: f -> measured noise -> reference with its bound ->
// expected -> the verdict (tightening undecided entries) -> diagnoses. Computes and returns;
// never prints. The reference is composed from reference/; the engine differentiates nothing.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <set>

#include "common/random.hpp"
#include "compare/compare.hpp"
#include "compare/form_map.hpp"
#include "diagnose/diagnose.hpp"
#include "engine/directional.hpp"
#include "engine/moves.hpp"
#include "engine/precision.hpp"
#include "engine/second_order.hpp"
#include "engine/taylor.hpp"
#include "gradcheck/check.hpp"
#include "reference/reference.hpp"

namespace gradcheck {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class TrialRunner {
 public:
  TrialRunner(const Problem& problem, const FormMap& map, const Options& options)
      : problem_(problem), map_(map), options_(options) {
    target_.f = [this](const std::vector<arma::mat>& values, arma::mat& out) { eval_f(values, out); };
    if (problem.f_complex) target_.f_complex = problem.f_complex;
    if (problem.f_batch)
      target_.f_batch = [this](const std::vector<std::vector<arma::mat>>& points, std::vector<arma::mat>& outs) {
        problem_.f_batch(points, outs);
        if (outs.size() != points.size())
          throw Error("check.function", fmt::format("f answered {} values for {} points", outs.size(), points.size()));
        for (const arma::mat& out : outs) check_shape(out);
      };
    target_.jacobian = problem.jacobian;
    target_.wrt = problem.wrt;
    target_.structure = problem.structure;
    target_.gradient_of = problem.gradient_of;  // second order without a complex extension
    target_.gradient_of_wrt = problem.gradient_of_wrt;
    target_.perturbed = problem.perturbed;
    target_.polynomial_degree = problem.polynomial_degree;
    target_.computed_in_double = problem.computed_in_double;
    target_.smooth = problem.smooth;
    // A program answers one request at a time: its finite differences stay on one thread.
    target_.threads = problem.f_batch ? 1 : options.threads;
  }

  // f at `values` into out; checks the declared shape.
  void eval_f(const std::vector<arma::mat>& values, arma::mat& out) const {
    problem_.f(values, out);
    check_shape(out);
  }

  void check_shape(const arma::mat& out) const {
    if (out.n_rows != problem_.f_shape.rows || out.n_cols != problem_.f_shape.cols)
      throw Error("check.function", fmt::format("f returned a {}x{} result, declared {}", out.n_rows, out.n_cols,
                                                problem_.f_shape.str()));
  }

  // The trial with its moves (engine/moves.hpp: one rule with the directional check).
  TrialResult run(int trial, const std::vector<arma::mat>& point) const {
    return run_with_moves(problem_, options_.fd, trial, point, [&](const std::vector<arma::mat>& values) {
      return run_at(trial, values, options_.diagnose);
    });
  }

  // The verdict of the check at `values` alone (for hypotheses that re-run it).
  Status status_at(const std::vector<arma::mat>& values) const {
    try {
      return run_at(0, values, false).result.status;
    } catch (const std::exception&) {
      return Status::kError;
    }
  }

 private:
  reference::Reference make_reference(std::vector<arma::mat>& values, const arma::mat& f0,
                                      const reference::Noise& noise) const {
    switch (options_.reference) {
      case ReferenceMethod::kComplexStep: {
        if (!target_.f_complex)
          throw Error("check.reference",
                      fmt::format("\"reference\": \"complex-step\" needs f to have a complex extension{}",
                                  problem_.complex_obstacle.empty() ? std::string(" (C++ callables have none)")
                                                                    : ": " + problem_.complex_obstacle));
        reference::Reference r = reference::complex_step(target_, values, noise);
        reference::scan_kinks(target_, values, f0, noise, r);  // complex step cannot see a kink
        return r;
      }
      case ReferenceMethod::kSymbolic: {
        if (!target_.jacobian)
          throw Error("check.reference", "\"reference\": \"symbolic\" needs f to be an expression that can be derived");
        reference::Reference r = reference::symbolic(target_, values, f0, noise, mix_seed(options_.seed, 0x5b3b));
        reference::scan_kinks(target_, values, f0, noise, r);  // a formula cannot see a kink either
        return r;
      }
      case ReferenceMethod::kFd: break;
    }
    reference::Reference r = reference::finite_differences(target_, values, f0, noise, options_.fd);
    // Only central differences (and Richardson) see kinks in their own evaluations.
    if (options_.fd.method != FdMethod::kCentral && options_.fd.method != FdMethod::kRichardson)
      reference::scan_kinks(target_, values, f0, noise, r);
    return r;
  }

  // Entries k of expected that sit on a kink of the reference.
  std::vector<std::pair<arma::uword, const reference::Reference::Kink*>> kink_entries(
      const reference::Reference& ref) const {
    std::vector<std::pair<arma::uword, const reference::Reference::Kink*>> out;
    if (ref.kinks.empty()) return out;
    const arma::uword p = problem_.f_shape.numel();
    for (arma::uword k = 0; k < map_.size(); ++k) {
      const arma::uword j = map_.index(k), a = j % p, b = j / p;
      for (const reference::Reference::Kink& kink : ref.kinks)
        if (kink.a == a && kink.b == b) out.emplace_back(k, &kink);
    }
    return out;
  }

  Attempt run_at(int trial, const std::vector<arma::mat>& point, bool diagnose) const {
    Attempt at;
    TrialResult& r = at.result;
    r.trial = trial;
    r.fd.method = to_string(options_.fd.method);
    std::vector<arma::mat> values = point;
    arma::mat f0;
    eval_f(values, f0);
    auto fail_with = [&](Diagnosis d) {
      r.status = Status::kFail;
      r.diagnoses.push_back(std::move(d));  // figures stay NaN: nothing was compared
      return at;
    };
    if (!f0.is_finite()) return fail_with(diagnose_nonfinite("f", "at this point (check the inputs' init)"));

    // 1. The working precision, measured (on f itself for a black box's Hessian: noise_target);
    // the tolerance follows it unless stated.
    const reference::Target measured = noise_target(problem_, target_);
    arma::mat measured_f0 = f0;
    if (problem_.gradient_of) measured.f(values, measured_f0);
    reference::Noise noise =
        reference::measure_noise(measured, values, measured_f0, mix_seed(options_.seed, 0x5eed + trial));
    const WorkingPrecision working = working_precision(options_, measured_f0, noise);
    const Precision precision = working.precision;
    r.precision = to_string(precision);
    r.precision_evidence = working.evidence;
    const Tolerance tolerance = working.tolerance;
    r.tolerance = tolerance;

    // 2. The reference with its bound. Within rounding of a singularity (noise.unresolved: f
    // varies at every scale down to 1e-14 of its inputs) no bound holds: every entry undecided,
    // nothing tightened, no kink claimed.
    reference::Reference ref = make_reference(values, f0, noise);
    reference::withhold_when_unresolved(noise, ref);
    r.fd.step = ref.base_step;
    const arma::uword p = problem_.f_shape.numel();

    // 3. expected.
    arma::mat analytic;
    try {
      analytic = problem_.expected(values);
      if (problem_.form.form == Form::kIndex && analytic.n_elem == map_.wanted.numel())
        analytic.reshape(map_.wanted.rows, map_.wanted.cols);  // index form: a vec over the letters
    } catch (const ExprError& error) {
      if (error.id() != "expr.shape") throw;
      fill_reference(r, ref, noise);
      return fail_with(diagnose_expected_shape_error(map_, error.what()));
    }

    DiagnoseContext ctx;
    ctx.map = &map_;
    ctx.jacobian = &ref.values;
    ctx.bound = &ref.bound;
    ctx.analytic = &analytic;
    ctx.tolerance = tolerance;
    ctx.dims = problem_.dims;
    ctx.expected_text = problem_.expected_text;
    ctx.names = problem_.names;
    ctx.audience = problem_.audience;

    if (analytic.n_rows != map_.wanted.rows || analytic.n_cols != map_.wanted.cols) {
      fill_reference(r, ref, noise);
      r.status = Status::kFail;  // figures stay NaN: no entry was compared
      r.analytic = analytic;
      r.numeric = map_.arrange(ref.values);
      if (diagnose) r.diagnoses = diagnose_shape(ctx);
      else r.diagnoses.push_back({"shape-mismatch", "expected has the wrong shape", {}});
      return at;
    }

    // 4. The verdict, tightening the reference where it does not decide: level by level, the
    // columns of J that hold the entries `wanted` picks, until none is left, no level is, or (with
    // `stop_on_fail`) an entry fails.
    // (`confirmed`: the columns that have been through level 0 already; it is not run twice: its
    // hull of two contradicting references would give way to the complex step the second time.)
    std::set<arma::uword> confirmed;
    auto tighten_while = [&](auto wanted, bool stop_on_fail) {
      for (int level = 0;; ++level) {
        std::set<arma::uword> columns;
        bool failing = false;
        for (arma::uword k = 0; k < analytic.n_elem; ++k) {
          const double numeric = map_.at(ref.values, k), bound = map_.at(ref.bound, k);
          failing = failing || decide(analytic(k), numeric, bound, tolerance) == EntryVerdict::kFail;
          if (wanted(k, numeric, bound)) columns.insert(map_.index(k) / p);
        }
        if (columns.empty() || (stop_on_fail && failing)) return;
        if (level == 0) {
          for (arma::uword b : confirmed) columns.erase(b);
          if (columns.empty()) continue;
          confirmed.insert(columns.begin(), columns.end());
        }
        if (!reference::tighten(target_, values, f0, noise, {columns.begin(), columns.end()}, level, ref)) return;
      }
    };
    auto decide_all = [&]() {
      return compare(analytic, map_, ref.values, ref.bound, tolerance);
    };
    Comparison c = decide_all();
    // A second opinion confirms a finite-difference reference (as the complex step does every
    // directional probe): a difference is blind to what happens between its steps. sin(x) at
    // x = 1e6 has h = 6.06e-6 x ~ 2 pi, where D(h) and D(2h) are both ~0 and agree; the inputs'
    // own rounding moves the step of S + 1e-6 B by ~1e-4 of itself where the noise line does
    // not see it. The opinion is the complex step where f has a complex extension, else central
    // differences at a 10^1.5 times smaller step (a program, a C++ callable, the gradient of a
    // second-order check). The columns confirmed go through tightening level 0
    // (finite_difference.cpp, tighten), where the two references must agree within their bounds
    // and an entry where they contradict each other keeps the hull of both (undecided, for
    // later levels to narrow).
    //  - A failure: the columns of the failing entries, every time. A wrong derivative fails
    //    against the second opinion as well; a right one the difference got wrong does not.
    //  - A pass: the worst entry's column and two seeded random ones, and every column when the
    //    opinion contradicts the difference at any of them (a difference wrong everywhere,
    //    as aliasing makes it, would pass a derivative as wrong as itself).
    // (Second differences, of a second-order check without a complex extension, take theirs at
    // a 31.6 times smaller step too: reference/second_difference.cpp.)
    const bool confirm_by_second_opinion = options_.reference == ReferenceMethod::kFd;
    auto confirm = [&](const std::set<arma::uword>& columns) {
      confirmed.insert(columns.begin(), columns.end());
      reference::tighten(target_, values, f0, noise, {columns.begin(), columns.end()}, 0, ref);
      c = decide_all();
    };
    auto tighten_undecided = [&] {
      if (c.pass || c.fail) return;
      // Undecided entries only, and only while nothing fails.
      tighten_while([&](arma::uword k, double numeric, double bound) {
        return decide(analytic(k), numeric, bound, tolerance) == EntryVerdict::kUndecided;
      }, true);
      c = decide_all();
    };
    if (c.fail && confirm_by_second_opinion) {
      // (Not a column with a kink: its one-sided slopes, not a value, decide it, and the complex
      // step sees neither a kink nor a jump: level 0 re-examines kinks on its own.)
      std::set<arma::uword> columns, kinked;
      for (const reference::Reference::Kink& kink : ref.kinks) kinked.insert(kink.b);
      for (arma::uword k : c.failing)
        if (!kinked.count(map_.index(k) / p)) columns.insert(map_.index(k) / p);
      if (!columns.empty()) confirm(columns);
    }
    tighten_undecided();
    // (A polynomial of degree <= 2 in the variable: its pass is not spot-checked. Its difference
    // is exact but for rounding at any step, so no step aliases, and a derivative as wrong as
    // the inputs' rounding makes it would have to match that rounding by chance; a failure is
    // still confirmed. As the directional check does; the spot check was 16% of a check of
    // P3 n=8.)
    const bool polynomial = target_.polynomial_degree >= 0 && target_.polynomial_degree <= 2;
    if (c.pass && confirm_by_second_opinion && !polynomial) {
      const arma::uword n = values[problem_.wrt].n_elem;
      std::set<arma::uword> spot{map_.index(c.worst) / p};
      Random random(mix_seed(options_.seed, 0xc0f1 + trial));
      for (int i = 0; i < 2; ++i) spot.insert(map_.index(random.index(map_.size())) / p);
      std::set<arma::uword> unconfirmed;
      for (arma::uword b : spot)
        if (!confirmed.count(b)) unconfirmed.insert(b);
      // And one probe of every column at once (reference::probe_contradicts): three columns
      // alone passed one aliased column among 20 at 15 seeds of 20.
      auto probe_contradicts = [&] {
        if (n <= spot.size()) return false;
        const arma::vec signs = rademacher(random, n);
        return reference::probe_contradicts(target_, values, f0, noise, signs, ref);
      };
      if (reference::second_opinion_contradicts(target_, values, f0, noise, {unconfirmed.begin(), unconfirmed.end()}, ref) ||
          probe_contradicts()) {
        std::set<arma::uword> every;
        for (arma::uword b = 0; b < n; ++b)
          if (!confirmed.count(b)) every.insert(b);
        confirm(every);
        tighten_undecided();
      }
    }
    // A failure is decided; its diagnoses test hypotheses over every entry, so the entries whose
    // reference is still loose next to the tolerance (bound above a tenth of it) are tightened first.
    if (c.fail && diagnose) {
      tighten_while([&](arma::uword, double numeric, double bound) {
        return !(bound <= 0.1 * (tolerance.atol + tolerance.rtol * std::abs(numeric)));
      }, false);
      c = decide_all();
    }
    fill_reference(r, ref, noise, &c);
    r.max_abs_error = c.max_abs_error;
    r.max_rel_error = c.max_rel_error;
    r.rel_error_norm = c.rel_error_norm;
    r.resolution = c.resolution;
    r.worst = entry(c.worst, analytic, ref.values, tolerance);
    r.undecided = static_cast<int>(c.undecided.n_elem);

    // Kinks: listed whatever the verdict; one whose gap no single value can match within the
    // tolerance (|s+ - s-| > 2 tol) means f has no derivative there.
    bool kink_decided = false;
    std::string kink_where;
    for (const auto& [k, kink] : kink_entries(ref)) {
      r.kinks.push_back({map_.label(k), kink->forward, kink->backward, kink->jump});
      const double gap = std::abs(kink->forward - kink->backward);
      if (kink->jump ||
          gap > 2 * (tolerance.atol + tolerance.rtol * std::max(std::abs(kink->forward), std::abs(kink->backward)))) {
        if (!kink_decided) kink_where = map_.label(k);
        kink_decided = true;
      }
    }
    for (std::size_t b = 0; b < ref.step_notes.size(); ++b)
      if (!ref.step_notes[b].empty() && r.notes.size() < 5)
        r.notes.push_back(fmt::format("{}: {}", map_.x_label(b), ref.step_notes[b]));

    // (Not of a gradient estimate: second order takes its own slope of f, second_order.cpp.)
    if (problem_.f_shape.is_scalar() && problem_.form.form != Form::kIndex && !problem_.gradient_of)
      r.taylor_slope = taylor_slope(point, f0(0), analytic, noise);

    if (c.pass && !kink_decided) {
      r.status = Status::kPass;
      return at;
    }
    if (!c.fail && !kink_decided) {
      r.status = Status::kInconclusive;
      explain_inconclusive(c, ref, noise, tolerance, precision, values, r);
      if (r.reason_code == "ill-conditioned") at.move_because = r.reason;
      return at;
    }

    r.status = Status::kFail;
    if (kink_decided) at.move_because = fmt::format("{} sits on a kink of f", kink_where);
    r.analytic = analytic;
    r.numeric = map_.arrange(ref.values);
    const arma::mat& numeric = r.numeric;
    for (arma::uword i = 0; i < c.failing.n_elem && static_cast<int>(i) < options_.worst_entries; ++i)
      r.worst_entries.push_back(entry(c.failing(i), analytic, ref.values, tolerance));
    if (r.worst_entries.empty())
      for (arma::uword i = 0; i < c.undecided.n_elem && static_cast<int>(i) < options_.worst_entries; ++i)
        r.worst_entries.push_back(entry(c.undecided(i), analytic, ref.values, tolerance));
    if (options_.error_vs_step && diagnose) {
      const arma::uword j = map_.index(c.worst);
      r.error_vs_step = reference::error_vs_step(target_, values, j % p, j / p, analytic(c.worst));
    }
    if (c.nonfinite) {
      const bool numeric_bad = !numeric.is_finite(), analytic_bad = !analytic.is_finite();
      r.diagnoses.push_back(diagnose_nonfinite(
          analytic_bad && numeric_bad ? "expected and the reference derivative"
          : analytic_bad              ? "expected"
                                      : "the reference derivative",
          fmt::format("first at {}", map_.label(c.worst))));
      return at;
    }
    if (!diagnose) {
      if (kink_decided) r.diagnoses.push_back(diagnose_kinks(ctx, r.kinks).front());
      return at;
    }

    for (std::size_t slot = 0; slot < problem_.shapes.size(); ++slot) {
      const Shape s = problem_.shapes[slot];
      if (s.is_square() && !s.is_scalar() && !point[slot].is_symmetric()) ctx.square_slots.push_back(slot);
    }
    if (problem_.expected_varies)
      ctx.status_symmetrised = [&](const std::vector<std::size_t>& slots, double t) {
        std::vector<arma::mat> moved = point;
        for (std::size_t slot : slots) {
          const arma::mat sym = 0.5 * (moved[slot] + moved[slot].t()), skew = 0.5 * (moved[slot] - moved[slot].t());
          moved[slot] = sym + t * skew;
        }
        return status_at(moved);
      };
    r.diagnoses = diagnose_mismatch(ctx, c);
    if (kink_decided) {
      std::vector<Diagnosis> kinks = diagnose_kinks(ctx, r.kinks);
      r.diagnoses.insert(r.diagnoses.begin(), kinks.begin(), kinks.end());
    }
    return at;
  }

  // (The largest bound is read off the reference here only when no comparison gave it: a pass
  // over every entry, 14% of a check of 65,536 entries, P3 n=16.)
  void fill_reference(TrialResult& r, const reference::Reference& ref, const reference::Noise& noise,
                      const Comparison* compared = nullptr) const {
    r.reference.method = to_string(ref.method);
    r.reference.detail = ref.detail;
    r.reference.evaluations = ref.evaluations + noise.evaluations;
    r.reference.max_error_bound = compared ? compared->max_bound : ref.bound.is_empty() ? kNaN : ref.bound.max();
    r.fd.evaluations = ref.evaluations + noise.evaluations + 1;
    r.fd.step = ref.base_step;
  }

  // Why the undecided entries stayed undecided, from the worst of them: rounding (the noise term
  // 3 sigma / h is most of its bound) or truncation (f changes too fast for any step here).
  void explain_inconclusive(const Comparison& c, const reference::Reference& ref, const reference::Noise& noise,
                            const Tolerance& tol, Precision precision, const std::vector<arma::mat>& values,
                            TrialResult& r) const {
    const arma::uword k = c.undecided(0);
    const arma::uword p = problem_.f_shape.numel();
    const arma::uword j = map_.index(k), a = j % p, b = j / p;
    const double e = ref.bound(a, b), value = ref.values(a, b);
    const double h = ref.steps(b);
    // The rounding term of the reference's error model at the base step: 3 sigma_a / h_b for
    // first differences, 3 sigma / (h_a h_b) for second differences of the scalar f (its noise,
    // step 1), h_a = c max(1, |x_a|) (reference/second_difference.cpp).
    double rounding = 0.0;
    if (problem_.gradient_of) {
      const arma::mat& x = values.at(problem_.gradient_of_wrt);
      const double ha = ref.base_step * std::max(1.0, std::abs(a < x.n_elem ? x(a) : 0.0));
      rounding = h > 0 && ha > 0 ? 3 * noise.sigma(0) / (ha * h) : 0.0;
    } else {
      rounding = h > 0 ? 3 * noise.sigma(a) / h : 0.0;
    }
    const double wanted = tol.atol + tol.rtol * std::abs(value);
    const double unit = precision == Precision::kSingle ? double(std::numeric_limits<float>::epsilon())
                                                        : std::numeric_limits<double>::epsilon();
    if (noise.unresolved) {
      r.reason_code = "ill-conditioned";
      r.reason = unresolved_noise_reason(problem_.audience);
    } else if (!std::isfinite(e) && !std::isfinite(value)) {
      r.reason_code = "nonfinite-step";
      r.reason = fmt::format("f is not finite on either side of the point along {} at any step tried, so no "
                             "reference exists there",
                             map_.label(k));
    } else if (rounding >= 0.5 * e && noise.relative > 1e3 * unit) {
      // Noise far above the rounding of |f| itself (1e3 units of the precision): f amplifies the
      // rounding of its own steps (a nearly singular matrix, a cancellation), so f is not "large",
      // it is ill-conditioned here, and no constant subtracted from it would help.
      r.reason_code = precision == Precision::kSingle ? "precision" : "fd-noise";
      r.reason = fmt::format(
          "the reference at {} is only known to +-{:.2g} (f's rounding noise is {:.1e} of |f|, far above the {:.1e} of "
          "{} precision itself), and the tolerance asks for {:.2g}: f amplifies rounding inside (a nearly singular "
          "matrix or a cancellation near this point). {}",
          map_.label(k), e, noise.relative, unit,
          precision == Precision::kSingle ? "single" : "double", wanted,
          advice(problem_.f_complex ? "Loosen the tolerance, check at a better-conditioned point, or use "
                                      "\"reference\": \"complex-step\""
                                    : "Loosen the tolerance or check at a better-conditioned point",
                 "Loosen options.tolerance or check at a better-conditioned point"));
    } else if (rounding >= 0.5 * e) {
      r.reason_code = precision == Precision::kSingle ? "precision" : "fd-noise";
      r.reason = fmt::format(
          "the reference at {} is only known to +-{:.2g} (f's rounding noise is {:.1e} of |f|{}), and the tolerance "
          "asks for {:.2g}: f is {} next to its changes. {}",
          map_.label(k), e, noise.relative, precision == Precision::kSingle ? ", single precision" : "", wanted,
          precision == Precision::kSingle ? "only single-precision accurate" : "large",
          advice(problem_.f_complex ? "Loosen the tolerance, subtract the constant part of f, or use "
                                      "\"reference\": \"complex-step\""
                                    : "Loosen the tolerance, subtract the constant part of f, or compute f in double",
                 "Loosen options.tolerance, subtract the constant part of f, or compute f in double"));
    } else {
      r.reason_code = "ill-conditioned";
      // What the numbers show: the differences at the steps tried disagree beyond rounding, i.e. f
      // is not smooth on the scale of the steps; which cause (a kink, a pole, a nearly singular
      // matrix) they do not say.
      const std::string known = std::isfinite(e) ? fmt::format("still varies by +-{:.2g}", e)
                                                 : std::string("is still unknown (no step's differences agree)");
      r.reason = fmt::format("the reference at {} {} after tightening ({}), and the tolerance asks for {:.2g}: f is "
                             "not smooth on the scale of the steps tried (a kink, a pole or a nearly singular matrix "
                             "within a step of the point)",
                             map_.label(k), known, ref.detail, wanted);
    }
  }

  std::string advice(const std::string& case_file, const std::string& cpp) const {
    return problem_.audience == Audience::kCpp ? cpp : case_file;
  }

  // Entry k of expected against the reference J (arranged as expected through the map).
  EntryError entry(arma::uword k, const arma::mat& analytic, const arma::mat& jacobian, const Tolerance& t) const {
    EntryError out;
    out.index = map_.position(k);
    out.label = map_.label(k);
    out.analytic = analytic(k);
    out.numeric = map_.at(jacobian, k);
    out.abs_error = std::abs(out.analytic - out.numeric);
    out.rel_error = out.abs_error / std::max(std::abs(out.numeric), t.atol);
    return out;
  }

  // Manopt's check: r(t) = |f(x + t d) - f(x) - t <G, d>| for t = 10^-k, k = 0..8 (taylor.hpp), with d a
  // seeded random direction (Rademacher signs: a generic direction, drawn 64 entries at a time)
  // of unit Frobenius norm (scaled by max(1, ||x||)). The slope is a
  // least-squares fit of log r on log t over the points where r stands above the measured
  // rounding noise of f (8 sigma: a difference of two evaluations is within 6 sigma) and f stays
  // finite; at least 3 such points are needed. About 2 for a right gradient, 1 for a wrong one.
  double taylor_slope(const std::vector<arma::mat>& point, double f0, const arma::mat& analytic,
                      const reference::Noise& noise) const {
    std::vector<arma::mat> values = point;
    arma::mat& x = values[problem_.wrt];
    const arma::mat x0 = x;
    Random random(mix_seed(options_.seed, 0x7a7101));
    arma::mat d = arma::reshape(rademacher(random, x.n_elem), x.n_rows, x.n_cols);
    if (problem_.structure == Structure::kSymmetric) d = 0.5 * (d + d.t());
    d *= std::max(1.0, arma::norm(x0, "fro")) / arma::norm(d, "fro");
    // <G, d> with G in J's order (entry k of expected is J(0, index(k)) for a scalar f).
    // A symmetric x has one variable per pair (i,j), (j,i): count each pair once (i >= j).
    double directional = 0.0;
    for (arma::uword k = 0; k < analytic.n_elem; ++k) {
      const arma::uword b = map_.index(k);
      if (problem_.structure == Structure::kSymmetric && b % x.n_rows < b / x.n_rows) continue;
      directional += analytic(k) * d(b);
    }
    const double floor = 8.0 * noise.sigma.max();
    arma::mat out;
    return taylor_slope_fit(
        [&](double t) {
          x = x0 + t * d;
          eval_f(values, out);
          return std::abs(out(0) - f0 - t * directional);
        },
        [floor](double) { return floor; });
  }

  const Problem& problem_;
  const FormMap& map_;
  const Options& options_;
  reference::Target target_;
};

}  // namespace

void set_f(Problem& problem, const Expression& f) {
  // One copy evaluates (real and complex buffers are distinct); the propagated evaluators copy
  // the program of another, never evaluated, one each.
  auto eval = std::make_shared<Expression>(f);
  auto proto = std::make_shared<const Expression>(f);
  problem.f_shape = f.shape();
  problem.f = [eval](const std::vector<arma::mat>& values, arma::mat& out) { out = eval->evaluate(values); };
  problem.perturbed = [proto, slot = problem.wrt] { return proto->perturbed(slot); };
  problem.polynomial_degree = f.polynomial_degree(problem.wrt);
  // An expression computes in double; its float32 line is skipped only when it is smooth too: a
  // step function's values (sign, comparisons: -1, 0, 1) are float32 numbers and its noise line
  // crosses the jump, which that line's reading keeps deciding as before.
  problem.smooth = f.smooth();
  problem.computed_in_double = problem.smooth;
  if (f.has_complex_extension()) {
    problem.f_complex = [eval](const std::vector<arma::cx_mat>& values, arma::cx_mat& out) {
      out = eval->evaluate_complex(values);
    };
    problem.complex_obstacle.clear();
  } else {
    problem.f_complex = nullptr;
    problem.complex_obstacle = f.complex_obstacle() + " has no complex extension";
  }
}

CheckResult run_check(const Problem& problem, const std::vector<std::vector<arma::mat>>& points,
                      const Options& options) {
  const auto start = Clock::now();
  if (problem.derivative_order == 2) return run_second_order(problem, points, options);  // second_order.cpp
  std::string why;
  if (!options.is_valid(&why)) throw Error("check.options", "invalid options: " + why);
  CheckResult result;
  result.function = problem.f_name;
  result.wrt = problem.names.at(problem.wrt);
  result.layout = to_string(problem.form.layout);
  result.form = to_string(problem.form.form);
  if (problem.form.form == Form::kVec) result.order = to_string(problem.form.order);
  if (problem.form.indices) result.indices = problem.form.indices->text;
  result.expected = problem.expected_text;
  result.convention = problem.structure == Structure::kSymmetric
                          ? "symmetric: entries (i,j) and (j,i) are one variable, moved together"
                          : "every entry an independent variable";
  result.fd.method = to_string(options.fd.method);
  result.fd.step = reference::base_step(options.fd, std::numeric_limits<double>::epsilon());
  result.reference.method = to_string(options.reference);

  const FormMap map = make_form_map(problem.form, problem.f_shape, problem.shapes.at(problem.wrt), problem.f_name,
                                    problem.names.at(problem.wrt));
  result.wanted_shape = map.wanted.str();
  const TrialRunner runner(problem, map, options);
  std::string why_not;
  const bool directional = options.mode == Mode::kDirectional && directional_applies(map, &why_not);
  result.mode = to_string(directional ? Mode::kDirectional : Mode::kEntrywise);
  if (!why_not.empty()) result.notes.push_back(why_not);
  Options per_trial = options;  // (directional: the probes of each trial, Options::probes)
  per_trial.probes = directional_probes_per_trial(options, points.size());
  for (std::size_t t = 0; t < points.size(); ++t)
    result.trials.push_back(directional ? run_directional_trial(problem, map, per_trial, static_cast<int>(t), points[t])
                                        : runner.run(static_cast<int>(t), points[t]));

  // The figures of the check are those of its worst trial: the first error, else the first
  // failure, else the first inconclusive, else the pass with the largest relative error.
  auto rank = [](Status s) {
    return s == Status::kError ? 3 : s == Status::kFail ? 2 : s == Status::kInconclusive ? 1 : 0;
  };
  int worst = 0;
  for (std::size_t t = 0; t < result.trials.size(); ++t) {
    const TrialResult& tr = result.trials[t];
    const TrialResult& w = result.trials[worst];
    if (rank(tr.status) > rank(w.status) ||
        (rank(tr.status) == 0 && rank(w.status) == 0 && tr.max_rel_error > w.max_rel_error))
      worst = static_cast<int>(t);
  }
  if (!result.trials.empty()) {
    const TrialResult& w = result.trials[worst];
    result.worst_trial = worst;
    result.status = w.status;
    result.max_abs_error = w.max_abs_error;
    result.max_rel_error = w.max_rel_error;
    result.rel_error_norm = w.rel_error_norm;
    result.taylor_slope = w.taylor_slope;
    result.worst = w.worst;
    result.worst_entries = w.worst_entries;
    result.fd = w.fd;
    result.reference = w.reference;
    result.precision = w.precision;
    result.precision_evidence = w.precision_evidence;
    result.tolerance = w.tolerance;
    result.resolution = w.resolution;
    result.reason = w.reason;
    result.reason_code = w.reason_code;
    result.kinks = w.kinks;
    result.diagnoses = w.diagnoses;
    result.error = w.error;
    for (const TrialResult& t : result.trials)
      for (const std::string& note : t.notes) result.notes.push_back(fmt::format("trial {}: {}", t.trial + 1, note));
  }
  if (directional) summarize_directional(result);
  // A pass that could not have failed: resolution, the smallest relative mismatch any entry could
  // detect (min over entries of (tol + e) / |reference|), above 1 means every entry of the
  // derivative is inside atol, so a derivative off by 100% (or zero) passes as well. Said, not
  // failed: the verdict is right at this tolerance, the tolerance is what tests nothing.
  if (result.status == Status::kPass && std::isfinite(result.resolution) && result.resolution > 1)
    result.notes.push_back(fmt::format(
        "this pass tests little: every entry of the derivative is inside the tolerance (atol {:g}), so an error "
        "of {:.0f}% of it would pass too; {}",
        result.tolerance.atol, 100 * result.resolution,
        problem.audience == Audience::kCpp ? "lower options.tolerance.atol below the derivative's size"
                                           : "lower \"atol\" below the derivative's size"));
  result.time_ms = ms_since(start);
  return result;
}

}  // namespace gradcheck
