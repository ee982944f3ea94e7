// SPDX-License-Identifier: MIT
// Suggestions; see suggest.hpp.
#include "symbolic/suggest.hpp"

#include <memory>

#include "gradcheck/index_notation.hpp"
#include "symbolic/derive.hpp"
#include "symbolic/forms.hpp"

namespace gradcheck::symbolic {

Expression jacobian_expression(const std::string& expression, const std::string& wrt, Structure structure,
                               const Symbols& symbols) {
  DeriveRequest request{expression, wrt, structure, {}};
  request.form.layout = Layout::kNumerator;
  request.form.form = Form::kVec;
  return Expression::compile(derive(request, symbols).text, symbols);
}

Suggestion suggest(const std::string& expression, const Symbols& symbols, const Problem& problem,
                   const std::vector<std::vector<arma::mat>>& points, const Options& options) {
  try {
    CheckRequest request;
    request.expression = expression;
    request.wrt = problem.names.at(problem.wrt);
    request.derivative_order = problem.derivative_order;
    if (problem.derivative_order == 2) {
      request.wrt2 = problem.names.at(problem.wrt2);
      if (problem.form.form == Form::kHvp) request.direction = problem.names.at(problem.direction);
    }
    request.structure = problem.structure;
    request.form = problem.form;
    const std::string text = derive_expected(request, symbols);
    Problem p = problem;
    if (problem.form.form == Form::kIndex) {
      // The index expression over the check's own indices (for second order, the gradient's
      // Jacobian "X[i,j] / Y[k,l]"): f is then G, shaped like x.
      const Shape f_shape = problem.derivative_order == 2 ? problem.shapes.at(problem.wrt) : problem.f_shape;
      const Shape x_shape = problem.shapes.at(problem.derivative_order == 2 ? problem.wrt2 : problem.wrt);
      auto ix = std::make_shared<IndexExpression>(
          IndexExpression::compile(text, *problem.form.indices, f_shape, x_shape, symbols));
      p.expected = [ix](const std::vector<arma::mat>& values) { return arma::mat(ix->evaluate(values)); };
    } else {
      auto g = std::make_shared<Expression>(Expression::compile(text, symbols));
      p.expected = [g](const std::vector<arma::mat>& values) { return arma::mat(g->evaluate(values)); };
    }
    p.expected_text = text;
    p.expected_varies = true;
    // The one rule of a suggestion: it is shown only if the same check, at the same points with
    // the same options, passes with it.
    Options o = options;
    o.diagnose = false;
    o.error_vs_step = false;
    const CheckResult r = run_check(p, points, o);
    if (r.status != Status::kPass) return {};
    return Suggestion{text, r.layout, r.form};  // as the check itself names them
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace gradcheck::symbolic
