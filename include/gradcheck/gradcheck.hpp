// SPDX-License-Identifier: MIT
// gradcheck's C++ API: check hand-written derivatives from your own code and tests.
//
//   double loss(const arma::mat& W);            // your function
//   arma::mat loss_grad(const arma::mat& W);    // your hand-derived gradient
//   auto r = gradcheck::check_gradient(loss, W, loss_grad(W));
//   if (r.status != gradcheck::Status::kPass) std::cout << gradcheck::describe(r);
//
// float32 code (arma::fmat, or raw float buffers in row-major order) is taken as it is: see
// "float32 code" and "raw buffers" below.
//
// GoogleTest assertions over these functions: gradcheck/gtest.hpp.
//
// Every function here builds a Problem and calls run_check, the same engine the command line
// uses (check.hpp); results carry every figure of the JSON report.
#pragma once

#include <armadillo>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/options.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck {

using ScalarFunction = std::function<double(const arma::mat&)>;
using MatrixFunction = std::function<arma::mat(const arma::mat&)>;

// Options of the C++ API: the engine's Options plus names for the report.
struct ApiOptions : Options {
  ApiOptions() { trials = 1; }
  // From the engine's options as they are (trials included).
  ApiOptions(const Options& options) : Options(options) {}  // NOLINT: implicit on purpose
  std::string name = "x";   // the variable's name in reports: "W(2,3)"
  std::string f_name = "f";
  // Named sizes, so that a stray factor is named in the diagnosis: with {{"m", 8}} a gradient
  // 8 times too large reads "8 = m", one 8 times too small "1/8 = 1/m".
  std::map<std::string, double> dims;
  Structure structure = Structure::kNone;
  // With a callable derivative and trials > 1, the extra points are the given x plus
  // perturbation_scale * max(1, |x_ij|) * N(0,1) per entry (seeded by `seed`): near the point
  // you chose, so domain restrictions (log x, x > 0) usually still hold.
  double perturbation_scale = 0.1;
};

// Scalar f of a matrix x; `gradient` in `layout` (denominator: shaped like x).
CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const arma::mat& gradient,
                           Layout layout = Layout::kDenominator, const ApiOptions& options = {});
// The same with the gradient as a function of x (tried at options.trials points).
CheckResult check_gradient(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& gradient,
                           Layout layout = Layout::kDenominator, const ApiOptions& options = {});

// Matrix-valued f of a matrix x against d vec(f) / d vec(x) (numerator layout: numel(f) x numel(x);
// denominator: its transpose), vec stacking columns or, with row-major, rows.
CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const arma::mat& jacobian,
                           Layout layout = Layout::kNumerator, VecOrder order = VecOrder::kColumnMajor,
                           const ApiOptions& options = {});
CheckResult check_jacobian(const MatrixFunction& f, const arma::mat& x, const MatrixFunction& jacobian,
                           Layout layout = Layout::kNumerator, VecOrder order = VecOrder::kColumnMajor,
                           const ApiOptions& options = {});

// Several inputs at once (a layer with W, b and X): f of all inputs, one gradient per input.
struct Input {
  std::string name;
  arma::mat value;
  Structure structure = Structure::kNone;
};
using MultiScalarFunction = std::function<double(const std::vector<arma::mat>&)>;
// Returns one CheckResult per input, in order. Of the options' names only f_name and dims apply
// (each input carries its own name and structure); the check is made at the inputs as given.
std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<arma::mat>& gradients, Layout layout = Layout::kDenominator,
                                         const ApiOptions& options = {});
// Gradients as functions of all inputs: diagnoses that re-evaluate them at other inputs
// (symmetric-only) become possible.
using MultiGradient = std::function<arma::mat(const std::vector<arma::mat>&)>;
std::vector<CheckResult> check_gradients(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                         const std::vector<MultiGradient>& gradients,
                                         Layout layout = Layout::kDenominator, const ApiOptions& options = {},
                                         bool gradients_vary = true);

// ---- float32 code ---------------------------------------------------------------------------
//
// The same checks for single-precision code, taken as it is: f of an arma::fmat returning a
// float, gradients as arma::fmat. The engine works in double: it calls
// f_double(X) = double(f(conv_to<fmat>(X))), so every point f sees is a float point, and the
// derivatives are compared in double. With options.precision left at Precision::kAuto these
// checks state Precision::kSingle (the engine's single-precision defaults then apply, unless
// the tolerance was stated); a precision you set is kept.
//
// Same names, picked by x's type: arma::mat and arma::fmat do not convert into each other
// implicitly, and a BufferView is neither. The float and buffer forms are templates over f so
// that a call with a double x never looks at them: a generic lambda given to the double API is
// not instantiated with an fmat or a float* (a hard error in its body otherwise).
using FloatScalarFunction = std::function<float(const arma::fmat&)>;
using FloatMatrixFunction = std::function<arma::fmat(const arma::fmat&)>;

