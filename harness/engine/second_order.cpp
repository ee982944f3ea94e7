// SPDX-License-Identifier: MIT
// Second-order checks as first-order checks of the gradient.
//
// The Hessian block E[a,b] = d2f / d vec(x)[a] d vec(y)[b] is the Jacobian of the gradient
// G = df/dx (a function of every variable, shaped like x) with respect to y, in numerator layout
// and form vec: J[a,b] = d vec(G)[a] / d vec(y)[b]. A Hessian-vector product H V is the
// derivative of G(x + t V) with respect to the scalar t at t = 0. So the engine's whole machinery
// (reference with its bound, the verdict rule, tightening, diagnoses) runs unchanged on the
// problem whose f is G:
//
//  - f with a complex extension: G by complex step, Im f(x + i h e_a) / h, exact to rounding
//    (no subtractive cancellation); the reference differences G once more, with the
//    first-difference error model of reference/finite_difference.cpp and the noise of G measured
//    like that of any f.
//  - otherwise: second differences of f with their own bound (reference/second_difference.cpp);
//    the problem's f is then only an estimate of G (central differences), used for its value at
//    the point, never as the reference. The working precision is measured on f itself.
//
// What is particular to second order is added here: `asymmetric` (a pure Hessian must be
// symmetric), the Taylor slope of order 2 (3 for a right Hessian), labels in the Hessian's terms,
// and no transposed-layout claim for a symmetric block.
#include "engine/second_order.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>

#include "common/random.hpp"
#include "compare/compare.hpp"
#include "compare/form_map.hpp"
#include "engine/precision.hpp"
#include "engine/taylor.hpp"
#include "reference/reference.hpp"

namespace gradcheck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();

using RealFunction = std::function<void(const std::vector<arma::mat>&, arma::mat&)>;
using ComplexFunction = std::function<void(const std::vector<arma::cx_mat>&, arma::cx_mat&)>;

// G = df/dx at `values` by complex step over every entry of x, shaped like x.
arma::mat complex_step_gradient(const ComplexFunction& f, std::size_t x, const std::vector<arma::mat>& values,
                                arma::mat* bound = nullptr) {
  reference::Target target;
  target.f_complex = f;
  target.wrt = x;
  reference::Noise exact;  // the bound of complex step at working precision
  exact.sigma = arma::zeros(1);
  std::vector<arma::mat> v = values;
  const reference::Reference r = reference::complex_step(target, v, exact);
  const Shape s{values[x].n_rows, values[x].n_cols};
  if (bound) *bound = arma::reshape(r.bound, s.rows, s.cols);
  return arma::reshape(r.values, s.rows, s.cols);  // r.values is 1 x numel(x), entries in vec order
}

// An estimate of G by central differences (the rule and bound of finite_difference.cpp), shaped
// like x; `noise` the measured noise of f, or none.
arma::mat estimated_gradient(const RealFunction& f, std::size_t x, const std::vector<arma::mat>& values,
                             const reference::Noise* noise = nullptr, arma::mat* bound = nullptr) {
  reference::Target target;
  target.f = f;
  target.wrt = x;
  reference::Noise none;
  none.sigma = arma::zeros(1);
  std::vector<arma::mat> v = values;
  arma::mat f0;
  f(v, f0);
  const reference::Reference r = reference::finite_differences(target, v, f0, noise ? *noise : none, FdOptions{});
  const Shape s{values[x].n_rows, values[x].n_cols};
  if (bound) *bound = arma::reshape(r.bound, s.rows, s.cols);
  return arma::reshape(r.values, s.rows, s.cols);
}

std::string join_names(const Problem& p) {
  if (p.form.form == Form::kHvp || p.wrt2 == p.wrt) return p.names.at(p.wrt);
  return p.names.at(p.wrt) + ", " + p.names.at(p.wrt2);
}

