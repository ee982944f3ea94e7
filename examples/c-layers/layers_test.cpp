// SPDX-License-Identifier: MIT
// The C layers of layers.c checked through check_vjp: a few lines per layer. Right layers pass;
// each planted bug fails on the input it breaks, with the message that names it.
#include <gradcheck/gtest.hpp>

#include <string>
#include <vector>

#include "layers.h"

namespace {

using gradcheck::check_vjp;
using gradcheck::Status;
using gradcheck::VjpResult;
using Backward = void (*)(float*, float*, float*, const float*, const float*, const float*, int, int, int);

// Seeded inputs in [-1, 1].
std::vector<float> filled(int n, unsigned seed) {
  std::vector<float> v(n);
  for (int i = 0; i < n; i++) v[i] = static_cast<float>(((seed * 2654435761u + i * 40503u) % 2001) / 1000.0 - 1.0);
  return v;
}

// Batch, channels in and out.
constexpr int B = 4, C = 3, OC = 5;

VjpResult check_linear(Backward backward) {
  std::vector<float> x = filled(B * C, 1), W = filled(OC * C, 2), b = filled(OC, 3);
  std::vector<float> dx(B * C), dW(OC * C), db(OC);
  return check_vjp<float>([&](float* y) { linear_forward(y, x.data(), W.data(), b.data(), B, C, OC); },
                          [&](const float* dy) { backward(dx.data(), dW.data(), db.data(), dy, x.data(), W.data(), B, C, OC); },
                          {{"x", {x.data(), B, C}, {dx.data(), B, C}},
                           {"W", {W.data(), OC, C}, {dW.data(), OC, C}},
                           {"b", {b.data(), 1, OC}, {db.data(), 1, OC}}},
                          {"y", B, OC});
}

const gradcheck::VjpInputResult& input(const VjpResult& r, const std::string& name) {
  for (const auto& in : r.inputs)
    if (in.name == name) return in;
  throw std::runtime_error("no input " + name);
}

TEST(Linear, BackwardIsRight) {
  const VjpResult r = check_linear(linear_backward);
  EXPECT_GRADCHECK_PASSES(r);
  EXPECT_TRUE(input(r, "W").accumulates);  // += into dW: the caller must zero it
}

TEST(Linear, BiasGradientOfTheFirstSampleOnlyFailsOnB) {
  const VjpResult r = check_linear(linear_backward_bug_bias_first_row);
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(input(r, "x").status, Status::kPass);
  EXPECT_EQ(input(r, "W").status, Status::kPass);
  EXPECT_EQ(input(r, "b").status, Status::kFail);
}

TEST(Linear, WeightDecayInTheBackwardFailsTheZeroGradientCheck) {
  const VjpResult r = check_linear(linear_backward_bug_weight_decay);
  EXPECT_EQ(input(r, "W").status, Status::kFail);
  EXPECT_FALSE(input(r, "W").zero_for_zero);
  EXPECT_NE(gradcheck::describe(r).find("with dy = 0, backward still writes"), std::string::npos)
      << gradcheck::describe(r);
  EXPECT_EQ(input(r, "x").status, Status::kPass);
}

TEST(Linear, AStaticScratchBufferIsNotRepeatable) {
  const VjpResult r = check_linear(linear_backward_bug_static_scratch);
  EXPECT_EQ(input(r, "b").status, Status::kFail);
  EXPECT_FALSE(input(r, "b").repeatable);
  EXPECT_TRUE(input(r, "W").repeatable);
}

TEST(Relu, BackwardIsRightAndTheUnmaskedOneFails) {
  constexpr int N = 12;
  std::vector<float> x = filled(N, 7), dx(N);
  for (float& v : x)
    if (std::abs(v) < 0.05f) v = 0.3f;  // no input on the kink
  auto run = [&](void (*backward)(float*, const float*, const float*, int)) {
    return check_vjp<float>([&](float* y) { relu_forward(y, x.data(), N); },
                            [&](const float* dy) { backward(dx.data(), dy, x.data(), N); },
                            {{"x", {x.data(), 3, 4}, {dx.data(), 3, 4}}}, {"y", 3, 4});
  };
  EXPECT_GRADCHECK_PASSES(run(relu_backward));
  const VjpResult bad = run(relu_backward_bug_no_mask);
  EXPECT_EQ(bad.status, Status::kFail);
  EXPECT_EQ(bad.inputs[0].status, Status::kFail);
  EXPECT_NE(gradcheck::describe(bad).find("FAIL  dx"), std::string::npos) << gradcheck::describe(bad);
}

TEST(SoftmaxCrossEntropy, BackwardIsRightAndTheMissingMeanIsAScaleOfB) {
  constexpr int V = 6;
  std::vector<float> logits = filled(B * V, 11), probs(B * V), dlogits(B * V);
  const std::vector<int> targets = {1, 0, 5, 2};
  auto run = [&](void (*backward)(float*, const float*, const float*, const int*, int, int)) {
    gradcheck::ApiOptions options;
    options.dims = {{"B", B}};
    return check_vjp<float>(
        [&](float* loss) { softmax_xent_forward(loss, probs.data(), logits.data(), targets.data(), B, V); },
        [&](const float* dloss) { backward(dlogits.data(), dloss, probs.data(), targets.data(), B, V); },
        {{"logits", {logits.data(), B, V}, {dlogits.data(), B, V}}}, {"loss", 1, 1}, options);
  };
  EXPECT_GRADCHECK_PASSES(run(softmax_xent_backward));
  const VjpResult bad = run(softmax_xent_backward_bug_no_mean);
  EXPECT_EQ(bad.status, Status::kFail);
  EXPECT_NE(gradcheck::describe(bad).find("4 = B"), std::string::npos) << gradcheck::describe(bad);
}

TEST(LayerNorm, BackwardIsRightAndTheDroppedMeanTermFailsOnX) {
  std::vector<float> x = filled(B * C, 21), w = filled(C, 22), b = filled(C, 23), mean(B), rstd(B);
  std::vector<float> dx(B * C), dw(C), db(C);
  using LnBackward = void (*)(float*, float*, float*, const float*, const float*, const float*, const float*,
                              const float*, int, int);
  auto run = [&](LnBackward backward) {
    return check_vjp<float>(
        [&](float* y) { layernorm_forward(y, mean.data(), rstd.data(), x.data(), w.data(), b.data(), B, C); },
        [&](const float* dy) {
          backward(dx.data(), dw.data(), db.data(), dy, x.data(), w.data(), mean.data(), rstd.data(), B, C);
        },
        {{"x", {x.data(), B, C}, {dx.data(), B, C}}, {"w", {w.data(), 1, C}, {dw.data(), 1, C}},
         {"b", {b.data(), 1, C}, {db.data(), 1, C}}},
        {"y", B, C});
  };
  EXPECT_GRADCHECK_PASSES(run(layernorm_backward));
  const VjpResult bad = run(layernorm_backward_bug_no_mean_term);
  EXPECT_EQ(input(bad, "x").status, Status::kFail);
  EXPECT_EQ(input(bad, "w").status, Status::kPass);
  EXPECT_EQ(input(bad, "b").status, Status::kPass);
}

}  // namespace
