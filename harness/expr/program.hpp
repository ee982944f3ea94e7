// SPDX-License-Identifier: MIT
// The compiled form of an expression: a post-order array of steps, each owning its result buffer.
#pragma once

#include <armadillo>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"

namespace gradcheck::detail {

struct Step;

// Computes a step's result into s.out from its inputs a and b (b is a again for one input).
// Kernels never throw and never print: numerical failure gives NaN entries.
using Kernel = void (*)(Step& s, const arma::mat& a, const arma::mat& b);

constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();

struct Step {
  Kernel run = nullptr;        // nullptr: a leaf, either a constant (value in out) or a variable
  std::size_t a = 0, b = 0;    // indices of the input steps (earlier in the program)
  std::size_t slot = kNoSlot;  // a variable leaf: its slot in the values given to evaluate
  double p = 0;                // a parameter of the kernel: the dimension of sum(X, d), p of norm, ...
  Shape shape;                 // the result's shape, inferred at compile time
  arma::mat out;               // the result buffer, allocated at compile time with `shape`
  arma::mat work, work2;       // scratch space of some kernels (chol, matrix power)

  bool is_variable() const { return slot != kNoSlot; }
  bool is_constant() const { return run == nullptr && slot == kNoSlot; }
};

struct Program {
  std::string text;
  std::vector<Step> steps;                  // post-order: inputs before their users; the result is the last step
  std::vector<std::size_t> variables_used;  // sorted, unique slots
  std::vector<std::pair<std::size_t, Shape>> checks;  // (slot, declared shape) of the variables read
};

}  // namespace gradcheck::detail
