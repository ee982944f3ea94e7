// SPDX-License-Identifier: MIT
// The built-in functions: for each, its arity, shape rule (with its errors) and kernel.
// Rules see the compiled arguments; size and dimension arguments are folded constants.
#include <algorithm>
#include <cmath>
#include <limits>

#include "expr/compiler.hpp"
#include "expr/kernels.hpp"

namespace gradcheck::expr {
namespace {

using arma::mat;
using arma::uword;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Scalar functions applied to every entry.

// Stable logistic: never exponentiates a positive number.
double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}
// Stable log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
// max(x, 0), keeping NaN.
double relu(double x) { return x < 0 ? 0.0 : x; }
// x * x.
double square(double x) { return x * x; }
// -1, 0 or 1 (NaN stays NaN).
double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

// An elementwise function: the result has the argument's shape.
#define GRADCHECK_ELEMENTWISE(NAME, EXPR)                                                              \
  Function {                                                                                           \
    NAME, 1, 1, [](Compiler& c, const Node&, const Args& a) -> Lowering {                              \
      return {c.shape(a[0]),                                                                           \
              [](Step& s, const mat& x, const mat&) { map(x, s.out, [](double v) { return EXPR; }); }, \
              {a[0]}};                                                                                 \
    }                                                                                                  \
  }

// ---------------------------------------------------------------------------------------------
// Shared rules.

[[noreturn]] void not_square(Compiler& c, const Node& call, std::size_t step) {
  c.fail("expr.shape", call.name + " needs a square matrix, got " + c.describe(call.children[0], step), call);
}

// f(X) on a square X, with result shape `out` and kernel k.
Lowering square_only(Compiler& c, const Node& call, const Args& a, Shape out, Kernel k) {
  const Shape s = c.shape(a[0]);
  if (!s.is_square()) not_square(c, call, a[0]);
  c.check_work(call, double(s.rows) * double(s.rows) * double(s.rows));  // a factorisation
  return {out, k, {a[0]}};
}

// An elementwise function of two arrays with broadcasting (max(A, B), pow(X, p)).
template <class F>
Lowering broadcast_call(Compiler& c, const Node& call, const Args& a, const char* what) {
  const std::optional<Shape> out = broadcast_shape(c.shape(a[0]), c.shape(a[1]));
  if (!out)
    c.fail("expr.shape",
           "cannot take " + std::string(what) + " of " + c.describe(call.children[0], a[0]) + " and " +
               c.describe(call.children[1], a[1]) + ": shapes differ and neither broadcasts",
           call);
  return {*out, [](Step& s, const mat& x, const mat& y) { zip(x, y, s.out, F{}); }, a};
}

// The optional dimension argument of sum, mean, var, cumsum: 0 when absent (all entries).
int dim_of(Compiler& c, const Node& call, const Args& a) {
  return a.size() > 1 ? c.dimension_argument(call, 1, a[1]) : 0;
}

// ---------------------------------------------------------------------------------------------
// Reductions. Each reduces `n` entries `stride` apart (see reduce() in kernels.hpp).

double sum_of(const double* x, uword stride, uword n) {
  double t = 0;
  for (uword i = 0; i < n; ++i) t += x[i * stride];
  return t;
}
double mean_of(const double* x, uword stride, uword n) { return sum_of(x, stride, n) / static_cast<double>(n); }
// Sample variance (divides by n - 1, as Armadillo); 0 for a single entry.
double var_of(const double* x, uword stride, uword n) {
  if (n < 2) return 0;
  const double m = mean_of(x, stride, n);
  double t = 0;
  for (uword i = 0; i < n; ++i) t += (x[i * stride] - m) * (x[i * stride] - m);
  return t / static_cast<double>(n - 1);
}
// Largest (Max) or smallest entry; NaN if any entry is NaN.
template <bool Max>
double extreme_of(const double* x, uword stride, uword n) {
  double best = x[0];
  for (uword i = 0; i < n; ++i) {
    const double v = x[i * stride];
    if (std::isnan(v)) return v;
    if (Max ? v > best : v < best) best = v;
  }
  return best;
}
// max(A, B) and min(A, B) entrywise, NaN-propagating.
struct MaxOf {
  double operator()(double x, double y) const { return std::isnan(x) || x >= y ? x : y; }
};
struct MinOf {
  double operator()(double x, double y) const { return std::isnan(x) || x <= y ? x : y; }
};
struct PowOf {
  double operator()(double x, double y) const { return std::pow(x, y); }
};

// sum(X), mean(X), var(X): over every entry (1x1); f(X, 1): each column (1 x n);
// f(X, 2): each row (m x 1).
template <double (*F)(const double*, uword, uword)>
Lowering reduction(Compiler& c, const Node& call, const Args& a) {
  const int dim = dim_of(c, call, a);
  return {reduced_shape(c.shape(a[0]), dim),
          [](Step& s, const mat& x, const mat&) { reduce(x, static_cast<int>(s.p), s.out, F); },
          {a[0]},
          double(dim)};
}

// max(X) / min(X): the extreme entry; max(X, 1) / max(X, 2): per column / row when the second
// argument is the literal 1 or 2; otherwise max(A, B) is entrywise with broadcasting (max(x, 0)).
template <bool Max>
Lowering extreme(Compiler& c, const Node& call, const Args& a) {
  int dim = 0;
  if (a.size() == 2) {
    const Node& second = call.children[1];
    if (second.kind != Node::Number || (second.value != 1 && second.value != 2))
      return broadcast_call<std::conditional_t<Max, MaxOf, MinOf>>(
          c, call, a, Max ? "the elementwise maximum" : "the elementwise minimum");
    dim = static_cast<int>(second.value);
  }
  return {reduced_shape(c.shape(a[0]), dim),
          [](Step& s, const mat& x, const mat&) { reduce(x, static_cast<int>(s.p), s.out, extreme_of<Max>); },
          {a[0]},
          double(dim)};
}

// cumsum(X): running sums down each column (a row vector: along the row); cumsum(X, 2) along
// each row, cumsum(X, 1) down each column.
Lowering cumsum(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  const int dim = a.size() > 1 ? dim_of(c, call, a) : (s.rows == 1 ? 2 : 1);
  return {s,
          [](Step& st, const mat& x, const mat&) {
            st.out = x;
            if (st.p == 1) {
              for (uword j = 0; j < x.n_cols; ++j)
                for (uword i = 1; i < x.n_rows; ++i) st.out(i, j) += st.out(i - 1, j);
            } else {
              for (uword j = 1; j < x.n_cols; ++j)
                for (uword i = 0; i < x.n_rows; ++i) st.out(i, j) += st.out(i, j - 1);
            }
          },
          {a[0]},
          double(dim)};
}

// ---------------------------------------------------------------------------------------------
// Column-wise softmax family: one column per sample, shifted by the column max for stability.

// log(sum(exp(x))) over one column, stably; an infinite or NaN max is the answer itself.
double logsumexp_col(const double* x, uword n) {
  const double m = extreme_of<true>(x, 1, n);
  if (!std::isfinite(m)) return m;
  double t = 0;
  for (uword i = 0; i < n; ++i) t += std::exp(x[i] - m);
  return m + std::log(t);
}

// logsumexp(X): m x n -> 1 x n.
Lowering logsumexp(Compiler& c, const Node&, const Args& a) {
  return {Shape{1, c.shape(a[0]).cols},
          [](Step& s, const mat& x, const mat&) {
            for (uword j = 0; j < x.n_cols; ++j) s.out[j] = logsumexp_col(x.colptr(j), x.n_rows);
          },
          {a[0]}};
}

// softmax(X) (Log = false) or log_softmax(X) (Log = true), per column; keeps the shape.
template <bool Log>
Lowering softmax(Compiler& c, const Node&, const Args& a) {
  return {c.shape(a[0]),
          [](Step& s, const mat& x, const mat&) {
            for (uword j = 0; j < x.n_cols; ++j) {
              const double lse = logsumexp_col(x.colptr(j), x.n_rows);
              for (uword i = 0; i < x.n_rows; ++i) s.out(i, j) = Log ? x(i, j) - lse : std::exp(x(i, j) - lse);
            }
          },
          {a[0]}};
}

// ---------------------------------------------------------------------------------------------
// Norms. norm(x): 2-norm of a vector, Frobenius norm of a matrix (the same formula).
// norm(x, p), p = 1, 2 or inf: for a vector sum |x|, 2-norm, max |x|; for a matrix the induced
// norms: largest column sum of |X|, largest singular value, largest row sum of |X|.

double vector_norm(const mat& x, double p) {
  double t = 0;
  for (const double v : x) {
    if (p == 1) t += std::abs(v);
    else if (p == kInf) t = std::isnan(v) || std::abs(v) > t ? std::abs(v) : t;
    else t += v * v;
  }
  return p == 1 || p == kInf ? t : std::sqrt(t);
}

void norm_kernel(Step& s, const mat& x, const mat&) {
  const double p = s.p;
  if (p == 0 || x.is_vec()) {
    s.out[0] = vector_norm(x, p == 0 ? 2 : p);
  } else if (p == 2) {
    arma::vec sv;  // singular values, largest first
    s.out[0] = x.is_finite() && arma::svd(sv, x) ? sv[0] : kNaN;
  } else {  // induced 1-norm: columns; inf-norm: rows
    const mat sums = p == 1 ? mat(arma::sum(arma::abs(x), 0)) : mat(arma::sum(arma::abs(x), 1));
    s.out[0] = sums.has_nan() ? kNaN : sums.max();
  }
}

Lowering norm(Compiler& c, const Node& call, const Args& a) {
  double p = 0;
  if (a.size() > 1) {
    const std::optional<double> v = c.constant(a[1]);
    if (!v || (*v != 1 && *v != 2 && *v != kInf))
      c.fail_span("expr.value", "order argument of norm must be 1, 2 or inf", call.children[1]);
    p = *v;
  }
  return {Shape{1, 1}, norm_kernel, {a[0]}, p};
}

// ---------------------------------------------------------------------------------------------
// Linear algebra. Failures (singular, not positive definite) give NaN entries.

// tr(X): sum of the main diagonal, min(m, n) entries.
Lowering trace(Compiler&, const Node&, const Args& a) {
  return {Shape{1, 1},
          [](Step& s, const mat& x, const mat&) {
            double t = 0;
            for (uword i = 0; i < std::min(x.n_rows, x.n_cols); ++i) t += x(i, i);
            s.out[0] = t;
          },
          {a[0]}};
}

// det(X), X square.
Lowering det(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, Shape{1, 1}, [](Step& s, const mat& x, const mat&) {
    double v;
    s.out[0] = arma::det(v, x) ? v : kNaN;
  });
}

