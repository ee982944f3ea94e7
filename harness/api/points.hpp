// SPDX-License-Identifier: MIT
// The points of the C++ API's trials (shared by api.cpp and hessian.cpp).
#pragma once

#include <armadillo>
#include <cmath>
#include <vector>

#include "common/random.hpp"
#include "gradcheck/gradcheck.hpp"

namespace gradcheck::api {

// The given point, then options.trials - 1 points near it. With `as_float`, each point is
// rounded to float: f and the derivative of float code then see the very point the engine
// differentiates at.
inline std::vector<std::vector<arma::mat>> points_near(const arma::mat& x, const ApiOptions& options, bool several,
                                                bool as_float = false) {
  std::vector<std::vector<arma::mat>> points{{x}};
  if (!several) return points;
  for (int t = 1; t < options.trials; ++t) {
    Random random(mix_seed(options.seed, static_cast<std::uint64_t>(t)));
    arma::mat y = x;
    for (arma::uword k = 0; k < y.n_elem; ++k)
      y(k) += options.perturbation_scale * std::max(1.0, std::abs(x(k))) * random.normal();
    if (options.structure == Structure::kSymmetric) y = 0.5 * (y + y.t());
    if (as_float) y = arma::conv_to<arma::mat>::from(arma::conv_to<arma::fmat>::from(y));
    points.push_back({y});
  }
  return points;
}

}  // namespace gradcheck::api
