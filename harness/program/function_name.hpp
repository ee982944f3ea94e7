// SPDX-License-Identifier: MIT
// A case field that names a program's function instead of holding an expression: "program:NAME".
#pragma once

#include <optional>
#include <string>

namespace gradcheck::program {

// "loss" for "program:loss" (spaces around the name dropped), "" for "program:" alone, nullopt
// for anything else (an expression).
inline std::optional<std::string> function_name(const std::string& field) {
  static const std::string prefix = "program:";
  if (field.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  const std::size_t first = field.find_first_not_of(' ', prefix.size());
  if (first == std::string::npos) return std::string();
  return field.substr(first, field.find_last_not_of(' ') + 1 - first);
}

}  // namespace gradcheck::program
