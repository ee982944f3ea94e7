// SPDX-License-Identifier: MIT
// Helpers for the tests of complex evaluation (harness/expr and harness/index): the complex-step
// derivative of an evaluation, and an independent high-accuracy reference for it, central
// differences of the real evaluation with Richardson extrapolation.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"

namespace gradcheck::test {

constexpr double kComplexStep = 1e-20;

// The values as complex matrices with zero imaginary parts.
inline std::vector<arma::cx_mat> complexify(const std::vector<arma::mat>& values) {
  std::vector<arma::cx_mat> out;
  for (const arma::mat& v : values) out.emplace_back(v, arma::mat(v.n_rows, v.n_cols, arma::fill::zeros));
  return out;
}

// A function of the values, flattened: the real evaluation and the complex one.
struct Evaluator {
  std::function<arma::vec(const std::vector<arma::mat>&)> real;
  std::function<arma::cx_vec(const std::vector<arma::cx_mat>&)> complex;
};

// An Expression as an Evaluator (it must outlive the evaluator).
inline Evaluator evaluator_of(Expression& e) {
  return Evaluator{
      [&e](const std::vector<arma::mat>& v) -> arma::vec { return arma::vectorise(e.evaluate(v)); },
      [&e](const std::vector<arma::cx_mat>& v) -> arma::cx_vec { return arma::vectorise(e.evaluate_complex(v)); }};
}

// d f / d values[slot][k] by the complex step: Im f(x + i h e_k) / h. `re_out` receives the real
// part of that evaluation.
inline arma::vec complex_step(const Evaluator& f, const std::vector<arma::mat>& values, std::size_t slot, arma::uword k,
                              arma::vec* re_out = nullptr, double h = kComplexStep) {
  std::vector<arma::cx_mat> z = complexify(values);
  z[slot][k] += std::complex<double>(0, h);
  const arma::cx_vec out = f.complex(z);
  if (re_out) *re_out = arma::real(out);
  return arma::imag(out) / h;
}

// The same derivative by central differences D(h) = (f(x + h) - f(x - h)) / 2h at h0, h0/2,
// h0/4, h0/8, extrapolated (Richardson) to order h^8. Accurate to about 1e-11 relative for a
// smooth f with h0 ~ 1e-2 |x|.
inline arma::vec richardson(const Evaluator& f, const std::vector<arma::mat>& values, std::size_t slot, arma::uword k,
                            double h0 = 0) {
  if (h0 == 0) h0 = 1e-2 * std::max(1.0, std::abs(values[slot][k]));
  constexpr int kLevels = 4;
  std::vector<arma::vec> table[kLevels];
  std::vector<arma::mat> x = values;
  double h = h0;
  for (int level = 0; level < kLevels; ++level, h /= 2) {
    x[slot][k] = values[slot][k] + h;
    const arma::vec up = f.real(x);
    x[slot][k] = values[slot][k] - h;
    const arma::vec down = f.real(x);
    table[level].push_back((up - down) / (2 * h));
    double factor = 4;
    for (int j = 1; j <= level; ++j, factor *= 4)
      table[level].push_back((factor * table[level][j - 1] - table[level - 1][j - 1]) / (factor - 1));
  }
  return table[kLevels - 1].back();
}

// Checks the complex-step derivative of f against the Richardson reference for every entry of
// every slot in `slots`, to rtol relative (of max(1, |reference|)), and that the real part of each
// complex evaluation is the real evaluation (to re_tol relative; NaN where it is NaN).
inline void expect_complex_step_matches(const Evaluator& f, const std::vector<arma::mat>& values,
                                        const std::vector<std::size_t>& slots, const std::string& what,
                                        double rtol = 1e-8, double re_tol = 1e-14, double h0 = 0) {
  const arma::vec real = f.real(values);
  const arma::cx_vec at_real = f.complex(complexify(values));
  ASSERT_EQ(at_real.n_elem, real.n_elem) << what;
  for (arma::uword i = 0; i < real.n_elem; ++i) {
    if (std::isnan(real[i])) {
      EXPECT_TRUE(std::isnan(at_real[i].real())) << what << ": entry " << i << " should be NaN";
    } else {
      EXPECT_NEAR(at_real[i].real(), real[i], re_tol * std::max(1.0, std::abs(real[i])))
          << what << ": real part of entry " << i;
      EXPECT_EQ(at_real[i].imag(), 0.0) << what << ": imaginary part of entry " << i << " at a real point";
    }
  }
  for (std::size_t slot : slots) {
    for (arma::uword k = 0; k < values[slot].n_elem; ++k) {
      arma::vec re_part;
      const arma::vec cs = complex_step(f, values, slot, k, &re_part);
      const arma::vec fd = richardson(f, values, slot, k, h0);
      ASSERT_EQ(cs.n_elem, fd.n_elem) << what;
      for (arma::uword i = 0; i < cs.n_elem; ++i) {
        EXPECT_NEAR(cs[i], fd[i], rtol * std::max(1.0, std::abs(fd[i])))
            << what << ": d out[" << i << "] / d slot " << slot << "[" << k << "]";
        EXPECT_NEAR(re_part[i], real[i], re_tol * std::max(1.0, std::abs(real[i])))
            << what << ": real part of out[" << i << "] at the complex step of slot " << slot << "[" << k << "]";
      }
    }
  }
}

// Fixed, well-conditioned values for the complex tests of functions and operators, every entry
// away from the kinks and ties of abs, relu, max, min and the comparisons by more than the
// differencing steps:
//   A 3x3 (det > 0), D 3x3 (det < 0), S 3x3 symmetric positive definite, B 3x2, N 2x3,
//   v 3x1 positive, w 3x1 of both signs, r 1x3, t 1x1 positive, big 3x1 (-30, 2, 35).
struct ComplexCases {
  ComplexCases() {
    add("A", {{2.0, -0.7, 0.4}, {0.3, 1.6, -0.5}, {-0.2, 0.8, 1.9}});
    add("D", {{0.4, 1.7, -0.3}, {1.5, 0.2, 0.6}, {-0.5, 0.9, 1.3}});
    add("S", {{4.0, 1.2, -0.6}, {1.2, 3.0, 0.5}, {-0.6, 0.5, 2.5}});
    add("B", {{0.7, -1.1}, {0.4, 0.9}, {-1.3, 0.6}});
    add("N", {{0.9, -0.4, 1.3}, {-1.6, 0.5, 0.25}});
    add("v", arma::mat("0.6; 1.4; 2.3"));
    add("w", arma::mat("-1.3; 0.45; 2.1"));
    add("r", arma::mat{{0.8, -0.35, 1.2}});
    add("t", arma::mat("1.7"));
    add("big", arma::mat("-30; 2; 35"));
  }
  void add(const std::string& name, const arma::mat& value) {
    symbols.add_variable(name, Shape{value.n_rows, value.n_cols});
    values.push_back(value);
  }
  // Complex-step derivatives of `text` against Richardson differences, for every variable it reads.
  void check(const std::string& text, double rtol = 1e-8, double re_tol = 1e-14) {
    SCOPED_TRACE(text);
    Expression e = Expression::compile(text, symbols);
    ASSERT_TRUE(e.has_complex_extension()) << e.complex_obstacle();
    expect_complex_step_matches(evaluator_of(e), values, e.variables_used(), text, rtol, re_tol);
  }
  // evaluate_complex of `text` at complex values given for some variables (the others real).
  arma::cx_mat at(const std::string& text, const std::vector<std::pair<std::string, arma::cx_mat>>& given) {
    std::vector<arma::cx_mat> z = complexify(values);
    for (const auto& [name, value] : given) z[symbols.find_variable(name)->slot] = value;
    Expression e = Expression::compile(text, symbols);
    return e.evaluate_complex(z);
  }

  Symbols symbols;
  std::vector<arma::mat> values;
};

}  // namespace gradcheck::test
