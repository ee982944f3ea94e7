// SPDX-License-Identifier: MIT
// The names an expression may use: variables and dims.
#include <cctype>

#include "gradcheck/expression.hpp"

namespace gradcheck {
namespace {

// A name must be an identifier of the language (letters, digits, underscore; no leading digit),
// must be new, and a variable must have a non-empty shape. Violations are "expr.name"/"expr.value".
void check_new_name(const std::string& name, bool taken) {
  bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok)
    throw Error("expr.name",
                "'" + name + "' is not a valid name: use letters, digits and '_', not starting with a digit");
  if (taken) throw Error("expr.name", "the name '" + name + "' is declared twice");
}

}  // namespace

void Symbols::add_variable(const std::string& name, Shape shape) {
  check_new_name(name, variables_.count(name) > 0 || dims_.count(name) > 0);
  if (shape.numel() == 0) throw Error("expr.value", "variable '" + name + "' has an empty shape " + shape.str());
  variables_.emplace(name, Variable{order_.size(), shape});
  order_.push_back(name);
}

void Symbols::add_dim(const std::string& name, double value) {
  check_new_name(name, variables_.count(name) > 0 || dims_.count(name) > 0);
  dims_.emplace(name, value);
}

const Symbols::Variable* Symbols::find_variable(const std::string& name) const {
  const auto it = variables_.find(name);
  return it == variables_.end() ? nullptr : &it->second;
}

const double* Symbols::find_dim(const std::string& name) const {
  const auto it = dims_.find(name);
  return it == dims_.end() ? nullptr : &it->second;
}

std::vector<std::string> Symbols::dim_names() const {
  std::vector<std::string> names;
  for (const auto& [name, value] : dims_) names.push_back(name);
  return names;
}

}  // namespace gradcheck