// Labels of the gradient problem in the Hessian's terms: "ddf/dX(1,2)/dY(0,1)" (vec) reads
// "d2f/dX(1,2)dY(0,1)", "X[1,2]/X[0,1]" (index) "d2f/dX[1,2]dX[0,1]", "X[1,2]/t" (hvp) "X[1,2]".
std::string relabel(const std::string& label, const Problem& p, const std::string& g_name) {
  if (p.form.form == Form::kHvp) {
    const std::string tail = "/t";
    if (label.size() > tail.size() && label.compare(label.size() - tail.size(), tail.size(), tail) == 0)
      return label.substr(0, label.size() - tail.size());
    return label;
  }
  if (p.form.form == Form::kIndex) {
    const std::size_t slash = label.find("]/");
    return slash == std::string::npos ? label
                                      : "d2" + p.f_name + "/d" + label.substr(0, slash + 1) + "d" + label.substr(slash + 2);
  }
  const std::string prefix = "d" + g_name;
  if (label.rfind(prefix, 0) == 0) {
    std::string rest = label.substr(prefix.size());
    const std::size_t slash = rest.find("/d");
    if (slash != std::string::npos) rest = rest.substr(0, slash) + rest.substr(slash + 1);
    return "d2" + p.f_name + "/d" + p.names.at(p.wrt) + rest;
  }
  // A scalar x: the gradient problem's f is scalar and its labels are y's entries.
  return "d2" + p.f_name + "/d" + p.names.at(p.wrt) + "d" + label;
}

// Expected (as written) in the Jacobian's arrangement, NaN where the form has no entry.
arma::mat in_jacobian(const FormMap& map, const arma::mat& written) {
  arma::mat j(map.f_shape.numel(), map.x_shape.numel(), arma::fill::value(kNaN));
  if (written.n_elem != map.size()) return j;
  for (arma::uword k = 0; k < map.size(); ++k) j(map.index(k)) = written(k);
  return j;
}

// `asymmetric`: the Hessian of a twice-differentiable f is symmetric, H[a,b] = H[b,a], so when
//     |E[a,b] - E[b,a]| > tol[a,b] + tol[b,a] + 2 e,   tol = atol + rtol (|r| + e)
// (r the reference, e its largest bound) no symmetric matrix is within the tolerance of both
// entries: one of them fails whatever the truth. Decided from expected alone, beyond rounding.
// Two repairs are tested by the verdict rule against the reference: (E + E') / 2 and E + E' (the
// second is x'Ax differentiated as A instead of A + A').
std::optional<Diagnosis> asymmetric(const FormMap& map, const TrialResult& t,
                                    const std::function<std::string(arma::uword a, arma::uword b)>& label) {
  if (t.analytic.is_empty() || t.numeric.n_elem != t.analytic.n_elem) return std::nullopt;
  const arma::mat a = in_jacobian(map, t.analytic), r = in_jacobian(map, t.numeric);
  if (a.n_rows != a.n_cols) return std::nullopt;
  const double e = std::isfinite(t.reference.max_error_bound) ? t.reference.max_error_bound : 0.0;
  auto tol = [&](double ref) { return t.tolerance.atol + t.tolerance.rtol * (std::abs(ref) + e); };
  double worst = 1.0;
  arma::uword wi = 0, wj = 0;
  for (arma::uword j = 0; j < a.n_cols; ++j)
    for (arma::uword i = j + 1; i < a.n_rows; ++i) {
      if (!std::isfinite(a(i, j)) || !std::isfinite(a(j, i)) || !std::isfinite(r(i, j)) || !std::isfinite(r(j, i)))
        continue;
      const double ratio = std::abs(a(i, j) - a(j, i)) / (tol(r(i, j)) + tol(r(j, i)) + 2 * e);
      if (ratio > worst) {
        worst = ratio;
        wi = i;
        wj = j;
      }
    }
  if (worst <= 1.0) return std::nullopt;
  std::string repair;
  if (a.is_finite() && r.is_finite()) {
    const arma::mat bound(a.n_rows, a.n_cols, arma::fill::value(e));
    if (compare(arma::mat(0.5 * (a + a.t())), r, bound, t.tolerance).pass)
      repair = "; its symmetric part (E + E')/2 matches the Hessian";
    else if (compare(arma::mat(a + a.t()), r, bound, t.tolerance).pass)
      repair = "; E + E' matches the Hessian: the derivation keeps one of two mirrored terms (x'Ax has the Hessian "
               "A + A', not A)";
  }
  return Diagnosis{"asymmetric",
                   fmt::format("expected is not symmetric: {} = {:.6g} but {} = {:.6g}, and a Hessian is symmetric "
                               "(d2f/dx_a dx_b = d2f/dx_b dx_a), so one of them is wrong whatever the truth{}",
                               label(wi, wj), a(wi, wj), label(wj, wi), a(wj, wi), repair),
                   {{"asymmetry", std::abs(a(wi, wj) - a(wj, wi))}}};
}

