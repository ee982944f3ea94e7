// SPDX-License-Identifier: MIT
#include "engine/precision.hpp"

#include <cmath>
#include <limits>

namespace gradcheck {

WorkingPrecision working_precision(const Options& options, const arma::mat& f0, reference::Noise& noise) {
  WorkingPrecision out;
  out.precision = options.precision == Precision::kAuto ? noise.precision : options.precision;
  const std::string measured = noise.evidence;
  noise.precision = out.precision;
  if (out.precision == Precision::kSingle) {
    const double half_ulp = 0.5 * static_cast<double>(std::numeric_limits<float>::epsilon());
    for (arma::uword a = 0; a < noise.sigma.n_elem; ++a)
      noise.sigma(a) = std::max(noise.sigma(a), half_ulp * std::abs(f0(a)));
    noise.relative = std::max(noise.relative, half_ulp);
  }
  out.evidence = options.precision == Precision::kAuto ? "measured: " + measured : "stated (" + measured + ")";
  const bool stated = options.tolerance_stated || options.tolerance != Tolerance{};
  out.tolerance = stated ? options.tolerance
                         : out.precision == Precision::kSingle ? Tolerance::single() : Tolerance{};
  return out;
}

reference::Target noise_target(const Problem& problem, const reference::Target& own) {
  if (!problem.gradient_of) return own;
  reference::Target t;
  t.f = problem.gradient_of;
  t.wrt = problem.gradient_of_wrt;
  t.computed_in_double = problem.computed_in_double;
  return t;
}

std::string unresolved_noise_reason(Audience audience) {
  const std::string advice = audience == Audience::kCpp ? "Check at a point further from the singularity"
                                                        : "Move the point (init, value) away from the singularity";
  return "f changes at every scale down to 1e-14 of its inputs at this point (its noise cannot be told from its "
         "shape: a singular matrix or a pole within rounding of the point, e.g. inv or solve at cond 1e12), so no "
         "difference or complex step has a bound that holds; the check is not decided. " +
         advice;
}

}  // namespace gradcheck
