// SPDX-License-Identifier: MIT
// GoogleTest assertions over gradcheck's C++ API (header-only; link GTest yourself).
//
//   #include <gradcheck/gtest.hpp>
//
//   TEST(Loss, Gradient) {
//     const arma::mat W = arma::randn(4, 3);
//     EXPECT_GRADIENT_MATCHES(loss, loss_grad, W);   // loss_grad: a matrix or a callable of W
//   }
//
// A failing assertion's message is gradcheck's text report of the check (the same block the
// command line prints): the figures, the worst entries and the diagnoses, e.g.
//
//   FAIL   GRADIENT_MATCHES(loss, loss_grad, W)  d f/d W (denominator, auto)  max abs ...
//       entry      analytic       numeric  abs error  rel error
//       W(2,1)  ...
//     [scale] expected is 8 = m times the finite-difference derivative: ...
//
// The assertions (EXPECT_* continues the test on failure, ASSERT_* returns from it):
//
//   {EXPECT,ASSERT}_GRADIENT_MATCHES(f, gradient, x)
//       scalar f of a matrix x; gradient in denominator layout (shaped like x), a matrix or a
//       callable of x. A plain identifier names x in the report ("W(2,1)").
//   {EXPECT,ASSERT}_GRADIENT_MATCHES_OPTS(f, gradient, x, layout, options)
//       the same with a gradcheck::Layout and gradcheck::ApiOptions: tolerances, finite-difference
//       method, trials (for a callable gradient), names (options.name / f_name, when not left at
//       "x" / "f"), and options.dims to name a stray factor: {{"m", 8}} turns 0.125 into "1/8 = 1/m".
//   {EXPECT,ASSERT}_JACOBIAN_MATCHES(f, jacobian, x)
//       matrix f of a matrix x against d vec(f) / d vec(x) in numerator layout
//       (numel(f) x numel(x), vec stacking columns), a matrix or a callable of x.
//   {EXPECT,ASSERT}_JACOBIAN_MATCHES_OPTS(f, jacobian, x, layout, options)
//   {EXPECT,ASSERT}_GRADIENTS_MATCH(f, inputs, gradients)
//       several inputs at once: f(const std::vector<arma::mat>&), a std::vector<gradcheck::Input>
//       and one gradient per input (std::vector<arma::mat> or std::vector<gradcheck::MultiGradient>);
//       passes when every input's check passes.
//   {EXPECT,ASSERT}_GRADIENTS_MATCH_OPTS(f, inputs, gradients, layout, options)
//   float32 code: every assertion above takes a float x (arma::fmat; f of const arma::fmat&
//       returning a float, the derivative an arma::fmat or a callable of const arma::fmat&;
//       inputs a std::vector<gradcheck::FloatInput>), and the GRADIENT ones a raw buffer
//       (x and the gradient gradcheck::BufferView<const float> or <const double>, f of a
//       const float* / const double*). x's type picks the check (see gradcheck.hpp).
//   {EXPECT,ASSERT}_HESSIAN_MATCHES(f, hessian, x)
//       scalar f of a matrix x against its Hessian d2f / d vec(x)^2 (numel(x) x numel(x)), a
//       matrix or a callable of x (gradcheck/hessian.hpp).
//   {EXPECT,ASSERT}_HVP_MATCHES(f, hv, x, v)
//       a Hessian-vector product H v (shaped like x) at x along v.
//   {EXPECT,ASSERT}_GRADCHECK_PASSES(result)
//       any CheckResult (or std::vector of them) you computed yourself, e.g. check_jacobian with
//       VecOrder::kRowMajor, or a VjpResult of check_vjp (its figures and timings are recorded
//       as test properties, pass or fail).
//
// These are macros: an argument containing a comma outside parentheses (a lambda capturing two
// names, a braced list) must be wrapped in parentheses or named first.
// An exception thrown by f or the derivative fails the assertion with its message.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <exception>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gradcheck/gradcheck.hpp"

