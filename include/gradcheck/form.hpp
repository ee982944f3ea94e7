// SPDX-License-Identifier: MIT
// How a derivative is written: the layout, the form and, for form index, the indices (the table
// of layouts is in check.hpp). A stage that arranges or labels entries needs this, not the engine.
#pragma once

#include <optional>

#include "gradcheck/index_notation.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck {

struct FormSpec {
  Layout layout = Layout::kDenominator;
  Form form = Form::kAuto;
  VecOrder order = VecOrder::kColumnMajor;
  std::optional<IndexSpec> indices;  // form index
};

// Who reads the advice in diagnoses and reasons: case-file fields ("layout": "numerator") or C++
// (Layout::kNumerator, options.tolerance).
enum class Audience { kCaseFile, kCpp };

}  // namespace gradcheck
