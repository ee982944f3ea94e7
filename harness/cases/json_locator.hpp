// SPDX-License-Identifier: MIT
// Line and column of every value in a JSON text, by JSON pointer.
//
// nlohmann/json reports positions only for syntax errors; a case-file error in a well-formed
// file ("layout": "numerater") must still say where it is. This scanner walks text that
// nlohmann has already accepted and records where each value (and each key) starts.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "common/json_error.hpp"  // TextPosition, position_of

namespace gradcheck {

class JsonLocator {
 public:
  explicit JsonLocator(const std::string& text);
  // Where the value at `pointer` ("/cases/0/checks/1/layout") starts; for a string, its opening
  // quote. Falls back to the nearest enclosing value that is known.
  TextPosition value(const std::string& pointer) const;
  // Where the key of the member at `pointer` starts (its opening quote).
  TextPosition key(const std::string& pointer) const;
  // For the string value at `pointer`: the raw offset (from the first byte after the opening
  // quote) of each byte of the decoded string, and one past the end. Empty when the string has
  // no escape sequences (decoded byte k is then at raw offset k) or is not a string.
  std::vector<std::size_t> string_columns(const std::string& pointer) const;
  // Keys that appear twice in one object (nlohmann keeps the last silently): their pointers.
  const std::vector<std::string>& duplicates() const { return duplicates_; }

 private:
  void scan_value(const std::string& pointer);
  void skip_space();
  std::string scan_string();
  TextPosition position(std::size_t offset) const;  // position_of, by a lookup in line_starts_

  const std::string& text_;
  std::size_t pos_ = 0;
  std::map<std::string, std::size_t> values_;
  std::map<std::string, std::size_t> keys_;
  std::vector<std::string> duplicates_;
  std::vector<std::size_t> line_starts_;  // offset of the first byte of each line
};

// Escapes a key for a JSON pointer: "~" -> "~0", "/" -> "~1".
std::string pointer_escape(const std::string& key);

}  // namespace gradcheck
