// SPDX-License-Identifier: MIT
// Tests of harness/expr/functions.cpp: every function's value on small fixed matrices (worked
// out by hand or by a plain loop here), its inferred shape and its errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "complex_step_util.hpp"
#include "expr_test_util.hpp"

using namespace gradcheck;
using test::error_of;
using test::expect_near;
using test::reference_symbols;
using test::shape_of;

namespace {

const double kInf = std::numeric_limits<double>::infinity();

const arma::mat M = {{1, 2}, {3, 4}};
const arma::mat N = {{1, 2, 3}, {4, 5, 6}};
const arma::mat v("3; 4");
const arma::mat w = {{1, -2, 3}};
const arma::mat S = {{4, 2}, {2, 3}};        // symmetric positive definite
const arma::mat P = {{1, 2}, {2, 4}};        // singular
const arma::mat x("-1.5; -0.5; 0; 0.5; 2");  // for the elementwise functions
const arma::mat pos("0.25; 1; 4");           // a positive domain

arma::mat ev(const std::string& text) {
  return test::eval(text, {{"M", M}, {"N", N}, {"v", v}, {"w", w}, {"S", S}, {"P", P}, {"x", x}, {"pos", pos}},
                    {{"n", 1}});
}

void expect_value(const std::string& text, const arma::mat& want, double tol = 1e-12) {
  expect_near(ev(text), want, tol, text);
}

void expect_all_nan(const std::string& text, Shape shape) {
  const arma::mat out = ev(text);
  EXPECT_EQ(out.n_rows, shape.rows) << text;
  EXPECT_EQ(out.n_cols, shape.cols) << text;
  for (double e : out) EXPECT_TRUE(std::isnan(e)) << text;
}

void expect_error(const std::string& text, const std::string& id, const std::string& detail, std::size_t column = 1) {
  const ExprError e = error_of(text, reference_symbols());
  EXPECT_EQ(e.id(), id) << text;
  EXPECT_EQ(e.detail(), detail) << text;
  EXPECT_EQ(e.column(), column) << text;
}

// `in` with f applied entry by entry by a plain loop.
arma::mat apply(const arma::mat& in, const std::function<double(double)>& f) {
  arma::mat out(in.n_rows, in.n_cols);
  for (arma::uword i = 0; i < in.n_elem; ++i) out[i] = f(in[i]);
  return out;
}

}  // namespace

TEST(Functions, ElementwiseFunctionsKeepTheShape) {
  const Symbols s = reference_symbols();
  for (const char* f : {"exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus", "sin", "cos", "tan", "sinh",
                        "cosh", "log1p", "expm1", "square", "sign"})
    EXPECT_EQ(shape_of(std::string(f) + "(A)", s), (Shape{4, 3})) << f;
}

TEST(Functions, ElementwiseValuesAtKnownPoints) {
  expect_value("exp(0)", arma::mat{1});
  expect_value("log(1)", arma::mat{0});
  expect_value("sqrt(pos)", arma::mat("0.5; 1; 2"));
  expect_value("abs(x)", arma::mat("1.5; 0.5; 0; 0.5; 2"));
  expect_value("square(x)", arma::mat("2.25; 0.25; 0; 0.25; 4"));
  expect_value("sign(x)", arma::mat("-1; -1; 0; 1; 1"));
  expect_value("relu(x)", arma::mat("0; 0; 0; 0.5; 2"));
  expect_value("sigmoid(0)", arma::mat{0.5});
  expect_value("softplus(0)", arma::mat{std::log(2.0)});
  expect_value("tanh(0) + sin(0) + tan(0) + sinh(0) + log1p(0) + expm1(0)", arma::mat{0});
  expect_value("cos(0) + cosh(0)", arma::mat{2});
}

