// SPDX-License-Identifier: MIT
#include "gradcheck/error.hpp"

#include <algorithm>

namespace gradcheck {

ExprError::ExprError(std::string id, std::string detail, std::string text, std::size_t column, std::size_t length)
    : Error(id, "column " + std::to_string(column) + ": " + detail + "\n" + [&] {
        std::string line = "  " + text + "\n  " + std::string(column > 0 ? column - 1 : 0, ' ') +
                           std::string(std::max<std::size_t>(length, 1), '^');
        return line;
      }()),
      detail_(std::move(detail)),
      text_(std::move(text)),
      column_(column),
      length_(std::max<std::size_t>(length, 1)) {}

std::string ExprError::excerpt(const std::string& indent) const {
  return indent + text_ + "\n" + indent + std::string(column_ > 0 ? column_ - 1 : 0, ' ') + std::string(length_, '^');
}

}  // namespace gradcheck