namespace gradcheck::gtest {
namespace detail {

// True for a plain C++ identifier: such an argument names the variable in the report.
inline bool is_identifier(const char* text) {
  if (text == nullptr || *text == '\0') return false;
  if (!(std::isalpha(static_cast<unsigned char>(*text)) || *text == '_')) return false;
  for (const char* p = text; *p; ++p)
    if (!(std::isalnum(static_cast<unsigned char>(*p)) || *p == '_')) return false;
  return true;
}

// "GRADIENT_MATCHES(f, g, x)": how the assertion names the check in its message.
inline std::string call_text(const char* macro, std::initializer_list<const char*> args) {
  std::string out = std::string(macro) + "(";
  bool first = true;
  for (const char* a : args) {
    out += (first ? "" : ", ") + std::string(a);
    first = false;
  }
  return out + ")";
}

// Names left at their defaults ("f", "x") are taken from the call when its arguments are plain
// identifiers: EXPECT_GRADIENT_MATCHES(loss, grad, W) reports "d f/d W" and entries "W(2,1)"
// (f's name shows in the entries of a Jacobian: "dz(1)/dx(0)").
inline ApiOptions named_options(const char* f_text, const char* x_text, ApiOptions options = {}) {
  const ApiOptions defaults;
  if (options.f_name == defaults.f_name && is_identifier(f_text)) options.f_name = f_text;
  if (options.name == defaults.name && x_text != nullptr && is_identifier(x_text)) options.name = x_text;
  return options;
}

// What x is: a float Armadillo matrix or expression (float32 code), a raw buffer, or else
// anything that converts to arma::mat (the double API, as before).
template <typename X, typename = void>
struct is_float_arma : std::false_type {};
template <typename X>
struct is_float_arma<X, std::enable_if_t<arma::is_arma_type<X>::value>>
    : std::is_same<typename X::elem_type, float> {};
template <typename X>
inline constexpr bool is_float_arma_v = is_float_arma<std::decay_t<X>>::value;

template <typename X>
struct is_buffer_view : std::false_type {};
template <typename T>
struct is_buffer_view<BufferView<T>> : std::true_type {};
template <typename X>
inline constexpr bool is_buffer_view_v = is_buffer_view<std::decay_t<X>>::value;

// A derivative given as an Armadillo matrix or expression stays a matrix; anything else is
// taken as a callable of x.
template <typename D>
auto as_derivative(D&& derivative) {
  if constexpr (arma::is_arma_type<std::decay_t<D>>::value) {
    return arma::mat(std::forward<D>(derivative));
  } else {
    static_assert(std::is_invocable_v<const std::decay_t<D>&, const arma::mat&>,
                  "the derivative must be an Armadillo matrix or a callable taking const arma::mat&");
    return MatrixFunction(std::forward<D>(derivative));
  }
}

// The same for float x: an arma::fmat, or a callable of const arma::fmat&.
template <typename D>
auto as_float_derivative(D&& derivative) {
  if constexpr (arma::is_arma_type<std::decay_t<D>>::value) {
    return arma::fmat(arma::conv_to<arma::fmat>::from(std::forward<D>(derivative)));
  } else {
    static_assert(std::is_invocable_v<const std::decay_t<D>&, const arma::fmat&>,
                  "with a float x the derivative must be an Armadillo matrix or a callable taking const arma::fmat&");
    return FloatMatrixFunction(std::forward<D>(derivative));
  }
}

// f for a gradient of float code: a callable of const arma::fmat& returning a scalar.
template <typename F>
FloatScalarFunction float_scalar_function(F&& f) {
  constexpr bool ok = std::is_invocable_r_v<float, const std::decay_t<F>&, const arma::fmat&>;
  static_assert(ok,
                "with a float x (arma::fmat), f must take const arma::fmat& and return a float; for a "
                "matrix-valued f use EXPECT_JACOBIAN_MATCHES");
  if constexpr (ok)
    return FloatScalarFunction(std::forward<F>(f));
  else
    return {};
}

template <typename F>
FloatMatrixFunction float_matrix_function(F&& f) {
  constexpr bool ok = std::is_invocable_v<const std::decay_t<F>&, const arma::fmat&>;
  static_assert(ok, "with a float x (arma::fmat), f must take const arma::fmat& and return an arma::fmat");
  if constexpr (ok) {
    using Out = std::invoke_result_t<const std::decay_t<F>&, const arma::fmat&>;
    constexpr bool matrix = std::is_constructible_v<arma::fmat, Out> && !std::is_arithmetic_v<std::decay_t<Out>>;
    static_assert(matrix, "f must return a matrix; for a scalar f use EXPECT_GRADIENT_MATCHES");
    if constexpr (matrix) return FloatMatrixFunction(std::forward<F>(f));
  }
  return {};
}

template <typename F>
FloatMultiScalarFunction float_multi_scalar_function(F&& f) {
  constexpr bool ok = std::is_invocable_r_v<float, const std::decay_t<F>&, const std::vector<arma::fmat>&>;
  static_assert(ok, "f must take const std::vector<arma::fmat>& (the inputs, in order) and return a float");
  if constexpr (ok)
    return FloatMultiScalarFunction(std::forward<F>(f));
  else
    return {};
}

// f for a gradient: a callable of const arma::mat& returning a scalar.
template <typename F>
ScalarFunction scalar_function(F&& f) {
  constexpr bool ok = std::is_invocable_r_v<double, const std::decay_t<F>&, const arma::mat&>;
  static_assert(ok,
                "f must take const arma::mat& and return a double; for a matrix-valued f use "
                "EXPECT_JACOBIAN_MATCHES");
  if constexpr (ok)
    return ScalarFunction(std::forward<F>(f));
  else
    return {};
}

// f for a Jacobian: a callable of const arma::mat& returning a matrix.
template <typename F>
MatrixFunction matrix_function(F&& f) {
  using Out = std::invoke_result_t<const std::decay_t<F>&, const arma::mat&>;
  constexpr bool ok = std::is_constructible_v<arma::mat, Out> && !std::is_arithmetic_v<std::decay_t<Out>>;
  static_assert(ok, "f must take const arma::mat& and return a matrix; for a scalar f use EXPECT_GRADIENT_MATCHES");
  if constexpr (ok)
    return MatrixFunction(std::forward<F>(f));
  else
    return {};
}

// f of several inputs: a callable of const std::vector<arma::mat>& returning a scalar.
template <typename F>
MultiScalarFunction multi_scalar_function(F&& f) {
  constexpr bool ok = std::is_invocable_r_v<double, const std::decay_t<F>&, const std::vector<arma::mat>&>;
  static_assert(ok, "f must take const std::vector<arma::mat>& (the inputs, in order) and return a double");
  if constexpr (ok)
    return MultiScalarFunction(std::forward<F>(f));
  else
    return {};
}

inline ::testing::AssertionResult verdict(const std::vector<CheckResult>& results, const std::string& call) {
  bool pass = true;
  for (const CheckResult& r : results) pass = pass && r.status == Status::kPass;
  if (pass) return ::testing::AssertionSuccess();
  std::string text;
  for (const CheckResult& r : results) {
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += describe(r, call);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();  // GoogleTest ends the line itself
  return ::testing::AssertionFailure() << text;
}

// Runs a check; an exception from the user's code (or a misuse the engine refuses) fails the
// assertion with its message rather than escaping into the test.
template <typename Run>
::testing::AssertionResult guarded(const std::string& call, Run&& run) {
  try {
    return verdict(run(), call);
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "ERROR  " << call << "\n    threw: " << e.what();
  } catch (...) {
    return ::testing::AssertionFailure() << "ERROR  " << call
                                         << "\n    threw an exception not derived from std::exception";
  }
}

// One gradient check, the overload picked by x: a BufferView (f of a const T*, the gradient a
// buffer laid out like x; layout must be denominator), a float matrix or a double one.
template <typename F, typename G, typename X>
CheckResult gradient_check(F&& f, G&& gradient, const X& x, Layout layout, const ApiOptions& options) {
  if constexpr (is_buffer_view_v<X>) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x.data)>>;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "a BufferView of float or double");
    static_assert(std::is_invocable_r_v<T, const std::decay_t<F>&, const T*>,
                  "with a BufferView x, f must take a pointer to the buffer's elements (const float* / const double*)");
    static_assert(std::is_convertible_v<std::decay_t<G>, BufferView<const T>>,
                  "with a BufferView x, the gradient must be a BufferView of the same element type, laid out like x");
    if (layout != Layout::kDenominator)
      throw Error("api.usage", "a buffer gradient is laid out like x: only Layout::kDenominator applies");
    return check_gradient(std::function<T(const T*)>(std::forward<F>(f)), BufferView<const T>(x),
                          BufferView<const T>(gradient), options);
  } else if constexpr (is_float_arma_v<X>) {
    return check_gradient(float_scalar_function(std::forward<F>(f)), arma::fmat(x),
                          as_float_derivative(std::forward<G>(gradient)), layout, options);
  } else {
    const arma::mat& wide = x;
    return check_gradient(scalar_function(std::forward<F>(f)), wide, as_derivative(std::forward<G>(gradient)), layout,
                          options);
  }
}

