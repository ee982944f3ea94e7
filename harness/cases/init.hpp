// SPDX-License-Identifier: MIT
// Random inputs: a generator that gives the same numbers for the same seed on every machine.
#pragma once

#include <armadillo>
#include <cstdint>
#include <random>
#include <string>

#include "gradcheck/case.hpp"

namespace gradcheck {

// std::mt19937_64 is specified bit for bit by the standard; std::normal_distribution is not
// (each library may compute it differently), so the conversions to doubles are written here:
// uniform from the top 53 bits, normal by Box-Muller.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform();                   // [0, 1)
  double uniform(double lo, double hi);
  double normal();                    // N(0, 1)
  arma::uword index(arma::uword n);   // 0 .. n-1

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Mixes seeds (splitmix64): the seed of a case, trial and variable from the run's seed.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);
// FNV-1a of a string: a case's seed from its name, stable everywhere.
std::uint64_t hash_name(const std::string& name);

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
arma::mat draw(Init init, arma::uword rows, arma::uword cols, Random& random, double lo = -1.0, double hi = 1.0);

}  // namespace gradcheck