// logdet(X) = log(abs(det(X))), X square, via Armadillo's log_det (no overflow).
Lowering logdet(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, Shape{1, 1}, [](Step& s, const mat& x, const mat&) {
    double v, sign;
    s.out[0] = arma::log_det(v, sign, x) ? v : kNaN;
  });
}

// inv(X), X square.
Lowering inv(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, c.shape(a[0]), [](Step& s, const mat& x, const mat&) {
    if (!arma::inv(s.out, x)) fill_nan(s);
  });
}

// pinv(X): the Moore-Penrose pseudo-inverse, m x n -> n x m.
Lowering pinv(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  c.check_work(call, 10 * double(s.rows) * double(s.cols) * double(std::min(s.rows, s.cols)));  // an SVD
  return {Shape{s.cols, s.rows},
          [](Step& st, const mat& x, const mat&) {
            if (!x.is_finite() || !arma::pinv(st.out, x)) fill_nan(st);
          },
          {a[0]}};
}

// chol(X): upper triangular R with R'R = X, X square. Like LAPACK, only the upper triangle of
// X is read (it is mirrored first, so a finite difference on one entry stays well defined).
// Not positive definite: NaN.
Lowering chol(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, c.shape(a[0]), [](Step& s, const mat& x, const mat&) {
    s.work = arma::symmatu(x);
    if (!arma::chol(s.out, s.work)) fill_nan(s);
  });
}