TEST(Functions, ElementwiseValuesAgainstTheirDefinitions) {
  const std::pair<const char*, std::function<double(double)>> defs[] = {
      {"exp", [](double t) { return std::exp(t); }},
      {"tanh", [](double t) { return (std::exp(t) - std::exp(-t)) / (std::exp(t) + std::exp(-t)); }},
      {"sigmoid", [](double t) { return 1 / (1 + std::exp(-t)); }},
      {"softplus", [](double t) { return std::log(1 + std::exp(t)); }},
      {"sin", [](double t) { return std::sin(t); }},
      {"cos", [](double t) { return std::cos(t); }},
      {"tan", [](double t) { return std::sin(t) / std::cos(t); }},
      {"sinh", [](double t) { return (std::exp(t) - std::exp(-t)) / 2; }},
      {"cosh", [](double t) { return (std::exp(t) + std::exp(-t)) / 2; }},
      {"expm1", [](double t) { return std::exp(t) - 1; }},
  };
  for (const auto& [name, f] : defs) expect_value(std::string(name) + "(x)", apply(x, f), 1e-12);
  expect_value("log(pos)", apply(pos, [](double t) { return std::log(t); }));
  expect_value("log1p(pos)", apply(pos, [](double t) { return std::log(1 + t); }));
}

TEST(Functions, SigmoidAndSoftplusAreStable) {
  expect_value("sigmoid(-1000)", arma::mat{0});
  expect_value("sigmoid(1000)", arma::mat{1});
  expect_value("softplus(1000)", arma::mat{1000});
  expect_value("softplus(-1000)", arma::mat{0});
}

TEST(Functions, Sum) {
  expect_value("sum(N)", arma::mat{21});
  expect_value("sum(N, 1)", {{5, 7, 9}});
  expect_value("sum(N, 2)", arma::mat("6; 15"));
  expect_value("sum(w)", arma::mat{2});
  EXPECT_EQ(shape_of("sum(A, 1)", reference_symbols()), (Shape{1, 3}));
  EXPECT_EQ(shape_of("sum(A, 2)", reference_symbols()), (Shape{4, 1}));
}

TEST(Functions, Mean) {
  expect_value("mean(N)", arma::mat{3.5});
  expect_value("mean(N, 1)", {{2.5, 3.5, 4.5}});
  expect_value("mean(N, 2)", arma::mat("2; 5"));
}

TEST(Functions, VarDividesByNMinusOne) {
  expect_value("var(N)", arma::mat{3.5});  // squared deviations sum to 17.5, over 5
  expect_value("var(N, 1)", {{4.5, 4.5, 4.5}});
  expect_value("var(N, 2)", arma::mat("1; 1"));
  expect_value("var(7)", arma::mat{0});
}

TEST(Functions, MaxAndMinOverEntriesColumnsAndRows) {
  expect_value("max(N)", arma::mat{6});
  expect_value("min(N)", arma::mat{1});
  expect_value("max(N, 1)", {{4, 5, 6}});
  expect_value("max(N, 2)", arma::mat("3; 6"));
  expect_value("min(N, 1)", {{1, 2, 3}});
  expect_value("min(N, 2)", arma::mat("1; 4"));
  EXPECT_TRUE(std::isnan(ev("max(log(x))")[0]));  // NaN propagates
}

TEST(Functions, MaxAndMinOfTwoArraysBroadcast) {
  expect_value("max(x, 0)", arma::mat("0; 0; 0; 0.5; 2"));  // relu
  expect_value("min(x, 0)", arma::mat("-1.5; -0.5; 0; 0; 0"));
  expect_value("max(N, 2 + 0)", {{2, 2, 3}, {4, 5, 6}});  // not the literal 2: entrywise
  expect_value("max(N, v + 0.5)", {{3.5, 3.5, 3.5}, {4.5, 5, 6}});
  expect_value("min(w, N)", {{1, -2, 3}, {1, -2, 3}});
  expect_value("max(N, n)", N);  // a dim is not the literal 1: entrywise against 1
  expect_error("max(A, B)", "expr.shape",
               "cannot take the elementwise maximum of A (4x3) and B (3x4): shapes differ and neither broadcasts");
}

TEST(Functions, Cumsum) {
  expect_value("cumsum(N)", {{1, 2, 3}, {5, 7, 9}});
  expect_value("cumsum(N, 2)", {{1, 3, 6}, {4, 9, 15}});
  expect_value("cumsum(N, 1)", {{1, 2, 3}, {5, 7, 9}});
  expect_value("cumsum(v)", arma::mat("3; 7"));
  expect_value("cumsum(w)", {{1, -1, 2}});  // a row vector: along the row
  expect_value("cumsum(w, 1)", w);
}

