// SPDX-License-Identifier: MIT
// Tests of harness/symbolic/forms.cpp: the derivative in a check's own form (index notation,
// Hessian blocks in vec and index form, Hessian-vector products), each derived text run through
// the engine's check against finite differences, with pinned forms for a few.
#include "symbolic/forms.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "engine/second_order.hpp"
#include "gradcheck/check.hpp"
#include "gradcheck/index_notation.hpp"
#include "symbolic/symbolic_test_util.hpp"

namespace gradcheck {
namespace {

using test::TestVar;

struct Outcome {
  std::string text;  // the derived expected, or the error
  Status status = Status::kError;
  std::string detail;
};

// Derives the check (f by wrt; with wrt2 a second-order check; form, indices, direction) and runs
// that check with the derived text as its expected at 2 random points.
Outcome derive_and_run(const std::string& f, const std::vector<TestVar>& vars, const std::string& wrt, Form form,
                       const std::string& indices = "", const std::string& wrt2 = "", const std::string& direction = "",
                       VecOrder order = VecOrder::kColumnMajor) {
  Outcome out;
  symbolic::CheckRequest r;
  r.expression = f;
  r.wrt = wrt;
  r.form.form = form;
  r.form.order = order;
  r.direction = direction;
  if (!wrt2.empty()) {
    r.derivative_order = 2;
    r.wrt2 = wrt2;
  }
  try {
    if (form == Form::kIndex)
      r.form.indices = wrt2.empty() ? IndexSpec::parse(indices) : parse_hessian_indices(indices, wrt, wrt2);
    Symbols symbols;
    for (const TestVar& v : vars) symbols.add_variable(v.name, Shape{v.rows, v.cols});
    out.text = symbolic::derive_expected(r, symbols);
  } catch (const std::exception& e) {
    out.detail = e.what();
    return out;
  }
  out.status = test::check_request(r, vars, out.text, {}, 5, &out.detail);
  return out;
}

// Form index, first order: the gradient indexed directly, a Jacobian of vectors indexed directly,
// and a matrix side through its vec index with an explicit sum (a diagonal "z[i] / W[i,j]" too).
TEST(Forms, IndexFormOfFirstDerivativesPasses) {
  const std::vector<TestVar> v = {{"a", 4, 1}, {"X", 4, 3}, {"b", 3, 1}, {"W", 4, 3}, {"x", 4, 1}, {"c", 4, 1}};
  auto g = derive_and_run("a' * X * b", v, "X", Form::kIndex, "q / X[i,j]");
  EXPECT_EQ(g.text, "a[i] * b[j]");
  EXPECT_EQ(g.status, Status::kPass) << g.detail;
  auto j = derive_and_run("tanh(W * b) + c", v, "b", Form::kIndex, "z[i] / b[j]");
  EXPECT_EQ(j.text, "((1 - tanh(W * b) .^ 2) .* W)[i,j]");
  EXPECT_EQ(j.status, Status::kPass) << j.detail;
  auto t = derive_and_run("W * b + c", v, "W", Form::kIndex, "z[i] / W[k,j]");
  EXPECT_EQ(t.text, "delta(i,k) * b[j]");
  EXPECT_EQ(t.status, Status::kPass) << t.detail;
  auto d = derive_and_run("W * b + c", v, "W", Form::kIndex, "z[i] / W[i,j]");
  EXPECT_EQ(d.status, Status::kPass) << d.text << ": " << d.detail;
  auto m = derive_and_run("W' * x", v, "W", Form::kIndex, "y[i] / W[k,l]");
  EXPECT_EQ(m.status, Status::kPass) << m.text << ": " << m.detail;
  auto both = derive_and_run("X * X'", v, "X", Form::kIndex, "Z[i,l] / X[j,k]");  // both sides matrices
  EXPECT_EQ(both.text, "delta(i,j) * X[l,k] + delta(l,j) * X[i,k]");
  EXPECT_EQ(both.status, Status::kPass) << both.text << ": " << both.detail;
  auto e = derive_and_run("exp(X)", v, "X", Form::kIndex, "Z[i,l] / X[j,k]");  // diag(vec(exp(X)))
  EXPECT_EQ(e.text, "delta(i,j) * delta(l,k) * exp(X)[i,l]");
  EXPECT_EQ(e.status, Status::kPass) << e.detail;
}

// Where M has no reading term by term (a product of two matrices under two letters per side),
// the general form: vec indices summed explicitly against selection matrices. Checked entry by
// entry against M itself: E[i,l,j,k] = M[i + 2 l, j + 3 k] for f 2x2 and x 2x3.
TEST(Forms, TheGeneralIndexFormReadsTheVecIndices) {
  Symbols s;
  s.add_variable("B", Shape{4, 5});
  s.add_variable("C", Shape{5, 6});
  const std::string text = symbolic::index_text("B * C", Shape{2, 2}, {"i", "l"}, Shape{2, 3}, {"j", "k"}, s);
  EXPECT_EQ(text.rfind("sum(a, sum(b, (B * C)[a,b] * ", 0), 0u) << text;
  const IndexSpec spec = IndexSpec::parse("Z[i,l] / X[j,k]");
  IndexExpression e = IndexExpression::compile(text, spec, Shape{2, 2}, Shape{2, 3}, s);
  arma::arma_rng::set_seed(3);
  const arma::mat b(4, 5, arma::fill::randn), c(5, 6, arma::fill::randn);
  const arma::mat m = b * c;
  const arma::vec out = e.evaluate({b, c});
  ASSERT_EQ(out.n_elem, 24u);
  // Entry order: the first free letter fastest (i, l, j, k).
  for (arma::uword k = 0; k < 3; ++k)
    for (arma::uword j = 0; j < 2; ++j)
      for (arma::uword l = 0; l < 2; ++l)
        for (arma::uword i = 0; i < 2; ++i)
          EXPECT_NEAR(out(i + 2 * (l + 2 * (j + 2 * k))), m(i + 2 * l, j + 2 * k), 1e-12) << i << l << j << k;
}

// Second order: the gradient derived, then its Jacobian; textbook Hessians come out as written.
TEST(Forms, HessiansInVecFormPassAndReadAsTextbooks) {
  const std::vector<TestVar> v = {{"x", 4, 1}, {"A", 4, 4}, {"y", 3, 1}, {"B", 4, 3}, {"X", 3, 3, "spd"},
                                  {"V", 4, 1}, {"b", 4, 1}, {"W", 3, 4}, {"U", 3, 4}};
  auto q = derive_and_run("x' * A * x", v, "x", Form::kVec, "", "x");
  EXPECT_EQ(q.text, "A + A'");
  EXPECT_EQ(q.status, Status::kPass) << q.detail;
  auto l = derive_and_run("logsumexp(x)", v, "x", Form::kVec, "", "x");
  EXPECT_EQ(l.text, "diag(softmax(x)) - softmax(x) * softmax(x)'");
  EXPECT_EQ(l.status, Status::kPass) << l.detail;
  auto ls = derive_and_run("sum((B * y - b) .^ 2) / 2", v, "y", Form::kVec, "", "y");
  EXPECT_EQ(ls.text, "B' * B");
  EXPECT_EQ(ls.status, Status::kPass) << ls.detail;
  auto mixed = derive_and_run("x' * B * y + (x' * x) * (y' * y)", v, "x", Form::kVec, "", "y");
  EXPECT_EQ(mixed.status, Status::kPass) << mixed.text << ": " << mixed.detail;
  auto mat = derive_and_run("sum(tanh(W * x) .^ 2)", v, "W", Form::kVec, "", "W");
  EXPECT_EQ(mat.status, Status::kPass) << mat.text << ": " << mat.detail;
  auto row = derive_and_run("sum(tanh(W * x) .^ 2) + sum(sum(W .* U)) ^ 2", v, "W", Form::kVec, "", "W", "",
                            VecOrder::kRowMajor);
  EXPECT_EQ(row.status, Status::kPass) << row.text << ": " << row.detail;
}

TEST(Forms, HessianVectorProductsAndIndexHessiansPass) {
  const std::vector<TestVar> v = {{"x", 4, 1}, {"A", 4, 4}, {"V", 4, 1}, {"X", 3, 3, "spd"}, {"D", 3, 3}};
  auto h = derive_and_run("x' * A * x", v, "x", Form::kHvp, "", "x", "V");
  EXPECT_EQ(h.text, "(A' + A) * V");
  EXPECT_EQ(h.status, Status::kPass) << h.detail;
  auto hm = derive_and_run("logdet(X)", v, "X", Form::kHvp, "", "X", "D");
  EXPECT_EQ(hm.text, "-(inv(X') * D' * inv(X'))");
  EXPECT_EQ(hm.status, Status::kPass) << hm.detail;
  auto ix = derive_and_run("logdet(X)", v, "X", Form::kIndex, "X[i,j], X[k,l]", "X");
  EXPECT_EQ(ix.status, Status::kPass) << ix.text << ": " << ix.detail;
  auto iv = derive_and_run("logsumexp(x)", v, "x", Form::kIndex, "x[i], x[j]", "x");
  EXPECT_EQ(iv.text, "delta(i,j) * softmax(x)[i] - softmax(x)[i] * softmax(x)[j]");
  EXPECT_EQ(iv.status, Status::kPass) << iv.detail;
}

// The Hessian of a deep composition (the gradient's Jacobian, products of chain-rule factors)
// stays of polynomial size: a pinned bound.
TEST(Forms, HessianOfADeepCompositionStaysSmall) {
  const std::vector<TestVar> v = {{"W", 4, 4}, {"x", 4, 1}};
  auto h = derive_and_run("sum(tanh(tanh(tanh(W * x))))", v, "x", Form::kVec, "", "x");
  EXPECT_EQ(h.status, Status::kPass) << h.text << ": " << h.detail;
  EXPECT_LE(h.text.size(), 450u) << h.text;
}

// A property test: Hessians (vec form, and hvp) of random well-shaped scalar functions of a
// vector, derived (gradient, then its Jacobian) and checked against finite differences of the
// exact gradient.
TEST(Forms, RandomHessiansPass) {
  const std::vector<TestVar> v = {{"x", 3, 1}, {"A", 3, 3}, {"B", 3, 3}, {"u", 3, 1}, {"V", 3, 1}};
  std::mt19937 rng(20261202);
  auto pick = [&](std::vector<std::string> options) { return options[rng() % options.size()]; };
  std::function<std::string(int)> vec = [&](int d) -> std::string {
    if (d == 0) return pick({"x", "A * x", "(x + u)", "B' * x"});
    switch (rng() % 6) {
      case 0: return "(" + vec(d - 1) + " + " + vec(d - 1) + ")";
      case 1: return pick({"A", "B", "A'"}) + " * " + vec(d - 1);
      case 2: return "(" + vec(d - 1) + " .* " + vec(d - 1) + ")";
      case 3: return pick({"tanh", "sigmoid", "sin", "exp"}) + "(" + vec(d - 1) + " / 4)";
      case 4: return "softmax(" + vec(d - 1) + ")";
      default: return "(2 * " + vec(d - 1) + " - " + vec(d - 1) + ")";
    }
  };
  auto scalar = [&]() -> std::string {
    switch (rng() % 4) {
      case 0: return "sum(" + vec(2) + ")";
      case 1: return "x' * " + pick({"A", "B"}) + " * " + vec(1);
      case 2: return "logsumexp(" + vec(2) + ")";
      default: return "norm(" + vec(2) + ")^2";
    }
  };
  int checked = 0;
  for (int k = 0; k < 24; ++k) {
    const std::string f = scalar();
    if (f.find('x') == std::string::npos) continue;
    const bool hvp = k % 3 == 2;
    auto r = derive_and_run(f, v, "x", hvp ? Form::kHvp : Form::kVec, "", "x", hvp ? "V" : "");
    EXPECT_EQ(r.status, Status::kPass) << f << (hvp ? " (hvp)" : "") << " -> " << r.text << ": " << r.detail;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

// A wrong derivation cannot sneak in: the same machinery fails a wrong Hessian written by hand.
TEST(Forms, AWrongHessianFails) {
  const std::vector<TestVar> v = {{"x", 4, 1}, {"A", 4, 4}};
  Symbols s;
  s.add_variable("x", Shape{4, 1});
  s.add_variable("A", Shape{4, 4});
  symbolic::CheckRequest r;
  r.expression = "x' * A * x";
  r.wrt = r.wrt2 = "x";
  r.derivative_order = 2;
  r.form.form = Form::kVec;
  EXPECT_NE(symbolic::derive_expected(r, s), "A");  // the classic slip: A for A + A'
  std::string detail;
  FormSpec f;
  f.layout = Layout::kNumerator;  // d(A x + A' x)/dx: the Hessian as the Jacobian of the gradient
  f.form = Form::kAuto;
  EXPECT_EQ(test::check_formula("(A + A') * x", "x", v, "A", f, Structure::kNone, {}, 1, &detail), Status::kFail);
}

}  // namespace
}  // namespace gradcheck
