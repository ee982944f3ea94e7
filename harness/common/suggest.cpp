// SPDX-License-Identifier: MIT
#include "common/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace gradcheck {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string suggest(const std::string& word, const std::vector<std::string>& candidates) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  std::string best;
  std::size_t best_distance = 3;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    if (lower(c) == lower(word)) return c;
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance && 2 * d < std::max<std::size_t>(word.size(), 2)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace gradcheck