template <typename F, typename J, typename X>
CheckResult jacobian_check(F&& f, J&& jacobian, const X& x, Layout layout, const ApiOptions& options) {
  if constexpr (is_float_arma_v<X>) {
    return check_jacobian(float_matrix_function(std::forward<F>(f)), arma::fmat(x),
                          as_float_derivative(std::forward<J>(jacobian)), layout, VecOrder::kColumnMajor, options);
  } else {
    const arma::mat& wide = x;
    return check_jacobian(matrix_function(std::forward<F>(f)), wide, as_derivative(std::forward<J>(jacobian)), layout,
                          VecOrder::kColumnMajor, options);
  }
}

template <typename F, typename Ins, typename Gs>
std::vector<CheckResult> gradients_check(F&& f, const Ins& inputs, const Gs& gradients, Layout layout,
                                         const ApiOptions& options) {
  if constexpr (std::is_same_v<Ins, std::vector<FloatInput>>) {
    static_assert(std::is_same_v<Gs, std::vector<arma::fmat>> || std::is_same_v<Gs, std::vector<FloatMultiGradient>>,
                  "with float inputs, gradients must be a std::vector<arma::fmat> or a "
                  "std::vector<gradcheck::FloatMultiGradient>");
    return check_gradients(float_multi_scalar_function(std::forward<F>(f)), inputs, gradients, layout, options);
  } else {
    static_assert(std::is_same_v<Ins, std::vector<Input>>,
                  "inputs must be a std::vector<gradcheck::Input> (or std::vector<gradcheck::FloatInput>)");
    static_assert(std::is_same_v<Gs, std::vector<arma::mat>> || std::is_same_v<Gs, std::vector<MultiGradient>>,
                  "gradients must be a std::vector<arma::mat> or a std::vector<gradcheck::MultiGradient>");
    return check_gradients(multi_scalar_function(std::forward<F>(f)), inputs, gradients, layout, options);
  }
}

}  // namespace detail