TEST(Functions, SoftmaxWorksColumnByColumn) {
  const double l3 = std::log(3.0);
  expect_near(test::eval("softmax(X)", {{"X", arma::vec{0, l3}}}), arma::mat("0.25; 0.75"), 1e-12, "softmax(v)");
  const arma::mat X = {{0, l3}, {l3, 0}};
  expect_near(test::eval("softmax(X)", {{"X", X}}), {{0.25, 0.75}, {0.75, 0.25}}, 1e-12, "softmax(X)");
  expect_near(test::eval("log_softmax(X)", {{"X", X}}),
              {{std::log(0.25), std::log(0.75)}, {std::log(0.75), std::log(0.25)}}, 1e-12, "log_softmax(X)");
  expect_value("softmax(w)", {{1, 1, 1}});  // one entry per column
}

TEST(Functions, SoftmaxFamilyIsStable) {
  const double l3 = std::log(3.0);
  const arma::mat big = arma::vec{1000, 1000 + l3};
  expect_near(test::eval("softmax(X)", {{"X", big}}), arma::mat("0.25; 0.75"), 1e-12, "softmax big");
  expect_near(test::eval("log_softmax(X)", {{"X", -big}}), arma::vec{std::log(0.75), std::log(0.25)}, 1e-9,
              "log_softmax -big");
  expect_near(test::eval("logsumexp(X)", {{"X", big}}), arma::mat{1000 + std::log(4.0)}, 1e-9, "logsumexp big");
}

TEST(Functions, LogsumexpGivesOneValuePerColumn) {
  const double l3 = std::log(3.0), l4 = std::log(4.0);
  const arma::mat X = {{0, l3}, {l3, 0}};
  expect_near(test::eval("logsumexp(X)", {{"X", X}}), {{l4, l4}}, 1e-12, "logsumexp(X)");
  EXPECT_EQ(shape_of("logsumexp(A)", reference_symbols()), (Shape{1, 3}));
  EXPECT_EQ(test::eval1("logsumexp(-inf * ones(2, 1))"), -kInf);
}

TEST(Functions, VectorNorms) {
  expect_value("norm(v)", arma::mat{5});
  expect_value("norm(v, 2)", arma::mat{5});
  expect_value("norm(v, 1)", arma::mat{7});
  expect_value("norm(v', inf)", arma::mat{4});
  expect_value("norm(w, Inf)", arma::mat{3});
}

TEST(Functions, MatrixNorms) {
  expect_value("norm(M)", arma::mat{std::sqrt(30.0)});  // Frobenius
  expect_value("norm(M, 1)", arma::mat{6});             // largest column sum of |M|
  expect_value("norm(M, inf)", arma::mat{7});           // largest row sum
  // Largest singular value: sqrt of the largest eigenvalue of M'M = [10 14; 14 20].
  expect_value("norm(M, 2)", arma::mat{std::sqrt(15 + std::sqrt(221.0))});
  expect_error("norm(A, 3)", "expr.value", "order argument of norm must be 1, 2 or inf", 9);
}

TEST(Functions, Trace) {
  expect_value("tr(M)", arma::mat{5});
  expect_value("trace(N)", arma::mat{6});  // min(m, n) diagonal entries
}

TEST(Functions, Det) {
  expect_value("det(M)", arma::mat{-2});
  const arma::mat T = {{2, 0, 1}, {1, 3, 2}, {1, 1, 2}};  // 2(6 - 2) + 1(1 - 3) = 6
  expect_near(test::eval("det(T)", {{"T", T}}), arma::mat{6}, 1e-12, "det(T)");
  expect_value("det(P)", arma::mat{0});
}

TEST(Functions, Logdet) {
  expect_value("logdet(M)", arma::mat{std::log(2.0)});  // log |det|
  expect_value("logdet(S)", arma::mat{std::log(8.0)});
  EXPECT_FALSE(std::isfinite(ev("logdet(P)")[0]));
}