// solve(A, B): X with A X = B; A square with as many rows as B. Singular A: NaN (no least
// squares approximation).
Lowering solve(Compiler& c, const Node& call, const Args& a) {
  const Shape sa = c.shape(a[0]), sb = c.shape(a[1]);
  if (!sa.is_square())
    c.fail("expr.shape", "solve needs a square matrix A, got " + c.describe(call.children[0], a[0]), call);
  if (sa.rows != sb.rows)
    c.fail("expr.shape",
           "solve needs as many rows in B as in A, got " + c.describe(call.children[0], a[0]) + " and " +
               c.describe(call.children[1], a[1]),
           call);
  c.check_work(call, double(sa.rows) * double(sa.rows) * (double(sa.rows) + double(sb.cols)));
  return {Shape{sa.cols, sb.cols},
          [](Step& s, const mat& x, const mat& y) {
            if (!arma::solve(s.out, x, y, arma::solve_opts::no_approx)) fill_nan(s);
          },
          a};
}

// ---------------------------------------------------------------------------------------------
// Rearrangements.

// diag(v) of a vector (either orientation): the n x n matrix with v on its diagonal;
// diag(X) of a matrix: the column of its main diagonal, min(m, n) x 1.
Lowering diag(Compiler& c, const Node&, const Args& a) {
  const Shape s = c.shape(a[0]);
  if (s.is_vector())
    return {Shape{s.numel(), s.numel()},
            [](Step& st, const mat& x, const mat&) {
              st.out.zeros();
              for (uword i = 0; i < x.n_elem; ++i) st.out(i, i) = x[i];
            },
            {a[0]}};
  return {Shape{std::min(s.rows, s.cols), 1},
          [](Step& st, const mat& x, const mat&) {
            for (uword i = 0; i < st.out.n_elem; ++i) st.out[i] = x(i, i);
          },
          {a[0]}};
}

