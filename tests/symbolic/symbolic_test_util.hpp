// SPDX-License-Identifier: MIT
// Shared by the tests of harness/symbolic: derive an expression, then check the result against
// finite differences through the engine (run_check), as a case file would.
#pragma once

#include <gtest/gtest.h>

#include <armadillo>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/index_notation.hpp"
#include "symbolic/derive.hpp"
#include "symbolic/forms.hpp"

namespace gradcheck::test {

// A variable of a test: name, shape and how its values are drawn ("normal", "positive" in
// [0.5, 1.5], "spd" well conditioned symmetric positive definite, "symmetric").
struct TestVar {
  std::string name;
  arma::uword rows, cols;
  std::string kind = "normal";
};

struct DeriveOutcome {
  std::string text;      // the derived expression, or the error's what()
  bool derived = false;  // derive() returned
  Status status = Status::kError;  // of the numerical check of the derived text
  std::string detail;    // the worst entry, or the error
};

inline std::vector<arma::mat> draw(const std::vector<TestVar>& vars, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  std::vector<arma::mat> out;
  for (const TestVar& v : vars) {
    arma::mat m(v.rows, v.cols, arma::fill::randn);
    if (v.kind == "positive") m = 0.5 + arma::mat(v.rows, v.cols, arma::fill::randu);
    if (v.kind == "symmetric") m = 0.5 * (m + m.t());
    if (v.kind == "spd") m = m * m.t() / double(v.rows) + arma::eye(v.rows, v.rows);
    out.push_back(m);
  }
  return out;
}

// Checks `expected` as the derivative of `f` with respect to `wrt` at 2 random points (finite
// differences, the engine's verdict). `detail` gets the worst entry or the error.
inline Status check_formula(const std::string& f, const std::string& wrt, const std::vector<TestVar>& vars,
                            const std::string& expected, FormSpec form, Structure structure,
                            const std::map<std::string, double>& dims, unsigned seed, std::string* detail) {
  try {
    Symbols symbols;
    std::vector<std::string> names;
    std::vector<Shape> shapes;
    for (const TestVar& v : vars) {
      symbols.add_variable(v.name, Shape{v.rows, v.cols});
      names.push_back(v.name);
      shapes.push_back(Shape{v.rows, v.cols});
    }
    for (const auto& [name, value] : dims) symbols.add_dim(name, value);
    auto ge = std::make_shared<Expression>(Expression::compile(expected, symbols));
    Problem p;
    p.names = names;
    p.shapes = shapes;
    p.wrt = static_cast<std::size_t>(std::find(names.begin(), names.end(), wrt) - names.begin());
    p.structure = structure;
    set_f(p, Expression::compile(f, symbols));  // as the runner gives it
    p.form = form;
    p.dims = dims;
    p.expected = [ge](const std::vector<arma::mat>& values) { return arma::mat(ge->evaluate(values)); };
    p.expected_text = expected;
    Options options;
    options.trials = 2;
    options.diagnose = false;
    options.error_vs_step = false;
    const CheckResult r = run_check(p, {draw(vars, seed), draw(vars, seed + 1000)}, options);
    *detail = r.error.empty() ? r.worst.label + " analytic " + std::to_string(r.worst.analytic) + " numeric " +
                                    std::to_string(r.worst.numeric)
                              : r.error;
    return r.status;
  } catch (const std::exception& e) {
    *detail = e.what();
    return Status::kError;
  }
}

// Derives `f` with respect to `wrt` and checks the result numerically at 2 random points.
inline DeriveOutcome derive_and_check(const std::string& f, const std::string& wrt, const std::vector<TestVar>& vars,
                                      FormSpec form = {}, Structure structure = Structure::kNone,
                                      std::map<std::string, double> dims = {}, unsigned seed = 1) {
  DeriveOutcome out;
  Symbols symbols;
  for (const TestVar& v : vars) symbols.add_variable(v.name, Shape{v.rows, v.cols});
  for (const auto& [name, value] : dims) symbols.add_dim(name, value);
  try {
    symbolic::DeriveRequest request{f, wrt, structure, form};
    out.text = symbolic::derive(request, symbols).text;
    out.derived = true;
  } catch (const std::exception& e) {
    out.detail = e.what();
    return out;
  }
  out.status = check_formula(f, wrt, vars, out.text, form, structure, dims, seed, &out.detail);
  return out;
}

// Runs the check that `request` describes (any order and form: index expressions for form
// index, the Hessian's indices as parse_hessian_indices reads them) with `text` as its expected,
// at 2 random points. `detail` gets the worst entry or the error.
inline Status check_request(const symbolic::CheckRequest& request, const std::vector<TestVar>& vars,
                            const std::string& text, const std::map<std::string, double>& dims, unsigned seed,
                            std::string* detail) {
  try {
    Symbols symbols;
    Problem p;
    for (const TestVar& v : vars) {
      symbols.add_variable(v.name, Shape{v.rows, v.cols});
      p.names.push_back(v.name);
      p.shapes.push_back(Shape{v.rows, v.cols});
    }
    for (const auto& [name, value] : dims) symbols.add_dim(name, value);
    auto slot = [&](const std::string& n) {
      return static_cast<std::size_t>(std::find(p.names.begin(), p.names.end(), n) - p.names.begin());
    };
    const bool second = request.derivative_order == 2;
    p.wrt = slot(request.wrt);
    p.derivative_order = request.derivative_order;
    if (second) p.wrt2 = slot(request.wrt2);
    if (!request.direction.empty()) p.direction = slot(request.direction);
    p.structure = request.structure;
    p.dims = dims;
    // f as the runner gives it (set_f: propagation, degree, the complex extension through which
    // second order differences an exact gradient).
    set_f(p, Expression::compile(request.expression, symbols));
    p.form = request.form;
    if (request.form.form == Form::kIndex) {
      auto ix = std::make_shared<IndexExpression>(IndexExpression::compile(
          text, *request.form.indices, second ? p.shapes[p.wrt] : p.f_shape, p.shapes[second ? p.wrt2 : p.wrt],
          symbols));
      p.expected = [ix](const std::vector<arma::mat>& values) { return arma::mat(ix->evaluate(values)); };
    } else {
      auto ge = std::make_shared<Expression>(Expression::compile(text, symbols));
      p.expected = [ge](const std::vector<arma::mat>& values) { return arma::mat(ge->evaluate(values)); };
    }
    p.expected_text = text;
    Options options;
    options.trials = 2;
    options.diagnose = false;
    options.error_vs_step = false;
    const CheckResult c = run_check(p, {draw(vars, seed), draw(vars, seed + 1000)}, options);
    *detail = c.error.empty() ? c.worst.label + " analytic " + std::to_string(c.worst.analytic) + " numeric " +
                                    std::to_string(c.worst.numeric)
                              : c.error;
    return c.status;
  } catch (const std::exception& e) {
    *detail = e.what();
    return Status::kError;
  }
}

}  // namespace gradcheck::test
