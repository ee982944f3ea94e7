// SPDX-License-Identifier: MIT
// check_vjp (api/vjp.cpp) over double and float buffers in both storage orders: right backwards
// pass, overwriting and accumulating ones are told apart, wrong ones fail per input.
#include <gtest/gtest.h>

#include "gradcheck/gtest.hpp"

namespace gradcheck {
namespace {

// y = A x (A 2x3, x 3x1, both column-major doubles); backward: dA = dy x', dx = A' dy.
struct MatVec {
  std::vector<double> A = {1, 4, 2, -5, 3, 0.5}, x = {0.3, -0.7, 1.1}, dA = std::vector<double>(6),
                      dx = std::vector<double>(3);
  std::function<void(double*)> forward() {
    return [this](double* y) {
      for (int i = 0; i < 2; ++i) {
        y[i] = 0;
        for (int j = 0; j < 3; ++j) y[i] += A[i + 2 * j] * x[j];
      }
    };
  }
  // accumulate: += (else =); scale the dx term.
  std::function<void(const double*)> backward(bool accumulate, double dx_scale = 1.0) {
    return [this, accumulate, dx_scale](const double* dy) {
      for (int j = 0; j < 3; ++j) {
        double s = 0;
        for (int i = 0; i < 2; ++i) s += A[i + 2 * j] * dy[i];
        dx[j] = (accumulate ? dx[j] : 0.0) + dx_scale * s;
        for (int i = 0; i < 2; ++i) dA[i + 2 * j] = (accumulate ? dA[i + 2 * j] : 0.0) + dy[i] * x[j];
      }
    };
  }
  std::vector<VjpInput<double>> inputs() {
    return {{"A", {A.data(), 2, 3, StorageOrder::kColumnMajor}, {dA.data(), 2, 3, StorageOrder::kColumnMajor}},
            {"x", {x.data(), 3, 1}, {dx.data(), 3, 1}}};
  }
};

TEST(CheckVjp, RightBackwardsPassAndSayWhetherTheyAccumulate) {
  MatVec m;
  const VjpResult add = check_vjp<double>(m.forward(), m.backward(true), m.inputs(), {"y", 2, 1});
  EXPECT_EQ(add.status, Status::kPass) << describe(add);
  EXPECT_TRUE(add.inputs[0].accumulates);
  EXPECT_EQ(add.draws, 3);
  EXPECT_GT(add.backward_calls, 9);
  EXPECT_EQ(add.inputs[0].draws.size(), 3u);
  const VjpResult overwrite = check_vjp<double>(m.forward(), m.backward(false), m.inputs(), {"y", 2, 1});
  EXPECT_EQ(overwrite.status, Status::kPass) << describe(overwrite);
  EXPECT_FALSE(overwrite.inputs[0].accumulates);
  // The inputs are back as they were.
  EXPECT_EQ(m.x, (std::vector<double>{0.3, -0.7, 1.1}));
}

TEST(CheckVjp, AWrongTermFailsOnItsInputOnlyWithItsDiagnosis) {
  MatVec m;
  const VjpResult r = check_vjp<double>(m.forward(), m.backward(true, -1.0), m.inputs(), {"y", 2, 1});
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(r.inputs[0].status, Status::kPass);
  EXPECT_EQ(r.inputs[1].status, Status::kFail);
  EXPECT_NE(describe(r).find("[sign]"), std::string::npos) << describe(r);
  const ::testing::AssertionResult a = gtest::check_passes("r", r);
  EXPECT_FALSE(a);
}

TEST(CheckVjp, FloatBuffersRowMajor) {
  // y = x .* x (2x2 row-major floats): dx = 2 x dy.
  std::vector<float> x = {0.5f, -1.5f, 2.0f, 0.25f}, dx(4);
  auto forward = [&](float* y) {
    for (int i = 0; i < 4; ++i) y[i] = x[i] * x[i];
  };
  auto right = [&](const float* dy) {
    for (int i = 0; i < 4; ++i) dx[i] += 2 * x[i] * dy[i];
  };
  auto transposed = [&](const float* dy) {  // reads dy column by column
    const int t[4] = {0, 2, 1, 3};
    for (int i = 0; i < 4; ++i) dx[i] += 2 * x[i] * dy[t[i]];
  };
  const std::vector<VjpInput<float>> in = {{"x", {x.data(), 2, 2}, {dx.data(), 2, 2}}};
  EXPECT_EQ(check_vjp<float>(forward, right, in, {"y", 2, 2}).status, Status::kPass);
  EXPECT_EQ(check_vjp<float>(forward, transposed, in, {"y", 2, 2}).status, Status::kFail);
}

TEST(CheckVjp, MisuseIsAnApiError) {
  MatVec m;
  std::vector<VjpInput<double>> in = m.inputs();
  in[1].gradient.rows = 1;
  EXPECT_THROW(check_vjp<double>(m.forward(), m.backward(true), in, {"y", 2, 1}), Error);
  EXPECT_THROW(check_vjp<double>(m.forward(), m.backward(true), {}, {"y", 2, 1}), Error);
}

}  // namespace
}  // namespace gradcheck
