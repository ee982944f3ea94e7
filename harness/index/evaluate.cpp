// SPDX-License-Identifier: MIT
// Evaluation of a compiled index-notation expression, and the IndexExpression handle.
//
// A plain interpreter over the flat program: one pass over every assignment of the free letters
// (the first letter varying fastest), each summation a loop over its binding's range. Nothing is
// allocated here: the embedded matrix expressions are evaluated once per call, into their own
// buffers, before the loop. The same interpreter runs over complex values (evaluate_complex).
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "gradcheck/index_notation.hpp"
#include "expr/scalar_functions.hpp"
#include "index/program.hpp"

namespace gradcheck {
namespace detail {

namespace {

using scalar::cx;

template <class T>
const std::vector<const arma::Mat<T>*>& tensors_of(const IndexProgram& p) {
  if constexpr (std::is_same_v<T, double>) return p.tensors;
  else return p.cx_tensors;
}

}  // namespace

// One interpreter for both element types: the scalar functions and powers are the expression
// language's (scalar_functions.hpp), so the two forms agree on every value, NaN included.
template <class T>
T IndexProgram::eval(int i) {
  const Op& op = ops[static_cast<std::size_t>(i)];
  switch (op.kind) {
    case Op::Const: return T(op.value);
    case Op::Tensor: {
      const arma::Mat<T>& m = *tensors_of<T>(*this)[static_cast<std::size_t>(op.tensor)];
      if (op.nidx == 2) return m.at(at[static_cast<std::size_t>(op.idx[0])], at[static_cast<std::size_t>(op.idx[1])]);
      return m.at(op.nidx == 1 ? at[static_cast<std::size_t>(op.idx[0])] : 0);  // a vector's linear index; a 1x1
    }
    case Op::Delta: return at[static_cast<std::size_t>(op.idx[0])] == at[static_cast<std::size_t>(op.idx[1])] ? T(1) : T(0);
    case Op::Neg: return -eval<T>(op.a);
    case Op::Add: return eval<T>(op.a) + eval<T>(op.b);
    case Op::Sub: return eval<T>(op.a) - eval<T>(op.b);
    case Op::Mul: return eval<T>(op.a) * eval<T>(op.b);
    case Op::Div: return eval<T>(op.a) / eval<T>(op.b);
    case Op::Pow: {
      const T x = eval<T>(op.a);
      return scalar::power(x, eval<T>(op.b));
    }
    case Op::Func:
      if constexpr (std::is_same_v<T, double>) return op.fn->real(eval<T>(op.a));
      else return op.fn->complex(eval<T>(op.a));
    case Op::Sum: {
      const auto b = static_cast<std::size_t>(op.binding);
      T s = 0;
      for (at[b] = 0; at[b] < range[b]; ++at[b]) s += eval<T>(op.a);
      return s;
    }
  }
  return T(0);
}

namespace {

// A wrong values vector is a bug of the caller, not of the case: say so plainly.
template <class T>
void check_values(const IndexProgram& p, const std::vector<arma::Mat<T>>& values, const char* who) {
  if (values.size() < p.variable_count)
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(values.size()) + " values given for " +
                                std::to_string(p.variable_count) + " variables");
  for (std::size_t k = 0; k < p.slots_used.size(); ++k) {
    const arma::Mat<T>& v = values[p.slots_used[k]];
    if (v.n_rows != p.slot_shapes[k].rows || v.n_cols != p.slot_shapes[k].cols)
      throw std::invalid_argument(std::string(who) + ": the value in slot " + std::to_string(p.slots_used[k]) +
                                  " is " + std::to_string(v.n_rows) + "x" + std::to_string(v.n_cols) +
                                  ", declared " + p.slot_shapes[k].str());
  }
}

// Runs the program at every assignment of the free letters into `result`: an odometer over the
// free letters, the first fastest (column-major over the letters).
template <class T>
void run_all(IndexProgram& p, arma::Col<T>& result) {
  const std::size_t n_free = p.free_ranges.size();
  for (std::size_t d = 0; d < n_free; ++d) p.at[d] = 0;
  for (arma::uword e = 0; e < result.n_elem; ++e) {
    result[e] = p.eval<T>(p.root);
    for (std::size_t d = 0; d < n_free; ++d) {
      if (++p.at[d] < p.range[d]) break;
      p.at[d] = 0;
    }
  }
}

}  // namespace

const arma::vec& IndexProgram::evaluate(const std::vector<arma::mat>& values) {
  check_values(*this, values, "IndexExpression::evaluate");
  for (std::size_t v = 0; v < variable_count; ++v) tensors[v] = &values[v];
  for (std::size_t k = 0; k < embedded.size(); ++k) tensors[variable_count + k] = &embedded[k].evaluate(values);
  run_all(*this, result);
  return result;
}

const arma::cx_vec& IndexProgram::evaluate_complex(const std::vector<arma::cx_mat>& values) {
  if (!complex_obstacle.empty())
    throw Error("expr.complex", "this index expression has no complex extension: " + complex_obstacle +
                                    " has none, so complex-step differentiation does not apply");
  check_values(*this, values, "IndexExpression::evaluate_complex");
  if (cx_result.n_elem != result.n_elem) {  // the first complex evaluation
    cx_result.zeros(result.n_elem);
    cx_tensors.assign(tensors.size(), nullptr);
  }
  for (std::size_t v = 0; v < variable_count; ++v) cx_tensors[v] = &values[v];
  for (std::size_t k = 0; k < embedded.size(); ++k)
    cx_tensors[variable_count + k] = &embedded[k].evaluate_complex(values);
  run_all(*this, cx_result);
  return cx_result;
}

}  // namespace detail

IndexExpression::IndexExpression(std::unique_ptr<detail::IndexProgram> program) : program_(std::move(program)) {}
IndexExpression::IndexExpression(const IndexExpression& other)
    : program_(other.program_ ? std::make_unique<detail::IndexProgram>(*other.program_) : nullptr) {}
IndexExpression& IndexExpression::operator=(const IndexExpression& other) {
  if (this != &other) program_ = other.program_ ? std::make_unique<detail::IndexProgram>(*other.program_) : nullptr;
  return *this;
}
IndexExpression::IndexExpression(IndexExpression&&) noexcept = default;
IndexExpression& IndexExpression::operator=(IndexExpression&&) noexcept = default;
IndexExpression::~IndexExpression() = default;

const std::vector<std::string>& IndexExpression::free_letters() const { return program_->free_letters; }
const std::vector<arma::uword>& IndexExpression::ranges() const { return program_->free_ranges; }
const arma::vec& IndexExpression::evaluate(const std::vector<arma::mat>& values) {
  return program_->evaluate(values);
}
bool IndexExpression::has_complex_extension() const { return program_->complex_obstacle.empty(); }
const std::string& IndexExpression::complex_obstacle() const { return program_->complex_obstacle; }
const arma::cx_vec& IndexExpression::evaluate_complex(const std::vector<arma::cx_mat>& values) {
  return program_->evaluate_complex(values);
}

}  // namespace gradcheck
