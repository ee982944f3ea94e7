// SPDX-License-Identifier: MIT
// The benchmark table's C++ side (bench/run.sh runs each benchmark in its own process, so that
// the peak memory is that problem's): gradcheck entry-wise, gradcheck directional and a
// hand-written Armadillo central-difference loop, on the problems P1-P5 of issue 9 (float64,
// seed 42, one trial, one thread).
//
//   P1 linear-MSE       sum((W*X + b).^2)/16 wrt W (n x n), X n x 16, b n x 1
//   P2 bilinear         wa'*A*B*wb wrt B (n x n), A n x n, wa, wb n x 1
//   P3 Jacobian         A*H*W wrt H, all n x n, form vec (numerator): kron(W', A)
//   P4 softmax CE       -sum(Y .* log(softmax(W*X))) wrt W (10 x n), X n x 32, Y onehot 10 x 32
//   P5 logdet           logdet(X) wrt X (n x n, spd): inv(X)'
//
// Each benchmark reports counters: pass (1 when the check passed), entries (of the derivative),
// evaluations (of f, gradcheck only), peak_rss_mb (the process's peak resident memory).
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cases/init.hpp"
#include "gradcheck/check.hpp"
#include "gradcheck/expression.hpp"

namespace {

using namespace gradcheck;

struct Var {
  std::string name;
  arma::uword rows, cols;
  Init init = Init::kNormal;
};

struct BenchProblem {
  std::string family;  // "P1"
  arma::uword n = 0;
  std::vector<Var> vars;
  std::string wrt, expression, expected;
  Form form = Form::kAuto;
  Layout layout = Layout::kDenominator;
  // The same f and derivative written by hand in Armadillo, for the loop. `f` returns vec(f).
  std::function<arma::vec(const std::vector<arma::mat>&)> f;
  std::function<arma::mat(const std::vector<arma::mat>&)> jacobian;  // numel(f) x numel(x), J[a,b]
  std::string name() const { return fmt::format("{}/n={}", family, n); }
};

arma::mat softmax_columns(arma::mat z) {
  z.each_row() -= arma::max(z, 0);
  z = arma::exp(z);
  z.each_row() /= arma::sum(z, 0);
  return z;
}

std::vector<BenchProblem> problems() {
  std::vector<BenchProblem> out;
  for (arma::uword n : {16, 32, 64, 128, 256, 512}) {
    BenchProblem p{"P1", n, {{"W", n, n}, {"X", n, 16}, {"b", n, 1}}, "W", "sum((W*X + b).^2)/16", "2/16*(W*X + b)*X'"};
    p.f = [](const std::vector<arma::mat>& v) {
      arma::mat z = v[0] * v[1];
      z.each_col() += v[2].col(0);
      return arma::vec{arma::accu(arma::square(z)) / 16};
    };
    p.jacobian = [](const std::vector<arma::mat>& v) {
      arma::mat z = v[0] * v[1];
      z.each_col() += v[2].col(0);
      return arma::mat(arma::vectorise(2.0 / 16 * z * v[1].t()).t());
    };
    out.push_back(p);
  }
  for (arma::uword n : {16, 64}) {
    BenchProblem p{"P2", n, {{"A", n, n}, {"B", n, n}, {"wa", n, 1}, {"wb", n, 1}}, "B", "wa'*A*B*wb", "A'*wa*wb'"};
    p.f = [](const std::vector<arma::mat>& v) { return arma::vec{arma::as_scalar(v[2].t() * v[0] * v[1] * v[3])}; };
    p.jacobian = [](const std::vector<arma::mat>& v) { return arma::mat(arma::vectorise(v[0].t() * v[2] * v[3].t()).t()); };
    out.push_back(p);
  }
  for (arma::uword n : {8, 16}) {
    BenchProblem p{"P3", n, {{"A", n, n}, {"H", n, n}, {"W", n, n}}, "H", "A*H*W", "kron(W', A)", Form::kVec,
                   Layout::kNumerator};
    p.f = [](const std::vector<arma::mat>& v) { return arma::vec(arma::vectorise(v[0] * v[1] * v[2])); };
    p.jacobian = [](const std::vector<arma::mat>& v) { return arma::mat(arma::kron(v[2].t(), v[0])); };
    out.push_back(p);
  }
  for (arma::uword n : {32, 128}) {
    BenchProblem p{"P4", n, {{"W", 10, n}, {"X", n, 32}, {"Y", 10, 32, Init::kOnehot}}, "W",
                   "-sum(Y .* log(softmax(W*X)))", "(softmax(W*X) - Y)*X'"};
    p.f = [](const std::vector<arma::mat>& v) {
      return arma::vec{-arma::accu(v[2] % arma::log(softmax_columns(v[0] * v[1])))};
    };
    p.jacobian = [](const std::vector<arma::mat>& v) {
      return arma::mat(arma::vectorise((softmax_columns(v[0] * v[1]) - v[2]) * v[1].t()).t());
    };
    out.push_back(p);
  }
  for (arma::uword n : {16, 64}) {
    BenchProblem p{"P5", n, {{"X", n, n, Init::kSpd}}, "X", "logdet(X)", "inv(X)'"};
    p.f = [](const std::vector<arma::mat>& v) {
      double value = 0, sign = 0;
      arma::log_det(value, sign, v[0]);
      return arma::vec{value};
    };
    p.jacobian = [](const std::vector<arma::mat>& v) { return arma::mat(arma::vectorise(arma::inv(v[0]).t()).t()); };
    out.push_back(p);
  }
  return out;
}

std::vector<arma::mat> point(const BenchProblem& bp) {
  Random random(42);
  std::vector<arma::mat> values;
  for (const Var& v : bp.vars) values.push_back(draw(v.init, v.rows, v.cols, random));
  return values;
}

// The check as the case runner builds it: compiled expressions, the complex extension when f has one.
Problem gradcheck_problem(const BenchProblem& bp) {
  Symbols symbols;
  Problem p;
  for (const Var& v : bp.vars) {
    symbols.add_variable(v.name, {v.rows, v.cols});
    p.names.push_back(v.name);
    p.shapes.push_back({v.rows, v.cols});
    if (v.name == bp.wrt) p.wrt = p.names.size() - 1;
  }
  auto g = std::make_shared<Expression>(Expression::compile(bp.expected, symbols));
  set_f(p, Expression::compile(bp.expression, symbols));  // as the case runner does
  p.form.form = bp.form;
  p.form.layout = bp.layout;
  p.expected_text = bp.expected;
  p.expected = [g](const std::vector<arma::mat>& v) { return arma::mat(g->evaluate(v)); };
  return p;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void report(benchmark::State& state, bool pass, double entries, double evaluations) {
  state.counters["pass"] = pass ? 1 : 0;
  state.counters["entries"] = entries;
  state.counters["evaluations"] = evaluations;
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

// Times run_check of `problem` at bp's point with one trial and `options` otherwise.
void time_check(benchmark::State& state, const BenchProblem& bp, const Problem& problem, Options options) {
  const std::vector<std::vector<arma::mat>> points{point(bp)};
  options.trials = 1;
  CheckResult result;
  for (auto _ : state) {
    result = run_check(problem, points, options);
    benchmark::DoNotOptimize(result.status);
  }
  report(state, result.status == Status::kPass, double(problem.f_shape.numel()) * double(problem.shapes[problem.wrt].numel()),
         double(result.fd.evaluations));
  state.SetLabel(to_string(result.status));
}

void run_gradcheck(benchmark::State& state, const BenchProblem& bp, Mode mode) {
  Options options;
  options.mode = mode;
  options.probes = 8;  // (directional: 8 probes at the one trial, as the table has always said)
  time_check(state, bp, gradcheck_problem(bp), options);
}

// The check with f a C++ callable (bp.f, the loop's own function): no structure to exploit, so
// every evaluation is a full one.
Problem callable_problem(const BenchProblem& bp) {
  Problem problem = gradcheck_problem(bp);
  // (bp.f's result moved into `out` and reshaped in place: the loop's own work, one vector
  // allocated a call, and no copy the loop does not make.)
  problem.f = [&bp, shape = problem.f_shape](const std::vector<arma::mat>& v, arma::mat& out) {
    out = bp.f(v);
    out.reshape(shape.rows, shape.cols);
  };
  problem.f_complex = nullptr;
  problem.perturbed = nullptr;
  problem.polynomial_degree = -1;  // a callable: no structure known
  problem.computed_in_double = false;
  problem.smooth = false;
  problem.audience = Audience::kCpp;
  return problem;
}

// The callable's check with `threads` as Options::threads (the callable is thread-safe), timed
// in wall-clock time as well, for the thread speed-up.
void run_callable(benchmark::State& state, const BenchProblem& bp, int threads) {
  const Problem problem = callable_problem(bp);
  Options options;
  options.threads = threads;
  time_check(state, bp, problem, options);
}

// The hand-written loop: the derivative once, then for every entry b of x a central difference
// with gradcheck's default step for double, h_b = eps^(1/3) max(1, |x_b|), and the same tolerance
// test |a - n| <= atol + rtol |n| (atol 1e-7, rtol 1e-5).
bool hand_written_loop(const BenchProblem& bp, std::vector<arma::mat>& values, std::size_t wrt) {
  const double c = std::cbrt(std::numeric_limits<double>::epsilon()), atol = 1e-7, rtol = 1e-5;
  const arma::mat analytic = bp.jacobian(values);
  arma::mat& x = values[wrt];
  bool pass = true;
  for (arma::uword b = 0; b < x.n_elem; ++b) {
    const double old = x(b);
    const double h = (old + c * std::max(1.0, std::abs(old))) - old;
    x(b) = old + h;
    const arma::vec up = bp.f(values);
    x(b) = old - h;
    const arma::vec down = bp.f(values);
    x(b) = old;
    for (arma::uword a = 0; a < up.n_elem; ++a) {
      const double numeric = (up(a) - down(a)) / (2 * h);
      pass = pass && std::abs(analytic(a, b) - numeric) <= atol + rtol * std::abs(numeric);
    }
  }
  return pass;
}

void run_loop(benchmark::State& state, const BenchProblem& bp) {
  std::vector<arma::mat> values = point(bp);
  std::size_t wrt = 0;
  for (std::size_t i = 0; i < bp.vars.size(); ++i)
    if (bp.vars[i].name == bp.wrt) wrt = i;
  bool pass = false;
  for (auto _ : state) {
    pass = hand_written_loop(bp, values, wrt);
    benchmark::DoNotOptimize(pass);
  }
  const double entries = double(bp.f(values).n_elem) * double(values[wrt].n_elem);
  report(state, pass, entries, 2.0 * double(values[wrt].n_elem));
  state.SetLabel(pass ? "pass" : "fail");
}

// The callable alone on `threads` threads: the loop's two evaluations of f per entry and nothing
// else, the entries split as Options::threads splits them (worker w takes entries w, w + threads,
// ...), each worker on its own copy of the point. Its 2-thread speed-up is the most that any
// harness could get from threads for this callable on this machine (the callable's own scaling:
// memory, the BLAS it calls), the ceiling of the callable check's.
void run_bare(benchmark::State& state, const BenchProblem& bp, int threads) {
  const std::vector<arma::mat> values = point(bp);
  std::size_t wrt = 0;
  for (std::size_t i = 0; i < bp.vars.size(); ++i)
    if (bp.vars[i].name == bp.wrt) wrt = i;
  const double c = std::cbrt(std::numeric_limits<double>::epsilon());
  std::vector<double> sums(threads, 0.0);
  for (auto _ : state) {
    auto work = [&](int w) {
      std::vector<arma::mat> v = values;
      arma::mat& x = v[wrt];
      double sum = 0.0;
      for (arma::uword b = w; b < x.n_elem; b += threads) {
        const double old = x(b), h = (old + c * std::max(1.0, std::abs(old))) - old;
        x(b) = old + h;
        sum += arma::accu(bp.f(v));
        x(b) = old - h;
        sum -= arma::accu(bp.f(v));
        x(b) = old;
      }
      sums[w] = sum;
    };
    std::vector<std::thread> pool;
    for (int w = 1; w < threads; ++w) pool.emplace_back(work, w);
    work(0);
    for (std::thread& t : pool) t.join();
    benchmark::DoNotOptimize(sums.data());
  }
  const double n = double(values[wrt].n_elem);
  report(state, true, double(bp.f(values).n_elem) * n, 2.0 * n);
  state.SetLabel("-");
}

// Registered as "<tool>/<problem>/n=<n>": entrywise, directional, loop, callable1/2, bare1/2.
// The loop is timed once from 65,536 entries (seconds a run); everything else is the fastest of
// 5 repetitions.
const bool registered = [] {
  static const std::vector<BenchProblem> all = problems();
  for (const BenchProblem& bp : all) {
    arma::uword entries = 0;  // of x
    for (const Var& v : bp.vars)
      if (v.name == bp.wrt) entries = v.rows * v.cols;
    // `slow`: a check of seconds (the loop from 65,536 entries), timed once.
    auto tune = [&](benchmark::internal::Benchmark* b, bool slow) {
      b->Unit(benchmark::kMillisecond);  // CPU time: robust to a shared machine
      if (slow) {
        b->Iterations(1)->Repetitions(1);
      } else {
        // The fastest of 5 repetitions: another job on the machine only ever adds time (the
        // median of 3 still moved the loop's P4 by 2x from one run to the next).
        b->MinTime(0.3)->Repetitions(5)->ReportAggregatesOnly(true);
        b->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
      }
    };
    tune(benchmark::RegisterBenchmark(("entrywise/" + bp.name()).c_str(),
                                      [&bp](benchmark::State& s) { run_gradcheck(s, bp, Mode::kEntrywise); }),
         false);
    tune(benchmark::RegisterBenchmark(("directional/" + bp.name()).c_str(),
                                      [&bp](benchmark::State& s) { run_gradcheck(s, bp, Mode::kDirectional); }),
         false);
    tune(benchmark::RegisterBenchmark(("loop/" + bp.name()).c_str(), [&bp](benchmark::State& s) { run_loop(s, bp); }),
         entries >= 65536);
    // C++ callables at 1 and 2 threads, up to 4,096 entries (full evaluations only: the large
    // sizes would take minutes, as the loop's own do).
    if (entries <= 4096) {
      for (int threads : {1, 2}) {
        benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(
            ("callable" + std::to_string(threads) + "/" + bp.name()).c_str(),
            [&bp, threads](benchmark::State& s) { run_callable(s, bp, threads); });
        tune(b, false);
        b->UseRealTime();
        benchmark::internal::Benchmark* bare = benchmark::RegisterBenchmark(
            ("bare" + std::to_string(threads) + "/" + bp.name()).c_str(),
            [&bp, threads](benchmark::State& s) { run_bare(s, bp, threads); });
        tune(bare, false);
        bare->UseRealTime();
      }
    }
  }
  return true;
}();

// `--checks PROBLEM N [entrywise|directional|callable]`: N checks of PROBLEM ("P1/n=64") and
// nothing else, for bench/instructions.sh, which counts their instructions under callgrind (a
// count that the machine's other load does not change). `callable`: entry-wise with f the C++
// callable of run_callable, one thread.
int run_checks(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s --checks PROBLEM N [entrywise|directional|callable|loop]\n", argv[0]);
    return 2;
  }
  const std::string want = argv[2];
  const int n = std::atoi(argv[3]);
  const std::string mode = argc > 4 ? argv[4] : "entrywise";
  if (mode != "entrywise" && mode != "directional" && mode != "callable" && mode != "loop") {
    std::fprintf(stderr, "unknown mode %s: expected entrywise, directional, callable or loop\n", mode.c_str());
    return 2;
  }
  Options options;
  options.trials = 1;
  options.mode = mode == "directional" ? Mode::kDirectional : Mode::kEntrywise;
  options.probes = 8;  // (as run_gradcheck)
  for (const BenchProblem& bp : problems()) {
    if (bp.name() != want) continue;
    const std::vector<std::vector<arma::mat>> points{point(bp)};
    int passed = 0;
    std::uint64_t evaluations = 0;  // of f, per check
    if (mode == "loop") {
      std::vector<arma::mat> values = points[0];
      std::size_t wrt = 0;
      for (std::size_t i = 0; i < bp.vars.size(); ++i)
        if (bp.vars[i].name == bp.wrt) wrt = i;
      for (int i = 0; i < n; ++i) passed += hand_written_loop(bp, values, wrt);
      evaluations = 2 * values[wrt].n_elem;
    } else {
      const Problem problem = mode == "callable" ? callable_problem(bp) : gradcheck_problem(bp);
      for (int i = 0; i < n; ++i) {
        const CheckResult r = run_check(problem, points, options);
        passed += r.status == Status::kPass;
        evaluations = r.fd.evaluations;
      }
    }
    std::printf("%s: %d of %d checks passed, %llu evaluations of f a check\n", want.c_str(), passed, n,
                static_cast<unsigned long long>(evaluations));
    return passed == n ? 0 : 1;
  }
  std::fprintf(stderr, "no problem %s\n", want.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--checks") return run_checks(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
