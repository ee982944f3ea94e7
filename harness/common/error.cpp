// SPDX-License-Identifier: MIT
// gradcheck::Error: the one place where an error's parts become its printable text.
#include "gradcheck/error.hpp"

#include <algorithm>

#include "common/printable.hpp"

namespace gradcheck {

Error::Error(std::string id, std::string message, ErrorPlace place)
    : std::runtime_error(id), id_(std::move(id)), message_(std::move(message)), place_(std::move(place)) {
  format();
}

Error Error::at(const ErrorPlace& place) const {
  Error out = *this;
  if (!place.file.empty()) {
    out.place_.file = place.file;
    out.place_.line = place.line;
    out.place_.column = place.column;
  }
  if (!place.case_name.empty()) out.place_.case_name = place.case_name;
  if (!place.field.empty()) out.place_.field = place.field;
  out.format();
  return out;
}

void Error::set_expression(std::string text, std::size_t column, std::size_t length) {
  expression_ = std::move(text);
  expression_column_ = column;
  expression_length_ = std::max<std::size_t>(length, 1);
  format();
}

// With a file:   file[:line:col]: error [id] case "c", field "f", column N: message
// Without one:   [id] case "c", field "f", column N: message
// The parts case, field and column appear when known; an expression error adds its two excerpt
// lines, indented by 4 spaces under a file position and by 2 without one.
void Error::format() {
  std::string text;
  if (!place_.file.empty()) {
    text = place_.file;
    if (place_.line > 0) text += ":" + std::to_string(place_.line) + ":" + std::to_string(place_.column);
    text += ": error ";
  }
  text += "[" + id_ + "] ";
  std::string context;
  auto add = [&](const std::string& part) { context += (context.empty() ? "" : ", ") + part; };
  if (!place_.case_name.empty()) add("case \"" + printable(place_.case_name) + "\"");
  if (!place_.field.empty()) add("field \"" + place_.field + "\"");
  if (expression_length_ > 0) add("column " + std::to_string(expression_column_));
  if (!context.empty()) text += context + ": ";
  text += message_;
  if (expression_length_ > 0)
    text += "\n" + expression_excerpt(expression_, expression_column_, expression_length_,
                                      place_.file.empty() ? "  " : "    ");
  text_ = std::move(text);
}

std::string expression_excerpt(const std::string& text, std::size_t column, std::size_t length,
                               const std::string& indent) {
  return indent + text + "\n" + indent + std::string(column > 0 ? column - 1 : 0, ' ') +
         std::string(std::max<std::size_t>(length, 1), '^');
}

}  // namespace gradcheck
