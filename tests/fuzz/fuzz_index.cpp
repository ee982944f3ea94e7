// SPDX-License-Identifier: MIT
// libFuzzer target: IndexSpec::parse + IndexExpression::compile/evaluate.
// The input is "indices" on the first line and "expected" after it:
//     Z[i,l] / H[j,k]
//     A[i,j] * delta(l,k)
// Any ExprError is a correct answer; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gradcheck/index_notation.hpp"

namespace {

gradcheck::Shape side_shape(std::size_t letters, arma::uword a, arma::uword b) {
  if (letters == 0) return {1, 1};
  if (letters == 1) return {a, 1};
  return {a, b};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string all(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = all.find('\n');
  const std::string indices = all.substr(0, nl);
  const std::string expected = nl == std::string::npos ? std::string() : all.substr(nl + 1);
  try {
    const gradcheck::IndexSpec spec = gradcheck::IndexSpec::parse(indices);
    const gradcheck::Shape f_shape = side_shape(spec.f_letters.size(), 3, 2);
    const gradcheck::Shape x_shape = side_shape(spec.x_letters.size(), 2, 4);
    gradcheck::Symbols symbols;
    std::vector<arma::mat> values;
    arma::arma_rng::set_seed(1);
    auto add = [&](const std::string& name, arma::uword r, arma::uword c) {
      if (symbols.find_variable(name)) return;
      symbols.add_variable(name, {r, c});
      values.push_back(arma::randn(r, c));
    };
    add(spec.x_name, x_shape.rows, x_shape.cols);
    add("A", 3, 2);
    add("B", 2, 4);
    add("S", 3, 3);
    add("x", 3, 1);
    add("v", 2, 1);
    for (const char* dim : {"n", "m"})  // the spec may name x "n": a name is declared once
      if (!symbols.find_variable(dim)) symbols.add_dim(dim, dim[0] == 'n' ? 3 : 2);
    for (bool explicit_summation : {false, true}) {
      try {
        gradcheck::IndexExpression e =
            gradcheck::IndexExpression::compile(expected, spec, f_shape, x_shape, symbols, explicit_summation);
        std::size_t total = 1;
        for (arma::uword r : e.ranges()) total *= r;
        const arma::vec& out = e.evaluate(values);
        if (out.n_elem != total || e.ranges().size() != e.free_letters().size()) {
          std::fprintf(stderr, "result has %llu entries, ranges give %zu\n",
                       static_cast<unsigned long long>(out.n_elem), total);
          std::abort();
        }
        gradcheck::IndexExpression copy = e;
        copy.evaluate(values);
      } catch (const gradcheck::ExprError& e) {
        if (e.column() < 1 || e.length() < 1) std::abort();
        (void)e.excerpt();
      }
    }
  } catch (const gradcheck::ExprError& e) {
    if (e.column() < 1 || e.length() < 1) std::abort();
    (void)e.excerpt();
  }
  return 0;
}
