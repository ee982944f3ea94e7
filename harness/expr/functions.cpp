// SPDX-License-Identifier: MIT
// The built-in functions: for each, its arity, shape rule (with its errors) and kernel.
// Rules see the compiled arguments; size and dimension arguments are folded constants.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "expr/compiler.hpp"
#include "expr/kernels.hpp"
#include "expr/propagate.hpp"

namespace gradcheck::expr {
namespace {

using arma::mat;
using arma::uword;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Scalar functions applied to every entry: the shared table of scalar_functions.hpp (index
// notation applies the same ones).

Lowering elementwise(Compiler& c, const Node& call, const Args& a) {
  const scalar::Function* f = scalar::find(call.name);
  auto k = [](Step& s, const auto& x, const auto&) {
    auto& o = result(s, x);
    if constexpr (std::is_same_v<elem_t<decltype(x)>, double>) s.fn->map_real(x.memptr(), o.memptr(), x.n_elem);
    else s.fn->map_complex(x.memptr(), o.memptr(), x.n_elem);
  };
  Lowering low(c.shape(a[0]), Kernels{k, f->map_complex ? CxKernel(k) : nullptr}, {a[0]});
  low.fn = f;
  low.op = kOpElementwise;
  return low;
}

// ---------------------------------------------------------------------------------------------
// Shared rules.

// Elements of the type of matrix x: T(0) and friends in generic kernels.
#define GRADCHECK_ELEM(x) elem_t<decltype(x)>

[[noreturn]] void not_square(Compiler& c, const Node& call, std::size_t step) {
  c.fail("expr.shape", call.name + " needs a square matrix, got " + c.describe(call.children[0], step), call);
}

// f(X) on a square X, with result shape `out` and kernel k (a generic lambda).
template <class K>
Lowering square_only(Compiler& c, const Node& call, const Args& a, Shape out, K k) {
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
  Lowering low(*out, [](Step& s, const auto& x, const auto& y) { zip(x, y, result(s, x), F{}); }, a);
  low.op = kOpElementwise;
  return low;
}

// The optional dimension argument of sum, mean, var, cumsum: 0 when absent (all entries).
int dim_of(Compiler& c, const Node& call, const Args& a) {
  return a.size() > 1 ? c.dimension_argument(call, 1, a[1]) : 0;
}

// ---------------------------------------------------------------------------------------------
// Reductions. Each reduces `n` entries `stride` apart (see reduce() in kernels.hpp).

struct SumOf {
  template <class T>
  T operator()(const T* x, uword stride, uword n) const {
    T t = 0;
    for (uword i = 0; i < n; ++i) t += x[i * stride];
    return t;
  }
};
struct MeanOf {
  template <class T>
  T operator()(const T* x, uword stride, uword n) const {
    return SumOf{}(x, stride, n) / static_cast<double>(n);
  }
};
// Sample variance (divides by n - 1, as Armadillo); 0 for a single entry. Complex: the squares
// are not conjugated, (x - m)^2.
struct VarOf {
  template <class T>
  T operator()(const T* x, uword stride, uword n) const {
    if (n < 2) return 0;
    const T m = MeanOf{}(x, stride, n);
    T t = 0;
    for (uword i = 0; i < n; ++i) t += (x[i * stride] - m) * (x[i * stride] - m);
    return t / static_cast<double>(n - 1);
  }
};
// Largest (Max) or smallest entry, by the real part; NaN if any entry's real part is NaN.
template <bool Max>
struct ExtremeOf {
  template <class T>
  T operator()(const T* x, uword stride, uword n) const {
    T best = x[0];
    for (uword i = 0; i < n; ++i) {
      const T v = x[i * stride];
      if (std::isnan(re(v))) return v;
      if (Max ? re(v) > re(best) : re(v) < re(best)) best = v;
    }
    return best;
  }
};
// max(A, B) and min(A, B) entrywise, NaN-propagating, by the real part.
struct MaxOf {
  template <class T>
  T operator()(T x, T y) const { return std::isnan(re(x)) || re(x) >= re(y) ? x : y; }
};
struct MinOf {
  template <class T>
  T operator()(T x, T y) const { return std::isnan(re(x)) || re(x) <= re(y) ? x : y; }
};
struct PowOf {
  template <class T>
  T operator()(T x, T y) const { return scalar::power(x, y); }
};

// sum(X), mean(X), var(X): over every entry (1x1); f(X, 1): each column (1 x n);
// f(X, 2): each row (m x 1).
template <class F>
Lowering reduction(Compiler& c, const Node& call, const Args& a) {
  const int dim = dim_of(c, call, a);
  Lowering low(reduced_shape(c.shape(a[0]), dim),
               [](Step& s, const auto& x, const auto&) { reduce(x, static_cast<int>(s.p), result(s, x), F{}); },
               {a[0]}, double(dim));
  if constexpr (std::is_same_v<F, SumOf>) low.op = kOpSum;
  if constexpr (std::is_same_v<F, MeanOf>) low.op = kOpMean;
  if constexpr (std::is_same_v<F, SumOf> || std::is_same_v<F, MeanOf>) low.degree = DegreeRule::kSame;
  return low;
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
          [](Step& s, const auto& x, const auto&) {
            reduce(x, static_cast<int>(s.p), result(s, x), ExtremeOf<Max>{});
          },
          {a[0]},
          double(dim)};
}

// cumsum(X): running sums down each column (a row vector: along the row); cumsum(X, 2) along
// each row, cumsum(X, 1) down each column.
Lowering cumsum(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  const int dim = a.size() > 1 ? dim_of(c, call, a) : (s.rows == 1 ? 2 : 1);
  return {s,
          [](Step& st, const auto& x, const auto&) {
            auto& o = result(st, x);
            o = x;
            if (st.p == 1) {
              for (uword j = 0; j < x.n_cols; ++j)
                for (uword i = 1; i < x.n_rows; ++i) o(i, j) += o(i - 1, j);
            } else {
              for (uword j = 1; j < x.n_cols; ++j)
                for (uword i = 0; i < x.n_rows; ++i) o(i, j) += o(i, j - 1);
            }
          },
          {a[0]},
          double(dim)};
}

// ---------------------------------------------------------------------------------------------
// Column-wise softmax family: one column per sample, shifted by the column max for stability.

// log(sum(exp(x))) over one column, stably, shifted by the entry of largest real part; an
// infinite or NaN max is the answer itself.
template <class T>
T logsumexp_col(const T* x, uword n) {
  const T m = ExtremeOf<true>{}(x, 1, n);
  if (!std::isfinite(re(m))) return m;
  T t = 0;
  for (uword i = 0; i < n; ++i) t += std::exp(x[i] - m);
  return m + std::log(t);
}

// logsumexp(X): m x n -> 1 x n.
Lowering logsumexp(Compiler& c, const Node&, const Args& a) {
  Lowering low{Shape{1, c.shape(a[0]).cols},
               [](Step& s, const auto& x, const auto&) {
                 auto& o = result(s, x);
                 for (uword j = 0; j < x.n_cols; ++j) o[j] = logsumexp_col(x.colptr(j), x.n_rows);
               },
               {a[0]}};
  low.op = kOpLogsumexp;
  return low;
}

// softmax(X) (Log = false) or log_softmax(X) (Log = true), per column; keeps the shape.
template <bool Log>
Lowering softmax(Compiler& c, const Node&, const Args& a) {
  Lowering low{c.shape(a[0]),
               [](Step& s, const auto& x, const auto&) {
                 auto& o = result(s, x);
                 for (uword j = 0; j < x.n_cols; ++j) {
                   const auto lse = logsumexp_col(x.colptr(j), x.n_rows);
                   for (uword i = 0; i < x.n_rows; ++i) o(i, j) = Log ? x(i, j) - lse : std::exp(x(i, j) - lse);
                 }
               },
               {a[0]}};
  low.op = Log ? kOpLogSoftmax : kOpSoftmax;
  return low;
}

// ---------------------------------------------------------------------------------------------
// Norms. norm(x): 2-norm of a vector, Frobenius norm of a matrix (the same formula).
// norm(x, p), p = 1, 2 or inf: for a vector sum |x|, 2-norm, max |x|; for a matrix the induced
// norms: largest column sum of |X|, largest singular value, largest row sum of |X|.

// Complex: sqrt(sum(x.^2)) for the 2-norm (not the modulus), |x| and max by the real part.
template <class T>
T vector_norm(const arma::Mat<T>& x, double p) {
  T t = 0;
  for (const T v : x) {
    const T a = scalar::Abs::value(v);
    if (p == 1) t += a;
    else if (p == kInf) t = std::isnan(re(v)) || re(a) > re(t) ? a : t;
    else t += v * v;
  }
  return p == 1 || p == kInf ? t : std::sqrt(t);
}

// The induced 1-norm (largest column sum of |X|, by the real part) and inf-norm (rows).
template <class T>
T induced_norm(const arma::Mat<T>& x, double p) {
  const uword outer = p == 1 ? x.n_cols : x.n_rows, inner = p == 1 ? x.n_rows : x.n_cols;
  T best = 0;
  for (uword j = 0; j < outer; ++j) {
    T t = 0;
    for (uword i = 0; i < inner; ++i) t += scalar::Abs::value(p == 1 ? x(i, j) : x(j, i));
    if (std::isnan(re(t))) return scalar::nan<T>();
    if (j == 0 || re(t) > re(best)) best = t;
  }
  return best;
}

Lowering norm(Compiler& c, const Node& call, const Args& a) {
  double p = 0;
  if (a.size() > 1) {
    const std::optional<double> v = c.constant(a[1]);
    if (!v || (*v != 1 && *v != 2 && *v != kInf))
      c.fail_span("expr.value", "order argument of norm must be 1, 2 or inf", call.children[1]);
    p = *v;
  }
  if (p == 0 || c.shape(a[0]).is_vector())
    return {Shape{1, 1},
            [](Step& s, const auto& x, const auto&) { result(s, x)[0] = vector_norm(x, s.p == 0 ? 2 : s.p); },
            {a[0]},
            p};
  if (p == 2)  // the largest singular value: an SVD has no complex extension
    return {Shape{1, 1},
            RealOnly{[](Step& s, const mat& x, const mat&) {
              arma::vec sv;  // singular values, largest first
              s.out[0] = x.is_finite() && arma::svd(sv, x) ? sv[0] : kNaN;
            }},
            {a[0]},
            p};
  return {Shape{1, 1}, [](Step& s, const auto& x, const auto&) { result(s, x)[0] = induced_norm(x, s.p); }, {a[0]}, p};
}

// A lowering with its polynomial degree rule (program.hpp): linear maps keep the degree of
// their input (kSame), bilinear ones add their inputs' (kProduct).
Lowering with_degree(Lowering low, DegreeRule degree) {
  low.degree = degree;
  return low;
}

// ---------------------------------------------------------------------------------------------
// Linear algebra. Failures (singular, not positive definite) give NaN entries.

// tr(X): sum of the main diagonal, min(m, n) entries.
Lowering trace(Compiler&, const Node&, const Args& a) {
  return with_degree({Shape{1, 1},
                      [](Step& s, const auto& x, const auto&) {
                        GRADCHECK_ELEM(x) t = 0;
                        for (uword i = 0; i < std::min(x.n_rows, x.n_cols); ++i) t += x(i, i);
                        result(s, x)[0] = t;
                      },
                      {a[0]}},
                     DegreeRule::kSame);
}

// det(X), X square (complex: the LU determinant, no conjugation).
Lowering det(Compiler& c, const Node& call, const Args& a) {
  Lowering low = square_only(c, call, a, Shape{1, 1}, [](Step& s, const auto& x, const auto&) {
    GRADCHECK_ELEM(x) v;
    result(s, x)[0] = arma::det(v, x) ? v : scalar::nan<GRADCHECK_ELEM(x)>();
  });
  low.op = kOpDet;
  return low;
}

// The complex extension of log|det X|: in LU form det X = sign(P) prod u_ii, and
// log|det X| = sum log(u_ii * sign(re u_ii)) (principal logs), holomorphic wherever det X != 0
// (-inf when it is 0). The work buffers hold L and U.
bool complex_log_abs_det(Step& s, const arma::cx_mat& x, cx& out) {
  if (!x.is_finite() || !arma::lu(s.cx_work, s.cx_work2, x)) return false;  // L (permuted), U
  cx t = 0;
  for (uword i = 0; i < x.n_rows; ++i) t += std::log(scalar::Abs::value(s.cx_work2(i, i)));
  out = t;
  return true;
}

// logdet(X) = log(abs(det(X))), X square, via Armadillo's log_det (no overflow); complex: the
// extension of log|det X| above (at a negative determinant it is log(-det X)).
Lowering logdet(Compiler& c, const Node& call, const Args& a) {
  Lowering low = square_only(c, call, a, Shape{1, 1}, [](Step& s, const auto& x, const auto&) {
    using T = GRADCHECK_ELEM(x);
    T v;
    bool ok;
    if constexpr (std::is_same_v<T, double>) {
      double sign;
      ok = arma::log_det(v, sign, x);
    } else {
      ok = complex_log_abs_det(s, x, v);
    }
    result(s, x)[0] = ok ? v : scalar::nan<T>();
  });
  low.op = kOpLogdet;
  return low;
}

// A^-1 B for complex A through its LU factors, P A = L U: X = U^-1 (L^-1 (P B)). Armadillo's inv
// and solve detect symmetric (Hermitian) matrices and then use a Cholesky that conjugates, which
// is wrong for the complex-symmetric matrices of complex step (X'X + i h ...): the triangular
// solves here never look at symmetry. False when A is singular.
bool complex_lu_solve(const arma::cx_mat& a, const arma::cx_mat& b, arma::cx_mat& out) {
  arma::cx_mat l, u, p;
  if (!a.is_finite() || !b.is_finite() || !arma::lu(l, u, p, a)) return false;
  for (arma::uword i = 0; i < u.n_rows; ++i)
    if (u(i, i) == cx(0.0)) return false;
  arma::cx_mat y;
  if (!arma::solve(y, arma::trimatl(l), p * b, arma::solve_opts::no_approx)) return false;
  return arma::solve(out, arma::trimatu(u), y, arma::solve_opts::no_approx);
}

// inv(X), X square.
Lowering inv(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, c.shape(a[0]), [](Step& s, const auto& x, const auto&) {
    using T = GRADCHECK_ELEM(x);
    bool ok;
    if constexpr (std::is_same_v<T, cx>) {
      ok = complex_lu_solve(x, arma::eye<arma::cx_mat>(x.n_rows, x.n_rows), result(s, x));
    } else {
      ok = arma::inv(result(s, x), x);
    }
    if (!ok) fill_nan<T>(s);
  });
}

// pinv(X): the Moore-Penrose pseudo-inverse, m x n -> n x m. Through an SVD: no complex
// extension.
Lowering pinv(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  c.check_work(call, 10 * double(s.rows) * double(s.cols) * double(std::min(s.rows, s.cols)));  // an SVD
  return {Shape{s.cols, s.rows},
          RealOnly{[](Step& st, const mat& x, const mat&) {
            if (!x.is_finite() || !arma::pinv(st.out, x)) fill_nan(st);
          }},
          {a[0]}};
}

// The complex Cholesky factor: upper triangular R with R.' R = X (transposed, NOT conjugated:
// the extension of the real factor to complex symmetric X), reading the upper triangle of X.
// Fails (false) when a pivot's real part is not positive, as the real factorisation would.
bool complex_cholesky(const arma::cx_mat& x, arma::cx_mat& r) {
  const uword n = x.n_rows;
  r.zeros(n, n);
  for (uword j = 0; j < n; ++j) {
    for (uword i = 0; i <= j; ++i) {
      cx t = x(i, j);
      for (uword k = 0; k < i; ++k) t -= r(k, i) * r(k, j);
      if (i < j) {
        r(i, j) = t / r(i, i);
      } else {
        if (!(t.real() > 0) || !std::isfinite(t.imag())) return false;
        r(j, j) = std::sqrt(t);
      }
    }
  }
  return true;
}

// chol(X): upper triangular R with R'R = X, X square. Like LAPACK, only the upper triangle of
// X is read (it is mirrored first, so a finite difference on one entry stays well defined).
// Not positive definite: NaN.
Lowering chol(Compiler& c, const Node& call, const Args& a) {
  return square_only(c, call, a, c.shape(a[0]), [](Step& s, const auto& x, const auto&) {
    using T = GRADCHECK_ELEM(x);
    bool ok;
    if constexpr (std::is_same_v<T, double>) {
      s.work = arma::symmatu(x);
      ok = arma::chol(s.out, s.work);
    } else {
      ok = complex_cholesky(x, s.cx_out);
    }
    if (!ok) fill_nan<T>(s);
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
          [](Step& s, const auto& x, const auto& y) {
            using T = GRADCHECK_ELEM(x);
            bool ok;
            if constexpr (std::is_same_v<T, cx>) {
              ok = complex_lu_solve(x, y, result(s, x));
            } else {
              ok = arma::solve(result(s, x), x, y, arma::solve_opts::no_approx);
            }
            if (!ok) fill_nan<T>(s);
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
    return with_degree({Shape{s.numel(), s.numel()},
                        [](Step& st, const auto& x, const auto&) {
                          auto& o = result(st, x);
                          o.zeros();
                          for (uword i = 0; i < x.n_elem; ++i) o(i, i) = x[i];
                        },
                        {a[0]}},
                       DegreeRule::kSame);
  return with_degree({Shape{std::min(s.rows, s.cols), 1},
                      [](Step& st, const auto& x, const auto&) {
                        auto& o = result(st, x);
                        for (uword i = 0; i < o.n_elem; ++i) o[i] = x(i, i);
                      },
                      {a[0]}},
                     DegreeRule::kSame);
}

// kron(A, B): the Kronecker product, block (i, j) is A(i, j) * B.
Lowering kron(Compiler& c, const Node&, const Args& a) {
  const Shape sa = c.shape(a[0]), sb = c.shape(a[1]);
  return with_degree({Shape{sa.rows * sb.rows, sa.cols * sb.cols},
                      [](Step& s, const auto& x, const auto& y) {
                        auto& o = result(s, x);
                        o.set_size(x.n_rows * y.n_rows, x.n_cols * y.n_cols);  // (the raw writes below stay inside)
                        for (uword j = 0; j < x.n_cols; ++j)
                          for (uword i = 0; i < x.n_rows; ++i) {
                            const auto xij = x.at(i, j);
                            for (uword l = 0; l < y.n_cols; ++l) {
                              auto* to = o.colptr(j * y.n_cols + l) + i * y.n_rows;
                              const auto* from = y.colptr(l);
                              for (uword k = 0; k < y.n_rows; ++k) to[k] = xij * from[k];
                            }
                          }
                      },
                      a},
                     DegreeRule::kProduct);
}

// Copies the entries in column-major order (vec, reshape).
constexpr auto copy_entries = [](Step& s, const auto& x, const auto&) {
  std::copy(x.begin(), x.end(), result(s, x).begin());
};

// vec(X): the columns stacked, numel x 1.
Lowering vec(Compiler& c, const Node&, const Args& a) {
  return with_degree({Shape{c.shape(a[0]).numel(), 1}, copy_entries, {a[0]}}, DegreeRule::kSame);
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
  return with_degree({to, copy_entries, {a[0]}}, DegreeRule::kSame);
}

// repmat(X, r, c): X tiled r times down and c times across.
Lowering repmat(Compiler& c, const Node& call, const Args& a) {
  const Shape s = c.shape(a[0]);
  const Shape out{s.rows * c.size_argument(call, 1, a[1]), s.cols * c.size_argument(call, 2, a[2])};
  return with_degree({out,
                      [](Step& st, const auto& x, const auto&) {
                        auto& o = result(st, x);
                        for (uword j = 0; j < o.n_cols; ++j)
                          for (uword i = 0; i < o.n_rows; ++i) o(i, j) = x(i % x.n_rows, j % x.n_cols);
                      },
                      {a[0]}},
                     DegreeRule::kSame);
}

// tril(X) / triu(X): X with the entries above / below the main diagonal set to 0 (any shape).
template <bool Lower>
Lowering triangle(Compiler& c, const Node&, const Args& a) {
  return with_degree({c.shape(a[0]),
                      [](Step& s, const auto& x, const auto&) {
                        using T = GRADCHECK_ELEM(x);
                        auto& o = result(s, x);
                        for (uword j = 0; j < x.n_cols; ++j)
                          for (uword i = 0; i < x.n_rows; ++i) o(i, j) = (Lower ? i >= j : i <= j) ? x(i, j) : T(0);
                      },
                      {a[0]}},
                     DegreeRule::kSame);
}

// transpose(X): X' (never conjugated).
Lowering transpose(Compiler& c, const Node&, const Args& a) {
  const Shape s = c.shape(a[0]);
  return with_degree({Shape{s.cols, s.rows}, [](Step& st, const auto& x, const auto&) { result(st, x) = x.st(); }, {a[0]}},
                     DegreeRule::kSame);
}

// dot(a, b): sum of a(i) * b(i) over two arrays with the same number of entries, any shapes
// (complex: not conjugated).
Lowering dot(Compiler& c, const Node& call, const Args& a) {
  if (c.shape(a[0]).numel() != c.shape(a[1]).numel())
    c.fail("expr.shape",
           "dot needs two arrays with the same number of entries, got " + c.describe(call.children[0], a[0]) + " and " +
               c.describe(call.children[1], a[1]),
           call);
  return with_degree({Shape{1, 1},
                      [](Step& s, const auto& x, const auto& y) {
                        GRADCHECK_ELEM(x) t = 0;
                        for (uword i = 0; i < x.n_elem; ++i) t += x[i] * y[i];
                        result(s, x)[0] = t;
                      },
                      a},
                     DegreeRule::kProduct);
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

// commutation(m, n): the mn x mn commutation matrix K with K vec(A) = vec(A') for every m x n A.
// vec stacks columns, so vec(A)[i + m j] = A(i,j) = A'(j,i) = vec(A')[j + n i]: K(j + n i, i + m j) = 1,
// every other entry 0. K is a permutation: K(m, n)' = K(n, m) = inv(K(m, n)), and K(m, 1) = eye(m).
Lowering commutation(Compiler& c, const Node& call, const Args& a) {
  const uword m = c.size_argument(call, 0, a[0]);
  const uword n = c.size_argument(call, 1, a[1]);
  c.check_size(call, Shape{m * n, m * n});  // before allocating it
  mat k(m * n, m * n, arma::fill::zeros);
  for (uword i = 0; i < m; ++i)
    for (uword j = 0; j < n; ++j) k(j + n * i, i + m * j) = 1;
  return Lowering(k);
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
    // Elementwise: the scalar functions of scalar_functions.hpp come first (see find_function).
    {"pow", 2, 2, pow},
    // Reductions.
    {"sum", 1, 2, reduction<SumOf>},
    {"mean", 1, 2, reduction<MeanOf>},
    {"var", 1, 2, reduction<VarOf>},
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
    {"commutation", 2, 2, commutation},
    {"numel", 1, 1, size_of<0>},
    {"rows", 1, 1, size_of<1>},
    {"cols", 1, 1, size_of<2>},
};
#undef GRADCHECK_ELEM

// The scalar functions of the shared table, then the others.
const std::vector<Function>& all_functions() {
  static const std::vector<Function> all = [] {
    std::vector<Function> v;
    for (const scalar::Function& f : scalar::functions()) v.push_back(Function{f.name, 1, 1, elementwise});
    v.insert(v.end(), std::begin(kFunctions), std::end(kFunctions));
    return v;
  }();
  return all;
}

}  // namespace

bool can_kink(std::string_view name) {
  static constexpr std::string_view kKinked[] = {"abs", "relu", "sign", "max", "min", "norm", "pinv"};
  return std::find(std::begin(kKinked), std::end(kKinked), name) != std::end(kKinked);
}

const Function* find_function(std::string_view name) {
  for (const Function& f : all_functions())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace gradcheck::expr
