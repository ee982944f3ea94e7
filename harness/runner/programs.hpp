// SPDX-License-Identifier: MIT
// The case runner's wiring of programs: "program:NAME" fields become the Problem's f and
// expected, calling a program::Client (harness/program). Errors are gradcheck::Error
// "case.program" from the client; the runner locates them in the case file.
#pragma once

#include <armadillo>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck/types.hpp"
#include "program/client.hpp"

namespace gradcheck::runner_programs {

// "\"losss\" is not a function of the program `python3 net.py`; it serves: loss, loss_grad_W (did you
// mean \"loss\"?)", or "" when `name` is one of `functions`.
std::string unknown_function(const std::string& name, const std::vector<std::string>& functions,
                             const std::string& command);

// f = NAME(values) for the engine. Its shape is the shape of its value at `first` (one request,
// made here); every later answer must have the same shape, or the client fails with "wrong shape".
struct ProgramF {
  std::function<void(const std::vector<arma::mat>&, arma::mat&)> f;
  // The same at many points in one `batch` request (finite differences evaluate f at many points).
  std::function<void(const std::vector<std::vector<arma::mat>>&, std::vector<arma::mat>&)> f_batch;
  Shape shape;
};
ProgramF program_f(program::Client& client, const std::string& name, const std::vector<std::string>& names,
                   const std::vector<arma::mat>& first);

// expected = NAME(values): any shape (a shape other than the layout's is the derivation's failure,
// shape-mismatch, as for an expression).
std::function<arma::mat(const std::vector<arma::mat>&)> program_expected(program::Client& client,
                                                                         const std::string& name,
                                                                         const std::vector<std::string>& names);

}  // namespace gradcheck::runner_programs