TEST(Functions, Inv) {
  expect_value("inv(M)", {{-2, 1}, {1.5, -0.5}});
  expect_all_nan("inv(P)", Shape{2, 2});
}

TEST(Functions, Pinv) {
  // N'(NN')^-1 with NN' = [14 32; 32 77], det 54.
  expect_value("pinv(N)", arma::mat{{-51, 24}, {-6, 6}, {39, -12}} / 54, 1e-12);
  expect_value("pinv(M)", {{-2, 1}, {1.5, -0.5}}, 1e-12);
  EXPECT_EQ(shape_of("pinv(A)", reference_symbols()), (Shape{3, 4}));
}

TEST(Functions, CholIsUpperWithRTransposeRIsX) {
  expect_value("chol(S)", {{2, 1}, {0, std::sqrt(2.0)}});
  expect_value("chol(triu(S))", {{2, 1}, {0, std::sqrt(2.0)}});  // only the upper triangle is read
  expect_all_nan("chol(P - eye(2))", Shape{2, 2});               // not positive definite
}

TEST(Functions, Solve) {
  expect_value("solve(M, v)", arma::mat("-2; 2.5"));
  expect_value("solve(M, M)", {{1, 0}, {0, 1}});
  expect_all_nan("solve(P, v)", Shape{2, 1});
  EXPECT_EQ(shape_of("solve(S, B)", reference_symbols()), (Shape{3, 4}));
  expect_error("solve(A, wa)", "expr.shape", "solve needs a square matrix A, got A (4x3)");
  expect_error("solve(S, wa)", "expr.shape", "solve needs as many rows in B as in A, got S (3x3) and wa (4x1)");
}

TEST(Functions, SquareOnlyFunctionsReportTheShape) {
  for (const char* f : {"det", "logdet", "inv", "chol"}) {
    const ExprError e = error_of(std::string("1 + ") + f + "(X)", reference_symbols());
    EXPECT_EQ(e.id(), "expr.shape");
    EXPECT_EQ(e.detail(), std::string(f) + " needs a square matrix, got X (3x4)");
    EXPECT_EQ(e.column(), 5u);
    EXPECT_EQ(e.length(), std::string(f).size());
  }
}

TEST(Functions, Diag) {
  expect_value("diag(v)", {{3, 0}, {0, 4}});
  expect_value("diag(w)", {{1, 0, 0}, {0, -2, 0}, {0, 0, 3}});
  expect_value("diag(M)", arma::mat("1; 4"));
  expect_value("diag(N)", arma::mat("1; 5"));
  EXPECT_EQ(shape_of("diag(A)", reference_symbols()), (Shape{3, 1}));
}

TEST(Functions, Kron) {
  expect_value("kron(M, w)", {{1, -2, 3, 2, -4, 6}, {3, -6, 9, 4, -8, 12}});
  expect_value("kron(v, M)", {{3, 6}, {9, 12}, {4, 8}, {12, 16}});
  EXPECT_EQ(shape_of("kron(A, B)", reference_symbols()), (Shape{12, 12}));
}

TEST(Functions, VecStacksColumns) { expect_value("vec(N)", arma::mat("1; 4; 2; 5; 3; 6")); }

TEST(Functions, Dot) {
  expect_value("dot(v, v)", arma::mat{25});
  expect_value("dot(w, ones(3, 1))", arma::mat{2});  // orientations may differ
  expect_error("dot(q, wa)", "expr.shape",
               "dot needs two arrays with the same number of entries, got q (3x1) and wa (4x1)");
}

TEST(Functions, TrilAndTriu) {
  expect_value("tril(N)", {{1, 0, 0}, {4, 5, 0}});
  expect_value("triu(N)", {{1, 2, 3}, {0, 5, 6}});
  expect_value("tril(M)", {{1, 0}, {3, 4}});
  expect_value("triu(N')", {{1, 4}, {0, 5}, {0, 0}});
}

TEST(Functions, Reshape) {
  expect_value("reshape(N, 3, 2)", {{1, 5}, {4, 3}, {2, 6}});
  expect_value("reshape(N, 1, 6)", {{1, 4, 2, 5, 3, 6}});
  expect_error("reshape(X, 4, 2)", "expr.shape", "reshape cannot turn X (3x4) into 4x2: 12 entries, not 8");
  expect_error("reshape(X, t, 2)", "expr.value",
               "size argument of reshape must be a constant made of numbers and dims, but it depends on variable 't'",
               12);
}

