// SPDX-License-Identifier: MIT
// Errors of gradcheck: every error carries a stable id and, where it has one, a position, as data.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace gradcheck {

// Where an error is. Every part may be unknown (empty, 0) and is then left out of the text.
struct ErrorPlace {
  std::string file;        // "cases/a.json", "<command line: --expr>"
  std::size_t line = 0;    // 1-based; 0: unknown
  std::size_t column = 0;  // 1-based byte column in the file; 0: unknown
  std::string case_name;   // "bilinear[N=4]" (with its dims instance)
  std::string field;       // "checks[0].layout", "variables.W.shape"
};

// An error in user input: a case file, an expression or the command line.
//
// id() is stable and documented in docs/errors.md ("expr.syntax", "case.field", ...);
// message() is the sentence without position; place() says where, as data; what() is the full,
// printable text, formatted in one place (Error::format) from the parts that are known:
//   file:line:col: error [id] case "name", field "path", column N: message
//       <expression>
//       <caret line>
// and, with no file, "[id] message" (an expression error: "[id] column N: message" and its two
// excerpt lines indented by two spaces).
class Error : public std::runtime_error {
 public:
  Error(std::string id, std::string message) : Error(std::move(id), std::move(message), ErrorPlace{}) {}
  Error(std::string id, std::string message, ErrorPlace place);

  const std::string& id() const noexcept { return id_; }
  const std::string& message() const noexcept { return message_; }
  const ErrorPlace& place() const noexcept { return place_; }
  const char* what() const noexcept override { return text_.c_str(); }

  // The same error at `place` (an expression error keeps its column and excerpt). The parts of
  // `place` that are unknown keep the values this error had.
  Error at(const ErrorPlace& place) const;

  // Within an expression (ExprError, or an error made from one by at()): the expression text,
  // the 1-based column in it and the number of carets (0: not an expression error).
  const std::string& expression() const noexcept { return expression_; }
  std::size_t expression_column() const noexcept { return expression_column_; }
  std::size_t expression_length() const noexcept { return expression_length_; }

 protected:
  void set_expression(std::string text, std::size_t column, std::size_t length);

 private:
  void format();  // text_ from the parts: the one place errors are formatted

  std::string id_;
  std::string message_;
  ErrorPlace place_;
  std::string expression_;
  std::size_t expression_column_ = 0;
  std::size_t expression_length_ = 0;
  std::string text_;
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

  const std::string& detail() const noexcept { return message(); }  // the sentence alone
  const std::string& text() const noexcept { return expression(); }  // the whole expression
  std::size_t column() const noexcept { return expression_column(); }  // 1-based
  std::size_t length() const noexcept { return expression_length(); }
  // Two lines: the expression and the caret line under it, each prefixed by `indent`.
  std::string excerpt(const std::string& indent = "  ") const;
};

// The two excerpt lines of an expression error: the text and carets under columns
// [column, column + length), each line prefixed by `indent`.
std::string expression_excerpt(const std::string& text, std::size_t column, std::size_t length,
                               const std::string& indent);

}  // namespace gradcheck
