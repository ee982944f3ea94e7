// SPDX-License-Identifier: MIT
// "did you mean ...?" for misspelt names.
#pragma once

#include <string>
#include <vector>

namespace gradcheck {

// Levenshtein distance between two strings.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word` if it is close enough to be a likely typo (distance <= 2 and
// less than half the word's length, or equal ignoring case); empty otherwise.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace gradcheck
