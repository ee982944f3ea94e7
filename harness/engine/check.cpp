// SPDX-License-Identifier: MIT
// run_check: one check, trial by trial: f -> finite differences -> expected -> comparison ->
// diagnoses. Computes and returns; never prints.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "common/random.hpp"
#include "compare/compare.hpp"
#include "compare/form_map.hpp"
#include "diagnose/diagnose.hpp"
#include "differentiate/finite_difference.hpp"
#include "gradcheck/check.hpp"

namespace gradcheck {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

bool all_finite(const arma::mat& m) { return m.is_finite(); }

// Everything one evaluation of the check at one point produces.
struct Evaluation {
  arma::mat f0;
  fd::Jacobian jacobian;
  arma::mat analytic;
  bool analytic_ok = false;
  std::string analytic_shape_error;  // expected's own sizes do not fit (ExprError expr.shape)
};

class TrialRunner {
 public:
  TrialRunner(const Problem& problem, const FormMap& map, const Options& options)
      : problem_(problem), map_(map), options_(options) {}

  // f at `values` into out; checks the declared shape.
  void eval_f(const std::vector<arma::mat>& values, arma::mat& out) const {
    problem_.f(values, out);
    if (out.n_rows != problem_.f_shape.rows || out.n_cols != problem_.f_shape.cols)
      throw Error("check.function", fmt::format("f returned a {}x{} result, declared {}", out.n_rows, out.n_cols,
                                                problem_.f_shape.str()));
  }

  Evaluation evaluate(std::vector<arma::mat> values) const {
    Evaluation e;
    eval_f(values, e.f0);
    arma::mat& x = values[problem_.wrt];
    const fd::Evaluate f = [&](arma::mat& out) { eval_f(values, out); };
    e.jacobian = fd::jacobian(x, f, e.f0, options_.fd, problem_.structure);
    try {
      e.analytic = problem_.expected(values);
      if (problem_.form.form == Form::kIndex && e.analytic.n_elem == map_.wanted.numel())
        e.analytic.reshape(map_.wanted.rows, map_.wanted.cols);  // index form: a vec over the letters
      e.analytic_ok = true;
    } catch (const ExprError& error) {
      if (error.id() != "expr.shape") throw;
      e.analytic_shape_error = error.what();
    }
    return e;
  }

  bool passes(const std::vector<arma::mat>& values) const {
    try {
      const Evaluation e = evaluate(values);
      if (!e.analytic_ok || e.analytic.n_rows != map_.wanted.rows || e.analytic.n_cols != map_.wanted.cols) return false;
      return compare(e.analytic, map_.arrange(e.jacobian.values), options_.tolerance).pass;
    } catch (const std::exception&) {
      return false;
    }
  }

  TrialResult run(int trial, const std::vector<arma::mat>& point) const {
    const auto start = Clock::now();
    TrialResult r;
    r.trial = trial;
    r.fd.method = to_string(options_.fd.method);
    r.fd.step = fd::base_step(options_.fd);
    try {
      run_into(point, r);
    } catch (const std::exception& error) {
      r.status = Status::kError;
      r.error = error.what();
    }
    r.time_ms = ms_since(start);
    return r;
  }

