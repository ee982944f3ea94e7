// SPDX-License-Identifier: MIT
// Tests of harness/symbolic/derive.cpp: every rule against finite differences, the seeds' pinned
// simplified forms, layouts and forms, and the located errors.
#include "symbolic/derive.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/second_order.hpp"
#include "gradcheck/error.hpp"
#include "symbolic/symbolic_test_util.hpp"

namespace gradcheck {
namespace {

using test::derive_and_check;
using test::TestVar;

FormSpec numerator() {
  FormSpec f;
  f.layout = Layout::kNumerator;
  return f;
}
FormSpec vec_form(Layout layout = Layout::kNumerator) {
  FormSpec f;
  f.layout = layout;
  f.form = Form::kVec;
  return f;
}
FormSpec row_major(Layout layout = Layout::kNumerator) {
  FormSpec f = vec_form(layout);
  f.order = VecOrder::kRowMajor;
  return f;
}

// The seeds of the issue, derived and simplified, must read as a textbook writes them.
TEST(Derive, SeedsPinnedForms) {
  {
    auto r = derive_and_check("wa' * A * B * wb", "B", {{"A", 4, 3}, {"B", 3, 4}, {"wa", 4, 1}, {"wb", 4, 1}});
    EXPECT_EQ(r.text, "A' * wa * wb'");
    EXPECT_EQ(r.status, Status::kPass) << r.detail;
  }
  {
    auto r = derive_and_check("a' * W' * x", "W", {{"a", 3, 1}, {"W", 4, 3}, {"x", 4, 1}});
    EXPECT_EQ(r.text, "x * a'");
    EXPECT_EQ(r.status, Status::kPass) << r.detail;
  }
  {
    auto r = derive_and_check("A * H * W", "H", {{"A", 5, 4}, {"H", 4, 3}, {"W", 3, 2}}, vec_form());
    EXPECT_EQ(r.text, "kron(W', A)");
    EXPECT_EQ(r.status, Status::kPass) << r.detail;
  }
  {
    auto r = derive_and_check("sum((W*X + b - Y).^2) / (2*m)", "W", {{"W", 3, 4}, {"X", 4, 6}, {"b", 3, 1}, {"Y", 3, 6}},
                              {}, Structure::kNone, {{"m", 6}});
    EXPECT_EQ(r.text, "(W * X + b - Y) * X' / m");
    EXPECT_EQ(r.status, Status::kPass) << r.detail;
  }
}

struct RuleCase {
  const char* f;
  const char* wrt;
  std::vector<TestVar> vars;
};

// Every operator and function with a rule, in reverse mode (scalar f), against finite
// differences. Shapes are non-square wherever the function allows, so a transpose cannot hide.
TEST(Derive, EveryReverseRuleMatchesFiniteDifferences) {
  const std::vector<TestVar> v = {{"A", 4, 3}, {"B", 3, 4}, {"x", 4, 1}, {"y", 4, 1}, {"X", 4, 3}, {"Y", 4, 3},
                                  {"S", 4, 4, "spd"}, {"P", 4, 4, "positive"}, {"Q", 4, 3, "positive"},
                                  {"q", 4, 1, "positive"}, {"s", 1, 1, "positive"}, {"Z", 3, 5}, {"C", 4, 4},
                                  {"r", 1, 4}};
  const std::vector<RuleCase> cases = {
      {"x' * A * B * y", "A", v},         {"x' * A * B * y", "B", v},     {"sum(sum(X .* Y))", "X", v},
      {"sum(X ./ Q)", "Q", v},            {"sum(X ./ Q)", "X", v},         {"sum(Q .^ 3)", "Q", v},
      {"sum(Q .^ Q)", "Q", v},            {"s ^ 2.5", "s", v},             {"sum(s * X)", "s", v},
      {"sum(X / s)", "s", v},             {"sum(X / s)", "X", v},          {"-sum(X - Y)", "Y", v},
      {"sum(X' * x)", "X", v},            {"sum(x + X)", "x", v},          {"sum(r + X')", "r", v},
      {"sum(s + X)", "s", v},             {"sum(exp(X))", "X", v},         {"sum(log(Q))", "Q", v},
      {"sum(sqrt(Q))", "Q", v},           {"sum(abs(X))", "X", v},         {"sum(tanh(X))", "X", v},
      {"sum(sigmoid(X))", "X", v},        {"sum(relu(X))", "X", v},        {"sum(softplus(X))", "X", v},
      {"sum(sin(X) + cos(X) + tan(X / 4))", "X", v},                       {"sum(sinh(X) + cosh(X))", "X", v},
      {"sum(log1p(Q) + expm1(X))", "X", v},                                {"sum(log1p(Q))", "Q", v},
      {"sum(square(X))", "X", v},         {"sum(sign(X) .* X)", "X", v},   {"sum(pow(Q, 3))", "Q", v},
      {"sum(X > 0 .* X)", "X", v},        {"sum(sum(X, 1))", "X", v},      {"sum(sum(X, 2) .^ 2)", "X", v},
      {"sum(mean(X, 1) .^ 2)", "X", v},   {"mean(X .^ 2)", "X", v},        {"sum(mean(X, 2) .^ 2)", "X", v},
      {"var(X)", "X", v},                 {"sum(var(X, 1))", "X", v},      {"sum(var(X, 2))", "X", v},
      {"max(x)", "x", v},                 {"sum(max(X, 1))", "X", v},      {"sum(min(X, 2))", "X", v},
      {"sum(max(X, Y))", "X", v},         {"sum(max(X, Y))", "Y", v},      {"sum(min(X, 0.1))", "X", v},
      {"sum(cumsum(X) .^ 2)", "X", v},    {"sum(cumsum(X, 2) .^ 2)", "X", v},
      {"norm(X)", "X", v},                {"norm(x)", "x", v},             {"norm(x, 1)", "x", v},
      {"norm(x, inf)", "x", v},           {"norm(X, 1)", "X", v},          {"norm(X, inf)", "X", v},
      {"dot(X, Y)", "X", v},              {"dot(x, r)", "r", v},           {"sum(softmax(Z) .* Z)", "Z", v},
      {"sum(log_softmax(Z) .* Z)", "Z", v}, {"sum(logsumexp(Z))", "Z", v}, {"logsumexp(x)", "x", v},
      {"tr(A * B)", "A", v},              {"tr(X)", "X", v},               {"det(C)", "C", v},
      {"logdet(S)", "S", v},              {"logdet(C)", "C", v},           {"x' * inv(S) * y", "S", v},
      {"sum(solve(S, X))", "S", v},       {"sum(solve(S, X))", "X", v},    {"x' * solve(S, y)", "y", v},
      {"sum(diag(x) * X)", "x", v},       {"sum(diag(C) .^ 2)", "C", v},   {"sum(diag(X) .^ 2)", "X", v},
      {"sum(diag(r) * x)", "r", v},       {"sum(kron(A, B) .^ 2)", "A", v}, {"sum(kron(A, B) .^ 2)", "B", v},
      {"sum(vec(X) .^ 2)", "X", v},       {"sum(reshape(X, 3, 4) * X)", "X", v},
      {"sum(repmat(X, 2, 3) .^ 2)", "X", v}, {"sum(tril(C) * C)", "C", v}, {"sum(triu(C) .^ 2)", "C", v},
      {"sum(transpose(X) * Y)", "X", v},  {"tr(C ^ 3)", "C", v},           {"sum(X .* X .* X)", "X", v},
      {"x' * S * x", "x", v},             {"sum(ones(1, 4) * X)", "X", v}, {"sum(X * ones(3, 1))", "X", v},
      {"exp(x' * y / 4)", "x", v},        {"sum(1 ./ Q)", "Q", v},         {"norm(A * B - S)^2", "B", v},
  };
  for (const RuleCase& c : cases) {
    const auto r = derive_and_check(c.f, c.wrt, c.vars);
    EXPECT_TRUE(r.derived) << c.f << " wrt " << c.wrt << ": " << r.detail;
    EXPECT_EQ(r.status, Status::kPass) << c.f << " wrt " << c.wrt << " -> " << r.text << ": " << r.detail;
  }
}

// Jacobians of vector and matrix f (forward mode), in both layouts and form vec.
TEST(Derive, JacobiansMatchFiniteDifferences) {
  const std::vector<TestVar> v = {{"W", 3, 4}, {"x", 4, 1}, {"b", 3, 1}, {"A", 5, 3}, {"H", 3, 4}, {"B", 4, 2},
                                  {"z", 5, 1}, {"S", 3, 3, "spd"}, {"X", 3, 3}, {"q", 4, 1, "positive"}};
  struct J {
    const char* f;
    const char* wrt;
    FormSpec form;
  };
  const std::vector<J> cases = {
      {"W * x + b", "x", numerator()},     {"W * x + b", "x", FormSpec{}},      {"W * x", "W", vec_form()},
      {"W * x + b", "b", numerator()},     {"A * H * B", "H", vec_form()},      {"A * H * B", "H", vec_form(Layout::kDenominator)},
      {"relu(x)", "x", numerator()},       {"tanh(W * x)", "x", numerator()},   {"softmax(z)", "z", numerator()},
      {"log_softmax(z)", "z", numerator()}, {"exp(X)", "X", vec_form()},        {"inv(S)", "S", vec_form()},
      {"x .* q", "q", numerator()},        {"x ./ q", "q", numerator()},        {"q .^ 2 / 3", "q", numerator()},
      {"x' * W'", "x", numerator()},       {"W * x * 2 - b", "W", vec_form()},  {"sum(W, 2)", "W", vec_form()},
      {"sum(W, 1)", "W", vec_form()},      {"mean(W, 2)", "W", vec_form()},     {"solve(S, b)", "b", numerator()},   {"solve(S, b)", "S", vec_form()},
      {"x * norm(x)", "x", numerator()},   {"logsumexp(x) * x", "x", numerator()},
      // Transposes of matrices inside the Jacobian (commutation matrices), and row-major vec.
      {"W'", "W", vec_form()},             {"H' * A'", "H", vec_form()},        {"A * H * B", "H", row_major()},
      {"W * x", "W", row_major()},         {"exp(H') * W", "H", vec_form()},    {"W * H'", "H", row_major(Layout::kDenominator)},
      {"H' * A' + (A * H)'", "A", vec_form()}, {"inv(X')", "X", vec_form()},
  };
  for (const J& c : cases) {
    const auto r = derive_and_check(c.f, c.wrt, v, c.form);
    EXPECT_TRUE(r.derived) << c.f << " wrt " << c.wrt << ": " << r.detail;
    EXPECT_EQ(r.status, Status::kPass) << c.f << " wrt " << c.wrt << " -> " << r.text << ": " << r.detail;
  }
  EXPECT_EQ(derive_and_check("relu(x)", "x", v, numerator()).text, "diag(x > 0)");
  EXPECT_EQ(derive_and_check("W * x + b", "x", v, numerator()).text, "W");
  EXPECT_EQ(derive_and_check("W * x + b", "x", v).text, "W'");
  EXPECT_EQ(derive_and_check("W * x", "W", v, vec_form()).text, "kron(x', eye(3))");
  // Row-major vec of a linear layer: the Kronecker factors swapped (K(p, 1) kron(x', I) K(n, p)).
  EXPECT_EQ(derive_and_check("W * x", "W", v, row_major()).text, "kron(eye(3), x')");
  EXPECT_EQ(derive_and_check("W'", "W", v, vec_form()).text, "commutation(3, 4)");
  EXPECT_EQ(derive_and_check("A * H * B", "H", v, row_major()).text, "kron(A, B')");
}

TEST(Derive, LayoutsAndFormsOfAScalarF) {
  const std::vector<TestVar> v = {{"a", 4, 1}, {"X", 4, 3}, {"b", 3, 1}};
  EXPECT_EQ(derive_and_check("a' * X * b", "X", v).text, "a * b'");
  auto num = derive_and_check("a' * X * b", "X", v, numerator());
  EXPECT_EQ(num.text, "b * a'");
  EXPECT_EQ(num.status, Status::kPass) << num.detail;
  auto vd = derive_and_check("a' * X * b", "X", v, vec_form(Layout::kDenominator));
  EXPECT_EQ(vd.status, Status::kPass) << vd.text << vd.detail;
  FormSpec row = vec_form();
  row.order = VecOrder::kRowMajor;
  auto vr = derive_and_check("a' * X * b", "X", v, row);
  EXPECT_EQ(vr.status, Status::kPass) << vr.text << vr.detail;
}

TEST(Derive, SymmetricVariablesFollowTheConvention) {
  const std::vector<TestVar> v = {{"S", 4, 4, "spd"}, {"x", 4, 1}, {"A", 4, 4}};
  for (const char* f : {"logdet(S)", "x' * S * x", "tr(A * S)", "x' * inv(S) * x"}) {
    auto r = derive_and_check(f, "S", v, {}, Structure::kSymmetric);
    EXPECT_EQ(r.status, Status::kPass) << f << " -> " << r.text << ": " << r.detail;
  }
  EXPECT_EQ(derive_and_check("logdet(S)", "S", v, {}, Structure::kSymmetric).text,
            "2 * inv(S) - diag(diag(inv(S)))");
}

TEST(Derive, AFunctionWithoutARuleIsALocatedError) {
  Symbols s;
  s.add_variable("X", Shape{4, 3});
  try {
    symbolic::derive({"sum(pinv(X))", "X"}, s);
    FAIL() << "pinv has no rule";
  } catch (const ExprError& e) {
    EXPECT_EQ(e.id(), "symbolic.no-rule");
    EXPECT_EQ(e.column(), 5u);
    EXPECT_EQ(e.excerpt(""), "sum(pinv(X))\n    ^^^^");
  }
  s.add_variable("C", Shape{3, 3});
  EXPECT_THROW(symbolic::derive({"norm(C, 2)", "C"}, s), ExprError);
  EXPECT_THROW(symbolic::derive({"X", "Y"}, s), Error);
  EXPECT_THROW(symbolic::derive({"X * C", "C"}, s), Error);  // matrix f, form auto
}

// Wrong derivations stay wrong: the checker that validates derived formulas rejects a transpose.
TEST(Derive, TheNumericalCheckRejectsAWrongFormula) {
  const std::vector<TestVar> v = {{"A", 4, 3}, {"B", 3, 4}, {"wa", 4, 1}, {"wb", 4, 1}};
  Symbols s;
  for (const auto& t : v) s.add_variable(t.name, Shape{t.rows, t.cols});
  const std::string right = symbolic::derive({"wa' * A * B * wb", "B"}, s).text;
  EXPECT_NE(right, "(A' * wa * wb')'");
  auto wrong = derive_and_check("wa' * A * B * wb", "B", v, numerator());  // the numerator layout answer
  EXPECT_EQ(wrong.status, Status::kPass) << wrong.detail;
  EXPECT_EQ(wrong.text, "wb * wa' * A");
}


std::size_t length_without_spaces(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return c != ' '; }));
}

