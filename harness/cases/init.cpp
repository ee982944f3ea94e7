// SPDX-License-Identifier: MIT
#include "cases/init.hpp"

#include <fmt/format.h>

#include <cmath>
#include <utility>

#include "gradcheck/error.hpp"

namespace gradcheck {

namespace {

// The one table of init names, in the order messages and docs list them.
constexpr std::pair<Init, const char*> kInits[] = {
    {Init::kNormal, "normal"},       {Init::kUniform, "uniform"},   {Init::kPositive, "positive"},
    {Init::kSymmetric, "symmetric"}, {Init::kSpd, "spd"},           {Init::kOrthogonal, "orthogonal"},
    {Init::kOnehot, "onehot"},       {Init::kProbability, "probability"}, {Init::kIdentity, "identity"},
    {Init::kOnes, "ones"},           {Init::kZeros, "zeros"}};

}  // namespace

std::string to_string(Init init) {
  for (const auto& [value, name] : kInits)
    if (value == init) return name;
  return "normal";
}

bool parse_init(const std::string& name, Init* out) {
  for (const auto& [value, n] : kInits) {
    if (name == n) {
      *out = value;
      return true;
    }
  }
  return false;
}

std::vector<std::string> init_names() {
  std::vector<std::string> out;
  for (const auto& entry : kInits) out.emplace_back(entry.second);
  return out;
}

arma::mat draw(Init init, arma::uword rows, arma::uword cols, Random& random, double lo, double hi) {
  auto normal = [&](arma::uword r, arma::uword c) {
    arma::mat m(r, c);
    for (arma::uword j = 0; j < c; ++j)
      for (arma::uword i = 0; i < r; ++i) m(i, j) = random.normal();
    return m;
  };
  auto need_square = [&](const char* what) {
    if (rows != cols)
      throw Error("case.init", fmt::format("init \"{}\" needs a square matrix, the shape is {}x{}", what, rows, cols));
  };
  switch (init) {
    case Init::kNormal: return normal(rows, cols);
    case Init::kUniform: {
      arma::mat m(rows, cols);
      for (arma::uword j = 0; j < cols; ++j)
        for (arma::uword i = 0; i < rows; ++i) m(i, j) = random.uniform(lo, hi);
      return m;
    }
    case Init::kPositive: {
      arma::mat m(rows, cols);
      for (arma::uword j = 0; j < cols; ++j)
        for (arma::uword i = 0; i < rows; ++i) m(i, j) = 0.5 + 1.5 * random.uniform();
      return m;
    }
    case Init::kSymmetric: {
      need_square("symmetric");
      const arma::mat g = normal(rows, cols);
      return arma::mat(0.5 * (g + g.t()));
    }
    case Init::kSpd: {
      need_square("spd");
      const arma::mat g = normal(rows, cols);
      arma::mat s = g * g.t() / static_cast<double>(rows) + arma::eye(rows, cols);
      return arma::mat(0.5 * (s + s.t()));  // exactly symmetric
    }
    case Init::kOrthogonal: {
      arma::mat q, r;
      const arma::mat g = normal(rows, cols);
      if (!arma::qr_econ(q, r, g) || rows < cols)
        throw Error("case.init", fmt::format("init \"orthogonal\" needs rows >= cols, the shape is {}x{}", rows, cols));
      for (arma::uword j = 0; j < cols; ++j)
        if (r(j, j) < 0) q.col(j) *= -1.0;
      return q;
    }
    case Init::kOnehot: {
      arma::mat m(rows, cols, arma::fill::zeros);
      for (arma::uword j = 0; j < cols; ++j) m(random.index(rows), j) = 1.0;
      return m;
    }
    case Init::kProbability: {
      arma::mat m = normal(rows, cols);
      for (arma::uword j = 0; j < cols; ++j) {
        m.col(j) = arma::exp(m.col(j) - m.col(j).max());
        m.col(j) /= arma::accu(m.col(j));
      }
      return m;
    }
    case Init::kIdentity: return arma::eye(rows, cols);
    case Init::kOnes: return arma::ones(rows, cols);
    case Init::kZeros: return arma::zeros(rows, cols);
  }
  return normal(rows, cols);
}

}  // namespace gradcheck
