// SPDX-License-Identifier: MIT
#include "mlp.hpp"

#include <random>

namespace mlp {

Linear::Linear(arma::uword in, arma::uword out, arma::uword seed) {
  arma::arma_rng::set_seed(seed);
  W = arma::randn(out, in) / std::sqrt(static_cast<double>(in));
  b = 0.1 * arma::randn(out, 1);
}

arma::mat Linear::forward(const arma::mat& X) const { return W * X + b * arma::ones(1, X.n_cols); }

Linear::Gradients Linear::backward(const arma::mat& X, const arma::mat& dZ) const {
  // Z = W X + b 1': dL/dX = W' dZ, dL/dW = dZ X', dL/db = dZ 1.
  return {W.t() * dZ, dZ * X.t(), arma::sum(dZ, 1)};
}

Linear::Gradients LinearBuggy::backward(const arma::mat& X, const arma::mat& dZ) const {
  const double m = static_cast<double>(X.n_cols);
  // BUG (on purpose): "the loss is a mean over the batch, so average the parameter gradients",
  // but dZ already carries the 1/m of the mean.
  return {W.t() * dZ, dZ * X.t() / m, arma::sum(dZ, 1) / m};
}

arma::mat Tanh::forward(const arma::mat& Z) { return arma::tanh(Z); }

arma::mat Tanh::backward(const arma::mat& Z, const arma::mat& dA) {
  const arma::mat A = arma::tanh(Z);
  return dA % (1 - A % A);
}

arma::mat ReLU::forward(const arma::mat& Z) { return arma::clamp(Z, 0.0, arma::datum::inf); }

arma::mat ReLU::backward(const arma::mat& Z, const arma::mat& dA) { return dA % arma::conv_to<arma::mat>::from(Z > 0); }

arma::mat softmax(const arma::mat& Z) {
  arma::mat E = arma::exp(Z.each_row() - arma::max(Z, 0));
  E.each_row() /= arma::sum(E, 0);
  return E;
}

double SoftmaxCrossEntropy::forward(const arma::mat& Z, const arma::mat& Y) {
  // log softmax(Z) = Z - max - log(sum(exp(Z - max))), per column.
  const arma::rowvec top = arma::max(Z, 0);
  const arma::mat shifted = Z.each_row() - top;
  const arma::rowvec log_sum = arma::log(arma::sum(arma::exp(shifted), 0));
  const arma::mat log_p = shifted.each_row() - log_sum;
  return -arma::accu(Y % log_p) / static_cast<double>(Z.n_cols);
}

arma::mat SoftmaxCrossEntropy::backward(const arma::mat& Z, const arma::mat& Y) {
  return (softmax(Z) - Y) / static_cast<double>(Z.n_cols);
}

namespace {

struct Normalized {
  arma::mat xhat;
  arma::rowvec inv_std;
};

Normalized normalize(const arma::mat& X, double eps) {
  const arma::rowvec mean = arma::mean(X, 0);
  const arma::mat centered = X.each_row() - mean;
  const arma::rowvec var = arma::mean(centered % centered, 0);
  const arma::rowvec inv_std = 1 / arma::sqrt(var + eps);
  arma::mat xhat = centered.each_row() % inv_std;
  return {std::move(xhat), inv_std};
}

}  // namespace

arma::mat LayerNorm::forward(const arma::mat& X) const {
  arma::mat Y = normalize(X, eps).xhat;
  Y.each_col() %= arma::vec(gain);
  Y.each_col() += arma::vec(bias);
  return Y;
}

LayerNorm::Gradients LayerNorm::backward(const arma::mat& X, const arma::mat& dY) const {
  const Normalized n = normalize(X, eps);
  const double d = static_cast<double>(X.n_rows);
  arma::mat dxhat = dY;
  dxhat.each_col() %= arma::vec(gain);
  // Per column: dX = inv_std / d * (d dxhat - sum(dxhat) - xhat sum(dxhat % xhat)).
  const arma::rowvec sum_dxhat = arma::sum(dxhat, 0);
  const arma::rowvec sum_dxhat_xhat = arma::sum(dxhat % n.xhat, 0);
  arma::mat dX = d * dxhat;
  dX.each_row() -= sum_dxhat;
  dX -= n.xhat.each_row() % sum_dxhat_xhat;
  dX.each_row() %= n.inv_std / d;
  return {dX, arma::sum(dY % n.xhat, 1), arma::sum(dY, 1)};
}

arma::mat one_hot(arma::uword c, arma::uword m, arma::uword seed) {
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<arma::uword> pick(0, c - 1);
  arma::mat Y(c, m, arma::fill::zeros);
  for (arma::uword j = 0; j < m; ++j) Y(pick(random), j) = 1;
  return Y;
}

}  // namespace mlp
