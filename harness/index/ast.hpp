// SPDX-License-Identifier: MIT
// The syntax tree of an index-notation expression (private to harness/index).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "expr/scalar_functions.hpp"

namespace gradcheck::index {

// Scalar functions of a term: the table shared with the expression language.
using Fn = const scalar::Function*;

// One letter written in the text: an index of a factor, an argument of delta, or the letter a
// sum() binds. `binding` is filled in by the compiler: which summation (or free letter) it is.
struct LetterUse {
  std::string letter;
  std::size_t pos = 0;  // 0-based offset in the text
  int binding = -1;
};

struct Node {
  enum Kind {
    Number,    // value
    Name,      // a bare name: a 1x1 variable or a dim
    Indexed,   // name[letters]: a variable
    Embedded,  // a matrix expression: name = its source text, "(A*H)" or "inv(X)"; letters may be empty
    Delta,     // delta(letters[0], letters[1])
    Neg,       // -kids[0]
    Add, Sub, Mul, Div, Pow,  // kids[0] op kids[1]
    Func,      // fn(kids[0])
    Group,     // (kids[0]): a parenthesised term
    Sum,       // sum(letters[0], kids[0])
  };
  Kind kind = Number;
  double value = 0;
  std::string name;
  Fn fn = nullptr;  // Func
  std::vector<LetterUse> letters;
  std::vector<int> kids;       // indices into Tree::nodes
  std::size_t pos = 0, end = 0;  // the source span [pos, end)
  std::size_t name_end = 0;      // Indexed, Embedded: end of the name or group, where '[' starts
  // Filled in by the compiler: the letters summed implicitly around this node (Einstein).
  std::vector<int> implicit_sums;
  // Levels of nodes from here down (1 for a leaf): the compiler and the evaluation recurse this deep.
  std::size_t height = 1;
};

struct Tree {
  std::vector<Node> nodes;
  int root = -1;
};

// Parses an index-notation expression. Throws ExprError "expr.syntax" (and "expr.arity" for a
// scalar function given several arguments). Names are not resolved here.
//
//   sum     := product { ("+" | "-") product }
//   product := unary { ("*" | "/") unary }
//   unary   := "-" unary | power                          so -x[i]^2 is -(x[i]^2)
//   power   := primary [ "^" unary ]                       right-associative
//   primary := number | name | name "[" letters "]"
//            | "delta" "(" letter "," letter ")"
//            | "sum" "(" letter "," sum ")"
//            | fn "(" sum ")"                              fn a scalar function (exp, log, ...)
//            | "(" sum ")"
//            | group "[" letters "]"                       group: "(" ... ")" or name "(" ... ")",
//            | name "(" ... ")"                            given verbatim to Expression::compile
//   letters := letter { "," letter }
//
// A group is a matrix expression when a '[' follows its closing parenthesis, or when it is a call
// of something other than delta, sum(letter, ...) and the scalar functions (tr(A), det(X): used
// as a 1x1 value).
Tree parse(std::string_view text);

}  // namespace gradcheck::index
