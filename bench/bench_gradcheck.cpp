// SPDX-License-Identifier: MIT
// Benchmarks of the hot paths: evaluating a compiled expression, the finite-difference
// Jacobian, and a whole check. Run with bench/run.sh; numbers go in notes, never in tests.
#include <benchmark/benchmark.h>

#include "cases/init.hpp"
#include "compare/compare.hpp"
#include "reference/reference.hpp"
#include "gradcheck/check.hpp"
#include "gradcheck/expression.hpp"

namespace {

using namespace gradcheck;

// The NN-layer loss of the seeds: Z = W X + b 1', mean squared error over m samples.
struct Layer {
  Symbols symbols;
  std::vector<arma::mat> values;
  explicit Layer(arma::uword n) {
    const arma::uword p = n, m = 2 * n;
    symbols.add_variable("W", {p, n});
    symbols.add_variable("X", {n, m});
    symbols.add_variable("b", {p, 1});
    symbols.add_variable("Y", {p, m});
    symbols.add_dim("m", static_cast<double>(m));
    Random r(1);
    for (Shape s : {Shape{p, n}, Shape{n, m}, Shape{p, 1}, Shape{p, m}}) values.push_back(draw(Init::kNormal, s.rows, s.cols, r));
  }
  static constexpr const char* kLoss = "sum((W * X + b * ones(1, m) - Y) .^ 2) / (2 * m)";
  static constexpr const char* kGrad = "(W * X + b * ones(1, m) - Y) * X' / m";
};

void BM_Compile(benchmark::State& state) {
  Layer layer(static_cast<arma::uword>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Expression::compile(Layer::kLoss, layer.symbols));
}
BENCHMARK(BM_Compile)->Arg(4)->Arg(32);

void BM_Evaluate(benchmark::State& state) {
  Layer layer(static_cast<arma::uword>(state.range(0)));
  Expression f = Expression::compile(Layer::kLoss, layer.symbols);
  for (auto _ : state) benchmark::DoNotOptimize(f.evaluate(layer.values)(0));
}
BENCHMARK(BM_Evaluate)->Arg(4)->Arg(16)->Arg(64);

// What evaluation would cost if every finite-difference step re-parsed the expression.
void BM_CompileAndEvaluate(benchmark::State& state) {
  Layer layer(static_cast<arma::uword>(state.range(0)));
  for (auto _ : state) {
    Expression f = Expression::compile(Layer::kLoss, layer.symbols);
    benchmark::DoNotOptimize(f.evaluate(layer.values)(0));
  }
}
BENCHMARK(BM_CompileAndEvaluate)->Arg(4)->Arg(16)->Arg(64);

void BM_Jacobian(benchmark::State& state) {
  Layer layer(static_cast<arma::uword>(state.range(0)));
  Expression f = Expression::compile(Layer::kLoss, layer.symbols);
  FdOptions options;
  options.method = static_cast<FdMethod>(state.range(1));
  arma::mat f0 = f.evaluate(layer.values);
  reference::Target target;
  target.f = [&](const std::vector<arma::mat>& values, arma::mat& out) { out = f.evaluate(values); };
  reference::Noise noise = reference::measure_noise(target, layer.values, f0, 1);
  for (auto _ : state)
    benchmark::DoNotOptimize(reference::finite_differences(target, layer.values, f0, noise, options));
  state.SetLabel(to_string(options.method));
}
BENCHMARK(BM_Jacobian)
    ->Args({4, static_cast<int>(FdMethod::kCentral)})
    ->Args({16, static_cast<int>(FdMethod::kCentral)})
    ->Args({16, static_cast<int>(FdMethod::kRichardson)})
    ->Args({16, static_cast<int>(FdMethod::kRidders)});

void BM_Check(benchmark::State& state) {
  Layer layer(static_cast<arma::uword>(state.range(0)));
  auto f = std::make_shared<Expression>(Expression::compile(Layer::kLoss, layer.symbols));
  auto g = std::make_shared<Expression>(Expression::compile(Layer::kGrad, layer.symbols));
  Problem p;
  p.names = {"W", "X", "b", "Y"};
  for (const arma::mat& v : layer.values) p.shapes.push_back({v.n_rows, v.n_cols});
  p.f_shape = {1, 1};
  p.f = [f](const std::vector<arma::mat>& v, arma::mat& out) { out = f->evaluate(v); };
  p.expected = [g](const std::vector<arma::mat>& v) { return arma::mat(g->evaluate(v)); };
  Options options;
  for (auto _ : state) benchmark::DoNotOptimize(run_check(p, {layer.values}, options));
}
BENCHMARK(BM_Check)->Arg(4)->Arg(16)->Arg(32);

// compare() over 65,536 entries of a passing check: a reference with its bound, expected within
// rounding of it; range(0) = 1: every other entry exact (a == r, as a linear f's often are).
void BM_Compare(benchmark::State& state) {
  Random r(3);
  const arma::uword n = 65536;
  arma::mat ref = draw(Init::kNormal, n, 1, r), bound(n, 1), analytic(n, 1);
  for (arma::uword k = 0; k < n; ++k) {
    bound(k) = 1e-10 * (1.0 + r.uniform());
    analytic(k) = state.range(0) == 1 && k % 2 == 0 ? ref(k) : ref(k) * (1.0 + 1e-13 * r.normal());
  }
  Tolerance t;
  for (auto _ : state) benchmark::DoNotOptimize(compare(analytic, ref, bound, t));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_Compare)->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
