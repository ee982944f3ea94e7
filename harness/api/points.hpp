// SPDX-License-Identifier: MIT
// The points of the C++ API's trials and the problem of a scalar f of several inputs (shared by
// api.cpp and hessian.cpp).
#pragma once

#include <armadillo>
#include <cmath>
#include <vector>

#include "common/random.hpp"
#include "gradcheck/check.hpp"
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

// The Problem of a scalar C++ callable of several inputs (names, shapes, f), with the given
// point of the inputs into `point`; the caller sets wrt, form and expected.
inline Problem multi_scalar_problem(const MultiScalarFunction& f, const std::vector<Input>& inputs,
                                    const ApiOptions& options, std::vector<arma::mat>& point) {
  Problem p;
  p.audience = Audience::kCpp;
  for (const Input& in : inputs) {
    p.names.push_back(in.name);
    p.shapes.push_back(Shape{in.value.n_rows, in.value.n_cols});
    point.push_back(in.value);
  }
  p.f_name = options.f_name;
  p.dims = options.dims;
  p.f_shape = Shape{1, 1};
  p.f = [f](const std::vector<arma::mat>& values, arma::mat& out) {
    out.set_size(1, 1);
    out(0, 0) = f(values);
  };
  return p;
}

}  // namespace gradcheck::api
