// SPDX-License-Identifier: MIT
// Symbolic differentiation of the expression language: the derivative of an expression with
// respect to one of its variables, as an expression that `expected` accepts, simplified.
//
// A scalar f is differentiated in reverse mode (the adjoint of every node, from the root down,
// matrix-calculus rules per operator and function; see derive.cpp), giving the gradient G shaped
// like x. A vector or matrix f is differentiated in forward mode into its Jacobian
// J = d vec(f) / d vec(x), numel(f) x numel(x), by the Kronecker rules (vec(A X B) -> kron(B', A)).
// The result is arranged as the layout and form ask (the table of check.hpp):
//   f scalar, form auto:  denominator G, numerator G'
//   f scalar, form vec:   numerator vec(G)' (1 x q), denominator vec(G); row-major: vec(G')
//   f vector, x vector, form auto, and form vec: numerator J, denominator J'
//   form vec, row-major:  K(fr, fc) J K(xc, xr), K = commutation (the rows of f and x stacked)
//   structure symmetric:  (f scalar) G + G' - diag(diag(G)), S' read as S (the convention of
//                         types.hpp: entries (i,j) and (j,i) are one variable)
#pragma once

#include <string>

#include "gradcheck/expression.hpp"
#include "gradcheck/form.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck::symbolic {

struct DeriveRequest {
  std::string expression;  // f
  std::string wrt;         // the variable x
  Structure structure = Structure::kNone;
  FormSpec form;           // layout, form (auto or vec), vec order; form index is not derived
};

struct Derivative {
  std::string text;  // the derivative as an expression ("A' * wa * wb'")
  Shape shape;       // its shape (the shape the layout and form ask for)
};

// Derives request.expression with respect to request.wrt over `symbols` (variables and dims).
// Throws ExprError with a caret: the expression's own errors (expr.*), "symbolic.no-rule" under a
// function or operator that has no derivative rule (pinv, chol, the spectral norm of a matrix, a
// matrix power with a non-constant exponent), "symbolic.form" for a form that cannot be derived.
// Throws Error "symbolic.form" for a form or layout that cannot be derived (form index, a
// matrix-valued f with form auto), "expr.name" for an unknown wrt.
Derivative derive(const DeriveRequest& request, const Symbols& symbols);

}  // namespace gradcheck::symbolic
