// SPDX-License-Identifier: MIT
#include "common/diagnosis_codes.hpp"

namespace gradcheck {

const std::vector<std::string>& diagnosis_codes() {
  static const std::vector<std::string> codes = {"shape-mismatch", "layout-transposed", "scale",       "sign",
                                                 "symmetric-only", "partial",           "nondifferentiable",
                                                 "nonfinite",      "vec-order",         "storage-order",
                                                 "asymmetric",     "fd-noise"};
  return codes;
}

}  // namespace gradcheck
