// SPDX-License-Identifier: MIT
// Second-order checks in the C++ API: Hessians, Hessian-vector products and mixed blocks.
//
//   double loss(const arma::mat& w);
//   arma::mat loss_hessian(const arma::mat& w);          // your hand-derived Hessian
//   auto r = gradcheck::check_hessian(loss, w, loss_hessian(w));
//
// E[a,b] = d2f / d vec(x)[a] d vec(y)[b], numel(x) x numel(y), vec stacking columns (or rows with
// VecOrder::kRowMajor); y = x for the Hessian itself. The reference is second differences of f
// (a C++ callable has no complex extension), each entry with its own error bound; the verdict
// rule is that of every check. A Hessian that is not symmetric fails with `asymmetric`; the
// Taylor slope (CheckResult::taylor_slope) is about 3 for a right Hessian and 2 for a wrong one.
// Included by gradcheck.hpp.
#pragma once

#include <armadillo>
#include <functional>
#include <vector>

#include "gradcheck/gradcheck.hpp"

namespace gradcheck {

// The Hessian of a scalar f of x, a fixed matrix (at x) or a callable of x (tried at
// options.trials points near x).
CheckResult check_hessian(const ScalarFunction& f, const arma::mat& x, const arma::mat& hessian,
                          VecOrder order = VecOrder::kColumnMajor, const ApiOptions& options = {});
CheckResult check_hessian(const ScalarFunction& f, const arma::mat& x, const MatrixFunction& hessian,
                          VecOrder order = VecOrder::kColumnMajor, const ApiOptions& options = {});

// A Hessian-vector product H v at x, shaped like x (v too), a fixed matrix. The check costs about
// 12 numel(x) evaluations of f, whatever the size of H.
CheckResult check_hvp(const ScalarFunction& f, const arma::mat& x, const arma::mat& v, const arma::mat& hvp,
                      const ApiOptions& options = {});

// The block d2f / d vec(inputs[i]) d vec(inputs[j]) of f of several inputs (i == j: that input's
// Hessian), numel(inputs[i]) x numel(inputs[j]), at the inputs as given. Input names label the
// entries: "d2f/dW(1,2)db(0)".
CheckResult check_hessian_block(const MultiScalarFunction& f, const std::vector<Input>& inputs, std::size_t i,
                                std::size_t j, const arma::mat& block, VecOrder order = VecOrder::kColumnMajor,
                                const ApiOptions& options = {});

}  // namespace gradcheck
