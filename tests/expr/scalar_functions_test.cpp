// SPDX-License-Identifier: MIT
// Tests of harness/expr/scalar_functions.cpp (and its header): the one table of scalar functions
// shared by the expression language and index notation. Each function's complex extension is
// checked by the complex step against the derivative written in the table (evaluated by the
// expression language), and against its real value at real arguments.
#include "expr/scalar_functions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"

using namespace gradcheck;
using scalar::cx;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Points inside the domain of f where it is smooth (away from 0 for the kinks of abs, relu, sign).
std::vector<double> smooth_points(const std::string& f) {
  if (f == "log" || f == "sqrt") return {1e-3, 0.2, 0.9, 1, 3.5, 40};
  if (f == "log1p") return {-0.9, -0.3, -1e-9, 1e-9, 0.4, 7, 1e4};
  if (f == "tan") return {-1.2, -0.4, 0.1, 0.7, 1.3};
  return {-35, -4, -1.2, -0.4, -1e-5, 1e-5, 0.3, 1.1, 2.7, 6, 35};
}

double rel_err(double got, double want) { return std::abs(got - want) / std::max(1.0, std::abs(want)); }

}  // namespace

TEST(ScalarFunctions, TableIsCompleteAndNamesAreUnique) {
  std::set<std::string> names;
  for (const scalar::Function& f : scalar::functions()) {
    SCOPED_TRACE(f.name);
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate " << f.name;
    EXPECT_NE(f.real, nullptr);
    EXPECT_NE(f.complex, nullptr);
    EXPECT_NE(f.map_real, nullptr);
    EXPECT_NE(f.map_complex, nullptr);
    EXPECT_NE(f.derivative, nullptr);
    EXPECT_EQ(scalar::find(f.name), &f);
  }
  for (const char* name : {"exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "tan",
                           "sinh", "cosh", "log1p", "expm1", "square", "sign"})
    EXPECT_NE(scalar::find(name), nullptr) << name;
  EXPECT_EQ(scalar::find("pinv"), nullptr);
  EXPECT_EQ(scalar::find(""), nullptr);
}

TEST(ScalarFunctions, MapsApplyTheScalarFunction) {
  const std::vector<double> x = {-kInf, -3, -0.5, -0.0, 0, 0.25, 2, kInf, kNaN};
  for (const scalar::Function& f : scalar::functions()) {
    SCOPED_TRACE(f.name);
    std::vector<double> y(x.size());
    f.map_real(x.data(), y.data(), x.size());
    std::vector<cx> z, w(x.size());
    for (double v : x) z.emplace_back(v, 0.5);
    f.map_complex(z.data(), w.data(), z.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double want = f.real(x[i]);
      if (std::isnan(want)) EXPECT_TRUE(std::isnan(y[i])) << x[i];
      else EXPECT_EQ(y[i], want) << x[i];
      const cx cw = f.complex(z[i]);
      EXPECT_TRUE((std::isnan(cw.real()) && std::isnan(w[i].real())) || cw == w[i]) << x[i];
    }
  }
}

// With a zero imaginary part the extension is the real function (NaN where it is NaN).
TEST(ScalarFunctions, ComplexAtARealArgumentIsTheRealValue) {
  const std::vector<double> x = {-kInf, -50, -3, -1, -0.5, -1e-12, -0.0, 0, 1e-12, 0.25, 1, 2, 50, kInf, kNaN};
  for (const scalar::Function& f : scalar::functions()) {
    SCOPED_TRACE(f.name);
    for (double v : x) {
      const double want = f.real(v);
      const cx got = f.complex(cx(v, 0));
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got.real())) << f.name << "(" << v << ") = " << got;
      } else if (std::isinf(want)) {
        EXPECT_EQ(got.real(), want) << f.name << "(" << v << ")";
      } else {
        EXPECT_LE(rel_err(got.real(), want), 4e-16) << f.name << "(" << v << ") = " << got << ", real " << want;
      }
    }
  }
}

