// SPDX-License-Identifier: MIT
#include "diagnose/diagnose.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace gradcheck {
namespace {

std::string join(const std::vector<arma::uword>& values) {
  std::string s;
  for (std::size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s;
}

// Least-squares factor c minimising ||A - c R||_F: c = <A,R> / <R,R>. Its uncertainty from the
// reference's bound: moving R by dR (|dR_k| <= E_k) moves c by about <A - 2cR, dR> / <R,R>, so
//     dc = sum_k |a_k - 2 c r_k| E_k / sum_k r_k^2.
struct Factor {
  double c = 0.0;
  double uncertainty = 0.0;  // absolute
};
Factor fit_factor(const arma::mat& analytic, const arma::mat& truth, const arma::mat& bound) {
  Factor f;
  const double rr = arma::accu(truth % truth);
  if (!(rr > 0)) return f;
  f.c = arma::accu(analytic % truth) / rr;
  f.uncertainty = arma::accu(arma::abs(analytic - 2 * f.c * truth) % bound) / rr;
  return f;
}

// Does A equal c R decisively (A / c against R and its bound, scaled by |c|)?
bool matches_scaled(const arma::mat& analytic, const arma::mat& truth, const arma::mat& bound, double c,
                    const Tolerance& t) {
  if (c == 0.0 || !std::isfinite(c)) return false;
  return compare(analytic / c, truth, bound, t).pass;
}

std::string cpp_or(const DiagnoseContext& ctx, const std::string& case_file, const std::string& cpp) {
  return ctx.audience == Audience::kCpp ? cpp : case_file;
}

// Hypotheses about a whole arrangement of the truth: equal, negated, or scaled.
// Returns the diagnoses (sign / scale) or, with `equal` set, that it matches as is.
std::vector<Diagnosis> factor_hypotheses(const arma::mat& analytic, const arma::mat& truth, const arma::mat& bound,
                                         const Tolerance& t, const std::map<std::string, double>& dims,
                                         const std::string& what, bool* equal) {
  *equal = false;
  if (arma::accu(arma::abs(truth)) == 0.0) return {};
  if (compare(analytic, truth, bound, t).pass) {
    *equal = true;
    return {};
  }
  const Factor fit = fit_factor(analytic, truth, bound);
  const double c = fit.c;
  // A factor within twice its own uncertainty of 1 is not decided (noise is in the bound now, so
  // no fixed floor is needed: 1.0001 times the truth, decided, is a factor).
  if (std::abs(c - 1.0) <= 2 * fit.uncertainty) return {};
  if (!matches_scaled(analytic, truth, bound, c, t)) return {};
  // Named only within the fit's uncertainty (relative, at least 1e-8, at most 1e-3).
  const double relative = std::clamp(fit.uncertainty / std::abs(c), 1e-8, 1e-3);
  if (std::abs(c + 1.0) <= std::max(1e-6, relative)) {
    return {{"sign", fmt::format("expected is the negative of {}: a sign is flipped", what), {{"factor", -1.0}}}};
  }
  const std::string name = name_factor(c, dims, relative);
  const std::string shown = name.empty() ? fmt::format("{:.6g}", c) : name;
  std::vector<Diagnosis> out;
  if (c < 0) {
    out.push_back({"sign", fmt::format("expected has the opposite sign of {}", what), {{"factor", c}}});
  }
  const std::string inverse_name = name_factor(1.0 / c, dims, relative);
  const std::string inverse = inverse_name.empty() ? fmt::format("{:.6g}", 1.0 / c) : inverse_name;
  out.push_back({"scale",
                 fmt::format("expected is {} times {}: the derivation carries a stray factor (multiply it by {} "
                             "to get the truth)",
                             shown, what, inverse),
                 {{"factor", c}, {"factor_uncertainty", fit.uncertainty}}});
  return out;
}

// The other arrangements of the truth that the same shape admits, with what they mean.
struct Alternative {
  std::string code;      // "layout-transposed", "vec-order" or "storage-order"
  arma::mat truth;       // the truth in that arrangement
  arma::mat bound;       // its bound, arranged the same way
  std::string sentence;  // what matching it means
};

std::vector<Alternative> alternatives(const DiagnoseContext& ctx) {
  const FormMap& map = *ctx.map;
  std::vector<Alternative> out;
  for (const AlternativeMap& alt : alternative_maps(map, ctx.audience))
    out.push_back({alt.code, alt.map.arrange(*ctx.jacobian), alt.map.arrange(*ctx.bound), alt.sentence});
  // A row-major / column-major slip on a non-square x: the truth T (as the layout arranges it)
  // transposed and read back in T's own shape, reshape(T', rows, cols), or the reverse,
  // reshape(T, cols, rows)'. Only for a scalar f, whose derivative is shaped like x (or x').
  if (map.spec.form == Form::kAuto && map.f_shape.is_scalar() && map.x_shape.rows > 1 && map.x_shape.cols > 1 &&
      !map.x_shape.is_square()) {
    const arma::mat t = map.arrange(*ctx.jacobian), e = map.arrange(*ctx.bound);
    const std::string sentence = fmt::format(
        "expected holds the gradient in the other storage order: the right numbers, read from a {} buffer as if it "
        "were {} (reshape(G', {}, {}) for the gradient G); index the buffer as the layout of {} is stored, or "
        "transpose before reshaping",
        "row-major", "column-major", t.n_rows, t.n_cols, map.x_name);
    out.push_back({"storage-order", arma::reshape(arma::mat(t.t()), t.n_rows, t.n_cols),
                   arma::reshape(arma::mat(e.t()), t.n_rows, t.n_cols), sentence});
    out.push_back({"storage-order", arma::mat(arma::reshape(t, t.n_cols, t.n_rows).t()),
                   arma::mat(arma::reshape(e, e.n_cols, e.n_rows).t()),
                   fmt::format("expected holds the gradient in the other storage order: the right numbers, read from "
                               "a column-major buffer as if it were row-major; index the buffer as the layout of {} "
                               "is stored",
                               map.x_name)});
  }
  return out;
}

// Mismatch confined to a pattern: the diagonal, the off-diagonal, some rows, some columns.
std::vector<Diagnosis> partial(const FormMap& map, const Comparison& comparison) {
  // Rows and columns mean something only for a matrix the user wrote: not for index form with
  // more than two letters, whose matrix is a flattening.
  if (map.spec.form == Form::kIndex && map.index_ranges.size() > 2) return {};
  const arma::uword total = map.wanted.numel();
  const arma::uword bad = comparison.failing.n_elem;
  if (bad == 0 || bad == total || total < 2) return {};
  // Confined means the other entries are right: an undecided entry (a bound too wide to tell,
  // near a singularity) may be as wrong as the failing ones, so nothing is claimed then.
  if (comparison.undecided.n_elem > 0) return {};
  const arma::uword rows = map.wanted.rows, cols = map.wanted.cols;
  std::set<arma::uword> bad_rows, bad_cols;
  bool all_diagonal = true, all_off_diagonal = true;
  for (arma::uword k : comparison.failing) {
    const arma::uword r = k % rows, c = k / rows;
    bad_rows.insert(r);
    bad_cols.insert(c);
    (r == c ? all_off_diagonal : all_diagonal) = false;
  }
  auto labels = [&]() {
    std::vector<std::string> v;
    for (arma::uword i = 0; i < std::min<arma::uword>(bad, 6); ++i) v.push_back(map.label(comparison.failing(i)));
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
    return bad > v.size() ? s + ", ..." : s;
  };
  if (rows > 1 && cols > 1 && rows == cols) {
    if (all_diagonal)
      return {{"partial", fmt::format("only diagonal entries differ ({} of {}): the off-diagonal part is right; "
                                      "look at terms that act on the diagonal (diag, a symmetric-matrix convention, "
                                      "a doubled i = j term)",
                                      bad, std::min(rows, cols))}};
    if (all_off_diagonal)
      return {{"partial", fmt::format("only off-diagonal entries differ ({} of {}); the diagonal is right: a "
                                      "symmetric convention (G + G' - diag(G)) or a missing transpose of a term",
                                      bad, total - std::min(rows, cols))}};
  }
  // "Confined" means a minority: at most half of the rows (or columns) hold every mismatch.
  std::vector<arma::uword> r(bad_rows.begin(), bad_rows.end()), c(bad_cols.begin(), bad_cols.end());
  const bool by_rows = rows > 1 && 2 * r.size() <= rows, by_cols = cols > 1 && 2 * c.size() <= cols;
  if (by_rows && (!by_cols || r.size() * cols <= c.size() * rows)) {
    if (cols == 1) return {{"partial", fmt::format("only entries {} of {} differ: {}", join(r), rows, labels())}};
    return {{"partial", fmt::format("the mismatch is confined to row{} {} of expected ({} rows): {}",
                                    r.size() > 1 ? "s" : "", join(r), rows, labels())}};
  }
  if (by_cols) {
    if (rows == 1) return {{"partial", fmt::format("only entries {} of {} differ: {}", join(c), cols, labels())}};
    return {{"partial", fmt::format("the mismatch is confined to column{} {} of expected ({} columns): {}",
                                    c.size() > 1 ? "s" : "", join(c), cols, labels())}};
  }
  return {};
}

}  // namespace

std::vector<AlternativeMap> alternative_maps(const FormMap& map, Audience audience) {
  std::vector<AlternativeMap> out;
  auto cpp_or = [&](const std::string& case_file, const std::string& cpp) {
    return audience == Audience::kCpp ? cpp : case_file;
  };
  if (map.spec.form == Form::kIndex) {
    // Index form: the two indices of a square x (or f) read in the other order, which is
    // what a transpose is in index notation.
    const IndexSpec& ix = *map.spec.indices;
    for (bool on_x : {true, false}) {
      const std::vector<std::string>& letters = on_x ? ix.x_letters : ix.f_letters;
      const Shape shape = on_x ? map.x_shape : map.f_shape;
      if (letters.size() != 2 || !shape.is_square() || letters[0] == letters[1]) continue;
      FormSpec swapped = map.spec;
      std::vector<std::string>& target = on_x ? swapped.indices->x_letters : swapped.indices->f_letters;
      std::swap(target[0], target[1]);
      const std::string name = on_x ? map.x_name : ix.f_name;
      out.push_back({"layout-transposed", make_form_map(swapped, map.f_shape, map.x_shape, map.f_name, map.x_name),
                     fmt::format("expected matches with the indices of {} swapped: it is the derivative with respect "
                                 "to {}[{},{}] written for {}[{},{}] (a transpose); swap the letters in expected or "
                                 "in \"indices\"",
                                 name, name, letters[1], letters[0], name, letters[0], letters[1])});
    }
    return out;
  }
  FormSpec flipped = map.spec;
  flipped.layout = map.spec.layout == Layout::kDenominator ? Layout::kNumerator : Layout::kDenominator;
  FormMap other = make_form_map(flipped, map.f_shape, map.x_shape, map.f_name, map.x_name);
  const std::string asked = to_string(map.spec.layout), given = to_string(flipped.layout);
  const std::string sentence =
      fmt::format("expected is in {} layout ({}), the transpose of the {} layout the check asks for ({}): "
                  "transpose it, or {}",
                  given, other.wanted.str(), asked, map.wanted.str(),
                  cpp_or(fmt::format("set \"layout\": \"{}\"", given),
                         fmt::format("pass Layout::k{}", flipped.layout == Layout::kNumerator ? "Numerator" : "Denominator")));
  out.push_back({"layout-transposed", std::move(other), sentence});
  if (map.spec.form == Form::kVec) {
    for (Layout layout : {map.spec.layout, flipped.layout}) {
      FormSpec swapped = map.spec;
      swapped.layout = layout;
      swapped.order = map.spec.order == VecOrder::kColumnMajor ? VecOrder::kRowMajor : VecOrder::kColumnMajor;
      out.push_back({"vec-order", make_form_map(swapped, map.f_shape, map.x_shape, map.f_name, map.x_name),
                     fmt::format("expected stacks {} (vec in {} order{}), the check asks for {}: set \"order\": "
                                 "\"{}\", or, if expected is a Kronecker product, swap its two factors",
                                 swapped.order == VecOrder::kRowMajor ? "rows" : "columns", to_string(swapped.order),
                                 layout != map.spec.layout ? ", and in " + to_string(layout) + " layout" : "",
                                 to_string(map.spec.order), to_string(swapped.order))});
    }
  }
  return out;
}

std::vector<Diagnosis> diagnose_factor(const arma::mat& analytic, const arma::mat& truth, const arma::mat& bound,
                                       const Tolerance& tolerance, const std::map<std::string, double>& dims,
                                       const std::string& what) {
  bool equal = false;
  return factor_hypotheses(analytic, truth, bound, tolerance, dims, what, &equal);
}

std::string as_fraction(double x, long max_denominator, double tolerance) {
  if (!std::isfinite(x) || x == 0.0) return {};
  const double ax = std::abs(x);
  // A numerator above ax * max_denominator would not fit a long beyond ~1e15 (and a factor that
  // large is not a fraction worth naming): no name. Found by the case fuzzer (UBSan: 6.7e70 to long).
  if (ax > 1e12 || ax * static_cast<double>(max_denominator) > 1e15) return {};
  // Continued fraction convergents of |x|.
  long h0 = 1, h1 = 0, k0 = 0, k1 = 1;
  double rest = ax;
  for (int i = 0; i < 40; ++i) {
    const double a = std::floor(rest);
    const long h2 = static_cast<long>(a) * h0 + h1, k2 = static_cast<long>(a) * k0 + k1;
    if (k2 > max_denominator) break;
    h1 = h0; h0 = h2; k1 = k0; k0 = k2;
    if (std::abs(static_cast<double>(h0) / k0 - ax) <= tolerance * ax) {
      const std::string sign = x < 0 ? "-" : "";
      return k0 == 1 ? sign + std::to_string(h0) : sign + std::to_string(h0) + "/" + std::to_string(k0);
    }
    const double frac = rest - a;
    if (frac < 1e-12) break;
    rest = 1.0 / frac;
  }
  return {};
}

std::string name_factor(double factor, const std::map<std::string, double>& dims, double tolerance) {
  const std::string fraction = as_fraction(factor, 1000, tolerance);
  if (fraction.empty()) return {};
  const double ax = std::abs(factor);
  const bool inverse = ax < 1.0;
  const double n = inverse ? 1.0 / ax : ax;  // the integer-ish size to name
  std::string named;
  // Within the factor's own uncertainty (float32 code fits 4 as 4.00002): the fraction was named
  // at that tolerance, the dim is matched at it too.
  auto near = [tolerance](double a, double b) {
    return std::abs(a - b) <= std::max(1e-9, tolerance) * std::max(1.0, std::abs(b));
  };
  // Dims of size 1 or 2 are never named: a factor 2 is far more often the 2 of a square
  // (d x'Ax = 2Ax) than a dim that happens to be 2.
  auto nameable = [](double value) { return value > 2; };
  for (const auto& [name, value] : dims)
    if (nameable(value) && near(n, value)) { named = name; break; }
  if (named.empty())
    for (const auto& [a, va] : dims)
      for (const auto& [b, vb] : dims)
        if (named.empty() && nameable(va) && nameable(vb) && a <= b && near(n, va * vb))
          named = a == b ? a + "^2" : a + "*" + b;
  if (named.empty())
    for (const auto& [name, value] : dims)
      if (named.empty() && nameable(value) && near(n, 2 * value)) named = "2*" + name;
  if (named.empty()) return fraction;
  const std::string sign = factor < 0 ? "-" : "";
  const bool compound = named.find('*') != std::string::npos || named.find('^') != std::string::npos;
  return fraction + " = " + sign + (inverse ? "1/" + (compound ? "(" + named + ")" : named) : named);
}

Diagnosis diagnose_nonfinite(const std::string& where, const std::string& detail) {
  return {"nonfinite", fmt::format("{} is NaN or infinite{}", where, detail.empty() ? "" : ": " + detail)};
}

Diagnosis diagnose_expected_shape_error(const FormMap& map, const std::string& error_text) {
  return {"shape-mismatch",
          fmt::format("expected cannot be evaluated: its own sizes do not fit, so the derivation is wrong before any "
                      "number is compared (the check wants {}):\n{}",
                      map.describe(), error_text)};
}

std::vector<Diagnosis> diagnose_shape(const DiagnoseContext& ctx) {
  const FormMap& map = *ctx.map;
  const arma::mat& analytic = *ctx.analytic;
  const Shape given{analytic.n_rows, analytic.n_cols};
  std::string wants = fmt::format("the check wants {}", map.describe());
  if (map.spec.form != Form::kIndex) {
    FormSpec flipped = map.spec;
    flipped.layout = map.spec.layout == Layout::kDenominator ? Layout::kNumerator : Layout::kDenominator;
    const FormMap other = make_form_map(flipped, map.f_shape, map.x_shape, map.f_name, map.x_name);
    wants += fmt::format("; {} layout would want {}", to_string(flipped.layout), other.describe());
  }
  std::vector<Diagnosis> out{{"shape-mismatch", fmt::format("expected is {} but {}", given.str(), wants)}};
  for (const Alternative& alt : alternatives(ctx)) {
    if (alt.truth.n_rows != analytic.n_rows || alt.truth.n_cols != analytic.n_cols) continue;
    bool equal = false;
    std::vector<Diagnosis> factors =
        factor_hypotheses(analytic, alt.truth, alt.bound, ctx.tolerance, ctx.dims, "the derivative in that arrangement",
                          &equal);
    if (equal || !factors.empty()) {
      out.push_back({alt.code, alt.sentence, {}});
      out.insert(out.end(), factors.begin(), factors.end());
      break;
    }
  }
  return out;
}

std::vector<Diagnosis> diagnose_kinks(const DiagnoseContext& ctx, const std::vector<KinkInfo>& kinks) {
  if (kinks.empty()) return {};
  std::string where;
  for (std::size_t i = 0; i < kinks.size() && i < 4; ++i)
    where += kinks[i].jump ? fmt::format("{}{} (f itself jumps there)", i ? ", " : "", kinks[i].label)
                           : fmt::format("{}{} (forward {:.6g}, backward {:.6g})", i ? ", " : "", kinks[i].label,
                                         kinks[i].forward, kinks[i].backward);
  if (kinks.size() > 4) where += fmt::format(" and {} more", kinks.size() - 4);
  return {{"nondifferentiable",
           fmt::format("f is not differentiable at this point: the one-sided differences disagree at {}, by more "
                       "than their error bounds and whatever the step (a kink such as relu or abs at 0), so no "
                       "formula is the derivative there. {}",
                       where,
                       cpp_or(ctx, "Move the point (init, value) off the kink",
                              "Check at a point off the kink (no input exactly at the kink)")),
           {{"forward", kinks[0].forward}, {"backward", kinks[0].backward}}}};
}

std::vector<Diagnosis> diagnose_mismatch(const DiagnoseContext& ctx, const Comparison& comparison) {
  const FormMap& map = *ctx.map;
  const arma::mat& analytic = *ctx.analytic;
  const arma::mat truth = map.arrange(*ctx.jacobian);
  const arma::mat bound = map.arrange(*ctx.bound);
  std::vector<Diagnosis> out;

  // 1. A constant factor or a sign on the truth as arranged.
  bool equal = false;
  out = factor_hypotheses(analytic, truth, bound, ctx.tolerance, ctx.dims, "the reference derivative", &equal);
  if (!out.empty()) return out;

  // 2. The other layout (a transpose), the other vec order or the other storage order, possibly
  // with a factor.
  for (const Alternative& alt : alternatives(ctx)) {
    if (alt.truth.n_rows != analytic.n_rows || alt.truth.n_cols != analytic.n_cols) continue;
    std::vector<Diagnosis> factors = factor_hypotheses(analytic, alt.truth, alt.bound, ctx.tolerance, ctx.dims,
                                                       "the derivative in that arrangement", &equal);
    if (equal || !factors.empty()) {
      out.push_back({alt.code, alt.sentence, {}});
      out.insert(out.end(), factors.begin(), factors.end());
      return out;
    }
  }

  // 3. A formula that holds only for symmetric inputs: the check passes decisively at the
  // symmetrised inputs (t = 0) and still fails decisively halfway (t = 1/2), so the failure
  // follows the antisymmetric part, not the conditioning of the point.
  if (ctx.status_symmetrised && !ctx.square_slots.empty() &&
      ctx.status_symmetrised(ctx.square_slots, 0.0) == Status::kPass &&
      ctx.status_symmetrised(ctx.square_slots, 0.5) == Status::kFail) {
    std::vector<std::string> which;
    if (ctx.square_slots.size() > 1)
      for (std::size_t slot : ctx.square_slots)
        if (ctx.status_symmetrised({slot}, 0.0) == Status::kPass) which.push_back(ctx.names[slot]);
    if (ctx.square_slots.size() == 1) which.push_back(ctx.names[ctx.square_slots[0]]);
    std::string names;
    if (which.empty()) {
      for (std::size_t slot : ctx.square_slots) names += (names.empty() ? "" : " and ") + ctx.names[slot];
    } else {
      for (const auto& n : which) names += (names.empty() ? "" : " and ") + n;
    }
    const std::string first = which.empty() ? ctx.names[ctx.square_slots[0]] : which[0];
    out.push_back({"symmetric-only",
                   fmt::format("expected matches only when {} {} symmetric: at {} = ({} + {}')/2 the check passes, "
                               "and it fails again as the antisymmetric part comes back. The formula assumes a "
                               "symmetry the inputs do not have (e.g. 2 A x where the general derivative is (A + A') x)",
                               names, which.size() > 1 || (which.empty() && ctx.square_slots.size() > 1) ? "are" : "is",
                               first, first, first)});
    return out;
  }

  // 4. A mismatch confined to a pattern of entries.
  return partial(map, comparison);
}

}  // namespace gradcheck
