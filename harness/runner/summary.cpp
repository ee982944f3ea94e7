// SPDX-License-Identifier: MIT
// The summary of a run and the process exit status of the spec.
#include "gradcheck/result.hpp"

namespace gradcheck {

Summary summarize(const std::vector<CaseResult>& cases) {
  Summary s;
  for (const CaseResult& c : cases) {
    switch (c.status) {
      case Status::kPass: ++s.passed; break;
      case Status::kFail: ++s.failed; break;
      case Status::kError: ++s.errors; break;
      case Status::kXfail: ++s.expected_failures; break;
      case Status::kXpass: ++s.unexpected_passes; ++s.failed; break;
      case Status::kInconclusive: ++s.inconclusive; break;
    }
  }
  return s;
}

int exit_status(const Summary& s, bool strict) {
  if (s.errors > 0) return 2;
  if (s.failed > 0) return 1;
  if (strict && s.inconclusive > 0) return 1;
  return 0;
}

}  // namespace gradcheck
