// SPDX-License-Identifier: MIT
// Random numbers every stage may draw (points, directions, probes, output gradients): the same
// numbers for the same seed on every machine.
#pragma once

#include <armadillo>
#include <cstdint>
#include <random>
#include <string>

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
  std::uint64_t bits() { return engine_(); }  // 64 random bits

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// n Rademacher signs (+1 or -1, probability 1/2 each), 64 from each draw of the generator (bit
// k of a draw is sign k): the probes' and test directions' weights.
arma::vec rademacher(Random& random, arma::uword n);
// The same draws into `out` (set to n entries; its memory reused when it has n already).
void rademacher(Random& random, arma::uword n, arma::vec& out);

// Mixes seeds (splitmix64): the seed of a case, trial and variable from the run's seed.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);
// FNV-1a of a string: a case's seed from its name, stable everywhere.
std::uint64_t hash_name(const std::string& name);

}  // namespace gradcheck