// Im f(x + i h) / h, h = 1e-20, against the table's derivative evaluated by the expression
// language: both to about working precision.
TEST(ScalarFunctions, ComplexStepGivesTheTableDerivative) {
  for (const scalar::Function& f : scalar::functions()) {
    SCOPED_TRACE(f.name);
    const std::vector<double> pts = smooth_points(f.name);
    Symbols symbols;
    symbols.add_variable("x", Shape{pts.size(), 1});
    Expression derivative = Expression::compile(f.derivative, symbols);
    ASSERT_EQ(derivative.shape(), (Shape{pts.size(), 1}));
    const arma::mat want = derivative.evaluate({arma::mat(pts)});
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const double h = 1e-20;
      const cx z = f.complex(cx(pts[i], h));
      EXPECT_LE(rel_err(z.imag() / h, want[i]), 1e-13) << f.name << "'(" << pts[i] << ") = " << want[i];
      EXPECT_LE(rel_err(z.real(), f.real(pts[i])), 4e-16) << f.name << "(" << pts[i] << ")";
    }
  }
}

// Away from the real axis the extension is holomorphic: it satisfies the Cauchy-Riemann
// equations, df/dz from a real step equals df/dz from an imaginary step.
TEST(ScalarFunctions, ExtensionIsHolomorphicOffTheRealAxis) {
  for (const scalar::Function& f : scalar::functions()) {
    SCOPED_TRACE(f.name);
    for (double x : smooth_points(f.name)) {
      if (std::abs(x) > 10) continue;
      const cx z(x, 0.05 * std::max(1e-3, std::abs(x)));
      const double h = 1e-6 * std::max(1e-3, std::abs(x));
      const cx along_real = (f.complex(z + h) - f.complex(z - h)) / (2 * h);
      const cx along_imag = (f.complex(z + cx(0, h)) - f.complex(z - cx(0, h))) / cx(0, 2 * h);
      EXPECT_LE(std::abs(along_real - along_imag), 1e-6 * std::max(1.0, std::abs(along_real)))
          << f.name << " at " << z;
    }
  }
}

TEST(ScalarFunctions, BranchesDecideOnTheRealPart) {
  const scalar::Function& abs = *scalar::find("abs");
  EXPECT_EQ(abs.complex(cx(-2, 3)), cx(2, -3));
  EXPECT_EQ(abs.complex(cx(2, 3)), cx(2, 3));
  EXPECT_EQ(abs.complex(cx(0, 3)), cx(0, 0));
  EXPECT_EQ(scalar::find("relu")->complex(cx(-2, 3)), cx(0, 0));
  EXPECT_EQ(scalar::find("relu")->complex(cx(2, 3)), cx(2, 3));
  EXPECT_TRUE(std::isnan(scalar::find("relu")->complex(cx(kNaN, 0)).real()));
  EXPECT_EQ(scalar::find("sign")->complex(cx(-2, 3)), cx(-1, 0));
  EXPECT_TRUE(std::isnan(scalar::find("sign")->complex(cx(kNaN, 0)).real()));
  // The stable forms stay finite far out on either side.
  for (double x : {-800.0, 800.0}) {
    const cx s = scalar::find("sigmoid")->complex(cx(x, 1e-20));
    EXPECT_TRUE(std::isfinite(s.real()) && std::isfinite(s.imag())) << x;
    const cx p = scalar::find("softplus")->complex(cx(x, 1e-20));
    EXPECT_TRUE(std::isfinite(p.real()) && std::isfinite(p.imag())) << x;
    EXPECT_NEAR(p.imag() / 1e-20, x > 0 ? 1.0 : 0.0, 1e-15);
  }
  // Outside the real domain: NaN, as the real function (not the principal branch).
  EXPECT_TRUE(std::isnan(scalar::find("log")->complex(cx(-1, 1e-20)).real()));
  EXPECT_TRUE(std::isnan(scalar::find("sqrt")->complex(cx(-4, 0)).real()));
  EXPECT_TRUE(std::isnan(scalar::find("log1p")->complex(cx(-1.5, 0)).real()));
}

