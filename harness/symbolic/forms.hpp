// SPDX-License-Identifier: MIT
// The derivative a check asks for, derived symbolically in the check's own form: first order in
// every layout and form (auto, vec, index), second order (Hessian blocks in vec or index form,
// Hessian-vector products). The text is what that check's `expected` accepts: an expression of
// the expression language, or for form index an index expression (index_notation.hpp).
#pragma once

#include <string>

#include "gradcheck/expression.hpp"
#include "gradcheck/form.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck::symbolic {

struct CheckRequest {
  std::string expression;   // f
  std::string wrt;          // x
  int derivative_order = 1;
  std::string wrt2;         // second order: y (== wrt for the pure Hessian)
  std::string direction;    // form hvp: the variable V shaped like x
  Structure structure = Structure::kNone;
  // Layout, form and vec order; for form index, `indices` is the parsed spec (for second order,
  // the gradient's Jacobian "X[i,j] / Y[k,l]" of parse_hessian_indices).
  FormSpec form;
};

// Derives the `expected` of `request` over `symbols`:
//   order 1, auto / vec   derive() (derive.hpp);
//   order 1, index        from the gradient G (f scalar) or the Jacobian J = d vec(f) / d vec(x)
//                         (index_text below);
//   order 2               the gradient G = df/dx derived first, then, treating G as the function:
//                         vec   H = d vec(G) / d vec(y) (forward mode; row-major by commutation);
//                         index H as index_text over the letters of G and y;
//                         hvp   H V = the gradient of sum(G .* V) by x (H is symmetric, and V does
//                               not depend on x), which keeps the shape of x.
// Throws what derive() throws, and Error "symbolic.form" for a request it cannot write (hvp of a
// mixed block).
std::string derive_expected(const CheckRequest& request, const Symbols& symbols);

// The index expression of M[a, b] = d vec(F)[a] / d vec(X)[b] (M numel(F) x numel(X), both vec
// column-major) under the letters of F (0, 1 or 2) and of X, with F and X of shapes f and x.
// First M's tree is read term by term (the rules of IndexWriter in forms.cpp: kron(A, B) splits a
// side's two letters between its factors, a commutation matrix swaps them, eye is delta, diag(v)
// is delta times v, X' swaps the letters, u v' is u[i] v[j], sums and negations term by term, and
// anything else under one letter per side is indexed as it is: (A * H)[i,k]). Where that fails,
// the general form:
//   a letter of a vector (or of a scalar side, none) reads M directly: (M)[i,j];
//   two letters (r, c) of an R x C matrix stand for the vec index a = r + R c, written with an
//   explicit sum over a and the selections kron(ones(C, 1), eye(R))[a,r] (1 iff a mod R = r)
//   and kron(eye(C), ones(R, 1))[a,c] (1 iff floor(a / R) = c).
// `m_text` is M as an expression; summed letters avoid the letters of the check and the names of
// variables and dims. For a scalar F (no f letters), M is the gradient G shaped like X, indexed
// by x's letters.
std::string index_text(const std::string& m_text, Shape f, const std::vector<std::string>& f_letters, Shape x,
                       const std::vector<std::string>& x_letters, const Symbols& symbols);

}  // namespace gradcheck::symbolic
