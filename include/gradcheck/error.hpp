// SPDX-License-Identifier: MIT
// Errors of gradcheck: every error carries a stable id and, where it has one, a position.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace gradcheck {

// An error in user input: a case file, an expression or the command line.
//
// id() is stable and documented in docs/errors.md ("expr.syntax", "case.field", ...);
// message() is the sentence without position; what() is the full, printable text.
class Error : public std::runtime_error {
 public:
  Error(std::string id, std::string message)
      : std::runtime_error("[" + id + "] " + message), id_(std::move(id)), message_(std::move(message)) {}

  const std::string& id() const noexcept { return id_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::string id_;
  std::string message_;
};

// An error inside an expression: points at a column of the expression text.
//
// Ids: "expr.syntax" (cannot be parsed), "expr.name" (unknown variable, dim or function),
// "expr.arity" (wrong number or kind of arguments), "expr.shape" (sizes do not fit),
// "expr.value" (a size argument that is not a positive integer, and the like).
//
// what() reads, for `wa' * A * wb` with A 4x3 and wb 4x1:
//   [expr.shape] column 9: cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4
//     wa' * A * wb
//             ^
class ExprError : public Error {
 public:
  // column is 1-based, length >= 1 (the number of carets).
  ExprError(std::string id, std::string detail, std::string text, std::size_t column, std::size_t length = 1);

  const std::string& detail() const noexcept { return detail_; }  // the sentence alone
  const std::string& text() const noexcept { return text_; }      // the whole expression
  std::size_t column() const noexcept { return column_; }         // 1-based
  std::size_t length() const noexcept { return length_; }
  // Two lines: the expression and the caret line under it, each prefixed by `indent`.
  std::string excerpt(const std::string& indent = "  ") const;

 private:
  std::string detail_;
  std::string text_;
  std::size_t column_;
  std::size_t length_;
};

}  // namespace gradcheck
