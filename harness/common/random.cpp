// SPDX-License-Identifier: MIT
#include "common/random.hpp"

#include <cmath>

namespace gradcheck {

double Random::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
arma::vec rademacher(Random& random, arma::uword n) {
  arma::vec s;
  rademacher(random, n, s);
  return s;
}
void rademacher(Random& random, arma::uword n, arma::vec& s) {
  // Bit k of the j-th draw is the sign of entry 64 j + k (1: +1, 0: -1); whole words in a loop
  // without a bound test (it vectorises), then the tail. (Every entry is written: no zero fill.)
  if (s.n_elem != n) s.set_size(n);
  double* out = s.memptr();
  arma::uword i = 0;
  for (; i + 64 <= n; i += 64) {
    const std::uint64_t word = random.bits();
    for (unsigned k = 0; k < 64; ++k) out[i + k] = static_cast<double>(static_cast<int>((word >> k) & 1U) * 2 - 1);
  }
  if (i < n) {
    const std::uint64_t word = random.bits();
    for (arma::uword k = 0; i + k < n; ++k) out[i + k] = (word >> k) & 1U ? 1.0 : -1.0;
  }
}

double Random::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Random::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u = 0.0;
  while (u <= 0.0) u = uniform();  // log(0) is not finite
  const double v = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u));
  const double angle = 2.0 * M_PI * v;
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

arma::uword Random::index(arma::uword n) { return static_cast<arma::uword>(uniform() * n) % n; }

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
  std::uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t hash_name(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : name) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace gradcheck
