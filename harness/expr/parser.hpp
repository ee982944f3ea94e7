// SPDX-License-Identifier: MIT
// The parser: text -> syntax tree (private to harness/expr).
#pragma once

#include <string_view>

#include "expr/ast.hpp"

namespace gradcheck::expr {

// Parses a whole expression. Throws ExprError "expr.syntax" on any syntax error.
//
// Grammar, loosest first (all binary operators left-associative but the powers):
//   compare := sum   { ("<" | "<=" | ">" | ">=") sum }
//   sum     := term  { ("+" | "-") term }
//   term    := unary { ("*" | "/" | ".*" | "./") unary }
//   unary   := ("-" | "+") unary | power              so -x^2 is -(x^2)
//   power   := postfix [ ("^" | ".^") exponent ]       right-associative: 2^3^2 = 2^9
//   exponent:= ("-" | "+") exponent | power            so x.^-1 works
//   postfix := primary { "'" | ".'" | ".T" }            transpose binds tightest
//   primary := number | name | name "(" [ compare { "," compare } ] ")" | "(" compare ")"
Node parse(std::string_view text);

}  // namespace gradcheck::expr