 private:
  void run_into(const std::vector<arma::mat>& point, TrialResult& r) const {
    const Evaluation e = evaluate(point);
    r.fd.evaluations = e.jacobian.evaluations + 1;
    auto fail_with = [&](Diagnosis d) {
      r.status = Status::kFail;
      r.diagnoses.push_back(std::move(d));  // figures stay NaN: nothing was compared
    };
    if (!all_finite(e.f0)) return fail_with(diagnose_nonfinite("f", "at this point (check the inputs' init)"));
    if (!e.analytic_ok) return fail_with(diagnose_expected_shape_error(map_, e.analytic_shape_error));

    DiagnoseContext ctx;
    ctx.map = &map_;
    ctx.jacobian = &e.jacobian.values;
    ctx.analytic = &e.analytic;
    ctx.tolerance = options_.tolerance;
    ctx.dims = problem_.dims;
    ctx.expected_text = problem_.expected_text;
    ctx.names = problem_.names;
    ctx.f_magnitude = arma::abs(e.f0).max();
    ctx.step = fd::base_step(options_.fd);

    if (e.analytic.n_rows != map_.wanted.rows || e.analytic.n_cols != map_.wanted.cols) {
      r.status = Status::kFail;  // figures stay NaN: no entry was compared
      r.analytic = e.analytic;
      r.numeric = map_.arrange(e.jacobian.values);
      if (options_.diagnose) r.diagnoses = diagnose_shape(ctx);
      else r.diagnoses.push_back({"shape-mismatch", "expected has the wrong shape", {}});
      return;
    }

    const arma::mat numeric = map_.arrange(e.jacobian.values);
    const Comparison c = compare(e.analytic, numeric, options_.tolerance);
    r.max_abs_error = c.max_abs_error;
    r.max_rel_error = c.max_rel_error;
    r.rel_error_norm = c.rel_error_norm;
    r.worst = entry(c.worst, e.analytic, numeric);
    r.status = c.pass ? Status::kPass : Status::kFail;
    if (problem_.f_shape.is_scalar() && problem_.form.form != Form::kIndex)
      r.taylor_slope = taylor_slope(point, e.f0(0), e.analytic);
    if (c.pass) return;

    r.analytic = e.analytic;
    r.numeric = numeric;
    for (arma::uword i = 0; i < c.failing.n_elem && static_cast<int>(i) < options_.worst_entries; ++i)
      r.worst_entries.push_back(entry(c.failing(i), e.analytic, numeric));
    if (options_.error_vs_step) r.error_vs_step = error_vs_step(point, c.worst, e.analytic(c.worst));

    if (c.nonfinite) {
      const bool numeric_bad = !all_finite(numeric), analytic_bad = !all_finite(e.analytic);
      r.diagnoses.push_back(diagnose_nonfinite(
          analytic_bad && numeric_bad ? "expected and the finite-difference derivative"
          : analytic_bad              ? "expected"
                                      : "the finite-difference derivative",
          fmt::format("first at {}", map_.label(c.worst))));
      return;
    }
    if (!options_.diagnose) return;

    for (std::size_t slot = 0; slot < problem_.shapes.size(); ++slot) {
      const Shape s = problem_.shapes[slot];
      if (s.is_square() && !s.is_scalar() && !point[slot].is_symmetric()) ctx.square_slots.push_back(slot);
    }
    if (problem_.expected_varies) ctx.passes_symmetrised = [&](const std::vector<std::size_t>& slots) {
      std::vector<arma::mat> values = point;
      for (std::size_t slot : slots) values[slot] = 0.5 * (values[slot] + values[slot].t());
      return passes(values);
    };
    ctx.one_sided = [&](arma::uword b) {
      std::vector<arma::mat> values = point;
      arma::mat& x = values[problem_.wrt];
      const fd::Evaluate f = [&](arma::mat& out) { eval_f(values, out); };
      std::uint64_t n = 0;
      fd::Coordinate coordinate{b, b};
      for (const fd::Coordinate& co : fd::coordinates(x, problem_.structure))
        if (co.first == b || co.second == b) coordinate = co;
      const double step = std::sqrt(std::numeric_limits<double>::epsilon());
      arma::vec forward = fd::column(x, f, e.f0, coordinate, FdMethod::kForward, step, n);
      arma::vec backward = fd::column(x, f, e.f0, coordinate, FdMethod::kBackward, step, n);
      return std::make_pair(forward, backward);
    };
    r.diagnoses = diagnose_mismatch(ctx, c);
  }

  EntryError entry(arma::uword k, const arma::mat& analytic, const arma::mat& numeric) const {
    EntryError out;
    out.index = map_.position(k);
    out.label = map_.label(k);
    out.analytic = analytic(k);
    out.numeric = numeric(k);
    out.abs_error = std::abs(out.analytic - out.numeric);
    out.rel_error = out.abs_error / std::max(std::abs(out.numeric), options_.tolerance.atol);
    return out;
  }

