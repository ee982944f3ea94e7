// SPDX-License-Identifier: MIT
// The one list of diagnosis codes (docs/diagnoses.md has a section per code).
#pragma once

#include <string>
#include <vector>

namespace gradcheck {

// Every code a failing check's diagnoses (harness/diagnose) or an inconclusive check's reason
// may carry, as a case's "diagnosis" may name it, in the order of docs/diagnoses.md.
const std::vector<std::string>& diagnosis_codes();

}  // namespace gradcheck
