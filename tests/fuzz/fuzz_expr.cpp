// SPDX-License-Identifier: MIT
// libFuzzer target: Expression::compile + evaluate on arbitrary text over a fixed symbol table.
// Any ExprError is a correct answer; anything else (another exception, a crash, a sanitizer
// report, a result of another shape than compile announced) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <vector>

#include "gradcheck/expression.hpp"

namespace {

struct Fixture {
  gradcheck::Symbols symbols;
  std::vector<arma::mat> values;
  Fixture() {
    arma::arma_rng::set_seed(1);
    auto add = [&](const char* name, arma::uword r, arma::uword c) {
      symbols.add_variable(name, {r, c});
      values.push_back(arma::randn(r, c));
    };
    add("A", 3, 2);
    add("B", 2, 3);
    add("S", 3, 3);
    add("x", 3, 1);
    add("y", 2, 1);
    add("s", 1, 1);
    add("W", 4, 3);
    symbols.add_dim("n", 3);
    symbols.add_dim("m", 2);
    symbols.add_dim("k", 4);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture fx;
  if (size > 4096) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    gradcheck::Expression e = gradcheck::Expression::compile(text, fx.symbols);
    const gradcheck::Shape s = e.shape();
    const arma::mat& out = e.evaluate(fx.values);
    if (out.n_rows != s.rows || out.n_cols != s.cols) {
      std::fprintf(stderr, "shape mismatch: compiled %s, evaluated %llux%llu\n", s.str().c_str(),
                   static_cast<unsigned long long>(out.n_rows), static_cast<unsigned long long>(out.n_cols));
      std::abort();
    }
    gradcheck::Expression copy = e;  // deep copy evaluates alike
    copy.evaluate(fx.values);
  } catch (const gradcheck::ExprError& e) {
    if (e.column() < 1 || e.length() < 1) std::abort();
    (void)e.excerpt();
  }
  return 0;
}