// kron(A, B): the Kronecker product, block (i, j) is A(i, j) * B.
Lowering kron(Compiler& c, const Node&, const Args& a) {
  const Shape sa = c.shape(a[0]), sb = c.shape(a[1]);
  return {Shape{sa.rows * sb.rows, sa.cols * sb.cols},
          [](Step& s, const mat& x, const mat& y) {
            for (uword j = 0; j < x.n_cols; ++j)
              for (uword i = 0; i < x.n_rows; ++i)
                for (uword l = 0; l < y.n_cols; ++l)
                  for (uword k = 0; k < y.n_rows; ++k) s.out(i * y.n_rows + k, j * y.n_cols + l) = x(i, j) * y(k, l);
          },
          a};
}

// Copies the entries in column-major order (vec, reshape).
void copy_entries(Step& s, const mat& x, const mat&) { std::copy(x.begin(), x.end(), s.out.begin()); }

// vec(X): the columns stacked, numel x 1.
Lowering vec(Compiler& c, const Node&, const Args& a) {
  return {Shape{c.shape(a[0]).numel(), 1}, copy_entries, {a[0]}};
}

// reshape(X, r, c): the same entries in column-major order as r x c (r * c = numel(X)).
Lowering reshape(Compiler& c, const Node& call, const Args& a) {
  const Shape to{c.size_argument(call, 1, a[1]), c.size_argument(call, 2, a[2])};
  const Shape from = c.shape(a[0]);
  if (to.numel() != from.numel())
    c.fail("expr.shape",
           "reshape cannot turn " + c.describe(call.children[0], a[0]) + " into " + to.str() + ": " +
               std::to_string(from.numel()) + " entries, not " + std::to_string(to.numel()),
           call);
  return {to, copy_entries, {a[0]}};
}

// repmat(X, r, c): X tiled r times down and c times across.
Lowering repmat(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  const Shape out{s.rows * c.size_argument(call, 1, a[1]), s.cols * c.size_argument(call, 2, a[2])};
  return {out,
          [](Step& st, const mat& x, const mat&) {
            for (uword j = 0; j < st.out.n_cols; ++j)
              for (uword i = 0; i < st.out.n_rows; ++i) st.out(i, j) = x(i % x.n_rows, j % x.n_cols);
          },
          {a[0]}};
}

// tril(X) / triu(X): X with the entries above / below the main diagonal set to 0 (any shape).
template <bool Lower>
Lowering triangle(Compiler& c, const Node&, const Args& a) {
  return {c.shape(a[0]),
          [](Step& s, const mat& x, const mat&) {
            for (uword j = 0; j < x.n_cols; ++j)
              for (uword i = 0; i < x.n_rows; ++i) s.out(i, j) = (Lower ? i >= j : i <= j) ? x(i, j) : 0.0;
          },
          {a[0]}};
}

// transpose(X): X'.
Lowering transpose(Compiler& c, const Node&, const Args& a) {
  const Shape s = c.shape(a[0]);
  return {Shape{s.cols, s.rows}, [](Step& st, const mat& x, const mat&) { st.out = x.t(); }, {a[0]}};
}

// dot(a, b): sum of a(i) * b(i) over two arrays with the same number of entries, any shapes.
Lowering dot(Compiler& c, const Node& call, const Args& a) {
  if (c.shape(a[0]).numel() != c.shape(a[1]).numel())
    c.fail("expr.shape",
           "dot needs two arrays with the same number of entries, got " + c.describe(call.children[0], a[0]) + " and " +
               c.describe(call.children[1], a[1]),
           call);
  return {Shape{1, 1},
          [](Step& s, const mat& x, const mat& y) {
            double t = 0;
            for (uword i = 0; i < x.n_elem; ++i) t += x[i] * y[i];
            s.out[0] = t;
          },
          a};
}

// ---------------------------------------------------------------------------------------------
// Values known at compile time.

