// SPDX-License-Identifier: MIT
// Every backward pass of the mlp example checked against finite differences with gradcheck's
// GoogleTest assertions.
//
// A layer is not a scalar function; the standard trick makes it one: for a fixed random G shaped
// like the layer's output, L = sum(G % forward(...)) has dL/dOut = G, so backward(..., G) must
// return the gradients of L. A random G weights every output entry, so a wrong entry anywhere
// shows.
#include "mlp.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <gradcheck/gtest.hpp>
#include <iostream>
#include <vector>

namespace {

using gradcheck::ApiOptions;
using gradcheck::Input;
using gradcheck::Layout;
using gradcheck::MultiGradient;

constexpr arma::uword kD = 4;  // features
constexpr arma::uword kH = 5;  // hidden units
constexpr arma::uword kC = 3;  // classes
constexpr arma::uword kM = 8;  // samples in the batch

arma::mat random(arma::uword rows, arma::uword cols, arma::uword seed) {
  arma::arma_rng::set_seed(seed);
  return arma::randn(rows, cols);
}

// Named sizes: a stray factor in a diagnosis reads "1/8 = 1/m" instead of "0.125".
ApiOptions sized() {
  ApiOptions options;
  options.dims = {{"d", kD}, {"h", kH}, {"c", kC}, {"m", kM}};
  return options;
}

TEST(Linear, Backward) {
  const mlp::Linear layer(kD, kH, 1);
  const arma::mat X = random(kD, kM, 2), G = random(kH, kM, 3);
  // L(W, b, X) = sum(G % (W X + b 1')).
  auto loss = [&G](const std::vector<arma::mat>& v) { return arma::accu(G % mlp::Linear(v[0], v[1]).forward(v[2])); };
  const auto g = layer.backward(X, G);
  const std::vector<Input> inputs{{"W", layer.W}, {"b", layer.b}, {"X", X}};
  const std::vector<arma::mat> gradients{g.dW, g.db, g.dX};
  EXPECT_GRADIENTS_MATCH(loss, inputs, gradients);
}

TEST(Tanh, Backward) {
  const arma::mat Z = random(kH, kM, 4), G = random(kH, kM, 5);
  auto loss = [&G](const arma::mat& z) { return arma::accu(G % mlp::Tanh::forward(z)); };
  auto gradient = [&G](const arma::mat& z) { return mlp::Tanh::backward(z, G); };
  // A callable gradient is re-evaluated at each trial point: three points near Z.
  ApiOptions options;
  options.trials = 3;
  EXPECT_GRADIENT_MATCHES_OPTS(loss, gradient, Z, Layout::kDenominator, options);
}

TEST(Tanh, JacobianFromBackward) {
  // backward is a vector-Jacobian product: backward(z, e_i) is row i of the Jacobian.
  const arma::mat z = random(kH, 1, 6);
  auto jacobian = [](const arma::mat& at) {
    arma::mat J(at.n_elem, at.n_elem);
    for (arma::uword i = 0; i < at.n_elem; ++i) {
      arma::mat e(at.n_rows, 1, arma::fill::zeros);
      e(i) = 1;
      J.row(i) = mlp::Tanh::backward(at, e).t();
    }
    return J;
  };
  EXPECT_JACOBIAN_MATCHES(mlp::Tanh::forward, jacobian, z);
}

TEST(ReLU, BackwardAwayFromTheKink) {
  // Finite differences across Z = 0 see the kink: keep every entry at least 0.1 away from it.
  arma::mat Z = random(kH, kM, 7);
  Z = arma::sign(Z) % (0.1 + arma::abs(Z));
  const arma::mat G = random(kH, kM, 8);
  auto loss = [&G](const arma::mat& z) { return arma::accu(G % mlp::ReLU::forward(z)); };
  EXPECT_GRADIENT_MATCHES(loss, mlp::ReLU::backward(Z, G), Z);
}

TEST(Softmax, Jacobian) {
  // d softmax(z) / dz = diag(p) - p p'.
  const arma::mat z = random(kC, 1, 9);
  auto jacobian = [](const arma::mat& at) {
    const arma::vec p = mlp::softmax(at);
    return arma::mat(arma::diagmat(p) - p * p.t());
  };
  EXPECT_JACOBIAN_MATCHES(mlp::softmax, jacobian, z);
}

TEST(SoftmaxCrossEntropy, Backward) {
  const arma::mat Z = random(kC, kM, 10), Y = mlp::one_hot(kC, kM, 11);
  auto loss = [&Y](const arma::mat& z) { return mlp::SoftmaxCrossEntropy::forward(z, Y); };
  EXPECT_GRADIENT_MATCHES_OPTS(loss, mlp::SoftmaxCrossEntropy::backward(Z, Y), Z, Layout::kDenominator, sized());
}

TEST(LayerNorm, Backward) {
  const mlp::LayerNorm norm(1 + 0.2 * random(kD, 1, 12), 0.1 * random(kD, 1, 13));
  const arma::mat X = random(kD, kM, 14), G = random(kD, kM, 15);
  auto loss = [&G, &norm](const std::vector<arma::mat>& v) {
    mlp::LayerNorm n(v[1], v[2]);
    n.eps = norm.eps;
    return arma::accu(G % n.forward(v[0]));
  };
  const auto g = norm.backward(X, G);
  const std::vector<Input> inputs{{"X", X}, {"gain", norm.gain}, {"bias", norm.bias}};
  const std::vector<arma::mat> gradients{g.dX, g.dgain, g.dbias};
  EXPECT_GRADIENTS_MATCH_OPTS(loss, inputs, gradients, Layout::kDenominator, sized());
}

// The whole network: loss(W1, b1, W2, b2) against backpropagation through every layer.
template <typename Net>
struct EndToEnd {
  Net net{kD, kH, kC, 16};
  arma::mat X = random(kD, kM, 17);
  arma::mat Y = mlp::one_hot(kC, kM, 18);

