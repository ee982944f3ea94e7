// SPDX-License-Identifier: MIT
// "did you mean ...?" for misspelt names: one rule for case-file fields, variables, dims and
// functions in expressions and index notation.
#pragma once

#include <string>
#include <vector>

namespace gradcheck {

// Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
// (optimal string alignment), so "hlaf" is one edit from "half".
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate closest to `word`, ignoring case, if it is close enough to be a likely typo:
// equal but for case, or at most one edit per three characters (and never a full rewrite);
// empty otherwise.
std::string suggest(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace gradcheck
