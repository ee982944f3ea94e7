// SPDX-License-Identifier: MIT
// The `derive` verb: prints the symbolic derivative of an expression (one line on stdout).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace gradcheck::cli {

struct DeriveArgs {
  std::string expr, wrt, layout = "denominator", form = "auto", order = "column-major", indices;
  std::vector<std::string> vars, dims, structures;
  bool check = false;
  std::uint64_t seed = 42;
};

// Adds `derive` and its options to `app`; returns the subcommand.
CLI::App* add_derive_verb(CLI::App& app, DeriveArgs& args);
// Runs it: 0 derived (and, with --check, verified), 1 --check failed, 2 bad usage or an
// expression that cannot be differentiated (the error, with a caret, on stderr).
int run_derive(const DeriveArgs& args);

}  // namespace gradcheck::cli
