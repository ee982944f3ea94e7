// SPDX-License-Identifier: MIT
// Name resolution, shape inference and lowering of a syntax tree into a Program.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expr/ast.hpp"
#include "expr/program.hpp"
#include "expr/scalar_functions.hpp"

namespace gradcheck::expr {

using detail::CxKernel;
using detail::DegreeRule;
using detail::Kernel;
using detail::Kernels;
using detail::Program;
using detail::Step;
using detail::StridedKernel;
using Args = std::vector<std::size_t>;  // step indices of a node's compiled operands

// What an operator or function turns into, decided by its lowering rule at compile time:
// either a kernel over one or two inputs, or a value known at compile time (ones(3), numel(x)).
//
// A kernel given as a generic lambda, [](Step& s, const auto& x, const auto& y) { ... }, is both
// the real and the complex kernel; RealOnly{k} marks one without a complex extension.
struct RealOnly {
  Kernel run;
};

struct Lowering {
  Lowering(Shape shape, Kernels kernels, Args inputs, double p = 0)
      : shape(shape), run(kernels.real), run_cx(kernels.complex), strided(kernels.strided), inputs(std::move(inputs)),
        p(p) {}
  Lowering(Shape shape, RealOnly kernel, Args inputs, double p = 0)
      : Lowering(shape, Kernels{kernel.run, nullptr}, std::move(inputs), p) {}
  template <class K>
  Lowering(Shape shape, K generic, Args inputs, double p = 0)
      : Lowering(shape, Kernels{generic, generic}, std::move(inputs), p) {}
  explicit Lowering(arma::mat value) : shape{value.n_rows, value.n_cols}, value(std::move(value)) {}

  Shape shape;
  Kernel run = nullptr;
  CxKernel run_cx = nullptr;       // nullptr: no complex extension
  StridedKernel strided = nullptr;  // Step::strided
  Args inputs;                     // 1 or 2 step indices when run is set
  double p = 0;                    // Step::p
  const scalar::Function* fn = nullptr;  // Step::fn
  const char* op = nullptr;              // Step::op
  DegreeRule degree = DegreeRule::kNone;  // Step::degree
  bool kinked = false;                    // Step::kinked (functions: from can_kink(name))
  bool product = false;                   // Step::product
  std::optional<arma::mat> value;  // set instead of run for compile-time values
};

class Compiler {
 public:
  // max_bytes: the memory budget of the whole program (CompileOptions::max_bytes; see charge).
  Compiler(std::string_view text, const Symbols& symbols, Program& program, double max_bytes = CompileOptions{}.max_bytes)
      : text_(text), symbols_(symbols), prog_(program), max_bytes_(max_bytes) {}

  // Emits the steps of `n` (post-order) and returns the index of the step holding its value.
  // Steps whose inputs are all constants are evaluated here and folded into a constant.
  std::size_t compile(const Node& n);

  // Helpers for the lowering rules of operators.cpp and functions.cpp.
  const Shape& shape(std::size_t step) const { return prog_.steps[step].shape; }
  // The value of a step known at compile time (numbers, dims and what is made of them only).
  std::optional<double> constant(std::size_t step) const;
  // "A (4x3)": the operand's source text and shape, or the shape alone if the text is long.
  std::string describe(const Node& n, std::size_t step) const;
  // Throws ExprError `id` with carets under n's anchor (operator, name or number).
  [[noreturn]] void fail(const char* id, std::string detail, const Node& n) const;
  // Throws ExprError `id` with carets under the whole source span of n.
  [[noreturn]] void fail_span(const char* id, std::string detail, const Node& n) const;
  // A size argument (ones(r, c), reshape(X, r, c)): a positive integer known at compile time,
  // else ExprError "expr.value" pointing at the argument.
  arma::uword size_argument(const Node& call, std::size_t index, std::size_t step) const;
  // A dimension argument (sum(X, d)): the constant 1 or 2, else ExprError "expr.value".
  int dimension_argument(const Node& call, std::size_t index, std::size_t step) const;
  // Refuses (ExprError "expr.value" under n) a value of more than kMaxEntries entries: sizes
  // like ones(100000, 100000) would exhaust memory, or take hours to differentiate.
  void check_size(const Node& n, Shape s) const;
  static constexpr arma::uword kMaxEntries = 10000000;
  // Refuses (ExprError "expr.value" under n) an operation of more than kMaxOperations
  // floating-point operations per evaluation (products, inverses, powers of large matrices):
  // eye(2197)^(3^20) would take minutes to fold at compile time, and f runs many times.
  void check_work(const Node& n, double operations) const;
  static constexpr double kMaxOperations = 1e10;
  // The bytes an entry of a step's result is counted for in the program's budget: the real and
  // complex values the evaluators keep of it (CompileOptions::max_bytes).
  static constexpr double kBytesPerEntry = 72;
  const Symbols& symbols() const { return symbols_; }

 private:
  std::size_t finish(const Node& n, std::size_t start, Lowering low, const char* name = "");
  std::size_t push_constant(arma::mat value, const Node& n);
  // Appends a step made for node n, after charge(); every step enters the program here.
  std::size_t push(Step s, const Node& n);
  // Drops the steps from `start` on (folded operands), with their share of the budget.
  void truncate(std::size_t start);
  // Refuses (ExprError "expr.value" under n) a new step of shape s when the program's steps
  // together with it would hold more than max_bytes_; called before its buffer is allocated.
  void charge(const Node& n, Shape s) const;
  std::size_t compile_name(const Node& n);
  std::size_t compile_call(const Node& n);
  std::string first_variable(const Node& n) const;  // the first variable named in n, or ""
  [[noreturn]] void unknown_name(const Node& n) const;

  std::string_view text_;
  const Symbols& symbols_;
  Program& prog_;
  double max_bytes_;
  // Parallel to prog_.steps: held_[i] = the bytes steps 0..i are counted for, and the source
  // span (begin, end) of the node each step was made for (for the message of charge).
  std::vector<double> held_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;
};

// operators.cpp: the rule of a Unary, Binary or Transpose node over its compiled operands.
Lowering lower_operator(Compiler& c, const Node& n, const Args& args);

// functions.cpp: the built-in functions.
struct Function {
  const char* name;
  std::size_t min_args, max_args;
  Lowering (*lower)(Compiler& c, const Node& call, const Args& args);
};
const Function* find_function(std::string_view name);  // nullptr if unknown
// The functions whose result can have a kink or a jump in their arguments (abs, relu, sign, max,
// min, norm, pinv): every other function is smooth (infinitely differentiable) wherever finite.
bool can_kink(std::string_view name);

// Number formatting for messages: 3, 0.5, 1e-08.
std::string format_number(double v);

}  // namespace gradcheck::expr
