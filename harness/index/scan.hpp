// SPDX-License-Identifier: MIT
// Character classes shared by the two small parsers of index notation (private to harness/index).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gradcheck::index {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_name_start(char c) { return is_lower(c) || (c >= 'A' && c <= 'Z') || c == '_'; }
inline bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

// Index letters are identifiers [a-z][a-z0-9_]*: usually one letter (i, j, k, l), but i1 or
// row are fine. Names of variables and dims are any identifier [A-Za-z_][A-Za-z0-9_]*.
inline bool is_letter_char(char c) { return is_lower(c) || is_digit(c) || c == '_'; }

// Length of the identifier starting at `pos` (0 if there is none); `letter` restricts it to an
// index letter.
inline std::size_t name_length(std::string_view s, std::size_t pos, bool letter) {
  if (pos >= s.size() || !(letter ? is_lower(s[pos]) : is_name_start(s[pos]))) return 0;
  std::size_t end = pos + 1;
  while (end < s.size() && (letter ? is_letter_char(s[end]) : is_name_char(s[end]))) ++end;
  return end - pos;
}

// A character quoted for an error message: 'x', or "the end".
inline std::string quoted(std::string_view s, std::size_t pos) {
  return pos < s.size() ? "'" + std::string(1, s[pos]) + "'" : std::string("the end");
}

}  // namespace gradcheck::index
