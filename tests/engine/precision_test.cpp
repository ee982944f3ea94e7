// SPDX-License-Identifier: MIT
// working_precision: the precision and tolerance rule both check modes share.
#include "engine/precision.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace gradcheck {
namespace {

reference::Noise measured(Precision precision) {
  reference::Noise n;
  n.sigma = arma::vec{1e-16};
  n.relative = 1e-16;
  n.precision = precision;
  n.evidence = "the rounding noise of f is 1e-16 of |f|";
  return n;
}

TEST(WorkingPrecision, AutoTakesTheMeasurementAndItsDefaultTolerance) {
  Options o;
  reference::Noise noise = measured(Precision::kDouble);
  const WorkingPrecision w = working_precision(o, arma::mat{1.0}, noise);
  EXPECT_EQ(w.precision, Precision::kDouble);
  EXPECT_EQ(w.tolerance, Tolerance{});
  EXPECT_EQ(w.evidence, "measured: the rounding noise of f is 1e-16 of |f|");
}

TEST(WorkingPrecision, SingleRaisesTheNoiseToHalfAFloatUlpAndLoosensTheDefault) {
  Options o;
  reference::Noise noise = measured(Precision::kSingle);
  const WorkingPrecision w = working_precision(o, arma::mat{4.0}, noise);
  EXPECT_EQ(w.tolerance, Tolerance::single());
  const double half_ulp = 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon());
  EXPECT_DOUBLE_EQ(noise.sigma(0), half_ulp * 4.0);
  EXPECT_DOUBLE_EQ(noise.relative, half_ulp);
}

TEST(WorkingPrecision, AStatedToleranceOrPrecisionWins) {
  Options o;
  o.tolerance.rtol = 1e-3;  // other than Tolerance{}: stated
  o.precision = Precision::kSingle;
  reference::Noise noise = measured(Precision::kDouble);
  const WorkingPrecision w = working_precision(o, arma::mat{1.0}, noise);
  EXPECT_EQ(w.precision, Precision::kSingle);
  EXPECT_EQ(w.tolerance.rtol, 1e-3);
  EXPECT_EQ(w.evidence.rfind("stated (", 0), 0u);
}

}  // namespace
}  // namespace gradcheck