  // Manopt's check: r(t) = |f(x + t d) - f(x) - t <G, d>| for t = 10^-k/2, k = 0..16, with d a
  // seeded random direction of unit Frobenius norm (scaled by max(1, ||x||)). The slope is a
  // least-squares fit of log r on log t over the points where r is above rounding noise
  // (64 eps max(1, |f(x)|)) and f stays finite; at least 3 such points are needed.
  double taylor_slope(const std::vector<arma::mat>& point, double f0, const arma::mat& analytic) const {
    std::vector<arma::mat> values = point;
    arma::mat& x = values[problem_.wrt];
    const arma::mat x0 = x;
    Random random(mix_seed(options_.seed, 0x7a7101));
    arma::mat d(x.n_rows, x.n_cols);
    for (arma::uword k = 0; k < d.n_elem; ++k) d(k) = random.normal();
    if (problem_.structure == Structure::kSymmetric) d = 0.5 * (d + d.t());
    d *= std::max(1.0, arma::norm(x0, "fro")) / arma::norm(d, "fro");
    // <G, d> with G in J's order (entry k of expected is J(0, to_jacobian(k)) for a scalar f).
    // A symmetric x has one variable per pair (i,j), (j,i): count each pair once (i >= j).
    double directional = 0.0;
    for (arma::uword k = 0; k < analytic.n_elem; ++k) {
      const arma::uword b = map_.to_jacobian(k);
      if (problem_.structure == Structure::kSymmetric && b % x.n_rows < b / x.n_rows) continue;
      directional += analytic(k) * d(b);
    }
    const double noise = 64.0 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(f0));
    std::vector<double> lt, lr;
    arma::mat out;
    for (int k = 0; k <= 16; ++k) {
      const double t = std::pow(10.0, -k / 2.0);
      x = x0 + t * d;
      eval_f(values, out);
      const double r = std::abs(out(0) - f0 - t * directional);
      if (std::isfinite(r) && r > noise) {
        lt.push_back(std::log10(t));
        lr.push_back(std::log10(r));
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

  // |analytic - central difference with step h| at entry k, for h = 1e-1 ... 1e-12: the
  // V-shaped log-log curve (truncation error falling as h^2, rounding rising as 1/h) that shows
  // whether a mismatch is a derivation error (flat, far above the V) or numerical.
  std::vector<std::pair<double, double>> error_vs_step(const std::vector<arma::mat>& point, arma::uword k,
                                                       double analytic) const {
    std::vector<arma::mat> values = point;
    arma::mat& x = values[problem_.wrt];
    const fd::Evaluate f = [&](arma::mat& out) { eval_f(values, out); };
    const arma::uword p = problem_.f_shape.numel();
    const arma::uword j = map_.to_jacobian(k), a = j % p, b = j / p;
    fd::Coordinate coordinate{b, b};
    for (const fd::Coordinate& co : fd::coordinates(x, problem_.structure))
      if (co.first == b || co.second == b) coordinate = co;
    arma::mat f0;
    std::uint64_t n = 0;
    std::vector<std::pair<double, double>> out;
    for (int e = 2; e <= 24; ++e) {
      const double c = std::pow(10.0, -e / 2.0);
      const arma::vec col = fd::column(x, f, f0, coordinate, FdMethod::kCentral, c, n);
      out.emplace_back(c * std::max(1.0, std::abs(x(coordinate.first))), std::abs(analytic - col(a)));
    }
    return out;
  }

  const Problem& problem_;
  const FormMap& map_;
  const Options& options_;
};

}  // namespace

CheckResult run_check(const Problem& problem, const std::vector<std::vector<arma::mat>>& points,
                      const Options& options) {
  const auto start = Clock::now();
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
  result.fd.step = fd::base_step(options.fd);

  const FormMap map = make_form_map(problem.form, problem.f_shape, problem.shapes.at(problem.wrt), problem.f_name,
                                    problem.names.at(problem.wrt));
  result.wanted_shape = map.wanted.str();
  const TrialRunner runner(problem, map, options);
  for (std::size_t t = 0; t < points.size(); ++t) result.trials.push_back(runner.run(static_cast<int>(t), points[t]));

  // The figures of the check are those of its worst trial: the first error, else the first
  // failure, else the pass with the largest relative error.
  int worst = 0;
  for (std::size_t t = 0; t < result.trials.size(); ++t) {
    const TrialResult& tr = result.trials[t];
    const TrialResult& w = result.trials[worst];
    auto rank = [](Status s) { return s == Status::kError ? 2 : s == Status::kFail ? 1 : 0; };
    if (rank(tr.status) > rank(w.status) || (rank(tr.status) == 0 && rank(w.status) == 0 && tr.max_rel_error > w.max_rel_error))
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
    result.diagnoses = w.diagnoses;
    result.error = w.error;
  }
  result.time_ms = ms_since(start);
  return result;
}

}  // namespace gradcheck