TEST(ScalarFunctions, PowerIsExactAtRealArgumentsAndHolomorphic) {
  const double h = 1e-20;
  for (double x : {-2.5, -0.7, 0.3, 1.9}) {
    for (double p : {-3.0, -1.0, 0.0, 1.0, 2.0, 5.0, 0.5, -1.5, 2.25}) {
      SCOPED_TRACE(std::to_string(x) + " ^ " + std::to_string(p));
      const double real = std::pow(x, p);
      EXPECT_TRUE(scalar::power(cx(x, 0), cx(p, 0)).real() == real || std::isnan(real));
      const cx z = scalar::power(cx(x, h), cx(p, 0));
      if (std::isnan(real)) {  // a negative base with a non-integer exponent
        EXPECT_TRUE(std::isnan(z.real()));
        continue;
      }
      EXPECT_EQ(z.real(), real);
      EXPECT_LE(rel_err(z.imag() / h, p * std::pow(x, p - 1)), 1e-14);
      if (x > 0) {  // d/dp x^p = x^p log x
        const cx e = scalar::power(cx(x, 0), cx(p, h));
        EXPECT_LE(rel_err(e.imag() / h, real * std::log(x)), 1e-14);
      }
    }
  }
  // Large imaginary parts (no longer a complex step): still z^p.
  const cx z(0.3, 2.0);
  EXPECT_LT(std::abs(scalar::power(z, cx(3, 0)) - z * z * z), 1e-13);
  EXPECT_LT(std::abs(scalar::power(z, cx(0.5, 0)) - std::sqrt(z)), 1e-14);
  EXPECT_LT(std::abs(scalar::power(cx(-0.3, 2.0), cx(-2, 0)) - 1.0 / (cx(-0.3, 2.0) * cx(-0.3, 2.0))), 1e-13);
  EXPECT_EQ(scalar::integer_power(cx(2, 0), -3), cx(0.125, 0));
  EXPECT_EQ(scalar::power(0.0, 2.0), 0.0);
}

// The near-zero forms agree with libm to two ulps over the whole range where the polynomial is
// taken (both sides of 0, up to the threshold), and are libm's own values past it; a wrong
// coefficient of u^2, u^3 or u^4 (or a term fewer among them) is off by 2^-40 |u| or more near the
// threshold, far above that bound.
TEST(ScalarFunctions, ExpmAndLogOnePlusNearZeroAgreeWithTheLibrary) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  double worst_expm1 = 0.0, worst_log1p = 0.0;
  for (double sign : {1.0, -1.0}) {
    for (double u = 1e-300; u <= 2 * scalar::kNearZero; u *= 1.0001 + (u < 1e-20 ? 100.0 : 0.0)) {
      const double x = sign * u;
      worst_expm1 = std::max(worst_expm1, std::abs(scalar::expm1_near_zero(x) - std::expm1(x)) / std::abs(std::expm1(x)));
      worst_log1p = std::max(worst_log1p, std::abs(scalar::log1p_near_zero(x) - std::log1p(x)) / std::abs(std::log1p(x)));
    }
    // The threshold itself (the polynomial) and the first double past it (the library).
    const double at = sign * scalar::kNearZero, past = std::nextafter(at, 2 * at);
    EXPECT_LE(std::abs(scalar::expm1_near_zero(at) - std::expm1(at)), 2 * eps * std::abs(std::expm1(at)));
    EXPECT_EQ(scalar::expm1_near_zero(past), std::expm1(past));
    EXPECT_EQ(scalar::log1p_near_zero(past), std::log1p(past));
  }
  EXPECT_LE(worst_expm1, 2 * eps);
  EXPECT_LE(worst_log1p, 2 * eps);
  EXPECT_GT(worst_expm1 + worst_log1p, 0.0);  // (the polynomial is taken: it is not libm itself)
  EXPECT_EQ(scalar::expm1_near_zero(0.0), 0.0);
  EXPECT_EQ(scalar::log1p_near_zero(0.0), 0.0);
  EXPECT_EQ(scalar::expm1_near_zero(1.0), std::expm1(1.0));
  EXPECT_EQ(scalar::log1p_near_zero(-0.5), std::log1p(-0.5));
  EXPECT_TRUE(std::isnan(scalar::expm1_near_zero(kNaN)));
  EXPECT_TRUE(std::isnan(scalar::log1p_near_zero(kNaN)));
  EXPECT_EQ(scalar::expm1_near_zero(-kInf), -1.0);
  EXPECT_EQ(scalar::log1p_near_zero(kInf), kInf);
}