// Where the hvp problem's t sits: G is taken at x + (t - s) V around t = s, with
//     s = max(1, max_i |x_i| / max_i |V_i|)  at the point,
// so that the step rule, h = c max(1, |t|), moves x by c max|x| along V: the steps x itself
// would take. Around t = 0 the rule's scale was 1, and x + h V at |x| = 1.5e6 rounds h V to a few
// ulps of x (2.3e-10 each): a step error of 4e-5 of h at the rule's step, and all of it at the
// smaller steps of tightening, where G(x + h V) = G(x - h V) read a wrong 0 +- 1e-8.
// s rides in a slot of its own after t ("t0", never moved): second differences move x too, and
// an s recomputed from a moved x would move x by (t - s') V.
double t_origin(const std::vector<arma::mat>& values, std::size_t x, std::size_t v) {
  const double x_max = values.at(x).is_empty() ? 0.0 : arma::abs(values.at(x)).max();
  const double v_max = values.at(v).is_empty() ? 0.0 : arma::abs(values.at(v)).max();
  const double s = x_max / v_max;
  return std::isfinite(s) && s > 1.0 ? s : 1.0;
}

// The hvp problem's extra slots, t = s and t0 = s (t_origin), appended to a point.
std::vector<arma::mat> with_t(std::vector<arma::mat> point, std::size_t x, std::size_t v) {
  const double s = t_origin(point, x, v);
  point.push_back(arma::mat(1, 1, arma::fill::value(s)));
  point.push_back(arma::mat(1, 1, arma::fill::value(s)));
  return point;
}

// What the first-order diagnoses say, in second-order terms: no transposed layout for a pure
// Hessian (a symmetric block equals its transpose; a scaled transpose is the scale), the mixed
// block's transpose named as such, shapes in the Hessian's words; `asymmetric` first.
void second_order_diagnoses(const Problem& p, const FormMap& map, bool pure,
                            const std::function<std::string(arma::uword, arma::uword)>& label, TrialResult& t) {
  if (t.status != Status::kFail) return;
  const bool hvp = p.form.form == Form::kHvp;
  const std::string x = p.names.at(p.wrt), y = hvp ? x : p.names.at(p.wrt2);
  const Shape xs = p.shapes.at(p.wrt), ys = p.shapes.at(hvp ? p.wrt : p.wrt2);
  std::vector<Diagnosis> out;
  for (Diagnosis& g : t.diagnoses) {
    if (g.code == "layout-transposed" && p.form.form != Form::kIndex) {
      if (pure) continue;
      g.message = fmt::format("expected is the transposed block d2{}/d vec({}) d vec({}) ({}x{}); the check asks for "
                              "d2{}/d vec({}) d vec({}) (numel({}) x numel({}) = {}x{}): transpose it, or swap the "
                              "names in wrt",
                              p.f_name, y, x, ys.numel(), xs.numel(), p.f_name, x, y, x, y, xs.numel(), ys.numel());
    }
    if (g.code == "vec-order" && pure && g.message.find("layout") != std::string::npos) continue;
    if (g.code == "shape-mismatch" && hvp && g.message.find("H V is shaped like") != std::string::npos) {
      const std::size_t from = g.message.rfind("expected is ");
      g.message = g.message.substr(from, g.message.find('\n', from) - from);  // the sentence of gradient_problem
    } else if (g.code == "shape-mismatch" && !t.analytic.is_empty()) {
      g.message = hvp ? fmt::format("expected is {}x{}, but a Hessian-vector product H {} is shaped like {} ({})",
                                    t.analytic.n_rows, t.analytic.n_cols, p.names.at(p.direction), x, xs.str())
                : p.form.form == Form::kIndex
                    ? g.message
                    : fmt::format("expected is {}x{}, but the Hessian block E[a,b] = d2{}/d vec({})[a] d vec({})[b] "
                                  "is numel({}) x numel({}) = {}x{}",
                                  t.analytic.n_rows, t.analytic.n_cols, p.f_name, x, y, x, y, xs.numel(), ys.numel());
    }
    out.push_back(std::move(g));
  }
  if (pure) {
    if (auto a = asymmetric(map, t, label)) out.insert(out.begin(), std::move(*a));
  }
  t.diagnoses = std::move(out);
}

