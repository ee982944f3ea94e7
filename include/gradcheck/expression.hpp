// SPDX-License-Identifier: MIT
// The expression language: Matlab/Armadillo-flavoured expressions over real double matrices.
//
// An expression is parsed and its shapes inferred once, by Expression::compile; evaluate()
// then runs the compiled program many times (finite differences) without re-parsing or
// re-checking, writing into buffers allocated at compile time. evaluate_complex() runs the same
// program over complex values (the holomorphic extension), for complex-step differentiation.
#pragma once

#include <armadillo>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gradcheck/error.hpp"
#include "gradcheck/perturbed.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck {

// The names an expression may use: variables (each with a slot in the values vector given to
// evaluate and a shape) and dims (named numbers: usable as sizes and as scalars).
class Symbols {
 public:
  // Adds a variable; its slot is the number of variables added before it.
  void add_variable(const std::string& name, Shape shape);
  void add_dim(const std::string& name, double value);

  struct Variable {
    std::size_t slot;
    Shape shape;
  };
  const Variable* find_variable(const std::string& name) const;  // nullptr if absent
  const double* find_dim(const std::string& name) const;         // nullptr if absent
  std::size_t variable_count() const { return variables_.size(); }
  const std::vector<std::string>& variable_names() const { return order_; }  // by slot
  std::vector<std::string> dim_names() const;                                 // sorted

 private:
  std::map<std::string, Variable> variables_;
  std::vector<std::string> order_;
  std::map<std::string, double> dims_;
};

namespace detail {
struct Program;  // the compiled form; defined in harness/expr/
}

// Limits of Expression::compile.
struct CompileOptions {
  // The most bytes the values of the compiled program may hold together, counted at compile
  // time before each step's buffer is allocated (harness/expr/compiler.cpp, Compiler::charge):
  //   held = sum over the program's steps (constants and operations; not the variables, which
  //          the caller owns) of 72 bytes x the entries of the step's result,
  // 72 bytes = the most the evaluators keep of one entry: the program's real value (8) and
  // complex value (16, once a complex evaluation has run); a perturbation propagator's own copy
  // of both (8 + 16) and its base values of them (8 + 16). An expression whose steps together
  // would hold more is refused with ExprError "expr.value" under the sub-expression where the
  // total crosses the limit. Default 2e9 bytes (2 GB); each thread's copy holds as much again.
  double max_bytes = 2e9;
};

class Expression {
 public:
  // Parses `text`, resolves names against `symbols` and infers every shape.
  // Throws ExprError (with the column and a caret) on any syntax, name, arity or shape error,
  // and on a program over options.max_bytes.
  static Expression compile(std::string_view text, const Symbols& symbols, const CompileOptions& options = {});

  Expression(const Expression& other);             // deep copy: own buffers (one per thread)
  Expression& operator=(const Expression& other);
  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  Shape shape() const;                 // shape of the result, known before any evaluation
  const std::string& text() const;     // the source text
  // Slots of the variables the expression reads (sorted, unique).
  const std::vector<std::size_t>& variables_used() const;

  // Evaluates at `values` (values[slot] has the declared shape of that variable).
  // The returned reference stays valid until the next call of evaluate on this object.
  // Numerical trouble (a singular matrix for inv, chol of a non-SPD matrix) gives NaN entries,
  // never an exception, so it surfaces as a `nonfinite` diagnosis.
  const arma::mat& evaluate(const std::vector<arma::mat>& values);

  // f along single entries of the variable in `slot`, by perturbation propagation: after
  // prepare(values), at(b, b, delta) equals evaluate(values with values[slot](b) += delta) to
  // rounding, recomputing only what moving that entry changes (the rules:
  // harness/expr/propagate.hpp). Each call makes an independent copy (one per thread).
  std::unique_ptr<PerturbedFunction> perturbed(std::size_t slot) const;
  // The operations (multiply-adds, estimated) of one such evaluation moving entries `first` and
  // `second` of that variable, from the shapes alone: for size limits.
  double perturbed_operations(std::size_t slot, arma::uword first, arma::uword second) const;

  // An upper bound of the degree of the expression as a polynomial in the variable in `slot`
  // (every other variable held fixed), read from the compiled program: 0 when it does not depend
  // on it, 1 for W * x + b, 2 for sum((W * X + b).^2) / m (x - x counts 1); -1 when it is not a
  // polynomial in it, or may not be: only + - .* * (products), ./ and / by what does not depend on
  // it, .^ and ^ of a constant integer >= 0, negation, transposes, sum, mean, dot, trace, kron,
  // vec, reshape, repmat, diag, tril and triu keep a degree; every other function (even of a
  // polynomial: exp, inv, max, abs, comparisons) gives -1. Central differences are exact for
  // degree <= 2.
  int polynomial_degree(std::size_t slot) const;
  // True when no step of the program can have a kink or a jump: no abs, relu, sign, max, min,
  // norm, pinv or comparison anywhere. f is then infinitely differentiable wherever it is finite,
  // and one-sided differences that disagree are never a kink of it (a feature of f narrower
  // than the step, near a nearly singular matrix).
  bool smooth() const;

  // Complex evaluation, for complex-step differentiation: df/dx_b = Im f(x + i h e_b) / h.
  //
  // True when every step of the compiled program has a complex extension (complex-step
  // differentiation applies). complex_obstacle() names the first function that has none
  // ("pinv"; "norm" for the 2-norm of a matrix: both through an SVD), else "".
  bool has_complex_extension() const;
  const std::string& complex_obstacle() const;
  // Evaluates at complex values (values[slot] has the declared shape). Analytic functions are
  // extended holomorphically; comparisons, abs, relu, max, min, sign, and any branch decide on the
  // REAL part (abs(z) = z * sign(re z), relu(z) = z * (re z > 0), max picks by real part, ...).
  // Transposes and dot never conjugate; norm(x) is sqrt(sum(x.^2)). Where the real function is
  // undefined (log or sqrt of a negative real part) the result is NaN, so that with zero imaginary
  // parts the real part of the result is the real evaluation. Numerical failure gives NaN entries,
  // as evaluate(). The returned reference stays valid until the next call.
  // Throws gradcheck::Error("expr.complex", ...) if !has_complex_extension(), and
  // std::invalid_argument for a missing or wrongly shaped value.
  const arma::cx_mat& evaluate_complex(const std::vector<arma::cx_mat>& values);

 private:
  explicit Expression(std::unique_ptr<detail::Program> program);
  std::unique_ptr<detail::Program> program_;
};

}  // namespace gradcheck
