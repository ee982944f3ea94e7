// SPDX-License-Identifier: MIT
// The one table of elementwise scalar functions (exp, log, relu, ...), shared by the expression
// language's elementwise kernels and by index notation, so the two cannot disagree (NaN included).
//
// Each function is written once, as a template over the element type: T = double is the real
// function, T = std::complex<double> its holomorphic extension, used for complex-step
// differentiation. The rules of the extension:
//   - analytic functions extend holomorphically, in numerically stable forms;
//   - whatever branches (abs, relu, sign, the stable forms of sigmoid and softplus) decides on the
//     REAL part: abs(z) = z * sign(re z), relu(z) = z * (re z > 0);
//   - where the real function is undefined (log, sqrt of re z < 0, log1p of re z < -1) the
//     extension is NaN too, so that its real part is the real function whenever the imaginary
//     part is 0 (the principal branch would give a finite value there);
//   - at a real argument (imaginary part 0) the real part is the real value, bit for bit where
//     the forms allow (log1p, expm1, pow are written so that it is).
#pragma once

#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gradcheck::scalar {

using cx = std::complex<double>;

inline double re(double x) { return x; }
inline double re(const cx& z) { return z.real(); }
inline double im(double) { return 0; }
inline double im(const cx& z) { return z.imag(); }

template <class T>
inline constexpr bool is_complex = std::is_same_v<T, cx>;

// NaN of the element type (both parts NaN for a complex number).
template <class T>
T nan() {
  constexpr double n = std::numeric_limits<double>::quiet_NaN();
  if constexpr (is_complex<T>)
    return cx(n, n);
  else
    return n;
}

// ---------------------------------------------------------------------------------------------
// Binary operations shared by both languages.

// z^n for an integer n (|n| <= 1e18) by repeated squaring; a negative n is 1 / z^|n|.
template <class T>
T integer_power(T z, double n) {
  const bool negative = n < 0;
  auto e = static_cast<std::uint64_t>(negative ? -n : n);
  T r(1), b = z;
  for (; e > 0; e >>= 1) {
    if (e & 1) r *= b;
    if (e > 1) b *= b;
  }
  return negative ? T(1) / r : r;
}

// x^y. Real: std::pow. Complex, for a real exponent p (the usual case: x .^ 2, x ^ 0.5):
// writing x = a (1 + i t), x^p = a^p (1 + i t)^p with a^p from std::pow, which is exact at a
// real x, the principal branch for a > 0, right for a < 0 when p is an integer (so negative bases
// work) and NaN for a < 0 otherwise, as the real function. A complex exponent (it depends on a
// variable) adds x^(i q) = exp(i q log x), defined for re x > 0 (and x = 0); NaN for re x < 0,
// where x^y has no derivative in y.
template <class T>
T power(T x, T y) {
  if constexpr (!is_complex<T>) {
    return std::pow(x, y);
  } else {
    const double a = x.real(), b = x.imag(), p = y.real(), q = y.imag();
    cx real_exponent;
    if (b == 0) {
      real_exponent = cx(std::pow(a, p), 0);
    } else if (a != 0 && std::abs(b) <= std::abs(a)) {
      const double t = b / a;
      real_exponent = std::pow(a, p) * std::exp(p * cx(0.5 * std::log1p(t * t), std::atan(t)));
    } else if (p == std::floor(p) && std::abs(p) <= 1e18) {
      real_exponent = integer_power(x, p);
    } else if (a < 0) {
      return nan<cx>();
    } else {
      real_exponent = std::exp(p * std::log(x));
    }
    if (q == 0) return real_exponent;
    if (a == 0 && b == 0) return cx(std::pow(0.0, p), 0);
    if (a < 0) return nan<cx>();
    return real_exponent * std::exp(cx(0, q) * std::log(x));
  }
}

// ---------------------------------------------------------------------------------------------
// The functions. Each is a type with `name`, `derivative` (see Function) and value<T>(x).

struct Exp {
  static constexpr const char* name = "exp";
  static constexpr const char* derivative = "exp(x)";
  template <class T>
  static T value(T x) {
    return std::exp(x);
  }
};