TEST(Functions, Repmat) {
  expect_value("repmat(v, 1, 2)", {{3, 3}, {4, 4}});
  expect_value("repmat(w, 2, 1)", {{1, -2, 3}, {1, -2, 3}});
  expect_value("repmat(M, 2, 2)", {{1, 2, 1, 2}, {3, 4, 3, 4}, {1, 2, 1, 2}, {3, 4, 3, 4}});
}

TEST(Functions, Transpose) { expect_value("transpose(N)", {{1, 4}, {2, 5}, {3, 6}}); }

TEST(Functions, PowIsElementwise) {
  expect_value("pow(M, 2)", {{1, 4}, {9, 16}});
  expect_value("pow(2, v)", arma::mat("8; 16"));
  expect_value("pow(N, v - 2)", {{1, 2, 3}, {16, 25, 36}});
  expect_error("pow(A, q)", "expr.shape",
               "cannot take the elementwise power of A (4x3) and q (3x1): shapes differ and neither broadcasts");
}

TEST(Functions, ShapeQueries) {
  expect_value("numel(N)", arma::mat{6});
  expect_value("rows(N)", arma::mat{2});
  expect_value("cols(N)", arma::mat{3});
}

TEST(Functions, OnesZerosEye) {
  expect_value("ones(2)", {{1, 1}, {1, 1}});
  expect_value("ones(1, 3)", {{1, 1, 1}});
  expect_value("zeros(2, 1)", arma::mat("0; 0"));
  expect_value("eye(2)", {{1, 0}, {0, 1}});
  expect_value("eye(2, 3)", {{1, 0, 0}, {0, 1, 0}});
  expect_value("M + eye(2)", {{2, 2}, {3, 5}});
}

// commutation(m, n) against a direct permutation of the entries: K vec(A) = vec(A') for A m x n,
// a permutation matrix (K' = inv(K) = commutation(n, m)), the identity for a vector.
TEST(Functions, CommutationMatrixTransposesAVec) {
  expect_value("commutation(2, 3) * vec(N)", arma::vectorise(N.t()));
  expect_value("commutation(3, 2) * vec(N')", arma::vectorise(N));
  const arma::mat k = ev("commutation(2, 3)");
  ASSERT_EQ(k.n_rows, 6u);
  ASSERT_EQ(k.n_cols, 6u);
  arma::mat want(6, 6, arma::fill::zeros);  // vec(N)[i + 2 j] goes to vec(N')[j + 3 i]
  for (arma::uword i = 0; i < 2; ++i)
    for (arma::uword j = 0; j < 3; ++j) want(j + 3 * i, i + 2 * j) = 1;
  expect_near(k, want, 0, "commutation(2, 3)");
  expect_near(ev("commutation(2, 3)' * commutation(2, 3)"), arma::eye(6, 6), 0, "K' K");
  expect_near(ev("commutation(2, 3)'"), ev("commutation(3, 2)"), 0, "K(2,3)'");
  expect_value("commutation(3, 1)", arma::eye(3, 3));
  expect_value("commutation(n, 2)", arma::eye(2, 2));
  EXPECT_EQ(error_of("commutation(2)", reference_symbols()).id(), "expr.arity");
  EXPECT_EQ(error_of("commutation(A, 2)", reference_symbols()).id(), "expr.value");
}

// Factorisations of large matrices cost n^3 per evaluation: past 1e10 operations they are an
// expr.value error (see Operators.ExpensiveProductsAndPowersAreRefused, found by fuzzing).
TEST(Functions, ExpensiveFactorisationsAreRefused) {
  Symbols s = reference_symbols();
  s.add_variable("P", Shape{3000, 3000});
  s.add_variable("R", Shape{3000, 1});
  for (const char* text : {"sum(sum(inv(P)))", "det(P)", "logdet(P)", "sum(sum(chol(P)))", "sum(solve(P, R))",
                           "sum(sum(pinv(P)))"}) {
    const ExprError e = error_of(text, s);
    EXPECT_EQ(e.id(), "expr.value") << text;
    EXPECT_NE(e.detail().find("operations per evaluation, more than 1e+10"), std::string::npos) << e.detail();
  }
  EXPECT_EQ(shape_of("inv(S)", s), (Shape{3, 3}));
}

