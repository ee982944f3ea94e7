// SPDX-License-Identifier: MIT
// Positions in a JSON text, and nlohmann/json's exceptions turned into a position and a reason
// (once, for the case loader and for reading reports back).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace gradcheck {

struct TextPosition {
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based, in bytes
};

// Line and column of a byte offset (0-based) in `text`.
TextPosition position_of(const std::string& text, std::size_t offset);

// `s` with every byte that is not part of valid UTF-8 (and every control character) written as
// \xFF, so that messages quoting raw input print cleanly.
std::string printable(const std::string& s);

// Calls visit(i) for every offset of `text` outside JSON strings, until it returns true;
// returns that offset, or npos.
template <class Visit>
std::size_t find_outside_strings(const std::string& text, Visit visit) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (visit(i)) {
      return i;
    }
  }
  return std::string::npos;
}

// Why json::parse refused `text` and where.
struct JsonFailure {
  TextPosition at;     // where the parser stopped (a parse_error), or where the literal it
                       // names starts (out_of_range: a number too large for a double)
  std::string reason;  // nlohmann's sentence without its id and position, printable
};

// e must come from json::parse(text). nlohmann's parse_error has e.byte, the 1-based offset of
// the character where parsing stopped, and a what() of the form
//   "[json.exception.parse_error.101] parse error at line 1, column 9: <reason>"
// where <reason> may itself hold ": "; other exceptions (out_of_range.406 for 1e999) have no
// position: the literal their message quotes is found outside strings (offset 0 if it is not).
JsonFailure json_failure(const std::string& text, const nlohmann::json::exception& e);

}  // namespace gradcheck
