// SPDX-License-Identifier: MIT
// Index notation for derivatives of non-scalar functions (form "index").
//
// The `indices` field names the indices of f and of x: "Z[i,l] / H[j,k]" means
//     E[i,l,j,k] = dZ[i,l] / dH[j,k].
// f has no brackets when it is a scalar ("q / B[j,k]"), one index when it is a vector, two when
// it is a matrix; the same for x. A letter repeated across the two sides takes a diagonal:
// "z[i] / W[i,k]" is G[i,k] = dz[i]/dW[i,k].
//
// `expected` is then an expression in those letters: products and sums of indexed factors
// (A[i,j], x[k]: vectors take one index), delta(i,k), numbers, dims names, scalar functions of
// such terms (exp(x[k])), and any matrix expression of the expression language indexed after a
// closing parenthesis: inv(X)[j,i], (A*H)[i,k]. Summation follows Einstein's convention unless
// `explicit_summation`: inside one product, a letter that is not free and appears twice is summed
// over its range; one that is not free and appears once is an error. sum(l, term) sums explicitly
// in both modes. Index ranges come from where each letter is used; a clash is an error.
//
// Scopes of the convention: a product ends at a term of a sum, a parenthesised group, the
// argument of a function and the body of sum(). A letter written twice there is summed there; a
// letter written once stays open and counts as one use in the enclosing product, so
// exp(x[k]) * y[k] and (a[k] + b[k]) * c[k] sum over k. Each summation has its own range.
// Letters are lowercase names, [a-z][a-z0-9_]*; indices are letters only (no numbers).
#pragma once

#include <armadillo>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gradcheck/error.hpp"
#include "gradcheck/expression.hpp"

namespace gradcheck {

// The parsed `indices` field.
struct IndexSpec {
  std::string f_name;                   // "Z"
  std::vector<std::string> f_letters;   // {"i", "l"}; empty for a scalar f
  std::string x_name;                   // "H"
  std::vector<std::string> x_letters;   // {"j", "k"}
  // The free letters, each once, in order of first appearance (f's first, then x's):
  // the axes of the result. "z[i] / W[i,k]" -> {"i", "k"}.
  std::vector<std::string> free_letters;
  std::string text;                     // the field as written
  // Where the parts sit in `text` (0-based offsets), so that later errors can point at them.
  std::size_t f_pos = 0, x_pos = 0;                  // the names
  std::vector<std::size_t> f_letter_pos, x_letter_pos;  // each letter

  // Parses "Z[i,l] / H[j,k]". Throws ExprError ("expr.syntax") with a caret on bad syntax.
  static IndexSpec parse(std::string_view text);
};

namespace detail {
struct IndexProgram;
}

class IndexExpression {
 public:
  // Compiles `text` against `spec`. f_shape and x_shape are the shapes of f and of the wrt
  // variable: they give the ranges of the letters in `spec` (a letter used with both sides must
  // get the same range from both, else ExprError "expr.index" pointing into spec.text).
  // Errors (ExprError with a caret into `text`): "expr.syntax", "expr.name" (unknown variable),
  // "expr.index" (a letter used once and not free, a range clash, a free letter of spec indexing
  // nothing, wrong number of indices on a factor), and any error of an embedded matrix
  // expression, its column shifted to its place in `text`.
  static IndexExpression compile(std::string_view text, const IndexSpec& spec, Shape f_shape, Shape x_shape,
                                 const Symbols& symbols, bool explicit_summation = false);

  IndexExpression(const IndexExpression& other);  // deep copy
  IndexExpression& operator=(const IndexExpression& other);
  IndexExpression(IndexExpression&&) noexcept;
  IndexExpression& operator=(IndexExpression&&) noexcept;
  ~IndexExpression();

  const std::vector<std::string>& free_letters() const;  // = spec.free_letters
  const std::vector<arma::uword>& ranges() const;        // range of each free letter
  // Evaluates E at every assignment of the free letters; entry k of the result is the
  // assignment with the FIRST free letter varying fastest (column-major over the letters).
  const arma::vec& evaluate(const std::vector<arma::mat>& values);

  // Complex evaluation, for complex-step differentiation, with the rules of
  // Expression::evaluate_complex (the scalar functions are the same table; embedded matrix
  // expressions are evaluated by Expression::evaluate_complex). has_complex_extension() is false
  // when an embedded expression has none, and complex_obstacle() names its function ("pinv").
  // The returned reference stays valid until the next call. Throws gradcheck::Error
  // ("expr.complex", ...) if !has_complex_extension().
  bool has_complex_extension() const;
  const std::string& complex_obstacle() const;
  const arma::cx_vec& evaluate_complex(const std::vector<arma::cx_mat>& values);

 private:
  explicit IndexExpression(std::unique_ptr<detail::IndexProgram> program);
  std::unique_ptr<detail::IndexProgram> program_;
};

}  // namespace gradcheck