// ---------------------------------------------------------------------------------------------
// Complex evaluation: Im f(x + i h e_b) / h against Richardson differences of the real f, and
// the real part of every complex evaluation against the real evaluation.

namespace {

using test::ComplexCases;
using cx = std::complex<double>;

}  // namespace

TEST(FunctionsComplex, ElementwiseScalarFunctions) {
  ComplexCases c;
  for (const char* text : {"exp(w)", "log(v)", "sqrt(v)", "abs(w)", "tanh(w)", "sigmoid(w)", "sigmoid(big)",
                           "relu(w)", "softplus(w)", "softplus(big)", "sin(w)", "cos(w)", "tan(w)", "sinh(w)",
                           "cosh(w)", "log1p(v)", "log1p(v - 0.55)", "expm1(w)", "expm1(w / 1000)", "square(w)",
                           "sign(w) .* w", "pow(v, t)", "pow(w, 3)", "pow(v, w)", "abs(A) + relu(-A)"})
    c.check(text);
}

TEST(FunctionsComplex, Reductions) {
  ComplexCases c;
  for (const char* text : {"sum(A)", "sum(A, 1)", "sum(A, 2)", "mean(N)", "mean(N, 1)", "mean(N, 2)", "var(w)",
                           "var(N)", "var(N, 1)", "var(N, 2)", "max(A)", "max(A, 1)", "max(A, 2)", "min(A)",
                           "min(N, 1)", "min(N, 2)", "max(A, S)", "min(A, 0.5)", "max(w, 0)", "cumsum(A)",
                           "cumsum(A, 2)", "cumsum(r)", "norm(w)", "norm(A)", "norm(w, 1)", "norm(w, inf)",
                           "norm(r, 1)", "norm(A, 1)", "norm(A, inf)", "dot(w, v)", "dot(A, S)", "softmax(A)",
                           "log_softmax(A)", "logsumexp(A)", "logsumexp(big)", "softmax(big)", "log_softmax(big)"})
    c.check(text);
}

TEST(FunctionsComplex, LinearAlgebra) {
  ComplexCases c;
  ASSERT_LT(arma::det(c.values[1]), 0);  // D
  for (const char* text : {"tr(A)", "trace(N * B)", "det(A)", "det(D)", "logdet(A)", "logdet(S)", "logdet(D)",
                           "inv(A)", "inv(D)", "chol(S)", "solve(A, B)", "solve(D, v)", "inv(S) * chol(S)'"})
    c.check(text, 1e-8, 1e-13);
}

TEST(FunctionsComplex, Rearrangements) {
  ComplexCases c;
  for (const char* text : {"diag(v)", "diag(r)", "diag(A)", "diag(N)", "kron(A, B)", "kron(w, r)", "vec(N)",
                           "reshape(A, 1, 9)", "reshape(N, 3, 2)", "repmat(w, 2, 3)", "repmat(r .* w', 2, 1)",
                           "tril(A)", "triu(N)", "tril(B)", "transpose(N)", "transpose(B) * A"})
    c.check(text);
}

