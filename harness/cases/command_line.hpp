// SPDX-License-Identifier: MIT
// The `check` verb's flags as a case: one validator (the case loader) for both front ends.
//
// The flags are kept as typed and written into a case file's text, which load_case_text reads
// with the rules of every case file: `--rtol 1` is refused as `"rtol": 1` is, a misspelt
// `--layout` gets the same did-you-mean, a name that is both a --dim and a --var the same
// error. Each error is then placed at the flag that gave the value ("<command line: --rtol>")
// instead of a line and column of the generated text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gradcheck/case.hpp"

namespace gradcheck {

struct CheckFlags {
  std::string expr, wrt, expected;
  std::vector<std::string> vars;  // NAME=ROWSxCOLS[:INIT] ("A=4x3", "x=n,1:positive")
  std::vector<std::string> dims;  // NAME=VALUE ("m=8")
  // Unset: the case file's default. Values are as typed; the loader decides whether they fit.
  std::optional<std::string> layout, form, order, indices, trials, seed, rtol, atol, fd, step, expect;
};

// The case file {"name": "check", "dims", "variables", "expression", "checks": [one], ...} the
// flags stand for. A number-like value is written as a JSON number, anything else as a string
// (so "--trials three" reads as "trials": "three"). Throws Error "cli.usage" only for text that
// has no place in a case at all: a --var or --dim without NAME=..., a --var shape without rows
// and cols.
std::string check_case_text(const CheckFlags& flags);

// check_case_text read by load_case_text; every error placed at its flag, and the case's
// locations (expression, expected, indices, variables) set to their flags.
LoadedFile load_check_flags(const CheckFlags& flags);

}  // namespace gradcheck
