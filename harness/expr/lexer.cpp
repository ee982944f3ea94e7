// SPDX-License-Identifier: MIT
// The lexer: text -> tokens. Whitespace separates tokens and is otherwise ignored.
#include "expr/lexer.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "gradcheck/error.hpp"

namespace gradcheck::expr {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

[[noreturn]] void syntax_error(std::string_view text, std::string detail, std::size_t pos, std::size_t len) {
  throw ExprError("expr.syntax", std::move(detail), std::string(text), pos + 1, len);
}

// A number starting at `pos`: digits [. digits] [e [+-] digits], or . digits [...].
// A '.' belongs to the number only when a digit follows, so `2.*x` is 2 .* x.
// Letters or digits glued to the end (`2x`, `1e`, `1e+`) make it malformed.
Token lex_number(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  auto digits = [&] {
    while (i < text.size() && is_digit(text[i])) ++i;
  };
  digits();
  if (i + 1 < text.size() && text[i] == '.' && is_digit(text[i + 1])) {
    ++i;
    digits();
  }
  bool bad = false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && is_digit(text[j])) {
      i = j;
      digits();
    } else {
      bad = true;  // `1e` or `1e+` : exponent without digits
      i = j;
    }
  }
  if (bad || (i < text.size() && is_ident_char(text[i]))) {
    while (i < text.size() && is_ident_char(text[i])) ++i;
    syntax_error(text, "malformed number '" + std::string(text.substr(pos, i - pos)) + "'", pos, i - pos);
  }
  const std::string literal(text.substr(pos, i - pos));
  return Token{Tok::Number, pos, i - pos, std::strtod(literal.c_str(), nullptr)};
}

}  // namespace

std::string token_text(std::string_view text, const Token& t) {
  if (t.kind == Tok::End) return "end of expression";
  return std::string(text.substr(t.pos, t.len));
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto emit = [&](Tok kind, std::size_t len) {
    out.push_back(Token{kind, i, len});
    i += len;
  };
  while (i < text.size()) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (is_digit(c) || (c == '.' && is_digit(next))) {
      out.push_back(lex_number(text, i));
      i += out.back().len;
    } else if (is_ident_start(c)) {
      std::size_t j = i;
      while (j < text.size() && is_ident_char(text[j])) ++j;
      emit(Tok::Name, j - i);
    } else if (c == '.') {
      // .* ./ .^ .' and .T (not followed by more identifier characters)
      if (next == '*') emit(Tok::DotStar, 2);
      else if (next == '/') emit(Tok::DotSlash, 2);
      else if (next == '^') emit(Tok::DotCaret, 2);
      else if (next == '\'') emit(Tok::Quote, 2);
      else if (next == 'T' && !(i + 2 < text.size() && is_ident_char(text[i + 2]))) emit(Tok::DotT, 2);
      else syntax_error(text, "unexpected character '.'", i, 1);
    } else if (c == '<') {
      emit(next == '=' ? Tok::LessEq : Tok::Less, next == '=' ? 2 : 1);
    } else if (c == '>') {
      emit(next == '=' ? Tok::GreaterEq : Tok::Greater, next == '=' ? 2 : 1);
    } else {
      switch (c) {
        case '+': emit(Tok::Plus, 1); break;
        case '-': emit(Tok::Minus, 1); break;
        case '*': emit(Tok::Star, 1); break;
        case '/': emit(Tok::Slash, 1); break;
        case '^': emit(Tok::Caret, 1); break;
        case '\'': emit(Tok::Quote, 1); break;
        case '(': emit(Tok::LParen, 1); break;
        case ')': emit(Tok::RParen, 1); break;
        case ',': emit(Tok::Comma, 1); break;
        default: {
          const auto u = static_cast<unsigned char>(c);
          // A\b is MATLAB's solve: say what this language writes instead.
          if (c == '\\')
            syntax_error(text, "unexpected character '\\': to solve A x = b write solve(A, b) (A\\b is not supported)", i, 1);
          if (std::isprint(u)) syntax_error(text, std::string("unexpected character '") + c + "'", i, 1);
          char code[8];
          std::snprintf(code, sizeof code, "0x%02X", static_cast<unsigned>(u));
          syntax_error(text, std::string("unexpected character (byte ") + code + ")", i, 1);
        }
      }
    }
  }
  out.push_back(Token{Tok::End, text.size(), 0});
  return out;
}

}  // namespace gradcheck::expr
