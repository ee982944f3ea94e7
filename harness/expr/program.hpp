// SPDX-License-Identifier: MIT
// The compiled form of an expression: a post-order array of steps, each owning its result buffer.
#pragma once

#include <armadillo>
#include <complex>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "gradcheck/expression.hpp"

namespace gradcheck::scalar {
struct Function;
}

namespace gradcheck::detail {

struct Step;

// Computes a step's result into s.out from its inputs a and b (b is a again for one input).
// Kernels never throw and never print: numerical failure gives NaN entries.
using Kernel = void (*)(Step& s, const arma::mat& a, const arma::mat& b);
// The same over complex values, into s.cx_out: the holomorphic extension (see
// Expression::evaluate_complex). Most kernels are one generic definition giving both.
using CxKernel = void (*)(Step& s, const arma::cx_mat& a, const arma::cx_mat& b);

// An elementwise step's kernel over a block of strided memory, for perturbation propagation
// (propagate.cpp), which recomputes a changed block in place instead of gathering it:
//     out[i + j oc] = f(a[i ar + j ac], b[i br + j bc])   for i < rows, j < cols,
// a stride of 0 repeating a broadcast input along that dimension; real values only; the same f,
// entry for entry, as the step's kernel (so the same bits).
struct StridedBlock {
  const double* a = nullptr;
  arma::uword ar = 0, ac = 0;
  const double* b = nullptr;
  arma::uword br = 0, bc = 0;
  double* out = nullptr;
  arma::uword oc = 0, rows = 0, cols = 0;
};
using StridedKernel = void (*)(const Step& s, const StridedBlock& block);

// A step's kernels; complex is nullptr when the operation has no complex extension, strided
// where the step has no strided form (its changed block is then gathered, computed, scattered).
struct Kernels {
  Kernel real = nullptr;
  CxKernel complex = nullptr;
  StridedKernel strided = nullptr;
};

constexpr std::size_t kNoSlot = std::numeric_limits<std::size_t>::max();

// How a step's degree as a polynomial in one variable follows from its inputs' degrees (da, db),
// for Expression::polynomial_degree. A step whose inputs are all constant in the variable has
// degree 0 whatever its rule; otherwise:
enum class DegreeRule : unsigned char {
  kNone,      // not a polynomial of its inputs (exp, inv, comparisons, max, ...): no degree
  kSame,      // linear in its one input (transpose, negation, sum, mean): da
  kMax,       // a + b, a - b: max(da, db)
  kProduct,   // a .* b, a * b (matrix or scalar product): da + db
  kQuotient,  // a ./ b, a / b: da when db = 0, else no degree
  kPower,     // a .^ k, a ^ k for a constant integer k = Step::p: k da for k >= 0, else no degree
};

struct Step {
  Kernel run = nullptr;        // nullptr: a leaf, either a constant (value in out) or a variable
  CxKernel run_cx = nullptr;   // nullptr on a kernel step: no complex extension (see `obstacle`)
  StridedKernel strided = nullptr;  // an elementwise step's kernel over strided blocks, or nullptr
  const char* obstacle = nullptr;          // the function named when run_cx is missing ("pinv")
  const scalar::Function* fn = nullptr;    // an elementwise scalar function: which one
  std::size_t a = 0, b = 0;    // indices of the input steps (earlier in the program)
  std::size_t slot = kNoSlot;  // a variable leaf: its slot in the values given to evaluate
  double p = 0;                // a parameter of the kernel: the dimension of sum(X, d), p of norm, ...
  // What the step computes, for perturbation propagation (propagate.cpp): a name from
  // propagate.hpp's list ("matmul", "elementwise", ...), or nullptr for a step it recomputes whole.
  const char* op = nullptr;
  DegreeRule degree = DegreeRule::kNone;  // for Expression::polynomial_degree
  // The step can have a kink or a jump in its inputs (abs, relu, sign, max, min, norm, pinv, the
  // comparisons): for Expression::smooth.
  bool kinked = false;
  // An elementwise product a .* b of two inputs of the result's shape (no broadcasting): the
  // fused sum rule of perturbation propagation reads it (propagate.hpp).
  bool product = false;
  Shape shape;                 // the result's shape, inferred at compile time
  arma::mat out;               // the result buffer, allocated at compile time with `shape`
  arma::mat work, work2;       // scratch space of some kernels (chol, matrix power)
  // The complex counterparts, sized on the first complex evaluation (a constant's cx_out then
  // holds its value), so that real-only use allocates nothing for them.
  arma::cx_mat cx_out, cx_work, cx_work2;

  bool is_variable() const { return slot != kNoSlot; }
  bool is_constant() const { return run == nullptr && slot == kNoSlot; }
};

struct Program {
  std::string text;
  std::vector<Step> steps;                  // post-order: inputs before their users; the result is the last step
  std::vector<std::size_t> variables_used;  // sorted, unique slots
  std::vector<std::pair<std::size_t, Shape>> checks;  // (slot, declared shape) of the variables read
  std::string complex_obstacle;  // the first step's function without a complex extension, or ""
  bool cx_ready = false;         // the cx_out buffers are sized
};

// A step's buffers for element type T: out<double>(s) is s.out, out<cx>(s) is s.cx_out.
template <class T>
arma::Mat<T>& out(Step& s) {
  if constexpr (std::is_same_v<T, double>) return s.out;
  else return s.cx_out;
}
template <class T>
arma::Mat<T>& work(Step& s) {
  if constexpr (std::is_same_v<T, double>) return s.work;
  else return s.cx_work;
}
template <class T>
arma::Mat<T>& work2(Step& s) {
  if constexpr (std::is_same_v<T, double>) return s.work2;
  else return s.cx_work2;
}

// Sizes the complex buffers of a program, once: constants get their value (imaginary part 0),
// kernel steps their shape. Every complex evaluation (Expression::evaluate_complex, the complex
// core of perturbation propagation) calls it first.
inline void size_complex(Program& prog) {
  if (prog.cx_ready) return;
  for (Step& s : prog.steps) {
    if (s.is_constant()) s.cx_out = arma::cx_mat(s.out, arma::mat(s.out.n_rows, s.out.n_cols, arma::fill::zeros));
    else s.cx_out.zeros(s.shape.rows, s.shape.cols);
  }
  prog.cx_ready = true;
}

}  // namespace gradcheck::detail
