// SPDX-License-Identifier: MIT
// Test helper: the what() of the ExprError a call throws, to pin error texts exactly.
#pragma once

#include <string>

#include "gradcheck/error.hpp"

namespace gradcheck::testing {

template <class F>
std::string error_text(F&& f) {
  try {
    f();
  } catch (const ExprError& e) {
    return e.what();
  }
  return "(no ExprError)";
}

}  // namespace gradcheck::testing