// The Taylor remainder of order 2 (taylor.hpp): along a direction d (a seeded random one scaled
// like x for a Hessian, V itself for form hvp),
//     r(t) = |f(x + t d) - f(x) - t <G, d> - t^2/2 d' E d|      (E d = expected for hvp)
// is O(t^3) when E is the Hessian and O(t^2) when not: slope about 3 or 2. G is exact by complex
// step where f has a complex extension, else estimated by central differences with its bound
// e_G, which enters the floor: 8 sigma + t <e_G, |d|>.
double taylor_slope(const Problem& p, const FormMap& map, const std::vector<arma::mat>& point, std::uint64_t seed) {
  try {
    const bool hvp = p.form.form == Form::kHvp;
    std::vector<arma::mat> values = point;
    const std::size_t x = p.wrt;
    const arma::mat x0 = values[x];
    arma::mat out;
    p.f(values, out);
    if (out.n_elem != 1 || !std::isfinite(out(0))) return kNaN;
    const double f0 = out(0);
    reference::Target target;
    target.f = p.f;
    target.wrt = x;
    const reference::Noise noise = reference::measure_noise(target, values, out, mix_seed(seed, 0x7a7102));
    arma::mat g, g_bound;
    if (p.f_complex) g = complex_step_gradient(p.f_complex, x, point, &g_bound);
    else g = estimated_gradient(p.f, x, point, &noise, &g_bound);
    arma::mat dir;
    if (hvp) {
      dir = point.at(p.direction);
    } else {
      Random random(mix_seed(seed, 0x7a7103));
      dir.set_size(x0.n_rows, x0.n_cols);
      for (arma::uword k = 0; k < dir.n_elem; ++k) dir(k) = random.normal();
      dir *= std::max(1.0, arma::norm(x0, "fro")) / arma::norm(dir, "fro");
    }
    std::vector<arma::mat> d_point = point;
    if (hvp) d_point.push_back(arma::zeros(1, 1));
    arma::mat written = p.expected(hvp ? std::vector<arma::mat>(d_point.begin(), d_point.end() - 1) : point);
    if (written.n_elem != map.size()) return kNaN;
    const arma::mat e = in_jacobian(map, written);
    if (!e.is_finite()) return kNaN;
    const arma::vec dv = arma::vectorise(dir);
    const double quadratic = hvp ? arma::dot(dv, arma::vectorise(e)) : arma::as_scalar(dv.t() * e * dv);
    const double linear = arma::dot(arma::vectorise(g), dv);
    const double g_error = arma::dot(arma::vectorise(g_bound), arma::abs(dv));
    const double sigma = noise.sigma.is_empty() ? kEps * std::abs(f0) : noise.sigma.max();
    return taylor_slope_fit(
        [&](double t) {
          values[x] = x0 + t * dir;
          p.f(values, out);
          return std::abs(out(0) - f0 - t * linear - 0.5 * t * t * quadratic);
        },
        [&](double t) { return 8 * sigma + t * g_error; });
  } catch (const std::exception&) {
    return kNaN;  // the slope is a figure, never a verdict
  }
}

}  // namespace

