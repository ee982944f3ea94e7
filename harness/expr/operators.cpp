// SPDX-License-Identifier: MIT
// The operators: shape rules (with their error messages) and kernels.
#include <cmath>
#include <cstdint>
#include <functional>

#include "expr/compiler.hpp"
#include "expr/kernels.hpp"
#include "expr/propagate.hpp"

namespace gradcheck::expr {
namespace {

// The kernel applying f entrywise with broadcasting (see kernels.hpp), real and complex.
template <class F>
Kernels zip_kernel() {
  auto k = [](Step& s, const auto& a, const auto& b) { zip(a, b, result(s, a), F{}); };
  return Kernels{k, k, &strided_zip<F>};
}

struct Pow {
  template <class T>
  T operator()(T x, T y) const { return scalar::power(x, y); }
};
template <class Cmp>
struct Compare {  // comparisons give 1 or 0, deciding on the real parts
  template <class T>
  T operator()(T x, T y) const { return Cmp{}(re(x), re(y)) ? T(1) : T(0); }
};

// A square matrix to an integer power k by repeated squaring: k = 0 gives the identity and a
// negative k the power of the inverse. A non-integer k (only possible when the exponent depends
// on a variable; complex: an exponent with an imaginary part) or a singular matrix with k < 0
// gives NaN.
template <class T>
void matrix_power(Step& s, const arma::Mat<T>& a, const arma::Mat<T>& b) {
  double k = re(b[0]);
  if (!std::isfinite(k) || k != std::floor(k) || std::abs(k) > 1e18 || scalar::im(b[0]) != 0) return fill_nan<T>(s);
  arma::Mat<T>& base = detail::work<T>(s);
  arma::Mat<T>& tmp = detail::work2<T>(s);
  arma::Mat<T>& out = detail::out<T>(s);
  if (k < 0) {
    if (!arma::inv(base, a)) return fill_nan<T>(s);
    k = -k;
  } else {
    base = a;
  }
  out.eye(s.shape.rows, s.shape.cols);
  for (auto e = static_cast<std::uint64_t>(k); e > 0; e >>= 1) {
    if (e & 1) {
      tmp = out * base;
      out.swap(tmp);
    }
    if (e > 1) {
      tmp = base * base;
      base.swap(tmp);
    }
  }
}

// The phrase naming an elementwise operation in a shape error: "cannot <verb A and B>".
std::string elementwise_phrase(Tok op, const std::string& a, const std::string& b) {
  switch (op) {
    case Tok::Plus: return "cannot add " + a + " and " + b;
    case Tok::Minus: return "cannot subtract " + b + " from " + a;
    case Tok::DotStar: return "cannot multiply " + a + " and " + b + " elementwise";
    case Tok::DotSlash: return "cannot divide " + a + " by " + b + " elementwise";
    case Tok::DotCaret: return "cannot raise " + a + " to the power " + b + " elementwise";
    default: return "cannot compare " + a + " and " + b;
  }
}

Kernels elementwise_kernel(Tok op) {
  switch (op) {
    case Tok::Plus: return zip_kernel<std::plus<>>();
    case Tok::Minus: return zip_kernel<std::minus<>>();
    case Tok::DotStar: return zip_kernel<std::multiplies<>>();
    case Tok::DotSlash: return zip_kernel<std::divides<>>();
    case Tok::DotCaret: return zip_kernel<Pow>();
    case Tok::Less: return zip_kernel<Compare<std::less<>>>();
    case Tok::LessEq: return zip_kernel<Compare<std::less_equal<>>>();
    case Tok::Greater: return zip_kernel<Compare<std::greater<>>>();
    default: return zip_kernel<Compare<std::greater_equal<>>>();
  }
}

// An elementwise lowering: marked so that propagation recomputes only the changed entries.
template <class K>
Lowering elementwise_lowering(Shape shape, K k, Args inputs, double p = 0, DegreeRule degree = DegreeRule::kNone) {
  Lowering low(shape, k, std::move(inputs), p);
  low.op = kOpElementwise;
  low.degree = degree;
  return low;
}

// The polynomial degree rule of an elementwise operator (program.hpp).
DegreeRule elementwise_degree(Tok op) {
  switch (op) {
    case Tok::Plus:
    case Tok::Minus: return DegreeRule::kMax;
    case Tok::DotStar: return DegreeRule::kProduct;
    case Tok::DotSlash: return DegreeRule::kQuotient;
    default: return DegreeRule::kNone;  // .^ with a non-integer or variable exponent, comparisons
  }
}

// x .^ k (and x ^ k for a scalar x) for a constant integer k, |k| <= kMaxIntegerPower: by
// repeated multiplication (scalar::integer_power: k = 2 is x * x, k = 3 is x * x * x, k < 0 is
// 1 / x^|k|) instead of std::pow, which costs tens of multiplications. Rounding: at most
// about log2|k| + 1 ulps apart from std::pow's (about 1 ulp), for the real and complex kernels.
constexpr double kMaxIntegerPower = 64;
std::optional<Lowering> integer_power(Compiler& c, std::size_t a, std::size_t b) {
  const std::optional<double> k = c.constant(b);
  if (!k || *k != std::floor(*k) || std::abs(*k) > kMaxIntegerPower) return std::nullopt;
  auto kernel = [](Step& s, const auto& x, const auto&) {
    // k = 2 written out: integer_power(v, 2) is 1 * (v * v), the same bits.
    if (s.p == 2) map(x, result(s, x), [](auto v) { return v * v; });
    else map(x, result(s, x), [k = s.p](auto v) { return scalar::integer_power(v, k); });
  };
  struct Entry {  // the same, entry by entry (the strided form)
    double operator()(double v, double k) const { return k == 2 ? v * v : scalar::integer_power(v, k); }
  };
  return elementwise_lowering(c.shape(a), Kernels{kernel, kernel, &strided_map<Entry>}, {a}, *k, DegreeRule::kPower);
}

Lowering lower_binary(Compiler& c, const Node& n, std::size_t a, std::size_t b) {
  const Shape sa = c.shape(a), sb = c.shape(b);
  auto A = [&] { return c.describe(n.children[0], a); };
  auto B = [&] { return c.describe(n.children[1], b); };
  switch (n.op) {
    case Tok::Star:  // matrix product; a scalar on either side scales
      if (sa.is_scalar() || sb.is_scalar())
        return elementwise_lowering(sa.is_scalar() ? sb : sa, zip_kernel<std::multiplies<>>(), {a, b}, 0,
                                    DegreeRule::kProduct);
      if (sa.cols != sb.rows)
        c.fail("expr.shape",
               "cannot multiply " + A() + " by " + B() + ": inner sizes " + std::to_string(sa.cols) + " and " +
                   std::to_string(sb.rows),
               n);
      c.check_work(n, double(sa.rows) * double(sa.cols) * double(sb.cols));
      {
        Lowering low(Shape{sa.rows, sb.cols}, [](Step& s, const auto& x, const auto& y) { result(s, x) = x * y; },
                     {a, b});
        low.op = kOpMatmul;
        low.degree = DegreeRule::kProduct;
        return low;
      }
    case Tok::Slash:  // division by a scalar only
      if (!sb.is_scalar())
        c.fail("expr.shape",
               "cannot divide " + A() + " by " + B() +
                   ": '/' needs a scalar divisor; use ./ to divide elementwise, or solve/inv for matrices",
               n);
      return elementwise_lowering(sa, zip_kernel<std::divides<>>(), {a, b}, 0, DegreeRule::kQuotient);
    case Tok::Caret: {  // scalar power, or a square matrix to an integer power
      if (!sb.is_scalar())
        c.fail("expr.shape",
               "cannot raise " + A() + " to the power " + B() +
                   ": the exponent of '^' must be a scalar; use .^ for elementwise powers",
               n);
      if (sa.is_scalar()) {
        if (std::optional<Lowering> low = integer_power(c, a, b)) return *low;
        return elementwise_lowering(sa, zip_kernel<Pow>(), {a, b});
      }
      if (!sa.is_square())
        c.fail("expr.shape",
               "cannot raise " + A() +
                   " to a power: '^' needs a scalar or a square matrix; use .^ for "
                   "elementwise powers",
               n);
      if (auto k = c.constant(b); k && *k != std::floor(*k))
        c.fail(
            "expr.value",
            "cannot raise " + A() + " to the power " + format_number(*k) + ": a matrix power needs an integer exponent",
            n);
      {
        // Two products per bit of the exponent (an exponent not known here has at most 60 bits).
        const std::optional<double> k = c.constant(b);
        const double bits = k ? std::floor(std::log2(std::max(1.0, std::abs(*k)))) + 1 : 60;
        const double n3 = double(sa.rows) * double(sa.rows) * double(sa.rows);
        c.check_work(n, 2 * bits * n3);
      }
      return {sa, [](Step& s, const auto& x, const auto& y) { matrix_power(s, x, y); }, {a, b}};
    }
    default: {  // elementwise with broadcasting: + - .* ./ .^ and the comparisons
      const std::optional<Shape> out = broadcast_shape(sa, sb);
      if (!out) c.fail("expr.shape", elementwise_phrase(n.op, A(), B()) + ": shapes differ and neither broadcasts", n);
      if (n.op == Tok::DotCaret && sb.is_scalar())
        if (std::optional<Lowering> low = integer_power(c, a, b)) return *low;
      Lowering low = elementwise_lowering(*out, elementwise_kernel(n.op), {a, b}, 0, elementwise_degree(n.op));
      low.product = n.op == Tok::DotStar && sa == sb;
      // The comparisons jump where their sides meet.
      low.kinked = n.op == Tok::Less || n.op == Tok::LessEq || n.op == Tok::Greater || n.op == Tok::GreaterEq;
      return low;
    }
  }
}

}  // namespace

Lowering lower_operator(Compiler& c, const Node& n, const Args& args) {
  const std::size_t a = args[0];
  const Shape sa = c.shape(a);
  switch (n.kind) {
    case Node::Unary:  // -x negates every entry (unary + never gets here)
      return elementwise_lowering(
          sa, [](Step& s, const auto& x, const auto&) { map(x, result(s, x), std::negate<>()); }, {a}, 0,
          DegreeRule::kSame);
    case Node::Transpose: {  // x' and x.T; never conjugates
      Lowering low(Shape{sa.cols, sa.rows}, [](Step& s, const auto& x, const auto&) { result(s, x) = x.st(); }, {a});
      low.op = kOpTranspose;
      low.degree = DegreeRule::kSame;
      return low;
    }
    default: return lower_binary(c, n, a, args[1]);
  }
}

}  // namespace gradcheck::expr
