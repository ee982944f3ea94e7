// SPDX-License-Identifier: MIT
#include "gradcheck/error.hpp"

namespace gradcheck {

ExprError::ExprError(std::string id, std::string detail, std::string text, std::size_t column, std::size_t length)
    : Error(std::move(id), std::move(detail)) {
  set_expression(std::move(text), column, length);
}

std::string ExprError::excerpt(const std::string& indent) const {
  return expression_excerpt(text(), column(), length(), indent);
}

}  // namespace gradcheck