// Predicate formatters (EXPECT_PRED_FORMATn): usable directly as well.

template <typename F, typename G, typename X>
::testing::AssertionResult gradient_matches(const char* f_text, const char* g_text, const char* x_text,
                                            const char* layout_text, const char* options_text, F&& f, G&& gradient,
                                            const X& x, Layout layout, const ApiOptions& options) {
  const std::string call = detail::call_text("GRADIENT_MATCHES", {f_text, g_text, x_text, layout_text, options_text});
  const ApiOptions named = detail::named_options(f_text, x_text, options);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{
        detail::gradient_check(std::forward<F>(f), std::forward<G>(gradient), x, layout, named)};
  });
}

template <typename F, typename G, typename X>
::testing::AssertionResult gradient_matches(const char* f_text, const char* g_text, const char* x_text, F&& f,
                                            G&& gradient, const X& x) {
  const std::string call = detail::call_text("GRADIENT_MATCHES", {f_text, g_text, x_text});
  const ApiOptions options = detail::named_options(f_text, x_text);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{
        detail::gradient_check(std::forward<F>(f), std::forward<G>(gradient), x, Layout::kDenominator, options)};
  });
}

template <typename F, typename J, typename X>
::testing::AssertionResult jacobian_matches(const char* f_text, const char* j_text, const char* x_text,
                                            const char* layout_text, const char* options_text, F&& f, J&& jacobian,
                                            const X& x, Layout layout, const ApiOptions& options) {
  const std::string call = detail::call_text("JACOBIAN_MATCHES", {f_text, j_text, x_text, layout_text, options_text});
  const ApiOptions named = detail::named_options(f_text, x_text, options);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{
        detail::jacobian_check(std::forward<F>(f), std::forward<J>(jacobian), x, layout, named)};
  });
}