IndexSpec parse_hessian_indices(std::string_view text, const std::string& x_name, const std::string& y_name) {
  const std::string original(text);
  int depth = 0;
  std::size_t comma = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') ++depth;
    if (text[i] == ']') --depth;
    if (text[i] == ',' && depth == 0) {
      comma = i;
      break;
    }
  }
  if (comma == std::string::npos)
    throw ExprError("expr.syntax",
                    fmt::format("a second-order check names its variable twice, separated by a comma: \"{}[i,j], "
                                "{}[k,l]\" (E[i,j,k,l] = d2f / d{}[i,j] d{}[k,l])",
                                x_name, y_name, x_name, y_name),
                    original, text.empty() ? 1 : text.size(), 1);
  std::string as_jacobian = original;
  as_jacobian[comma] = '/';  // the same length: positions of errors stay where they were
  IndexSpec spec;
  try {
    spec = IndexSpec::parse(as_jacobian);
  } catch (const ExprError& e) {
    std::string detail = e.detail();
    for (std::size_t at = detail.find("'/'"); at != std::string::npos; at = detail.find("'/'", at + 3))
      detail.replace(at, 3, "','");
    throw ExprError(e.id(), detail, original, e.column(), e.length());
  }
  spec.text = original;
  if (spec.f_name != x_name)
    throw ExprError("expr.index",
                    fmt::format("the first name of the indices is the first variable of wrt, \"{}\", not \"{}\"", x_name,
                                spec.f_name),
                    original, spec.f_pos + 1, spec.f_name.size());
  if (spec.x_name != y_name)
    throw ExprError("expr.index",
                    fmt::format("the second name of the indices is {} of wrt, \"{}\", not \"{}\"",
                                x_name == y_name ? "again the variable" : "the second variable", y_name, spec.x_name),
                    original, spec.x_pos + 1, spec.x_name.size());
  return spec;
}

