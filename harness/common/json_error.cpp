// SPDX-License-Identifier: MIT
#include "common/json_error.hpp"

#include <fmt/format.h>

#include <cctype>
#include <string_view>

namespace gradcheck {

TextPosition position_of(const std::string& text, std::size_t offset) {
  TextPosition p{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

std::string printable(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    for (std::size_t k = 1; k < n; ++k)
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) n = 0;
    if (n == 0 || (n == 1 && c < 0x20)) {
      out += fmt::format("\\x{:02X}", c);
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

namespace {

// The offset of the first occurrence of the number `literal` outside JSON strings (0 if none).
std::size_t find_literal(const std::string& text, const std::string& literal) {
  if (literal.empty()) return 0;
  const std::size_t at = find_outside_strings(text, [&](std::size_t i) {
    return text.compare(i, literal.size(), literal) == 0 &&
           (i == 0 || std::string_view(" \t\r\n:,[").find(text[i - 1]) != std::string_view::npos);
  });
  return at == std::string::npos ? 0 : at;
}

}  // namespace

JsonFailure json_failure(const std::string& text, const nlohmann::json::exception& e) {
  const std::string what = e.what();
  JsonFailure out;
  if (const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e)) {
    out.at = position_of(text, parse->byte > 0 ? parse->byte - 1 : 0);
    const auto column = what.find(", column ");
    const auto colon = what.find(": ", column == std::string::npos ? 0 : column);
    out.reason = printable(colon != std::string::npos ? what.substr(colon + 2) : what);
    // A ']' or '}' right after a ',' (spaces between): name the trailing comma, which JSON forbids.
    const std::size_t stop = parse->byte > 0 ? parse->byte - 1 : 0;
    if (stop < text.size() && (text[stop] == ']' || text[stop] == '}')) {
      std::size_t k = stop;
      while (k > 0 && std::isspace(static_cast<unsigned char>(text[k - 1]))) --k;
      if (k > 0 && text[k - 1] == ',')
        out.reason = fmt::format("a trailing comma before '{}' (JSON allows none): {}", text[stop], out.reason);
    }
    return out;
  }
  const auto bracket = what.find("] ");
  const std::string reason = bracket != std::string::npos ? what.substr(bracket + 2) : what;
  std::size_t at = 0;
  if (const auto q = reason.find('\''); q != std::string::npos && reason.size() > q + 1 && reason.back() == '\'')
    at = find_literal(text, reason.substr(q + 1, reason.size() - q - 2));
  out.at = position_of(text, at);
  out.reason = printable(reason);
  return out;
}

}  // namespace gradcheck