template <typename F, typename J, typename X>
::testing::AssertionResult jacobian_matches(const char* f_text, const char* j_text, const char* x_text, F&& f,
                                            J&& jacobian, const X& x) {
  const std::string call = detail::call_text("JACOBIAN_MATCHES", {f_text, j_text, x_text});
  const ApiOptions options = detail::named_options(f_text, x_text);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{
        detail::jacobian_check(std::forward<F>(f), std::forward<J>(jacobian), x, Layout::kNumerator, options)};
  });
}

template <typename F, typename Ins, typename Gs>
::testing::AssertionResult gradients_match(const char* f_text, const char* inputs_text, const char* g_text,
                                           const char* layout_text, const char* options_text, F&& f,
                                           const Ins& inputs, const Gs& gradients, Layout layout,
                                           const ApiOptions& options) {
  const std::string call =
      detail::call_text("GRADIENTS_MATCH", {f_text, inputs_text, g_text, layout_text, options_text});
  const ApiOptions named = detail::named_options(f_text, nullptr, options);
  return detail::guarded(call, [&] { return detail::gradients_check(std::forward<F>(f), inputs, gradients, layout, named); });
}

template <typename F, typename Ins, typename Gs>
::testing::AssertionResult gradients_match(const char* f_text, const char* inputs_text, const char* g_text, F&& f,
                                           const Ins& inputs, const Gs& gradients) {
  const std::string call = detail::call_text("GRADIENTS_MATCH", {f_text, inputs_text, g_text});
  const ApiOptions options = detail::named_options(f_text, nullptr);
  return detail::guarded(call, [&] {
    return detail::gradients_check(std::forward<F>(f), inputs, gradients, Layout::kDenominator, options);
  });
}

// Second order (gradcheck/hessian.hpp): the Hessian a matrix or a callable of x; H v a matrix.
template <typename F, typename H>
::testing::AssertionResult hessian_matches(const char* f_text, const char* h_text, const char* x_text, F&& f,
                                           H&& hessian, const arma::mat& x) {
  const std::string call = detail::call_text("HESSIAN_MATCHES", {f_text, h_text, x_text});
  const ApiOptions options = detail::named_options(f_text, x_text);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{check_hessian(detail::scalar_function(std::forward<F>(f)), x,
                                                  detail::as_derivative(std::forward<H>(hessian)),
                                                  VecOrder::kColumnMajor, options)};
  });
}

template <typename F>
::testing::AssertionResult hvp_matches(const char* f_text, const char* hv_text, const char* x_text,
                                       const char* v_text, F&& f, const arma::mat& hv, const arma::mat& x,
                                       const arma::mat& v) {
  const std::string call = detail::call_text("HVP_MATCHES", {f_text, hv_text, x_text, v_text});
  const ApiOptions options = detail::named_options(f_text, x_text);
  return detail::guarded(call, [&] {
    return std::vector<CheckResult>{check_hvp(detail::scalar_function(std::forward<F>(f)), x, v, hv, options)};
  });
}

// check_vjp's result (gradcheck/vjp.hpp): passes when every input passes. Pass or fail, its figures
// and timings are recorded as properties of the running test (GoogleTest writes them into its XML
// report for CI logs): gradcheck.<input>.max_rel_error, gradcheck.<input>.accumulates,
// gradcheck.forward_ms, gradcheck.backward_ms, gradcheck.time_ms.
inline ::testing::AssertionResult check_passes(const char* result_text, const VjpResult& result) {
  if (::testing::UnitTest::GetInstance()->current_test_info() != nullptr) {
    for (const VjpInputResult& r : result.inputs) {
      ::testing::Test::RecordProperty("gradcheck." + r.name + ".max_rel_error", std::to_string(r.max_rel_error));
      ::testing::Test::RecordProperty("gradcheck." + r.name + ".accumulates", r.accumulates ? "true" : "false");
    }
    ::testing::Test::RecordProperty("gradcheck.forward_ms", std::to_string(result.forward_ms));
    ::testing::Test::RecordProperty("gradcheck.backward_ms", std::to_string(result.backward_ms));
    ::testing::Test::RecordProperty("gradcheck.time_ms", std::to_string(result.time_ms));
  }
  if (result.status == Status::kPass) return ::testing::AssertionSuccess();
  std::string text = describe(result);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return ::testing::AssertionFailure() << "FAIL   " << result_text << "\n" << text;
}

