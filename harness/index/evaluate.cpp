// SPDX-License-Identifier: MIT
// Evaluation of a compiled index-notation expression, and the IndexExpression handle.
//
// A plain interpreter over the flat program: one pass over every assignment of the free letters
// (the first letter varying fastest), each summation a loop over its binding's range. Nothing is
// allocated here: the embedded matrix expressions are evaluated once per call, into their own
// buffers, before the loop.
#include <cmath>
#include <stdexcept>
#include <string>

#include "gradcheck/index_notation.hpp"
#include "index/program.hpp"

namespace gradcheck {
namespace detail {

namespace {

double apply(index::Fn fn, double x) {
  using index::Fn;
  switch (fn) {
    case Fn::Exp: return std::exp(x);
    case Fn::Log: return std::log(x);
    case Fn::Sqrt: return std::sqrt(x);
    case Fn::Abs: return std::abs(x);
    case Fn::Tanh: return std::tanh(x);
    case Fn::Sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case Fn::Sin: return std::sin(x);
    case Fn::Cos: return std::cos(x);
    case Fn::Tan: return std::tan(x);
    case Fn::Relu: return x > 0 ? x : 0.0;
    case Fn::Sign: return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    case Fn::Square: return x * x;
    case Fn::Softplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));  // log(1 + e^x)
  }
  return x;
}

}  // namespace

double IndexProgram::eval(int i) {
  const Op& op = ops[static_cast<std::size_t>(i)];
  switch (op.kind) {
    case Op::Const: return op.value;
    case Op::Tensor: {
      const arma::mat& m = *tensors[static_cast<std::size_t>(op.tensor)];
      if (op.nidx == 2) return m.at(at[static_cast<std::size_t>(op.idx[0])], at[static_cast<std::size_t>(op.idx[1])]);
      return m.at(op.nidx == 1 ? at[static_cast<std::size_t>(op.idx[0])] : 0);  // a vector's linear index; a 1x1
    }
    case Op::Delta: return at[static_cast<std::size_t>(op.idx[0])] == at[static_cast<std::size_t>(op.idx[1])] ? 1.0 : 0.0;
    case Op::Neg: return -eval(op.a);
    case Op::Add: return eval(op.a) + eval(op.b);
    case Op::Sub: return eval(op.a) - eval(op.b);
    case Op::Mul: return eval(op.a) * eval(op.b);
    case Op::Div: return eval(op.a) / eval(op.b);
    case Op::Pow: return std::pow(eval(op.a), eval(op.b));
    case Op::Func: return apply(op.fn, eval(op.a));
    case Op::Sum: {
      const auto b = static_cast<std::size_t>(op.binding);
      double s = 0;
      for (at[b] = 0; at[b] < range[b]; ++at[b]) s += eval(op.a);
      return s;
    }
  }
  return 0;
}

const arma::vec& IndexProgram::evaluate(const std::vector<arma::mat>& values) {
  // A wrong values vector is a bug of the caller, not of the case: say so plainly.
  if (values.size() < variable_count)
    throw std::invalid_argument("IndexExpression::evaluate: " + std::to_string(values.size()) +
                                " values given for " + std::to_string(variable_count) + " variables");
  for (std::size_t k = 0; k < slots_used.size(); ++k) {
    const arma::mat& v = values[slots_used[k]];
    if (v.n_rows != slot_shapes[k].rows || v.n_cols != slot_shapes[k].cols)
      throw std::invalid_argument("IndexExpression::evaluate: the value in slot " + std::to_string(slots_used[k]) +
                                  " is " + std::to_string(v.n_rows) + "x" + std::to_string(v.n_cols) +
                                  ", declared " + slot_shapes[k].str());
  }
  for (std::size_t v = 0; v < variable_count; ++v) tensors[v] = &values[v];
  for (std::size_t k = 0; k < embedded.size(); ++k) tensors[variable_count + k] = &embedded[k].evaluate(values);

  // Odometer over the free letters, the first fastest (column-major over the letters).
  const std::size_t n_free = free_ranges.size();
  for (std::size_t d = 0; d < n_free; ++d) at[d] = 0;
  for (arma::uword e = 0; e < result.n_elem; ++e) {
    result[e] = eval(root);
    for (std::size_t d = 0; d < n_free; ++d) {
      if (++at[d] < range[d]) break;
      at[d] = 0;
    }
  }
  return result;
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

}  // namespace gradcheck