struct Log {
  static constexpr const char* name = "log";
  static constexpr const char* derivative = "1 ./ x";
  template <class T>
  static T value(T x) {
    if constexpr (is_complex<T>)
      if (x.real() < 0) return nan<T>();
    return std::log(x);
  }
};

struct Sqrt {
  static constexpr const char* name = "sqrt";
  static constexpr const char* derivative = "0.5 ./ sqrt(x)";
  template <class T>
  static T value(T x) {
    if constexpr (is_complex<T>)
      if (x.real() < 0) return nan<T>();
    return std::sqrt(x);
  }
};

// |x|; complex: z * sign(re z) (0 at re z = 0, NaN at re z = NaN).
struct Abs {
  static constexpr const char* name = "abs";
  static constexpr const char* derivative = "sign(x)";
  template <class T>
  static T value(T x) {
    if constexpr (is_complex<T>) {
      if (x.real() > 0) return x;
      if (x.real() < 0) return -x;
      return T(std::abs(x.real()));
    } else {
      return std::abs(x);
    }
  }
};

struct Tanh {
  static constexpr const char* name = "tanh";
  static constexpr const char* derivative = "1 - tanh(x) .^ 2";
  template <class T>
  static T value(T x) {
    return std::tanh(x);
  }
};

// Stable logistic: never exponentiates a number of positive real part.
struct Sigmoid {
  static constexpr const char* name = "sigmoid";
  static constexpr const char* derivative = "sigmoid(x) .* (1 - sigmoid(x))";
  template <class T>
  static T value(T x) {
    if (re(x) >= 0) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
  }
};

// max(x, 0) by the real part, keeping NaN.
struct Relu {
  static constexpr const char* name = "relu";
  static constexpr const char* derivative = "x > 0";
  template <class T>
  static T value(T x) {
    return re(x) < 0 ? T(0) : x;
  }
};

// Stable log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), max and |x| by the real part.
struct Softplus {
  static constexpr const char* name = "softplus";
  static constexpr const char* derivative = "sigmoid(x)";
  template <class T>
  static T value(T x);
};

struct Sin {
  static constexpr const char* name = "sin";
  static constexpr const char* derivative = "cos(x)";
  template <class T>
  static T value(T x) {
    return std::sin(x);
  }
};

struct Cos {
  static constexpr const char* name = "cos";
  static constexpr const char* derivative = "-sin(x)";
  template <class T>
  static T value(T x) {
    return std::cos(x);
  }
};

struct Tan {
  static constexpr const char* name = "tan";
  static constexpr const char* derivative = "1 + tan(x) .^ 2";
  template <class T>
  static T value(T x) {
    return std::tan(x);
  }
};

struct Sinh {
  static constexpr const char* name = "sinh";
  static constexpr const char* derivative = "cosh(x)";
  template <class T>
  static T value(T x) {
    return std::sinh(x);
  }
};

struct Cosh {
  static constexpr const char* name = "cosh";
  static constexpr const char* derivative = "sinh(x)";
  template <class T>
  static T value(T x) {
    return std::cosh(x);
  }
};

// log(1 + x). Complex, u = 1 + re z: log|1 + z| = log1p(re z) + log1p((im z / u)^2) / 2, so the
// real part is log1p(re z) itself at a real argument and accurate near 0.
struct Log1p {
  static constexpr const char* name = "log1p";
  static constexpr const char* derivative = "1 ./ (1 + x)";
  template <class T>
  static T value(T x) {
    if constexpr (is_complex<T>) {
      const double a = x.real(), b = x.imag();
      if (a < -1) return nan<T>();
      const double u = 1 + a;
      if (b == 0) return cx(std::log1p(a), b);
      if (std::abs(b) <= std::abs(u)) {
        const double t = b / u;
        return cx(std::log1p(a) + 0.5 * std::log1p(t * t), std::atan2(b, u));
      }
      return cx(std::log(std::hypot(u, b)), std::atan2(b, u));
    } else {
      return std::log1p(x);
    }
  }
};