  double loss(const std::vector<arma::mat>& v) const {
    Net n = net;
    n.layer1.W = v[0];
    n.layer1.b = v[1];
    n.layer2.W = v[2];
    n.layer2.b = v[3];
    return n.loss(X, Y);
  }
  std::vector<Input> inputs() const {
    return {{"W1", net.layer1.W}, {"b1", net.layer1.b}, {"W2", net.layer2.W}, {"b2", net.layer2.b}};
  }
  // The gradients as functions of the parameters (the engine may re-evaluate them).
  std::vector<MultiGradient> gradients() const {
    std::vector<MultiGradient> out;
    for (int k = 0; k < 4; ++k) {
      out.push_back([this, k](const std::vector<arma::mat>& v) {
        Net n = net;
        n.layer1.W = v[0];
        n.layer1.b = v[1];
        n.layer2.W = v[2];
        n.layer2.b = v[3];
        const auto g = n.gradients(X, Y);
        const arma::mat* all[] = {&g.dW1, &g.db1, &g.dW2, &g.db2};
        return *all[k];
      });
    }
    return out;
  }
};

TEST(TwoLayerNet, BackpropagationEndToEnd) {
  const EndToEnd<mlp::TwoLayerNet> e2e;
  auto loss = [&e2e](const std::vector<arma::mat>& v) { return e2e.loss(v); };
  const std::vector<Input> inputs = e2e.inputs();
  const std::vector<MultiGradient> gradients = e2e.gradients();
  EXPECT_GRADIENTS_MATCH_OPTS(loss, inputs, gradients, Layout::kDenominator, sized());
}

// Collects the messages of the failures `statement` reports (instead of failing this test).
template <typename Statement>
std::vector<std::string> failures_of(Statement&& statement) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    statement();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) messages.push_back(results.GetTestPartResult(i).message());
  return messages;
}

// The deliberate bug: LinearBuggy averages dW and db over the batch a second time. The check of
// the network built from it is expected to fail, and its message says why.
TEST(TwoLayerNetBuggy, DoubleAveragedGradientsAreDiagnosed) {
  const EndToEnd<mlp::TwoLayerNetT<mlp::LinearBuggy>> e2e;
  auto loss = [&e2e](const std::vector<arma::mat>& v) { return e2e.loss(v); };
  const std::vector<Input> inputs = e2e.inputs();
  const std::vector<MultiGradient> gradients = e2e.gradients();
  ApiOptions options = sized();
  options.worst_entries = 3;

  EXPECT_NONFATAL_FAILURE(EXPECT_GRADIENTS_MATCH_OPTS(loss, inputs, gradients, Layout::kDenominator, options),
                          "[scale] expected is 1/8 = 1/m times the reference derivative");

  const std::vector<std::string> messages =
      failures_of([&] { EXPECT_GRADIENTS_MATCH_OPTS(loss, inputs, gradients, Layout::kDenominator, options); });
  ASSERT_EQ(messages.size(), 1u);
  const std::string& message = messages[0];
  for (const char* name : {"W1", "b1", "W2", "b2"})
    EXPECT_THAT(message, ::testing::HasSubstr(std::string("d loss/d ") + name + " (denominator, auto)"));
  EXPECT_THAT(message, ::testing::HasSubstr("multiply it by 8 = m to get the truth"));
  // For the reader of the test log: what the assertion printed.
  std::cout << "The failure EXPECT_GRADIENTS_MATCH reports for LinearBuggy (expected):\n" << message << "\n";
}

}  // namespace
