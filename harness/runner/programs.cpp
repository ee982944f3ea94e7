// SPDX-License-Identifier: MIT
#include "runner/programs.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/suggest.hpp"

namespace gradcheck::runner_programs {

std::string unknown_function(const std::string& name, const std::vector<std::string>& functions,
                             const std::string& command) {
  if (std::find(functions.begin(), functions.end(), name) != functions.end()) return "";
  std::string list;
  for (const std::string& f : functions) list += (list.empty() ? "" : ", ") + f;
  const std::string hint = suggest(name, functions);
  return fmt::format("\"{}\" is not a function of the program `{}`; it serves: {}{}", name, command,
                     list.empty() ? "(none)" : list, hint.empty() ? "" : " (did you mean \"" + hint + "\"?)");
}

ProgramF program_f(program::Client& client, const std::string& name, const std::vector<std::string>& names,
                   const std::vector<arma::mat>& first) {
  ProgramF out;
  const arma::mat value = client.call(name, names, first);
  out.shape = Shape{value.n_rows, value.n_cols};
  program::Client* c = &client;
  const Shape shape = out.shape;
  auto same_shape = [c, name, shape](const arma::mat& m) {
    if (m.n_rows != shape.rows || m.n_cols != shape.cols)
      c->fail(fmt::format("wrong shape: \"{}\" answered a {}x{} value here and a {} one at the first point", name,
                          m.n_rows, m.n_cols, shape.str()));
  };
  out.f = [c, name, names, same_shape](const std::vector<arma::mat>& values, arma::mat& result) {
    result = c->call(name, names, values);
    same_shape(result);
  };
  out.f_batch = [c, name, names, same_shape](const std::vector<std::vector<arma::mat>>& points,
                                             std::vector<arma::mat>& results) {
    results = c->call_batch(name, names, points);
    for (const arma::mat& m : results) same_shape(m);
  };
  return out;
}

std::function<arma::mat(const std::vector<arma::mat>&)> program_expected(program::Client& client,
                                                                         const std::string& name,
                                                                         const std::vector<std::string>& names) {
  program::Client* c = &client;
  return [c, name, names](const std::vector<arma::mat>& values) { return c->call(name, names, values); };
}

}  // namespace gradcheck::runner_programs
