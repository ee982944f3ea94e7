// SPDX-License-Identifier: MIT
// The options of a check: method names and validation.
#include <cmath>

#include "gradcheck/options.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck {

Tolerance Tolerance::single() {
  Tolerance t;
  t.rtol = 1e-2;
  t.atol = 1e-3;
  return t;
}

bool Tolerance::is_valid(std::string* error) const {
  if (!(rtol >= 0) || !(atol >= 0) || !std::isfinite(rtol) || !std::isfinite(atol)) {
    if (error) *error = "rtol and atol must be finite numbers >= 0";
    return false;
  }
  if (rtol == 0 && atol == 0) {
    if (error) *error = "rtol and atol cannot both be 0: no finite difference is exact";
    return false;
  }
  return true;
}

bool FdOptions::is_valid(std::string* error) const {
  if (!(step >= 0) || !std::isfinite(step) || step >= 1) {
    if (error) *error = "step must be \"auto\" or a number in (0, 1)";
    return false;
  }
  if (!(ridders_shrink > 1) || ridders_max_iterations < 2 || ridders_max_iterations > 30) {
    if (error) *error = "ridders_shrink must be > 1 and ridders_max_iterations in [2, 30]";
    return false;
  }
  return true;
}

bool Options::is_valid(std::string* error) const {
  if (!tolerance.is_valid(error) || !fd.is_valid(error)) return false;
  if (trials < 1 || trials > 1000) {
    if (error) *error = "trials must be between 1 and 1000";
    return false;
  }
  if (probes < 0 || probes > 10000) {
    if (error) *error = "probes must be 0 (24 a check, split over its trials) or between 1 and 10000";
    return false;
  }
  if (threads < 1 || threads > 256) {
    if (error) *error = "threads must be between 1 and 256";
    return false;
  }
  if (worst_entries < 0) {
    if (error) *error = "worst_entries must be >= 0";
    return false;
  }
  return true;
}

}  // namespace gradcheck