// The identity set (tests/data/symbolic/identities.json): Matrix Cookbook identities and backward
// formulas of layers. Every textbook formula must itself pass (the set is verified), the share of
// identities that derive to a passing expression must be >= 95%, and the median length of the
// derived expression over the textbook one (spaces ignored) <= 1.5.
TEST(Derive, IdentitySetDerivesToShortPassingFormulas) {
  std::ifstream in(std::string(GRADCHECK_TEST_DATA) + "/symbolic/identities.json");
  ASSERT_TRUE(in) << "tests/data/symbolic/identities.json";
  const nlohmann::json set = nlohmann::json::parse(in);
  int total = 0, derived_passing = 0;
  std::vector<double> ratios;
  for (const auto& id : set["identities"]) {
    ++total;
    std::vector<TestVar> vars;
    for (const auto& [name, spec] : id["vars"].items())
      vars.push_back({name, spec[0].get<arma::uword>(), spec[1].get<arma::uword>(),
                      spec.size() > 2 ? spec[2].get<std::string>() : "normal"});
    // The check the identity describes: layout, form (auto, vec, index, hvp), vec order, indices,
    // derivative_order 2 with wrt2 (default: wrt) and direction.
    symbolic::CheckRequest request;
    request.expression = id["f"];
    request.wrt = id["wrt"];
    if (id.value("layout", "denominator") == "numerator") request.form.layout = Layout::kNumerator;
    const std::string form = id.value("form", "auto");
    request.form.form = form == "vec" ? Form::kVec : form == "index" ? Form::kIndex : form == "hvp" ? Form::kHvp : Form::kAuto;
    if (id.value("order", "column-major") == "row-major") request.form.order = VecOrder::kRowMajor;
    request.structure = id.value("structure", "none") == "symmetric" ? Structure::kSymmetric : Structure::kNone;
    request.derivative_order = id.value("derivative_order", 1);
    request.wrt2 = id.value("wrt2", request.wrt);
    request.direction = id.value("direction", "");
    std::map<std::string, double> dims;
    if (id.contains("dims"))
      for (const auto& [name, value] : id["dims"].items()) dims[name] = value.get<double>();
    Symbols symbols;
    for (const TestVar& t : vars) symbols.add_variable(t.name, Shape{t.rows, t.cols});
    for (const auto& [n, value] : dims) symbols.add_dim(n, value);
    const std::string name = id["name"], textbook = id["textbook"];
    if (request.form.form == Form::kIndex)
      request.form.indices = request.derivative_order == 2
                                 ? parse_hessian_indices(id["indices"].get<std::string>(), request.wrt, request.wrt2)
                                 : IndexSpec::parse(id["indices"].get<std::string>());
    // The textbook side, checked by the same machinery: the identity set itself is verified.
    std::string why;
    EXPECT_EQ(test::check_request(request, vars, textbook, dims, 3, &why), Status::kPass)
        << "the textbook side of " << name << " (" << textbook << "): " << why;
    std::string derived, detail;
    Status status = Status::kError;
    try {
      derived = symbolic::derive_expected(request, symbols);
      status = test::check_request(request, vars, derived, dims, 1, &detail);
    } catch (const std::exception& e) {
      detail = e.what();
    }
    const bool ok = status == Status::kPass;
    EXPECT_TRUE(ok) << name << ": " << request.expression << " -> " << derived << ": " << detail;
    if (ok) {
      ++derived_passing;
      ratios.push_back(double(length_without_spaces(derived)) / double(length_without_spaces(textbook)));
    }
    std::cout << "[identity] " << name << "\n    derived  " << derived << "\n    textbook " << textbook << "\n";
  }
  ASSERT_FALSE(ratios.empty());
  std::sort(ratios.begin(), ratios.end());
  const double median = ratios.size() % 2 ? ratios[ratios.size() / 2]
                                          : 0.5 * (ratios[ratios.size() / 2 - 1] + ratios[ratios.size() / 2]);
  const double share = double(derived_passing) / double(total);
  std::cout << "[identities] " << derived_passing << " of " << total << " derive to a passing expression ("
            << 100 * share << "%), median length ratio derived/textbook " << median << "\n";
  EXPECT_GE(share, 0.95);
  EXPECT_LE(median, 1.5);
}

