// SPDX-License-Identifier: MIT
// The syntax tree of an expression (private to harness/expr).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "expr/lexer.hpp"

namespace gradcheck::expr {

struct Node {
  enum Kind { Number, Name, Call, Unary, Binary, Transpose };

  explicit Node(Kind k) : kind(k) {}

  Kind kind;
  Tok op = Tok::End;           // Unary: Minus or Plus; Binary: the operator token
  std::string name;            // Name and Call
  double value = 0;            // Number
  std::vector<Node> children;  // Unary/Transpose: 1; Binary: 2; Call: the arguments

  // Where errors about this node point (1 char = 1 caret): the operator, the name or the number.
  std::size_t pos = 0, len = 1;
  // The source span of the whole node, [begin, end), parentheses included: used in messages.
  std::size_t begin = 0, end = 0;
  // Levels of nodes from here down (1 for a leaf): the compiler recurses this deep.
  std::size_t height = 1;
};

}  // namespace gradcheck::expr