TEST(FunctionsComplex, BranchesDecideOnTheRealPart) {
  ComplexCases c;
  const arma::cx_mat z = arma::cx_vec{cx(-1, 5), cx(2, -3), cx(0, 4)};
  // abs(z) = z sign(re z): not the modulus.
  EXPECT_EQ(c.at("abs(w)", {{"w", z}})(0), cx(1, -5));
  EXPECT_EQ(c.at("abs(w)", {{"w", z}})(1), cx(2, -3));
  EXPECT_EQ(c.at("abs(w)", {{"w", z}})(2), cx(0, 0));
  EXPECT_EQ(c.at("relu(w)", {{"w", z}})(0), cx(0, 0));
  EXPECT_EQ(c.at("relu(w)", {{"w", z}})(1), cx(2, -3));
  EXPECT_EQ(c.at("sign(w)", {{"w", z}})(1), cx(1, 0));
  EXPECT_EQ(c.at("sign(w)", {{"w", z}})(0), cx(-1, 0));
  EXPECT_EQ(c.at("max(w)", {{"w", z}})(0), cx(2, -3));
  EXPECT_EQ(c.at("min(w)", {{"w", z}})(0), cx(-1, 5));
  EXPECT_EQ(c.at("max(w, 1)", {{"w", z}})(0), cx(2, -3));
  EXPECT_EQ(c.at("max(w, 0.5)", {{"w", z}})(0), cx(0.5, 0));
  EXPECT_EQ(c.at("min(w, 0.5)", {{"w", z}})(1), cx(0.5, 0));
  // norm(x) is sqrt(sum(x.^2)), dot(a, b) sum(a .* b): no conjugation, no modulus.
  const arma::cx_mat y = arma::cx_vec{cx(3, 1), cx(4, 0), cx(0, 0)};
  EXPECT_LT(std::abs(c.at("norm(w)", {{"w", y}})(0) - std::sqrt(cx(24, 6))), 1e-14);
  EXPECT_LT(std::abs(c.at("dot(w, w)", {{"w", y}})(0) - cx(24, 6)), 1e-14);
  EXPECT_LT(std::abs(c.at("norm(w, 1)", {{"w", y}})(0) - cx(7, 1)), 1e-14);
  EXPECT_EQ(c.at("transpose(w)", {{"w", y}})(0, 0), cx(3, 1));
  // Outside the real domain the extension is NaN, as the real function.
  EXPECT_TRUE(std::isnan(c.at("log(w)", {{"w", z}})(0).real()));
  EXPECT_TRUE(std::isnan(c.at("sqrt(w)", {{"w", z}})(0).real()));
  EXPECT_FALSE(std::isnan(c.at("sqrt(w)", {{"w", z}})(1).real()));
}

TEST(FunctionsComplex, NumericalFailureGivesNaNNotAnException) {
  ComplexCases c;
  c.add("P", arma::mat{{1, 2}, {2, 4}});   // singular
  c.add("Q", arma::mat{{1, 2}, {2, -4}});  // not positive definite
  const arma::cx_mat singular = {{cx(1, 0), cx(2, 0)}, {cx(2, 0), cx(4, 0)}};
  for (const char* text : {"inv(P)", "solve(P, ones(2, 1))", "chol(Q)", "P ^ -1"}) {
    SCOPED_TRACE(text);
    const arma::cx_mat out = c.at(text, {{"P", singular}});
    for (const cx& e : out) EXPECT_TRUE(std::isnan(e.real())) << text;
  }
}

TEST(FunctionsComplex, PinvAndTheMatrixTwoNormHaveNoComplexExtension) {
  Symbols s = reference_symbols();
  Expression e = Expression::compile("sum(sum(pinv(A) * 2)) + 1", s);
  EXPECT_FALSE(e.has_complex_extension());
  EXPECT_EQ(e.complex_obstacle(), "pinv");
  std::vector<arma::cx_mat> z(s.variable_count(), arma::cx_mat(4, 3, arma::fill::zeros));
  try {
    e.evaluate_complex(z);
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& err) {
    EXPECT_EQ(err.id(), "expr.complex");
    EXPECT_NE(err.message().find("pinv"), std::string::npos) << err.message();
  }
  Expression n = Expression::compile("norm(A, 2) + norm(wa, 2) + norm(A)", s);
  EXPECT_FALSE(n.has_complex_extension());
  EXPECT_EQ(n.complex_obstacle(), "norm");
  // The vector 2-norm and the other matrix norms have one; a pinv folded at compile time too.
  for (const char* text : {"norm(wa, 2) + norm(A, 1) + norm(A, inf) + norm(A)", "pinv(eye(3)) * q"}) {
    Expression ok = Expression::compile(text, s);
    EXPECT_TRUE(ok.has_complex_extension()) << text;
    EXPECT_EQ(ok.complex_obstacle(), "") << text;
  }
}
