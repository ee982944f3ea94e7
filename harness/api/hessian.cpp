// SPDX-License-Identifier: MIT
// The C++ API of second order: callables -> Problem (derivative_order 2) -> run_check.
#include "gradcheck/hessian.hpp"

#include <fmt/format.h>

#include "api/points.hpp"

namespace gradcheck {
namespace {

// A scalar f of one variable x as a second-order problem of the given form.
Problem one_variable(const ScalarFunction& f, const arma::mat& x, const ApiOptions& options, FormSpec form) {
  Problem p;
  p.audience = Audience::kCpp;
  p.names = {options.name};
  p.shapes = {Shape{x.n_rows, x.n_cols}};
  p.f_name = options.f_name;
  p.dims = options.dims;
  p.f_shape = Shape{1, 1};
  p.form = form;
  p.derivative_order = 2;
  p.f = [f](const std::vector<arma::mat>& values, arma::mat& out) {
    out.set_size(1, 1);
    out(0, 0) = f(values[0]);
  };
  return p;
}

}  // namespace

CheckResult check_hessian(const ScalarFunction& f, const arma::mat& x, const arma::mat& hessian, VecOrder order,
                          const ApiOptions& options) {
  Problem p = one_variable(f, x, options, FormSpec{Layout::kNumerator, Form::kVec, order, std::nullopt});
  p.expected = [hessian](const std::vector<arma::mat>&) { return hessian; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, api::points_near(x, options, false), options);
}

CheckResult check_hessian(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& hessian, VecOrder order,
                          const ApiOptions& options) {
  Problem p = one_variable(f, x, options, FormSpec{Layout::kNumerator, Form::kVec, order, std::nullopt});
  p.expected = [hessian](const std::vector<arma::mat>& values) { return hessian(values[0]); };
  return run_check(p, api::points_near(x, options, true), options);
}

CheckResult check_hvp(const ScalarFunction& f, const arma::mat& x, const arma::mat& v, const arma::mat& hvp,
                      const ApiOptions& options) {
  if (v.n_rows != x.n_rows || v.n_cols != x.n_cols)
    throw Error("api.usage", fmt::format("check_hvp: the direction v is {}x{} but x is {}x{}; v is shaped like x",
                                         v.n_rows, v.n_cols, x.n_rows, x.n_cols));
  Problem p = one_variable(f, x, options, FormSpec{Layout::kNumerator, Form::kHvp, VecOrder::kColumnMajor, std::nullopt});
  p.names.push_back("v");
  p.shapes.push_back(Shape{v.n_rows, v.n_cols});
  p.direction = 1;
  p.f = [f](const std::vector<arma::mat>& values, arma::mat& out) {
    out.set_size(1, 1);
    out(0, 0) = f(values[0]);
  };
  p.expected = [hvp](const std::vector<arma::mat>&) { return hvp; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, {{x, v}}, options);
}

CheckResult check_hessian_block(const MultiScalarFunction& f, const std::vector<Input>& inputs, std::size_t i,
                                std::size_t j, const arma::mat& block, VecOrder order, const ApiOptions& options) {
  if (i >= inputs.size() || j >= inputs.size())
    throw Error("api.usage", fmt::format("check_hessian_block: inputs {} and {} of {}", i, j, inputs.size()));
  std::vector<arma::mat> point;
  Problem p = api::multi_scalar_problem(f, inputs, options, point);
  p.form = FormSpec{Layout::kNumerator, Form::kVec, order, std::nullopt};
  p.derivative_order = 2;
  p.wrt = i;
  p.wrt2 = j;
  p.expected = [block](const std::vector<arma::mat>&) { return block; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, {point}, options);
}

}  // namespace gradcheck
