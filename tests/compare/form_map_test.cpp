// SPDX-License-Identifier: MIT
#include "compare/form_map.hpp"

#include <gtest/gtest.h>

#include "gradcheck/error.hpp"

namespace gradcheck {
namespace {

FormSpec spec(Layout layout, Form form = Form::kAuto, VecOrder order = VecOrder::kColumnMajor) {
  return FormSpec{layout, form, order, std::nullopt};
}

// A J whose entries encode their own position: J(a, b) = 100 a + b.
arma::mat coded(arma::uword p, arma::uword q) {
  arma::mat j(p, q);
  for (arma::uword b = 0; b < q; ++b)
    for (arma::uword a = 0; a < p; ++a) j(a, b) = 100.0 * a + b;
  return j;
}

TEST(FormMap, GradientDenominatorIsShapedLikeX) {
  const FormMap m = make_form_map(spec(Layout::kDenominator), {1, 1}, {4, 3}, "q", "B");
  EXPECT_EQ(m.wanted, (Shape{4, 3}));
  const arma::mat e = m.arrange(coded(1, 12));
  EXPECT_EQ(e(2, 1), 2 + 1 * 4);  // E[i,j] = df/dB[i,j], B(2,1) is vec index 6
  EXPECT_EQ(m.label(2 + 1 * 4), "B(2,1)");
  EXPECT_EQ(m.position(2 + 1 * 4), (std::vector<arma::uword>{2, 1}));
}

TEST(FormMap, GradientNumeratorIsTheTranspose) {
  const FormMap m = make_form_map(spec(Layout::kNumerator), {1, 1}, {4, 3}, "q", "B");
  EXPECT_EQ(m.wanted, (Shape{3, 4}));
  const arma::mat e = m.arrange(coded(1, 12));
  EXPECT_EQ(e(1, 2), 2 + 1 * 4);  // E[j,i] = df/dB[i,j]
  EXPECT_EQ(m.label(1 + 2 * 3), "B(2,1)");  // the variable's own indices, not E's
}

TEST(FormMap, VectorJacobianLayouts) {
  const FormMap num = make_form_map(spec(Layout::kNumerator), {2, 1}, {3, 1}, "z", "x");
  EXPECT_EQ(num.wanted, (Shape{2, 3}));
  EXPECT_EQ(num.arrange(coded(2, 3))(1, 2), 102);  // E[a,b] = dz[a]/dx[b]
  EXPECT_EQ(num.label(1 + 2 * 2), "dz(1)/dx(2)");
  const FormMap den = make_form_map(spec(Layout::kDenominator), {2, 1}, {3, 1}, "z", "x");
  EXPECT_EQ(den.wanted, (Shape{3, 2}));
  EXPECT_EQ(den.arrange(coded(2, 3))(2, 1), 102);  // E[b,a]
}

TEST(FormMap, AutoRefusesAMatrixValuedFunction) {
  try {
    make_form_map(spec(Layout::kNumerator), {2, 2}, {3, 1}, "Z", "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "check.form");
    EXPECT_NE(e.message().find("use form \"vec\""), std::string::npos) << e.what();
  }
}

TEST(FormMap, VecColumnAndRowMajor) {
  // f 2x2, x 2x1. Column-major: vec(f) = [f00 f10 f01 f11], the identity on J.
  const FormMap col = make_form_map(spec(Layout::kNumerator, Form::kVec), {2, 2}, {2, 1}, "Z", "x");
  EXPECT_TRUE(arma::approx_equal(col.arrange(coded(4, 2)), coded(4, 2), "absdiff", 0));
  // Row-major: vec(f) = [f00 f01 f10 f11]: rows 1 and 2 of J swap.
  const FormMap row = make_form_map(spec(Layout::kNumerator, Form::kVec, VecOrder::kRowMajor), {2, 2}, {2, 1}, "Z", "x");
  const arma::mat e = row.arrange(coded(4, 2));
  EXPECT_EQ(e(1, 0), 200);
  EXPECT_EQ(e(2, 0), 100);
  const FormMap den = make_form_map(spec(Layout::kDenominator, Form::kVec), {2, 2}, {2, 1}, "Z", "x");
  EXPECT_TRUE(arma::approx_equal(den.arrange(coded(4, 2)), arma::mat(coded(4, 2).t()), "absdiff", 0));
}

TEST(FormMap, IndexFormTakesADiagonal) {
  // z[i] / W[i,k] with z 3x1, W 3x2: G[i,k] = dz[i]/dW[i,k] = J(i, i + 3k).
  FormSpec s = spec(Layout::kDenominator, Form::kIndex);
  s.indices = IndexSpec::parse("z[i] / W[i,k]");
  const FormMap m = make_form_map(s, {3, 1}, {3, 2}, "z", "W");
  EXPECT_EQ(m.wanted, (Shape{3, 2}));
  const arma::mat e = m.arrange(coded(3, 6));
  EXPECT_EQ(e(2, 1), 200 + (2 + 3 * 1));
  EXPECT_EQ(m.label(2 + 3 * 1), "z[2]/W[2,1]");
}

TEST(FormMap, IndexFormFourIndices) {
  // Z[i,l] / H[j,k], Z 2x3, H 2x2: entry (i,l,j,k) = J(i + 2l, j + 2k).
  FormSpec s = spec(Layout::kDenominator, Form::kIndex);
  s.indices = IndexSpec::parse("Z[i,l] / H[j,k]");
  const FormMap m = make_form_map(s, {2, 3}, {2, 2}, "Z", "H");
  EXPECT_EQ(m.wanted, (Shape{6, 4}));
  const arma::mat j = coded(6, 4);
  const arma::mat e = m.arrange(j);
  // i=1, l=2, j=0, k=1 -> k-th entry = 1 + 2*(2 + 3*(0 + 2*1)) = 17
  EXPECT_EQ(e(17), j(1 + 2 * 2, 0 + 2 * 1));
  EXPECT_EQ(m.position(17), (std::vector<arma::uword>{1, 2, 0, 1}));
}

}  // namespace
}  // namespace gradcheck
