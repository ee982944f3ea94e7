// SPDX-License-Identifier: MIT
// The tree symbolic differentiation works on (private to harness/symbolic): an immutable copy of
// the expression AST (harness/expr/ast.hpp) whose every node knows its shape, built only through
// the simplifying constructors of Builder, and printed back as text that the expression language
// parses.
//
// Shapes are never inferred here by a second set of rules: Builder asks the expression compiler
// (harness/expr/compiler.hpp) for the shape of each new node, with its non-constant operands
// stood in for by placeholder variables of their shapes, so a derived node has exactly the shape
// (and the shape errors) the language gives it.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include "expr/ast.hpp"
#include "gradcheck/expression.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck::symbolic {

using expr::Node;
using expr::Tok;

struct Sym;
using P = std::shared_ptr<const Sym>;

struct Sym {
  Node::Kind kind = Node::Number;
  Tok op = Tok::End;     // Unary: Minus; Binary: the operator
  std::string name;      // Name (a variable or a dim) and Call
  double value = 0;      // Number
  bool size = false;     // a Number that is a size (ones(3, 4), the 8 of mean over 8 entries):
                         // printed as the dim of that value when exactly one dim has it
  std::vector<P> kids;
  Shape shape;
  bool constant = true;  // reads no variable
  // Where an error about this node points in the source text (nodes of the input only).
  std::size_t pos = 0, len = 1;
};

bool equal(const P& a, const P& b);  // structural equality (numbers by value)
bool depends_on(const P& n, const std::string& variable);

// How a tree is printed: the dims, to name sizes (see Sym::size).
struct PrintOptions {
  std::map<std::string, double> dims;
};
// Text the expression language parses back into the same tree, with the fewest parentheses
// that keep its grouping: "A' * wa * wb'". Numbers print in their shortest exact form (0.5,
// 1e-07).
std::string print(const P& n, const PrintOptions& options = {});

// Makes nodes, simplified as they are made. The rules (each keeps the value, entry for entry, at
// every point; none assumes a shape the operands do not have):
//   numbers      constants folded; a product's numeric factors collected in front (2 * X * 3 ->
//                6 * X); 1 * x, x * 1, x / 1, x .^ 1 -> x; -(-x) -> x; a scalar factor of a
//                matrix product moved in front (A * (s * B) -> s * A * B), a scalar divisor
//                moved to the end ((A / s) * B -> A * B / s); (k * x) / (j * y) with k / j short
//                -> (k / j) * x / y.
//   transposes   pushed to the leaves: (A * B)' -> B' * A', (A + B)' -> A' + B', f(A)' -> f(A')
//                elementwise, inv(A)' -> inv(A'), x'' -> x, s' -> s for a scalar, S' -> S for a
//                symmetric variable, ones(r, c)' -> ones(c, r), commutation(m, n)' ->
//                commutation(n, m).
//   identities   eye(n) * A -> A; A .* ones -> A where the ones do not change the shape;
//                X * ones(n, 1) -> sum(X, 2); ones(1, m) * X -> sum(X, 1); x .* x -> x .^ 2;
//                sum of a scalar, of a row along 1, of a column along 2 -> itself;
//                sum(k * X) -> k * sum(X); commutation(m, 1) -> eye(m);
//                commutation(m, n) * commutation(n, m) -> eye(m n).
//   commutation  K(r, s) below is commutation(r, s); for A m x n, B p x q,
//                K(p, m) kron(A, B) K(n, q) = kron(B, A), so kron(A, B) * K(n, q) -> kron(B, A)
//                when m or p is 1, and K(p, m) * kron(A, B) -> kron(B, A) when n or q is 1
//                (the commutation matrix left over is then an identity).
//   sums         flattened into terms with numeric coefficients; equal terms collected
//                (G + G -> 2 * G), zero terms dropped (unless that changes the shape); two
//                terms with a common left or right factor of a matrix product collected
//                (A * x + B * x -> (A + B) * x), terms over a common scalar divisor collected
//                (a / m + b / m -> (a + b) / m); positive terms first, then the subtracted ones.
class Builder {
 public:
  // `symbols`: the variables and dims names resolve against; `symmetric`: the variables known
  // to be symmetric (S' -> S).
  Builder(const Symbols& symbols, std::set<std::string> symmetric = {});

  P num(double v, bool size = false) const;
  P name(const std::string& n) const;  // a variable or a dim; Error "symbolic.internal" if neither
  P ones(arma::uword r, arma::uword c) const;
  P eye(arma::uword r, arma::uword c) const;
  // commutation(m, n), K vec(A) = vec(A') for A m x n; eye(m n) when m or n is 1.
  P commutation(arma::uword m, arma::uword n) const;

  P neg(const P& a) const;
  P add(const P& a, const P& b) const;
  P sub(const P& a, const P& b) const;
  P mul(const P& a, const P& b) const;   // *   (matrix product, or scaling by a scalar)
  P div(const P& a, const P& b) const;   // /   (by a scalar)
  P emul(const P& a, const P& b) const;  // .*
  P ediv(const P& a, const P& b) const;  // ./
  P epow(const P& a, const P& b) const;  // .^
  P pow(const P& a, const P& b) const;   // ^
  P compare(Tok op, const P& a, const P& b) const;
  P transpose(const P& a) const;
  P call(const std::string& f, std::vector<P> args) const;
  // sum(x) (dim 0), sum(x, 1), sum(x, 2).
  P sum(const P& a, int dim = 0) const;

  // The node of kind/op/name over `kids` exactly as given (no simplification); shape from the
  // compiler. Throws ExprError when the shapes do not fit.
  P raw(Node::Kind kind, Tok op, const std::string& name, std::vector<P> kids, double value = 0) const;
  // The tree of a parsed expression, rebuilt through the simplifying constructors when
  // `simplify`, else as written; `substitute` replaces names (the x of a derivative formula).
  // Positions of the source are kept on the nodes.
  P from_ast(const Node& n, bool simplify, const std::map<std::string, P>& substitute = {}) const;
  // Rebuilds `n` bottom-up through the constructors until nothing changes (at most 8 passes).
  P simplify(const P& n) const;

  const Symbols& symbols() const { return symbols_; }

 private:
  P rebuild(const P& n) const;
  P add_terms(const P& a, const P& b, bool subtract) const;
  P mul_core(const P& a, const P& b) const;
  P commuted(const P& a, const P& b) const;
  Shape shape_of(const Node& node, const std::vector<P>& kids) const;

  // Structural hashing: every node the Builder makes is looked up by its kind, operator, name,
  // value and the identities of its operands (which are shared already), so equal subtrees are
  // one node. A repeated sub-expression (the tanh(W * x) inside every factor of a chain rule) is
  // then stored once, and equal() on two of them stops at the pointer.
  P intern(const std::shared_ptr<Sym>& node) const;
  mutable std::unordered_map<std::string, P> nodes_;

  const Symbols& symbols_;
  Symbols dims_only_;  // the dims of symbols_, for the placeholder compilations
  std::set<std::string> symmetric_;
};

// A node as an AST node of the expression language (for the compiler).
Node to_node(const P& n);

}  // namespace gradcheck::symbolic