inline ::testing::AssertionResult check_passes(const char* result_text, const CheckResult& result) {
  return detail::verdict({result}, result_text);
}

inline ::testing::AssertionResult check_passes(const char* results_text, const std::vector<CheckResult>& results) {
  return detail::verdict(results, results_text);
}

}  // namespace gradcheck::gtest

#define EXPECT_GRADIENT_MATCHES(f, gradient, x) \
  EXPECT_PRED_FORMAT3(::gradcheck::gtest::gradient_matches, f, gradient, x)
#define ASSERT_GRADIENT_MATCHES(f, gradient, x) \
  ASSERT_PRED_FORMAT3(::gradcheck::gtest::gradient_matches, f, gradient, x)
#define EXPECT_GRADIENT_MATCHES_OPTS(f, gradient, x, layout, options) \
  EXPECT_PRED_FORMAT5(::gradcheck::gtest::gradient_matches, f, gradient, x, layout, options)
#define ASSERT_GRADIENT_MATCHES_OPTS(f, gradient, x, layout, options) \
  ASSERT_PRED_FORMAT5(::gradcheck::gtest::gradient_matches, f, gradient, x, layout, options)

#define EXPECT_JACOBIAN_MATCHES(f, jacobian, x) \
  EXPECT_PRED_FORMAT3(::gradcheck::gtest::jacobian_matches, f, jacobian, x)
#define ASSERT_JACOBIAN_MATCHES(f, jacobian, x) \
  ASSERT_PRED_FORMAT3(::gradcheck::gtest::jacobian_matches, f, jacobian, x)
#define EXPECT_JACOBIAN_MATCHES_OPTS(f, jacobian, x, layout, options) \
  EXPECT_PRED_FORMAT5(::gradcheck::gtest::jacobian_matches, f, jacobian, x, layout, options)
#define ASSERT_JACOBIAN_MATCHES_OPTS(f, jacobian, x, layout, options) \
  ASSERT_PRED_FORMAT5(::gradcheck::gtest::jacobian_matches, f, jacobian, x, layout, options)

#define EXPECT_GRADIENTS_MATCH(f, inputs, gradients) \
  EXPECT_PRED_FORMAT3(::gradcheck::gtest::gradients_match, f, inputs, gradients)
#define ASSERT_GRADIENTS_MATCH(f, inputs, gradients) \
  ASSERT_PRED_FORMAT3(::gradcheck::gtest::gradients_match, f, inputs, gradients)
#define EXPECT_GRADIENTS_MATCH_OPTS(f, inputs, gradients, layout, options) \
  EXPECT_PRED_FORMAT5(::gradcheck::gtest::gradients_match, f, inputs, gradients, layout, options)
#define ASSERT_GRADIENTS_MATCH_OPTS(f, inputs, gradients, layout, options) \
  ASSERT_PRED_FORMAT5(::gradcheck::gtest::gradients_match, f, inputs, gradients, layout, options)

#define EXPECT_GRADCHECK_PASSES(result) EXPECT_PRED_FORMAT1(::gradcheck::gtest::check_passes, result)
#define ASSERT_GRADCHECK_PASSES(result) ASSERT_PRED_FORMAT1(::gradcheck::gtest::check_passes, result)

#define EXPECT_HESSIAN_MATCHES(f, hessian, x) EXPECT_PRED_FORMAT3(::gradcheck::gtest::hessian_matches, f, hessian, x)
#define ASSERT_HESSIAN_MATCHES(f, hessian, x) ASSERT_PRED_FORMAT3(::gradcheck::gtest::hessian_matches, f, hessian, x)
#define EXPECT_HVP_MATCHES(f, hv, x, v) EXPECT_PRED_FORMAT4(::gradcheck::gtest::hvp_matches, f, hv, x, v)
#define ASSERT_HVP_MATCHES(f, hv, x, v) ASSERT_PRED_FORMAT4(::gradcheck::gtest::hvp_matches, f, hv, x, v)
