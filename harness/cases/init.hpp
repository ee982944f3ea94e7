// SPDX-License-Identifier: MIT
// Random inputs: a generator that gives the same numbers for the same seed on every machine.
#pragma once

#include <armadillo>
#include <cstdint>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "gradcheck/case.hpp"

namespace gradcheck {

// A matrix of `rows` x `cols` drawn as `init` says (see case-format.md):
//   normal       N(0,1) entries
//   uniform      U(lo, hi) entries
//   positive     0.5 + U(0, 1.5): away from 0, so log, sqrt and 1/x are tame
//   symmetric    (G + G')/2 of a normal G
//   spd          G G'/n + I of a normal G (eigenvalues >= 1: well conditioned)
//   orthogonal   Q of the QR of a normal G, columns' signs fixed by R's diagonal
//   onehot       every column one 1 at a random row, 0 elsewhere
//   probability  every column the softmax of a normal column: positive, sums to 1
//   identity / ones / zeros
// Throws gradcheck::Error "case.init" when the init needs a square matrix and gets another.
// The names of Init, as case files spell them ("normal", "uniform", ...), in the docs' order.
std::vector<std::string> init_names();

arma::mat draw(Init init, arma::uword rows, arma::uword cols, Random& random, double lo = -1.0, double hi = 1.0);

}  // namespace gradcheck
