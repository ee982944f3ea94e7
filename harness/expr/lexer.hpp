// SPDX-License-Identifier: MIT
// Tokens of the expression language (private to harness/expr).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gradcheck::expr {

enum class Tok {
  Number,     // 2, 0.5, 1e-3, .5
  Name,       // letters, digits, underscore; not starting with a digit
  Plus,       // +
  Minus,      // -
  Star,       // *   matrix product
  Slash,      // /   division by a scalar
  DotStar,    // .*  elementwise product
  DotSlash,   // ./  elementwise division
  Caret,      // ^   scalar or matrix power
  DotCaret,   // .^  elementwise power
  Less,       // <
  LessEq,     // <=
  Greater,    // >
  GreaterEq,  // >=
  Quote,      // '   transpose (also .' )
  DotT,       // .T  transpose
  LParen,     // (
  RParen,     // )
  Comma,      // ,
  End,        // end of the text
};

struct Token {
  Tok kind;
  std::size_t pos;    // 0-based byte offset in the text
  std::size_t len;    // bytes
  double number = 0;  // Tok::Number only
};

// The text of a token as written, e.g. "+" or "1e-3"; "end of expression" for Tok::End.
std::string token_text(std::string_view text, const Token& t);

// Splits `text` into tokens; the last one is Tok::End (pos = text.size()).
// Throws ExprError "expr.syntax" on an unknown character or a malformed number.
std::vector<Token> tokenize(std::string_view text);

}  // namespace gradcheck::expr
