// SPDX-License-Identifier: MIT
// A small neural-network library on Armadillo with hand-written backward passes: the kind of
// code gradcheck's GoogleTest assertions are for (see mlp_test.cpp).
//
// A batch is a matrix whose columns are the samples: X is d x m for m samples of d features.
// Each layer has
//   forward(...)                 the output, and
//   backward(..., dOut)          given dL/dOut (shaped like the output), dL/dIn and the
//                                gradients of its parameters (each shaped like the parameter).
#pragma once

#include <armadillo>
#include <utility>

namespace mlp {

// Z = W X + b 1': W is out x in, b is out x 1.
struct Linear {
  arma::mat W;
  arma::mat b;

  struct Gradients {
    arma::mat dX, dW, db;
  };

  Linear(arma::uword in, arma::uword out, arma::uword seed);
  Linear(arma::mat weights, arma::mat bias) : W(std::move(weights)), b(std::move(bias)) {}
  arma::mat forward(const arma::mat& X) const;
  Gradients backward(const arma::mat& X, const arma::mat& dZ) const;
};

// A deliberately wrong Linear, as written by someone who remembered that the loss is a mean
// over the batch but not that the loss's own backward already divides by m: dW and db are
// averaged a second time. Everything still trains (more slowly), which is why it survives.
struct LinearBuggy : Linear {
  using Linear::Linear;
  Gradients backward(const arma::mat& X, const arma::mat& dZ) const;
};

// A = tanh(Z), elementwise.
struct Tanh {
  static arma::mat forward(const arma::mat& Z);
  static arma::mat backward(const arma::mat& Z, const arma::mat& dA);
};

// A = max(Z, 0), elementwise (derivative 0 at Z = 0).
struct ReLU {
  static arma::mat forward(const arma::mat& Z);
  static arma::mat backward(const arma::mat& Z, const arma::mat& dA);
};

// Column-wise softmax, shifted by each column's max for stability.
arma::mat softmax(const arma::mat& Z);

// L = -(1/m) sum_j sum_k Y[k,j] log softmax(Z)[k,j]: Z are the scores (classes x m), Y the
// one-hot targets (classes x m). dL/dZ = (softmax(Z) - Y) / m.
struct SoftmaxCrossEntropy {
  static double forward(const arma::mat& Z, const arma::mat& Y);
  static arma::mat backward(const arma::mat& Z, const arma::mat& Y);
};

// Per column (sample) j: xhat = (x - mean) / sqrt(var + eps) over the d features,
// Y = gain % xhat + bias, with gain and bias d x 1.
struct LayerNorm {
  arma::mat gain;
  arma::mat bias;
  double eps = 1e-5;

  struct Gradients {
    arma::mat dX, dgain, dbias;
  };

  explicit LayerNorm(arma::uword d) : gain(arma::ones(d, 1)), bias(arma::zeros(d, 1)) {}
  LayerNorm(arma::mat g, arma::mat b) : gain(std::move(g)), bias(std::move(b)) {}
  arma::mat forward(const arma::mat& X) const;
  Gradients backward(const arma::mat& X, const arma::mat& dY) const;
};

// Linear(d -> h) - Tanh - Linear(h -> c) - softmax cross-entropy, the Linear type a parameter
// (TwoLayerNet is the right one).
template <typename LinearT>
struct TwoLayerNetT {
  LinearT layer1, layer2;

  struct Gradients {
    arma::mat dW1, db1, dW2, db2;
  };

  TwoLayerNetT(arma::uword d, arma::uword h, arma::uword c, arma::uword seed)
      : layer1(d, h, seed), layer2(h, c, seed + 1) {}

  double loss(const arma::mat& X, const arma::mat& Y) const {
    return SoftmaxCrossEntropy::forward(layer2.forward(Tanh::forward(layer1.forward(X))), Y);
  }

  // Forward, then backward through every layer.
  Gradients gradients(const arma::mat& X, const arma::mat& Y) const {
    const arma::mat Z1 = layer1.forward(X);
    const arma::mat A1 = Tanh::forward(Z1);
    const arma::mat Z2 = layer2.forward(A1);
    const arma::mat dZ2 = SoftmaxCrossEntropy::backward(Z2, Y);
    const auto g2 = layer2.backward(A1, dZ2);
    const arma::mat dZ1 = Tanh::backward(Z1, g2.dX);
    const auto g1 = layer1.backward(X, dZ1);
    return {g1.dW, g1.db, g2.dW, g2.db};
  }
};

using TwoLayerNet = TwoLayerNetT<Linear>;

// m one-hot columns of c classes, the class of column j drawn from `seed`.
arma::mat one_hot(arma::uword c, arma::uword m, arma::uword seed);

}  // namespace mlp
