// SPDX-License-Identifier: MIT
// Suggestions; see suggest.hpp.
#include "symbolic/suggest.hpp"

#include <memory>

#include "symbolic/derive.hpp"

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
  if (problem.form.form == Form::kIndex) return {};
  try {
    DeriveRequest request{expression, problem.names.at(problem.wrt), problem.structure, problem.form};
    const Derivative d = derive(request, symbols);
    auto g = std::make_shared<Expression>(Expression::compile(d.text, symbols));
    Problem p = problem;
    p.expected = [g](const std::vector<arma::mat>& values) { return arma::mat(g->evaluate(values)); };
    p.expected_text = d.text;
    p.expected_varies = true;
    Options o = options;
    o.diagnose = false;
    o.error_vs_step = false;
    const CheckResult r = run_check(p, points, o);
    if (r.status != Status::kPass) return {};
    return Suggestion{d.text, to_string(problem.form.layout), to_string(problem.form.form)};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace gradcheck::symbolic
