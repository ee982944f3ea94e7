// SPDX-License-Identifier: MIT
// The table of scalar functions; see scalar_functions.hpp.
#include "expr/scalar_functions.hpp"

namespace gradcheck::scalar {
namespace {

template <class F, class T>
void map_of(const T* x, T* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = F::template value<T>(x[i]);
}

template <class F>
Function entry() {
  return Function{F::name,      &F::template value<double>, &F::template value<cx>, &map_of<F, double>, &map_of<F, cx>,
                  F::derivative};
}

}  // namespace

const std::vector<Function>& functions() {
  static const std::vector<Function> table = {
      entry<Exp>(),  entry<Log>(),      entry<Sqrt>(),  entry<Abs>(),    entry<Tanh>(), entry<Sigmoid>(),
      entry<Relu>(), entry<Softplus>(), entry<Sin>(),   entry<Cos>(),    entry<Tan>(),  entry<Sinh>(),
      entry<Cosh>(), entry<Log1p>(),    entry<Expm1>(), entry<Square>(), entry<Sign>(),
  };
  return table;
}

const Function* find(std::string_view name) {
  for (const Function& f : functions())
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace gradcheck::scalar
