// SPDX-License-Identifier: MIT
#include "common/printable.hpp"

#include <fmt/format.h>

namespace gradcheck {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += ch;
  }
  return out;
}

}  // namespace gradcheck