// ones / zeros / eye (r, c), or (n) for n x n; sizes are constants made of numbers and dims.
template <int Kind>  // 0 zeros, 1 ones, 2 eye
Lowering filled(Compiler& c, const Node& call, const Args& a) {
  const uword r = c.size_argument(call, 0, a[0]);
  const uword cols = a.size() > 1 ? c.size_argument(call, 1, a[1]) : r;
  c.check_size(call, Shape{r, cols});  // before allocating it
  if (Kind == 0) return Lowering(mat(r, cols, arma::fill::zeros));
  if (Kind == 1) return Lowering(mat(r, cols, arma::fill::ones));
  return Lowering(mat(r, cols, arma::fill::eye));
}

// numel(X), rows(X), cols(X): from the shape alone, so also usable as sizes.
template <int Kind>  // 0 numel, 1 rows, 2 cols
Lowering size_of(Compiler& c, const Node&, const Args& a) {
  const Shape s = c.shape(a[0]);
  return Lowering(mat(1, 1, arma::fill::value(double(Kind == 0 ? s.numel() : Kind == 1 ? s.rows : s.cols))));
}

// pow(X, p): X .^ p, entrywise with broadcasting.
Lowering pow(Compiler& c, const Node& call, const Args& a) {
  return broadcast_call<PowOf>(c, call, a, "the elementwise power");
}

const Function kFunctions[] = {
    // Elementwise.
    GRADCHECK_ELEMENTWISE("exp", std::exp(v)),
    GRADCHECK_ELEMENTWISE("log", std::log(v)),
    GRADCHECK_ELEMENTWISE("sqrt", std::sqrt(v)),
    GRADCHECK_ELEMENTWISE("abs", std::abs(v)),
    GRADCHECK_ELEMENTWISE("tanh", std::tanh(v)),
    GRADCHECK_ELEMENTWISE("sigmoid", sigmoid(v)),
    GRADCHECK_ELEMENTWISE("relu", relu(v)),
    GRADCHECK_ELEMENTWISE("softplus", softplus(v)),
    GRADCHECK_ELEMENTWISE("sin", std::sin(v)),
    GRADCHECK_ELEMENTWISE("cos", std::cos(v)),
    GRADCHECK_ELEMENTWISE("tan", std::tan(v)),
    GRADCHECK_ELEMENTWISE("sinh", std::sinh(v)),
    GRADCHECK_ELEMENTWISE("cosh", std::cosh(v)),
    GRADCHECK_ELEMENTWISE("log1p", std::log1p(v)),
    GRADCHECK_ELEMENTWISE("expm1", std::expm1(v)),
    GRADCHECK_ELEMENTWISE("square", square(v)),
    GRADCHECK_ELEMENTWISE("sign", sign(v)),
    {"pow", 2, 2, pow},
    // Reductions.
    {"sum", 1, 2, reduction<sum_of>},
    {"mean", 1, 2, reduction<mean_of>},
    {"var", 1, 2, reduction<var_of>},
    {"max", 1, 2, extreme<true>},
    {"min", 1, 2, extreme<false>},
    {"cumsum", 1, 2, cumsum},
    {"norm", 1, 2, norm},
    {"dot", 2, 2, dot},
    {"softmax", 1, 1, softmax<false>},
    {"log_softmax", 1, 1, softmax<true>},
    {"logsumexp", 1, 1, logsumexp},
    // Linear algebra.
    {"tr", 1, 1, trace},
    {"trace", 1, 1, trace},
    {"det", 1, 1, det},
    {"logdet", 1, 1, logdet},
    {"inv", 1, 1, inv},
    {"pinv", 1, 1, pinv},
    {"chol", 1, 1, chol},
    {"solve", 2, 2, solve},
    // Rearrangements.
    {"diag", 1, 1, diag},
    {"kron", 2, 2, kron},
    {"vec", 1, 1, vec},
    {"reshape", 3, 3, reshape},
    {"repmat", 3, 3, repmat},
    {"tril", 1, 1, triangle<true>},
    {"triu", 1, 1, triangle<false>},
    {"transpose", 1, 1, transpose},
    // Compile-time values.
    {"ones", 1, 2, filled<1>},
    {"zeros", 1, 2, filled<0>},
    {"eye", 1, 2, filled<2>},
    {"numel", 1, 1, size_of<0>},
    {"rows", 1, 1, size_of<1>},
    {"cols", 1, 1, size_of<2>},
};
#undef GRADCHECK_ELEMENTWISE

}  // namespace

const Function* find_function(std::string_view name) {
  for (const Function& f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace gradcheck::expr
