// SPDX-License-Identifier: MIT
#include "common/random.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Random, SameSeedSameNumbersOnEveryMachine) {
  // The engine is specified bit for bit: the standard fixes its 10000th output.
  std::mt19937_64 standard;
  standard.discard(9999);
  EXPECT_EQ(standard(), 9981545732273789042ULL);
  // The conversion to [0, 1) is ours: the top 53 bits over 2^53.
  Random r(42);
  std::mt19937_64 e(42);
  EXPECT_EQ(r.uniform(), static_cast<double>(e() >> 11) / 9007199254740992.0);
  Random a(5), b(5);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.normal(), b.normal());
}

TEST(Random, NormalHasUnitVariance) {
  Random r(1);
  double sum = 0, sum2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    sum += x;
    sum2 += x * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sum2 / n, 1.0, 0.05);
}

TEST(Random, RademacherSignsAreBalancedReproducibleAndUseEveryBit) {
  Random a(5), b(5);
  const arma::vec s = rademacher(a, 1000), t = rademacher(b, 1000);
  EXPECT_TRUE(arma::all(s == t));                         // the same seed, the same signs
  EXPECT_TRUE(arma::all(arma::abs(s) == 1.0));            // only +1 and -1
  EXPECT_NEAR(arma::accu(s) / 1000.0, 0.0, 0.1);          // balanced (4.5 sigma)
  // 1000 signs take ceil(1000 / 64) = 16 draws: the next draw is the 17th of the generator.
  Random c(5);
  for (int i = 0; i < 16; ++i) c.bits();
  EXPECT_EQ(a.bits(), c.bits());
  // Bit k of a draw is sign k.
  Random d(9), e(9);
  const std::uint64_t word = e.bits();
  const arma::vec u = rademacher(d, 64);
  for (arma::uword k = 0; k < 64; ++k) EXPECT_EQ(u(k), ((word >> k) & 1) ? 1.0 : -1.0);
  EXPECT_EQ(rademacher(d, 0).n_elem, 0u);
}

TEST(Random, RademacherIntoABufferDrawsTheSameSignsWhateverTheBufferHeld) {
  // The directional check draws its probes into reused buffers and draws them again from a saved
  // generator when a failing check reads them: the same signs either way.
  Random a(11), b(11);
  arma::vec buffer(100, arma::fill::value(7.0));  // the right size, stale values
  for (arma::uword n : {100u, 100u, 3u, 130u}) {
    const Random saved = b;
    const arma::vec fresh = rademacher(a, n);
    rademacher(b, n, buffer);
    ASSERT_EQ(buffer.n_elem, n);
    EXPECT_TRUE(arma::all(buffer == fresh));
    Random replay = saved;
    arma::vec again(5, arma::fill::zeros);  // the wrong size
    rademacher(replay, n, again);
    EXPECT_TRUE(arma::all(again == fresh));
  }
}

}  // namespace
}  // namespace gradcheck
