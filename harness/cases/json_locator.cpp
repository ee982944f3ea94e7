// SPDX-License-Identifier: MIT
#include "cases/json_locator.hpp"

#include <algorithm>
#include <cctype>

namespace gradcheck {

std::string pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

JsonLocator::JsonLocator(const std::string& text) : text_(text) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  // The text is valid JSON (nlohmann parsed it first); stop quietly on anything unexpected.
  if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 byte order mark
  scan_value("");
}

void JsonLocator::skip_space() {
  while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
}

std::string JsonLocator::scan_string() {
  // At the opening quote. Returns the raw content (escapes kept; keys rarely have any).
  std::string out;
  ++pos_;
  while (pos_ < text_.size() && text_[pos_] != '"') {
    if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
      out += text_[pos_++];
    }
    out += text_[pos_++];
  }
  ++pos_;
  return out;
}

void JsonLocator::scan_value(const std::string& pointer) {
  skip_space();
  if (pos_ >= text_.size()) return;
  values_[pointer] = pos_;
  const char c = text_[pos_];
  if (c == '{') {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return;
    }
    while (pos_ < text_.size()) {
      skip_space();
      const std::size_t key_at = pos_;
      const std::string child = pointer + "/" + pointer_escape(scan_string());
      if (!keys_.emplace(child, key_at).second) {
        duplicates_.push_back(child);
        keys_[child] = key_at;
      }
      skip_space();
      ++pos_;  // ':'
      scan_value(child);
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      ++pos_;  // '}'
      return;
    }
  } else if (c == '[') {
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return;
    }
    for (std::size_t i = 0; pos_ < text_.size(); ++i) {
      scan_value(pointer + "/" + std::to_string(i));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      ++pos_;  // ']'
      return;
    }
  } else if (c == '"') {
    scan_string();
  } else {
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_])) && text_[pos_] != ',' &&
           text_[pos_] != '}' && text_[pos_] != ']')
      ++pos_;
  }
}

// The same as position_of(text_, offset), without counting from the start of the text each time
// (a suite of thousands of cases asks for thousands of positions).
TextPosition JsonLocator::position(std::size_t offset) const {
  offset = std::min(offset, text_.size());
  const auto line = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset) - 1;
  return {static_cast<std::size_t>(line - line_starts_.begin()) + 1, offset - *line + 1};
}

TextPosition JsonLocator::value(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = values_.find(p);
    if (it != values_.end()) return position(it->second);
    if (p.empty()) return {};
    p.erase(p.rfind('/'));
  }
}

std::vector<std::size_t> JsonLocator::string_columns(const std::string& pointer) const {
  const auto it = values_.find(pointer);
  if (it == values_.end() || it->second >= text_.size() || text_[it->second] != '"') return {};
  const std::size_t begin = it->second + 1;
  std::vector<std::size_t> out;
  bool escaped = false;
  std::size_t i = begin;
  auto hex = [&](std::size_t at) -> unsigned {
    unsigned v = 0;
    for (std::size_t k = at; k < at + 4 && k < text_.size(); ++k)
      v = v * 16 + static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(text_[k])) ? text_[k] - '0'
                                                                                             : (std::tolower(text_[k]) - 'a' + 10));
    return v;
  };
  while (i < text_.size() && text_[i] != '"') {
    const std::size_t raw = i - begin;
    if (text_[i] != '\\') {
      out.push_back(raw);
      ++i;
      continue;
    }
    escaped = true;
    if (i + 1 < text_.size() && text_[i + 1] == 'u') {
      // \uXXXX (a surrogate pair is two of them) decodes to 1 to 4 UTF-8 bytes.
      unsigned cp = hex(i + 2);
      std::size_t len = 6;
      if (cp >= 0xD800 && cp < 0xDC00 && i + 11 < text_.size() && text_[i + 6] == '\\' && text_[i + 7] == 'u') {
        cp = 0x10000;
        len = 12;
      }
      const int bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      for (int b = 0; b < bytes; ++b) out.push_back(raw);
      i += len;
    } else {
      out.push_back(raw);
      i += 2;
    }
  }
  if (!escaped) return {};
  out.push_back(i - begin);
  return out;
}

TextPosition JsonLocator::key(const std::string& pointer) const {
  auto it = keys_.find(pointer);
  return it != keys_.end() ? position(it->second) : value(pointer);
}

}  // namespace gradcheck