// A property test: random well-shaped expressions (seeded) over a fixed set of variables, derived
// and checked numerically.
TEST(Derive, RandomExpressionsDeriveToPassingGradients) {
  const std::vector<TestVar> v = {{"A", 3, 3}, {"B", 3, 3}, {"x", 3, 1}, {"y", 3, 1}, {"P", 3, 3, "spd"}};
  std::mt19937 rng(20261201);
  auto pick = [&](std::vector<std::string> options) { return options[rng() % options.size()]; };
  // A random 3x3 matrix expression of depth d.
  std::function<std::string(int)> matrix = [&](int d) -> std::string {
    if (d == 0) return pick({"A", "B", "P", "A'", "(x * y')"});
    switch (rng() % 8) {
      case 0: return "(" + matrix(d - 1) + " + " + matrix(d - 1) + ")";
      case 1: return "(" + matrix(d - 1) + " * " + matrix(d - 1) + ")";
      case 2: return "(" + matrix(d - 1) + " .* " + matrix(d - 1) + ")";
      case 3: return pick({"tanh", "sigmoid", "sin", "exp"}) + "(" + matrix(d - 1) + " / 4)";
      case 4: return "(" + matrix(d - 1) + ")'";
      case 5: return "(2 * " + matrix(d - 1) + " - " + matrix(d - 1) + ")";
      case 6: return "inv(P + " + matrix(d - 1) + " .^ 2 / 10)";
      default: return "softmax(" + matrix(d - 1) + ")";
    }
  };
  auto scalar = [&]() -> std::string {
    switch (rng() % 5) {
      case 0: return "sum(" + matrix(2) + ")";
      case 1: return "x' * " + matrix(2) + " * y";
      case 2: return "tr(" + matrix(2) + ")";
      case 3: return "norm(" + matrix(2) + ")^2";
      default: return "sum(logsumexp(" + matrix(2) + "))";
    }
  };
  int checked = 0;
  for (int k = 0; k < 40; ++k) {
    const std::string f = scalar();
    for (const std::string wrt : {"A", "x"}) {
      if (f.find(wrt) == std::string::npos) continue;
      const auto r = derive_and_check(f, wrt, v, {}, Structure::kNone, {}, 7 + k);
      EXPECT_TRUE(r.derived) << f << ": " << r.detail;
      EXPECT_EQ(r.status, Status::kPass) << f << " wrt " << wrt << " -> " << r.text << ": " << r.detail;
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
  // Jacobians of random matrix expressions (form vec, both vec orders): transposes of matrices
  // inside them need commutation matrices. softmax of a matrix has no Jacobian rule: left out.
  int jacobians = 0;
  for (int k = 0; k < 40 && jacobians < 16; ++k) {
    const std::string f = matrix(2);
    if (f.find("softmax") != std::string::npos || f.find('A') == std::string::npos) continue;
    FormSpec form = vec_form();
    if (k % 2) form.order = VecOrder::kRowMajor;
    const auto r = derive_and_check(f, "A", v, form, Structure::kNone, {}, 100 + k);
    EXPECT_TRUE(r.derived) << f << ": " << r.detail;
    EXPECT_EQ(r.status, Status::kPass) << f << " (vec, " << (k % 2 ? "row" : "column") << "-major) -> " << r.text
                                       << ": " << r.detail;
    ++jacobians;
  }
  EXPECT_GE(jacobians, 10);
}

// A deep composition derives to a formula that grows with the depth polynomially (each factor of
// the chain rule holds the sub-expression below it once), never exponentially: pinned bounds.
TEST(Derive, DeepCompositionsDoNotBlowUp) {
  const std::vector<TestVar> v = {{"W", 3, 4}, {"x", 4, 1}};
  std::string f = "W * x";
  std::size_t previous = 0;
  for (int depth = 1; depth <= 8; ++depth) {
    f = "tanh(" + f + ")";
    const auto r = derive_and_check("sum(" + f + ")", "W", v);
    EXPECT_EQ(r.status, Status::kPass) << f << " -> " << r.text << ": " << r.detail;
    const std::size_t length = r.text.size();
    if (depth == 3) {
      EXPECT_EQ(r.text, "(1 - tanh(tanh(tanh(W * x))) .^ 2) .* (1 - tanh(tanh(W * x)) .^ 2) .* (1 - tanh(W * x) .^ 2) * x'");
      EXPECT_LE(length, 100u);
    }
    if (depth > 1) EXPECT_LE(length - previous, 24u + 8u * std::size_t(depth)) << "depth " << depth << ": " << r.text;
    previous = length;
  }
  EXPECT_LE(previous, 400u);  // depth 8
}

}  // namespace
}  // namespace gradcheck
