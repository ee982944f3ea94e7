// SPDX-License-Identifier: MIT
// Suggestions: the correct `expected` of a failing check, derived symbolically in the check's own
// layout and form, and shown only once the same check (same points, same options) passes with it.
#pragma once

#include <armadillo>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck::symbolic {

// The Jacobian J = d vec(f) / d vec(x) of `expression` (numel(f) x numel(x); for a symmetric x the
// derivative along each pair), derived and compiled: the formula of the symbolic reference.
// Throws what derive() throws.
Expression jacobian_expression(const std::string& expression, const std::string& wrt, Structure structure,
                               const Symbols& symbols);

// The suggestion for `problem` (whose f is `expression` over `symbols`), or an empty one
// (expected == "") when the expression cannot be derived in that form, or when the derived
// formula does not pass the check. Never throws.
Suggestion suggest(const std::string& expression, const Symbols& symbols, const Problem& problem,
                   const std::vector<std::vector<arma::mat>>& points, const Options& options);

}  // namespace gradcheck::symbolic
