// SPDX-License-Identifier: MIT
#include "cases/init.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Draw, EveryInitHasItsProperty) {
  Random r(3);
  EXPECT_TRUE(draw(Init::kSymmetric, 4, 4, r).is_symmetric());
  const arma::mat spd = draw(Init::kSpd, 4, 4, r);
  EXPECT_TRUE(spd.is_symmetric());
  EXPECT_GT(arma::eig_sym(spd).min(), 0.99);
  const arma::mat q = draw(Init::kOrthogonal, 5, 3, r);
  EXPECT_LT(arma::abs(q.t() * q - arma::eye(3, 3)).max(), 1e-12);
  const arma::mat onehot = draw(Init::kOnehot, 4, 3, r);
  EXPECT_TRUE(arma::all(arma::vectorise(arma::sum(onehot, 0) == 1.0)));
  EXPECT_EQ(arma::accu(onehot == 1.0), 3u);
  const arma::mat p = draw(Init::kProbability, 4, 3, r);
  EXPECT_LT(arma::abs(arma::sum(p, 0) - 1.0).max(), 1e-12);
  EXPECT_GT(p.min(), 0.0);
  EXPECT_GE(draw(Init::kPositive, 3, 3, r).min(), 0.5);
  const arma::mat u = draw(Init::kUniform, 10, 10, r, 2.0, 3.0);
  EXPECT_GE(u.min(), 2.0);
  EXPECT_LT(u.max(), 3.0);
  EXPECT_TRUE(arma::approx_equal(draw(Init::kIdentity, 3, 3, r), arma::mat(arma::eye(3, 3)), "absdiff", 0));
  EXPECT_EQ(arma::accu(draw(Init::kOnes, 2, 3, r)), 6.0);
  EXPECT_EQ(arma::accu(arma::abs(draw(Init::kZeros, 2, 3, r))), 0.0);
}

TEST(Draw, SquareInitsRefuseOtherShapes) {
  Random r(3);
  try {
    draw(Init::kSpd, 3, 2, r);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "[case.init] init \"spd\" needs a square matrix, the shape is 3x2");
  }
}

TEST(Seeds, MixAndHashAreStable) {
  EXPECT_EQ(hash_name(""), 0xcbf29ce484222325ULL);
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
  EXPECT_EQ(mix_seed(9, 4), mix_seed(9, 4));
}

}  // namespace
}  // namespace gradcheck