Problem gradient_problem(const Problem& problem) {
  if (!problem.f_shape.is_scalar())
    throw Error("check.form", fmt::format("derivative_order 2 checks the Hessian of a scalar f; {} is {}",
                                          problem.f_name, problem.f_shape.str()));
  if (problem.structure != Structure::kNone)
    throw Error("check.form", "derivative_order 2 takes every entry as an independent variable: a variable with a "
                              "symmetric structure is not supported there");
  const std::size_t x = problem.wrt;
  const Shape xs = problem.shapes.at(x);
  Problem d = problem;
  d.derivative_order = 1;
  d.f_shape = xs;
  d.f_name = "df/d" + problem.names.at(x);
  d.f_complex = nullptr;
  // What belonged to f and not to its gradient: its propagated evaluator, batches, Jacobian.
  d.perturbed = nullptr;
  d.polynomial_degree = -1;
  d.f_batch = nullptr;
  d.jacobian = nullptr;
  d.complex_obstacle = "the reference differences the gradient of f, which has no complex extension of its own";
  const bool hvp = problem.form.form == Form::kHvp;
  RealFunction f = problem.f;
  ComplexFunction fc = problem.f_complex;
  if (hvp) {
    const std::size_t v = problem.direction;
    if (problem.shapes.at(v).rows != xs.rows || problem.shapes.at(v).cols != xs.cols)
      throw Error("check.form", fmt::format("form hvp needs a direction shaped like {} ({}); {} is {}",
                                            problem.names.at(x), xs.str(), problem.names.at(v),
                                            problem.shapes.at(v).str()));
    // f and G at x + (t - s) V: t and s = t0 the last two slots (with_t).
    f = [f0 = problem.f, x, v](const std::vector<arma::mat>& values, arma::mat& out) {
      std::vector<arma::mat> moved(values.begin(), values.end() - 2);
      moved[x] += (values[values.size() - 2](0) - values.back()(0)) * moved[v];
      f0(moved, out);
    };
    if (fc)
      fc = [fc0 = problem.f_complex, x, v](const std::vector<arma::cx_mat>& values, arma::cx_mat& out) {
        std::vector<arma::cx_mat> moved(values.begin(), values.end() - 2);
        moved[x] += (values[values.size() - 2](0) - values.back()(0)) * moved[v];
        fc0(moved, out);
      };
    d.names.push_back("t");
    d.shapes.push_back(Shape{1, 1});
    d.wrt = d.names.size() - 1;
    d.names.push_back("t0");
    d.shapes.push_back(Shape{1, 1});
    // H V is shaped like x: another shape is the derivation's own mismatch (shape-mismatch), not
    // something to reshape (the index form the engine sees would take any matrix of numel(x)).
    if (problem.expected)
      d.expected = [e = problem.expected, xs, name = problem.names.at(x)](const std::vector<arma::mat>& values) {
        arma::mat hv = e(std::vector<arma::mat>(values.begin(), values.end() - 2));
        if (hv.n_rows != xs.rows || hv.n_cols != xs.cols) {
          const std::string text = fmt::format("expected is {}x{}, but H V is shaped like {} ({})", hv.n_rows,
                                               hv.n_cols, name, xs.str());
          throw ExprError("expr.shape", text, text, 1);
        }
        return hv;
      };
    if (problem.resample)
      d.resample = [r = problem.resample, x, v](int trial, int attempt) { return with_t(r(trial, attempt), x, v); };
    // Index form over x's own letters: E[i,j] = dG[i,j] / dt, expected shaped like x.
    IndexSpec ix;
    ix.f_name = problem.names.at(x);
    if (!xs.is_scalar()) ix.f_letters = xs.is_vector() ? std::vector<std::string>{"i"} : std::vector<std::string>{"i", "j"};
    ix.x_name = "t";
    ix.free_letters = ix.f_letters;
    ix.text = "H " + problem.names.at(problem.direction);
    d.form = FormSpec{Layout::kNumerator, Form::kIndex, VecOrder::kColumnMajor, ix};
  } else {
    d.wrt = problem.wrt2;
    d.form = problem.form;
    d.form.layout = Layout::kNumerator;
    if (d.form.form == Form::kAuto) d.form.form = Form::kVec;
    if (d.form.form == Form::kIndex && !d.form.indices)
      throw Error("check.form", "form index needs its indices (\"X[i,j], X[k,l]\")");
  }
  if (fc) {
    d.f = [fc, x](const std::vector<arma::mat>& values, arma::mat& out) { out = complex_step_gradient(fc, x, values); };
  } else {
    d.f = [f, x](const std::vector<arma::mat>& values, arma::mat& out) { out = estimated_gradient(f, x, values); };
    d.gradient_of = f;
    d.gradient_of_wrt = x;
  }
  return d;
}

