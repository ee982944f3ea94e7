// SPDX-License-Identifier: MIT
// The C++ API: callables -> Problem -> run_check. No rule of its own.
#include <fmt/format.h>

#include "common/random.hpp"
#include "gradcheck/gradcheck.hpp"
#include "gradcheck/report.hpp"

namespace gradcheck {
namespace {

Problem single(const MatrixFunction& f, const arma::mat& x, const ApiOptions& options, FormSpec form) {
  Problem p;
  p.names = {options.name};
  p.shapes = {Shape{x.n_rows, x.n_cols}};
  p.wrt = 0;
  p.structure = options.structure;
  p.f_name = options.f_name;
  p.dims = options.dims;
  const arma::mat f0 = f(x);
  p.f_shape = Shape{f0.n_rows, f0.n_cols};
  p.form = form;
  p.f = [f](const std::vector<arma::mat>& values, arma::mat& out) { out = f(values[0]); };
  return p;
}

// The given point, then options.trials - 1 points near it.
std::vector<std::vector<arma::mat>> points_near(const arma::mat& x, const ApiOptions& options, bool several) {
  std::vector<std::vector<arma::mat>> points{{x}};
  if (!several) return points;
  for (int t = 1; t < options.trials; ++t) {
    Random random(mix_seed(options.seed, static_cast<std::uint64_t>(t)));
    arma::mat y = x;
    for (arma::uword k = 0; k < y.n_elem; ++k)
      y(k) += options.perturbation_scale * std::max(1.0, std::abs(x(k))) * random.normal();
    if (options.structure == Structure::kSymmetric) y = 0.5 * (y + y.t());
    points.push_back({y});
  }
  return points;
}

MatrixFunction as_matrix(const ScalarFunction& f) {
  return [f](const arma::mat& x) { return arma::mat(1, 1, arma::fill::value(f(x))); };
}

}  // namespace

CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const arma::mat& gradient, Layout layout,
                           const ApiOptions& options) {
  Problem p = single(as_matrix(f), x, options, FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt});
  p.expected = [gradient](const std::vector<arma::mat>&) { return gradient; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, points_near(x, options, false), options);
}

CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& gradient, Layout layout,
                           const ApiOptions& options) {
  Problem p = single(as_matrix(f), x, options, FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt});
  p.expected = [gradient](const std::vector<arma::mat>& values) { return gradient(values[0]); };
  return run_check(p, points_near(x, options, true), options);
}

CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const arma::mat& jacobian, Layout layout,
                           VecOrder order, const ApiOptions& options) {
  Problem p = single(f, x, options, FormSpec{layout, Form::kVec, order, std::nullopt});
  p.expected = [jacobian](const std::vector<arma::mat>&) { return jacobian; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, points_near(x, options, false), options);
}

CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const MatrixFunction& jacobian, Layout layout,
                           VecOrder order, const ApiOptions& options) {
  Problem p = single(f, x, options, FormSpec{layout, Form::kVec, order, std::nullopt});
  p.expected = [jacobian](const std::vector<arma::mat>& values) { return jacobian(values[0]); };
  return run_check(p, points_near(x, options, true), options);
}

std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<arma::mat>& gradients, Layout layout,
                                         const ApiOptions& options) {
  std::vector<MultiGradient> callables;
  for (const arma::mat& g : gradients) callables.push_back([g](const std::vector<arma::mat>&) { return g; });
  return check_gradients(f, inputs, callables, layout, options, false);
}

std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<MultiGradient>& gradients, Layout layout,
                                         const ApiOptions& options, bool gradients_vary) {
  if (gradients.size() != inputs.size())
    throw Error("api.usage", fmt::format("check_gradients: {} inputs but {} gradients", inputs.size(), gradients.size()));
  Problem p;
  std::vector<arma::mat> point;
  for (const Input& in : inputs) {
    p.names.push_back(in.name);
    p.shapes.push_back(Shape{in.value.n_rows, in.value.n_cols});
    point.push_back(in.value);
  }
  p.f_name = options.f_name;
  p.dims = options.dims;
  p.f_shape = Shape{1, 1};
  p.f = [f](const std::vector<arma::mat>& values, arma::mat& out) { out.set_size(1, 1); out(0, 0) = f(values); };
  p.form = FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt};
  p.expected_text = gradients_vary ? "(callable)" : "(matrix)";
  p.expected_varies = gradients_vary;
  std::vector<CheckResult> out;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    p.wrt = i;
    p.structure = inputs[i].structure;
    p.expected = gradients[i];
    out.push_back(run_check(p, {point}, options));
  }
  return out;
}

std::string describe(const CheckResult& check, const std::string& case_name) {
  CaseResult c;
  c.name = case_name.empty() ? "check" : case_name;
  c.status = check.status;
  return report::check_text(c, check);
}

}  // namespace gradcheck