// exp(x) - 1. Complex: expm1(a) cos b - 2 sin^2(b/2) + i e^a sin b, exact at b = 0.
struct Expm1 {
  static constexpr const char* name = "expm1";
  static constexpr const char* derivative = "exp(x)";
  template <class T>
  static T value(T x) {
    if constexpr (is_complex<T>) {
      const double a = x.real(), b = x.imag();
      if (b == 0) return cx(std::expm1(a), b);
      const double s = std::sin(b / 2);
      return cx(std::expm1(a) * std::cos(b) - 2 * s * s, std::exp(a) * std::sin(b));
    } else {
      return std::expm1(x);
    }
  }
};

struct Square {
  static constexpr const char* name = "square";
  static constexpr const char* derivative = "2 * x";
  template <class T>
  static T value(T x) {
    return x * x;
  }
};

// -1, 0 or 1 by the real part (0 and NaN stay themselves); its imaginary part is 0.
struct Sign {
  static constexpr const char* name = "sign";
  static constexpr const char* derivative = "0 * x";
  template <class T>
  static T value(T x) {
    const double r = re(x);
    return T(r > 0 ? 1.0 : r < 0 ? -1.0 : r);
  }
};

template <class T>
T Softplus::value(T x) {
  return (re(x) < 0 ? T(0) : x) + Log1p::value(std::exp(-Abs::value(x)));
}

// ---------------------------------------------------------------------------------------------
// The table.

struct Function {
  const char* name;
  double (*real)(double);
  cx (*complex)(cx);  // the holomorphic extension; nullptr if there is none
  // The same over n entries, the loop inlined (the expression language's elementwise kernels).
  void (*map_real)(const double* x, double* y, std::size_t n);
  void (*map_complex)(const cx* x, cx* y, std::size_t n);  // nullptr when complex is
  // The derivative f'(x), written in the expression language, elementwise in a variable named x
  // ("exp(x)"; "x > 0" for relu): the slot of the symbolic differentiation; nullptr when unknown.
  // Evaluation never reads it.
  const char* derivative;
};

// Every scalar function, in a fixed order.
const std::vector<Function>& functions();
// The function called `name`, or nullptr.
const Function* find(std::string_view name);

// expm1 and log1p for arguments that are nearly always tiny: the rank-one rule of the softmax
// family (propagate.cpp) moves a column by d_j = h x_jk with h near 6e-6, so |d| and |t| are about
// 1e-6. There the Taylor polynomials truncated after u^5,
//     expm1(u) = u (1 + u (1/2 + u (1/6 + u (1/24 + u / 120))))      (truncation < |u|^6 / 720)
//     log1p(u) = u (1 + u (-1/2 + u (1/3 + u (-1/4 + u / 5))))      (truncation < |u|^6 / 6)
// are within 2^-62 |u| of the function for |u| <= 2^-12 (|u|^5 / 6 <= 2^-62.5, a 2^-9 of an ulp)
// and Horner's rounding adds an ulp: libm's accuracy for a fraction of its cost. Elsewhere, and
// for complex arguments (the complex step), the functions of the table.
inline constexpr double kNearZero = 0x1p-12;
// The polynomials alone (for |u| <= kNearZero; a caller that evaluates them everywhere, branch-
// free, takes the functions where |u| is beyond it).
inline double expm1_polynomial(double u) {
  return u * (1.0 + u * (1.0 / 2 + u * (1.0 / 6 + u * (1.0 / 24 + u * (1.0 / 120)))));
}
inline double log1p_polynomial(double u) {
  return u * (1.0 + u * (-1.0 / 2 + u * (1.0 / 3 + u * (-1.0 / 4 + u * (1.0 / 5)))));
}
inline double expm1_near_zero(double u) {
  if (!(std::abs(u) <= kNearZero)) return std::expm1(u);
  return expm1_polynomial(u);
}
inline double log1p_near_zero(double u) {
  if (!(std::abs(u) <= kNearZero)) return std::log1p(u);
  return log1p_polynomial(u);
}
inline cx expm1_near_zero(const cx& u) { return Expm1::value(u); }
inline cx log1p_near_zero(const cx& u) { return Log1p::value(u); }

}  // namespace gradcheck::scalar