CheckResult run_second_order(const Problem& problem, const std::vector<std::vector<arma::mat>>& points,
                             const Options& options) {
  const Problem d = gradient_problem(problem);
  const bool hvp = problem.form.form == Form::kHvp;
  const bool pure = !hvp && problem.wrt2 == problem.wrt;
  Options o = options;
  if (o.reference == ReferenceMethod::kComplexStep) {
    if (!problem.f_complex)
      throw Error("check.reference",
                  fmt::format("\"reference\": \"complex-step\" needs f to have a complex extension{}",
                              problem.complex_obstacle.empty() ? std::string(" (C++ callables have none)")
                                                               : ": " + problem.complex_obstacle));
    o.reference = ReferenceMethod::kFd;  // the gradient is by complex step already; it is differenced once
  }
  // One thread: the gradient target calls f (or its complex extension) itself, with no
  // propagated evaluator per worker, and an expression's f is one evaluator with its own buffers:
  // called from two threads at once it raced (a Hessian at --threads 2 differed from run to run).
  o.threads = 1;
  std::vector<std::vector<arma::mat>> d_points;
  for (const auto& p : points) d_points.push_back(hvp ? with_t(p, problem.wrt, problem.direction) : p);

  // Without a complex extension the working precision is that of f, measured at the first point
  // (the gradient estimate's own values are never float32 numbers).
  std::string precision_evidence;
  if (d.gradient_of) {
    o.fd.method = FdMethod::kCentral;  // second differences see no kinks of their own to scan
    if (o.precision == Precision::kAuto && !d_points.empty()) {
      const reference::Target t = noise_target(d, reference::Target{});
      std::vector<arma::mat> v = d_points[0];
      arma::mat f0;
      t.f(v, f0);
      const reference::Noise n = reference::measure_noise(t, v, f0, mix_seed(options.seed, 0x5eed));
      o.precision = n.precision;
      precision_evidence = "measured on f: " + n.evidence;
    }
  }

  CheckResult r = run_check(d, d_points, o);

  // In the Hessian's terms.
  r.derivative_order = 2;
  r.function = problem.f_name;
  r.wrt = join_names(problem);
  r.layout.clear();
  r.form = to_string(problem.form.form == Form::kAuto ? Form::kVec : problem.form.form);
  if (hvp) r.direction = problem.names.at(problem.direction);
  if (hvp) r.indices.clear();
  if (!hvp && problem.form.form == Form::kIndex) r.indices = problem.form.indices->text;
  r.convention = "every entry an independent variable";
  const std::string how =
      d.gradient_of ? "" : " of the complex-step gradient";  // second differences say so in their detail
  auto fix_trial = [&](auto& t) {
    // An empty label is an entry never compared (a shape mismatch): it stays empty.
    auto fix = [&](EntryError& e) {
      if (!e.label.empty()) e.label = relabel(e.label, problem, d.f_name);
    };
    fix(t.worst);
    for (EntryError& e : t.worst_entries) fix(e);
    for (KinkInfo& k : t.kinks) k.label = relabel(k.label, problem, d.f_name);
    if (!how.empty() && !t.reference.detail.empty() && t.reference.detail.find(how) == std::string::npos)
      t.reference.detail += how;
    if (!precision_evidence.empty() && options.precision == Precision::kAuto) t.precision_evidence = precision_evidence;
  };
  const FormMap map = make_form_map(d.form, d.f_shape, d.shapes.at(d.wrt), d.f_name, d.names.at(d.wrt));
  auto jacobian_label = [&](arma::uword a, arma::uword b) {
    const arma::uword j = a + b * map.f_shape.numel();
    for (arma::uword k = 0; k < map.size(); ++k)
      if (map.index(k) == j) return relabel(map.label(k), problem, d.f_name);
    return std::string("?");
  };
  for (std::size_t i = 0; i < r.trials.size(); ++i) {
    TrialResult& t = r.trials[i];
    second_order_diagnoses(problem, map, pure, jacobian_label, t);
    if (!hvp && !pure) continue;
    const bool moved = !t.notes.empty() && t.notes.front().rfind("moved", 0) == 0;
    if (t.status != Status::kError && !moved) t.taylor_slope = taylor_slope(problem, map, points[i], o.seed);
  }
  fix_trial(r);
  for (TrialResult& t : r.trials) fix_trial(t);
  if (!r.trials.empty()) {
    r.diagnoses = r.trials[r.worst_trial].diagnoses;
    r.taylor_slope = r.trials[r.worst_trial].taylor_slope;
  }
  return r;
}

}  // namespace gradcheck
