// SPDX-License-Identifier: MIT
// The C++ API: callables -> Problem -> run_check. No rule of its own.
#include <fmt/format.h>

#include "api/points.hpp"
#include "common/random.hpp"
#include "gradcheck/gradcheck.hpp"
#include "gradcheck/report.hpp"

namespace gradcheck {

ApiOptions detail::float_code_options(const ApiOptions& options) {
  ApiOptions out = options;
  if (out.precision == Precision::kAuto) out.precision = Precision::kSingle;
  return out;
}

namespace {

using api::points_near;

Problem single_problem(const MatrixFunction& f, const arma::mat& x, const ApiOptions& options, FormSpec form) {
  Problem p;
  p.audience = Audience::kCpp;
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

MatrixFunction as_matrix(const ScalarFunction& f) {
  return [f](const arma::mat& x) { return arma::mat(1, 1, arma::fill::value(f(x))); };
}

// ---- float32 code: every callable wrapped into the double engine ----

arma::fmat to_float(const arma::mat& x) { return arma::conv_to<arma::fmat>::from(x); }
arma::mat to_double(const arma::fmat& x) { return arma::conv_to<arma::mat>::from(x); }

std::vector<arma::fmat> to_float(const std::vector<arma::mat>& values) {
  std::vector<arma::fmat> out;
  out.reserve(values.size());
  for (const arma::mat& v : values) out.push_back(to_float(v));
  return out;
}

// Float code states its precision unless the caller already did.
ApiOptions single_precision(const ApiOptions& options) { return detail::float_code_options(options); }

// f_double(X) = double(f(float(X))).
ScalarFunction widen(const FloatScalarFunction& f) {
  return [f](const arma::mat& x) { return static_cast<double>(f(to_float(x))); };
}
MatrixFunction widen(const FloatMatrixFunction& f) {
  return [f](const arma::mat& x) { return to_double(f(to_float(x))); };
}

// ---- raw buffers ----

// Entry (i, j) of `view` into m(i, j): the offset rule is BufferView::offset (gradcheck.hpp),
// data[i * cols + j] row-major, data[j * rows + i] column-major.
template <class T>
arma::mat from_buffer(const BufferView<const T>& view) {
  arma::mat m(view.rows, view.cols);
  for (arma::uword j = 0; j < view.cols; ++j)
    for (arma::uword i = 0; i < view.rows; ++i) m(i, j) = static_cast<double>(view.data[view.offset(i, j)]);
  return m;
}

// m(i, j) into the scratch buffer `out`, laid out like `like`.
template <class T>
void to_buffer(const arma::mat& m, const BufferView<const T>& like, std::vector<T>& out) {
  out.resize(like.numel());
  for (arma::uword j = 0; j < like.cols; ++j)
    for (arma::uword i = 0; i < like.rows; ++i) out[like.offset(i, j)] = static_cast<T>(m(i, j));
}

template <class T>
void require_same_layout(const BufferView<const T>& x, const BufferView<const T>& gradient) {
  if (x.data == nullptr || gradient.data == nullptr)
    throw Error("api.usage", "check_gradient: a buffer view without data (nullptr)");
  if (gradient.rows != x.rows || gradient.cols != x.cols)
    throw Error("api.usage", fmt::format("check_gradient: the gradient buffer is {}x{} but x is {}x{}; a buffer "
                                         "gradient is laid out like x",
                                         gradient.rows, gradient.cols, x.rows, x.cols));
  if (gradient.order != x.order)
    throw Error("api.usage", fmt::format("check_gradient: the gradient buffer is {} but x is {}; a buffer gradient is "
                                         "laid out like x",
                                         to_string(gradient.order), to_string(x.order)));
}

template <class T>
ScalarFunction from_buffer_function(const std::function<T(const T*)>& f, const BufferView<const T>& x) {
  const BufferView<const T> like(nullptr, x.rows, x.cols, x.order);
  return [f, like](const arma::mat& m) {
    std::vector<T> scratch;  // one per call: f may be re-entered by nothing but itself
    to_buffer(m, like, scratch);
    return static_cast<double>(f(scratch.data()));
  };
}

}  // namespace

CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const arma::mat& gradient, Layout layout,
                           const ApiOptions& options) {
  Problem p = single_problem(as_matrix(f), x, options, FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt});
  p.expected = [gradient](const std::vector<arma::mat>&) { return gradient; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, points_near(x, options, false), options);
}

CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& gradient, Layout layout,
                           const ApiOptions& options) {
  Problem p = single_problem(as_matrix(f), x, options, FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt});
  p.expected = [gradient](const std::vector<arma::mat>& values) { return gradient(values[0]); };
  return run_check(p, points_near(x, options, true), options);
}

CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const arma::mat& jacobian, Layout layout,
                           VecOrder order, const ApiOptions& options) {
  Problem p = single_problem(f, x, options, FormSpec{layout, Form::kVec, order, std::nullopt});
  p.expected = [jacobian](const std::vector<arma::mat>&) { return jacobian; };
  p.expected_text = "(matrix)";
  p.expected_varies = false;
  return run_check(p, points_near(x, options, false), options);
}

CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const MatrixFunction& jacobian, Layout layout,
                           VecOrder order, const ApiOptions& options) {
  Problem p = single_problem(f, x, options, FormSpec{layout, Form::kVec, order, std::nullopt});
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
  std::vector<arma::mat> point;
  Problem p = api::multi_scalar_problem(f, inputs, options, point);
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

CheckResult detail::check_gradient_f32(const FloatScalarFunction& f, const arma::fmat& x, const arma::fmat& gradient,
                                       Layout layout, const ApiOptions& options) {
  return check_gradient(widen(f), to_double(x), to_double(gradient), layout, single_precision(options));
}

CheckResult detail::check_gradient_f32(const FloatScalarFunction& f, const arma::fmat& x,
                                       const FloatMatrixFunction& gradient, Layout layout, const ApiOptions& options) {
  const ApiOptions single = single_precision(options);
  Problem p = single_problem(as_matrix(widen(f)), to_double(x), single,
                             FormSpec{layout, Form::kAuto, VecOrder::kColumnMajor, std::nullopt});
  const MatrixFunction g = widen(gradient);
  p.expected = [g](const std::vector<arma::mat>& values) { return g(values[0]); };
  return run_check(p, points_near(to_double(x), single, true, true), single);
}

CheckResult detail::check_jacobian_f32(const FloatMatrixFunction& f, const arma::fmat& x, const arma::fmat& jacobian,
                                       Layout layout, VecOrder order, const ApiOptions& options) {
  return check_jacobian(widen(f), to_double(x), to_double(jacobian), layout, order, single_precision(options));
}

CheckResult detail::check_jacobian_f32(const FloatMatrixFunction& f, const arma::fmat& x,
                                       const FloatMatrixFunction& jacobian, Layout layout, VecOrder order,
                                       const ApiOptions& options) {
  const ApiOptions single = single_precision(options);
  Problem p = single_problem(widen(f), to_double(x), single, FormSpec{layout, Form::kVec, order, std::nullopt});
  const MatrixFunction j = widen(jacobian);
  p.expected = [j](const std::vector<arma::mat>& values) { return j(values[0]); };
  return run_check(p, points_near(to_double(x), single, true, true), single);
}

std::vector<CheckResult> detail::check_gradients_f32(const FloatMultiScalarFunction& f,
                                                     const std::vector<FloatInput>& inputs,
                                                     const std::vector<FloatMultiGradient>& gradients, Layout layout,
                                                     const ApiOptions& options, bool gradients_vary) {
  std::vector<Input> wide;
  for (const FloatInput& in : inputs) wide.push_back({in.name, to_double(in.value), in.structure});
  std::vector<MultiGradient> wide_gradients;
  for (const FloatMultiGradient& g : gradients)
    wide_gradients.push_back([g](const std::vector<arma::mat>& values) { return to_double(g(to_float(values))); });
  const MultiScalarFunction wide_f = [f](const std::vector<arma::mat>& values) {
    return static_cast<double>(f(to_float(values)));
  };
  return check_gradients(wide_f, wide, wide_gradients, layout, single_precision(options), gradients_vary);
}

CheckResult detail::check_gradient_buffer(const std::function<float(const float*)>& f, BufferView<const float> x,
                                          BufferView<const float> gradient, const ApiOptions& options) {
  require_same_layout(x, gradient);
  return check_gradient(from_buffer_function(f, x), from_buffer(x), from_buffer(gradient), Layout::kDenominator,
                        single_precision(options));
}

CheckResult detail::check_gradient_buffer(const std::function<double(const double*)>& f, BufferView<const double> x,
                                          BufferView<const double> gradient, const ApiOptions& options) {
  require_same_layout(x, gradient);
  return check_gradient(from_buffer_function(f, x), from_buffer(x), from_buffer(gradient), Layout::kDenominator,
                        options);
}

std::string describe(const CheckResult& check, const std::string& case_name) {
  CaseResult c;
  c.name = case_name.empty() ? "check" : case_name;
  c.status = check.status;
  return report::check_text(c, check);
}

}  // namespace gradcheck