// Several float inputs at once.
struct FloatInput {
  std::string name;
  arma::fmat value;
  Structure structure = Structure::kNone;
};
using FloatMultiScalarFunction = std::function<float(const std::vector<arma::fmat>&)>;
using FloatMultiGradient = std::function<arma::fmat(const std::vector<arma::fmat>&)>;

// ---- raw buffers ----------------------------------------------------------------------------
//
// A rows x cols matrix held in a plain buffer (C code's float*), row by row (the default: C,
// NumPy) or column by column (Armadillo, Fortran). Entry (i, j) of the variable is
//
//     data[i * cols + j]   StorageOrder::kRowMajor
//     data[j * rows + i]   StorageOrder::kColumnMajor
//
// and reports name entries by (i, j), whatever the storage order: x(1,2) is row 1, column 2.
// The view does not own the buffer; it must outlive the check.
template <class T>
struct BufferView {
  T* data = nullptr;
  arma::uword rows = 0;
  arma::uword cols = 0;
  StorageOrder order = StorageOrder::kRowMajor;

  BufferView() = default;
  BufferView(T* data_, arma::uword rows_, arma::uword cols_, StorageOrder order_ = StorageOrder::kRowMajor)
      : data(data_), rows(rows_), cols(cols_), order(order_) {}
  // BufferView<float> -> BufferView<const float>.
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  BufferView(const BufferView<U>& other)  // NOLINT: implicit on purpose
      : data(other.data), rows(other.rows), cols(other.cols), order(other.order) {}

  arma::uword numel() const { return rows * cols; }
  // Where entry (i, j) is in data: the storage-order rule above.
  arma::uword offset(arma::uword i, arma::uword j) const {
    return order == StorageOrder::kRowMajor ? i * cols + j : j * rows + i;
  }
};

namespace detail {
// The options every float form hands the engine: `options` with precision kAuto stated as
// kSingle (any other precision kept).
ApiOptions float_code_options(const ApiOptions& options);

// The non-template forms behind the templates below.
CheckResult check_gradient_f32(const FloatScalarFunction& f, const arma::fmat& x, const arma::fmat& gradient,
                               Layout layout, const ApiOptions& options);
CheckResult check_gradient_f32(const FloatScalarFunction& f, const arma::fmat& x, const FloatMatrixFunction& gradient,
                               Layout layout, const ApiOptions& options);
CheckResult check_jacobian_f32(const FloatMatrixFunction& f, const arma::fmat& x, const arma::fmat& jacobian,
                               Layout layout, VecOrder order, const ApiOptions& options);
CheckResult check_jacobian_f32(const FloatMatrixFunction& f, const arma::fmat& x, const FloatMatrixFunction& jacobian,
                               Layout layout, VecOrder order, const ApiOptions& options);
std::vector<CheckResult> check_gradients_f32(const FloatMultiScalarFunction& f, const std::vector<FloatInput>& inputs,
                                             const std::vector<FloatMultiGradient>& gradients, Layout layout,
                                             const ApiOptions& options, bool gradients_vary);
CheckResult check_gradient_buffer(const std::function<float(const float*)>& f, BufferView<const float> x,
                                  BufferView<const float> gradient, const ApiOptions& options);
CheckResult check_gradient_buffer(const std::function<double(const double*)>& f, BufferView<const double> x,
                                  BufferView<const double> gradient, const ApiOptions& options);

template <class G>
inline constexpr bool is_matrix_v = arma::is_arma_type<std::decay_t<G>>::value;
// A float Armadillo matrix or expression. x is a deduced parameter of the float forms, so that
// a braced x ({ptr, rows, cols}) never reads as an arma::fmat (whose constructor takes the same
// three) and stays a BufferView's.
template <class X, class = void>
struct is_float_matrix : std::false_type {};
template <class X>
struct is_float_matrix<X, std::enable_if_t<arma::is_arma_type<X>::value>> : std::is_same<typename X::elem_type, float> {};
template <class X>
inline constexpr bool is_float_matrix_v = is_float_matrix<std::decay_t<X>>::value;
}  // namespace detail

