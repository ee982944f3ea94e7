// SPDX-License-Identifier: MIT
// check_vjp: a backward function checked the way it is written in an ML codebase. Given the
// output gradient dy, backward adds (or writes) d<dy, y>/d input into one buffer per input; every
// input is checked at once:
//
//   float x[B*C], W[OC*C], b[OC], y[B*OC], dx[B*C], dW[OC*C], db[OC];   // row-major, as C code has them
//   auto r = gradcheck::check_vjp<float>(
//       [&](float* out) { linear_forward(out, x, W, b, B, C, OC); },
//       [&](const float* dy) { linear_backward(dx, dW, db, dy, x, W, B, C, OC); },
//       {{"x", {x, B, C}, {dx, B, C}}, {"W", {W, OC, C}, {dW, OC, C}}, {"b", {b, 1, OC}, {db, 1, OC}}},
//       {"y", B, OC});
//   EXPECT_GRADCHECK_PASSES(r);   // gradcheck/gtest.hpp; r keeps its figures and timings either way
//
// What it does, per draw of the output gradient u (3 draws, or options.trials when set above 1;
// seeded by options.seed; N(0,1) entries):
//   1. forward at the inputs as given (so that activations it saves are those of the point), the
//      gradient buffers zeroed, backward(u): the analytic gradients G_i;
//   2. the buffers zeroed again, forward, backward(u): G_i again. A difference beyond rounding
//      (|G - G'| > 4 ulp of max |G|) means backward is not repeatable: it keeps state between
//      calls (a static scratch buffer, a saved value it updates) or races;
//   3. backward(u) once more without zeroing: 2 G_i (accumulates, +=) or G_i (overwrites, =) are
//      both fine, and the result says which (accumulating code needs zeroed buffers; this check
//      zeroes them itself); anything else is a failure;
//   4. each G_i against the reference gradient of L(x) = <u, forward(x)> with respect to input i:
//      the engine's check (the verdict rule with the reference's error bound, diagnoses), the
//      inputs moved by writing into their buffers (restored exactly afterwards).
// Then once: the buffers zeroed, forward, backward(0): every G_i must be exactly 0 (a term that
// does not scale with dy: a regularizer, a stale buffer).
//
// Float buffers are float32 code (Precision::kSingle unless options say otherwise, with its
// default tolerances); double buffers double. Entry (i, j) of a buffer is at BufferView::offset.
// The callables must read the inputs from the buffers of `inputs` (they are moved in place) and
// must not keep pointers into the output or dy buffers, which the harness owns.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck/gradcheck.hpp"

namespace gradcheck {

template <class T>
struct VjpInput {
  std::string name;
  BufferView<T> value;     // the input, read by forward and backward
  BufferView<T> gradient;  // where backward writes or adds d<dy, y>/d input, laid out like value
};

struct VjpOutput {
  std::string name = "y";
  arma::uword rows = 0;
  arma::uword cols = 0;
  StorageOrder order = StorageOrder::kRowMajor;
};

// Per input: the verdict over every draw and what the repeated backward showed.
struct VjpInputResult {
  std::string name;
  Status status = Status::kPass;   // kFail when any draw fails or a property below is violated
  std::vector<CheckResult> draws;  // the engine's check of G_i, one per drawn output gradient
  bool accumulates = false;        // a second backward without zeroing added to the buffer (+=)
  bool repeatable = true;          // two backwards from zeroed buffers gave the same G_i
  double repeat_difference = 0.0;  // max |G_i - G_i'| over draws
  bool zero_for_zero = true;       // backward(0) left the buffer at 0
  double zero_response = 0.0;      // max |G_i| for dy = 0
  // Why status is kFail, in words, beside the draws' own diagnoses ("backward is not repeatable:
  // ...").
  std::vector<std::string> problems;
  double max_abs_error = 0.0;      // over draws (NaN when nothing was compared)
  double max_rel_error = 0.0;
};

struct VjpResult {
  Status status = Status::kPass;   // kFail if any input fails; kInconclusive if none fails and
                                   // some draw could not decide
  std::vector<VjpInputResult> inputs;
  std::string output;              // the output's name
  int draws = 0;
  std::uint64_t seed = 0;
  int forward_calls = 0;
  int backward_calls = 0;
  double forward_ms = 0.0;         // total time in the user's forward
  double backward_ms = 0.0;        // total time in the user's backward
  double time_ms = 0.0;            // the whole check
};

template <class T>
VjpResult check_vjp(const std::function<void(T* output)>& forward, const std::function<void(const T* dy)>& backward,
                    const std::vector<VjpInput<T>>& inputs, const VjpOutput& output, const ApiOptions& options = {});
extern template VjpResult check_vjp<float>(const std::function<void(float*)>&, const std::function<void(const float*)>&,
                                           const std::vector<VjpInput<float>>&, const VjpOutput&, const ApiOptions&);
extern template VjpResult check_vjp<double>(const std::function<void(double*)>&,
                                            const std::function<void(const double*)>&,
                                            const std::vector<VjpInput<double>>&, const VjpOutput&,
                                            const ApiOptions&);

// The text report: one line per input (status, figures, accumulates or overwrites, timings),
// then the failing draws' reports and the problems.
std::string describe(const VjpResult& result);

}  // namespace gradcheck
