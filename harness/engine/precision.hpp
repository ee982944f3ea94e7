// SPDX-License-Identifier: MIT
// The working precision of f at a point and the tolerance that follows from it: one rule for
// the entry-wise and the directional check.
#pragma once

#include <string>

#include "gradcheck/check.hpp"
#include "gradcheck/form.hpp"
#include "gradcheck/options.hpp"
#include "reference/reference.hpp"

namespace gradcheck {

struct WorkingPrecision {
  Precision precision = Precision::kDouble;  // measured (options.precision auto) or stated
  std::string evidence;                      // "measured: ..." or "stated (...)", for reports
  Tolerance tolerance;                       // as applied
};

// The precision is options.precision unless that is auto, then the measured noise.precision.
// Single precision raises the noise to at least half a float32 ulp of each |f_a| (float code is
// never more accurate than its type, whatever the measurement saw). The tolerance is the stated
// one (options.tolerance_stated, or any tolerance other than Tolerance{}), else the precision's
// default: Tolerance::single() for single, Tolerance{} for double. `noise` is updated in place.
WorkingPrecision working_precision(const Options& options, const arma::mat& f0, reference::Noise& noise);

// The target whose rounding noise decides the working precision: `own` (the check's f), but for
// a black box's Hessian (problem.gradient_of) the scalar f itself, moved along gradient_of_wrt,
// the noise its second differences see. The central-difference estimate of G that the problem's
// f is there has a noise of its own (u |f| / h, 1e-2 of |G| for float32 f) that is the rounding
// of no code: reasons printed from it blamed f for the estimate.
reference::Target noise_target(const Problem& problem, const reference::Target& own);

// Why a check at a point whose noise is unresolved (reference::Noise::unresolved) decides
// nothing: the reason of its inconclusive verdict (code "ill-conditioned"), for the entry-wise
// and the directional check alike, with its advice in the reader's terms (case file or C++).
std::string unresolved_noise_reason(Audience audience);

}  // namespace gradcheck