// Scalar float f (callable as float(const arma::fmat&)) of a float x (an arma::fmat or a float
// expression); gradient an fmat.
template <class F, class X, class = std::enable_if_t<detail::is_float_matrix_v<X>>>
CheckResult check_gradient(const F& f, const X& x, const arma::fmat& gradient, Layout layout = Layout::kDenominator,
                           const ApiOptions& options = {}) {
  return detail::check_gradient_f32(FloatScalarFunction(f), arma::fmat(x), gradient, layout, options);
}
// The same with the gradient a callable of x (arma::fmat(const arma::fmat&)), tried at
// options.trials points (rounded to float).
template <class F, class X, class G,
          class = std::enable_if_t<detail::is_float_matrix_v<X> && !detail::is_matrix_v<G>>>
CheckResult check_gradient(const F& f, const X& x, const G& gradient, Layout layout = Layout::kDenominator,
                           const ApiOptions& options = {}) {
  return detail::check_gradient_f32(FloatScalarFunction(f), arma::fmat(x), FloatMatrixFunction(gradient), layout,
                                    options);
}

// Matrix-valued float f (arma::fmat(const arma::fmat&)) against d vec(f) / d vec(x).
template <class F, class X, class = std::enable_if_t<detail::is_float_matrix_v<X>>>
CheckResult check_jacobian(const F& f, const X& x, const arma::fmat& jacobian, Layout layout = Layout::kNumerator,
                           VecOrder order = VecOrder::kColumnMajor, const ApiOptions& options = {}) {
  return detail::check_jacobian_f32(FloatMatrixFunction(f), arma::fmat(x), jacobian, layout, order, options);
}
template <class F, class X, class J,
          class = std::enable_if_t<detail::is_float_matrix_v<X> && !detail::is_matrix_v<J>>>
CheckResult check_jacobian(const F& f, const X& x, const J& jacobian, Layout layout = Layout::kNumerator,
                           VecOrder order = VecOrder::kColumnMajor, const ApiOptions& options = {}) {
  return detail::check_jacobian_f32(FloatMatrixFunction(f), arma::fmat(x), FloatMatrixFunction(jacobian), layout,
                                    order, options);
}

// Several float inputs: f callable as float(const std::vector<arma::fmat>&).
template <class F>
std::vector<CheckResult> check_gradients(const F& f, const std::vector<FloatInput>& inputs,
                                         const std::vector<arma::fmat>& gradients,
                                         Layout layout = Layout::kDenominator, const ApiOptions& options = {}) {
  std::vector<FloatMultiGradient> fixed;
  for (const arma::fmat& g : gradients) fixed.push_back([g](const std::vector<arma::fmat>&) { return g; });
  return detail::check_gradients_f32(FloatMultiScalarFunction(f), inputs, fixed, layout, options, false);
}
template <class F>
std::vector<CheckResult> check_gradients(const F& f, const std::vector<FloatInput>& inputs,
                                         const std::vector<FloatMultiGradient>& gradients,
                                         Layout layout = Layout::kDenominator, const ApiOptions& options = {},
                                         bool gradients_vary = true) {
  return detail::check_gradients_f32(FloatMultiScalarFunction(f), inputs, gradients, layout, options, gradients_vary);
}

// Scalar f reading its input from a buffer laid out like x (f callable as float(const float*)
// or double(const double*)): at each point the harness writes the point into a scratch buffer
// of x's shape and storage order and calls f on it (x itself is never written). `gradient` is
// a buffer laid out like x (same shape and storage order, as C backward passes write their dX);
// a mismatch is an Error ("api.usage"). Float buffers state Precision::kSingle as above.
//
//   float loss(const float* W);                     // W: 3 x 4, row-major
//   std::vector<float> W(12), dW(12);  ...          // dW from your backward pass
//   auto r = gradcheck::check_gradient(loss, {W.data(), 3, 4}, {dW.data(), 3, 4});
template <class F>
CheckResult check_gradient(const F& f, BufferView<const float> x, BufferView<const float> gradient,
                           const ApiOptions& options = {}) {
  return detail::check_gradient_buffer(std::function<float(const float*)>(f), x, gradient, options);
}
template <class F>
CheckResult check_gradient(const F& f, BufferView<const double> x, BufferView<const double> gradient,
                           const ApiOptions& options = {}) {
  return detail::check_gradient_buffer(std::function<double(const double*)>(f), x, gradient, options);
}

// The text report of one check: its line, the worst entries and the diagnoses.
std::string describe(const CheckResult& check, const std::string& case_name = "");

}  // namespace gradcheck

#include "gradcheck/hessian.hpp"  // second order: check_hessian, check_hvp, check_hessian_block
#include "gradcheck/vjp.hpp"      // check_vjp: backward functions over raw buffers
