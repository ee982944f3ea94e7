// SPDX-License-Identifier: MIT
// IndexSpec::parse: the `indices` field of a check, "Z[i,l] / H[j,k]".
//
//   spec := side "/" side
//   side := name [ "[" letter [ "," letter ] "]" ]     no brackets: a scalar
//
// Whitespace is free. A side holds at most two letters, all different ("Z[i,i]" would be a
// diagonal of f itself, which f does not have: the diagonal is written across the two sides,
// "z[i] / W[i,k]").
#include <algorithm>
#include <string>

#include "gradcheck/index_notation.hpp"
#include "index/scan.hpp"

namespace gradcheck {
namespace {

class SpecParser {
 public:
  explicit SpecParser(std::string_view text) : s_(text) { spec_.text = std::string(text); }

  IndexSpec parse() {
    skip_space();
    if (p_ == s_.size())
      fail("the indices are empty: write them as Z[i,l] / H[j,k] (or q / B[j,k] for a scalar f)", 0);
    side("f", spec_.f_name, spec_.f_pos, spec_.f_letters, spec_.f_letter_pos);
    skip_space();
    if (p_ == s_.size() || s_[p_] != '/')
      fail("expected '/' between the indices of f and of x, as in Z[i,l] / H[j,k]", p_);
    ++p_;
    side("x", spec_.x_name, spec_.x_pos, spec_.x_letters, spec_.x_letter_pos);
    skip_space();
    if (p_ < s_.size()) fail("unexpected " + index::quoted(s_, p_) + " after the indices of x", p_);

    for (const auto* letters : {&spec_.f_letters, &spec_.x_letters})
      for (const std::string& l : *letters)
        if (std::find(spec_.free_letters.begin(), spec_.free_letters.end(), l) == spec_.free_letters.end())
          spec_.free_letters.push_back(l);
    return spec_;
  }

 private:
  [[noreturn]] void fail(const std::string& detail, std::size_t pos, std::size_t len = 1) const {
    throw ExprError("expr.syntax", detail, spec_.text, pos + 1, len);
  }
  void skip_space() {
    while (p_ < s_.size() && index::is_space(s_[p_])) ++p_;
  }

  // One side: a name and up to two letters in brackets. `which` is "f" or "x".
  void side(const char* which, std::string& name, std::size_t& name_pos, std::vector<std::string>& letters,
            std::vector<std::size_t>& letter_pos) {
    skip_space();
    std::size_t n = index::name_length(s_, p_, false);
    if (n == 0) {
      if (p_ < s_.size() && s_[p_] == ']') fail("']' without a matching '['", p_);
      fail(std::string("expected the name of ") + which + ", as in Z[i,l] / H[j,k]", p_);
    }
    name_pos = p_;
    name = std::string(s_.substr(p_, n));
    p_ += n;
    skip_space();
    if (p_ < s_.size() && s_[p_] == '[') letters_in_brackets(name, name_pos, letters, letter_pos);
    skip_space();
    if (p_ < s_.size() && s_[p_] == ']') fail("']' without a matching '['", p_);
  }

  // "[" letter [ "," letter ] "]" after the name of a side.
  void letters_in_brackets(const std::string& name, std::size_t name_pos, std::vector<std::string>& letters,
                           std::vector<std::size_t>& letter_pos) {
    const std::size_t open = p_++;
    while (true) {
      skip_space();
      const std::size_t len = index::name_length(s_, p_, true);
      if (len == 0) fail("expected an index letter (a lowercase name such as i)", p_);
      if (letters.size() == 2)
        fail("more than two indices: " + name + " must be a scalar, a vector or a matrix", p_, len);
      letters.emplace_back(s_.substr(p_, len));
      letter_pos.push_back(p_);
      p_ += len;
      skip_space();
      if (p_ < s_.size() && s_[p_] == ',') {
        ++p_;
        continue;
      }
      if (p_ < s_.size() && s_[p_] == ']') break;
      if (p_ == s_.size() || s_[p_] == '/') fail("'[' is never closed", open);
      fail("expected ',' or ']' but found " + index::quoted(s_, p_), p_);
    }
    ++p_;  // ']'
    if (letters.size() == 2 && letters[0] == letters[1])
      fail("index '" + letters[1] + "' is repeated in " + std::string(s_.substr(name_pos, p_ - name_pos)) +
               ": use a different letter (a diagonal is written across the two sides, z[i] / W[i,k])",
           letter_pos[1], letters[1].size());
  }

  std::string_view s_;
  std::size_t p_ = 0;
  IndexSpec spec_;
};

}  // namespace

IndexSpec IndexSpec::parse(std::string_view text) { return SpecParser(text).parse(); }

}  // namespace gradcheck
