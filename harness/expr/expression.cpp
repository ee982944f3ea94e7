// SPDX-License-Identifier: MIT
// Expression: compile once (parse, infer shapes, allocate buffers), evaluate many times.
#include "gradcheck/expression.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "expr/compiler.hpp"
#include "expr/parser.hpp"

namespace gradcheck {
namespace {

using detail::Program;
using detail::Step;

// Drops the steps the result does not depend on (constant size arguments such as the 2 of
// sum(X, 2), once their value has been read) and renumbers the inputs.
void compact(Program& prog) {
  std::vector<Step>& steps = prog.steps;
  std::vector<bool> live(steps.size(), false);
  live.back() = true;
  for (std::size_t i = steps.size(); i-- > 0;)
    if (live[i] && steps[i].run) live[steps[i].a] = live[steps[i].b] = true;
  std::vector<std::size_t> index(steps.size());
  std::vector<Step> kept;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!live[i]) continue;
    index[i] = kept.size();
    kept.push_back(std::move(steps[i]));
    kept.back().a = index[kept.back().a];
    kept.back().b = index[kept.back().b];
  }
  steps = std::move(kept);
}

}  // namespace

Expression Expression::compile(std::string_view text, const Symbols& symbols, const CompileOptions& options) {
  auto prog = std::make_unique<Program>();
  prog->text = std::string(text);
  const expr::Node root = expr::parse(text);
  expr::Compiler(prog->text, symbols, *prog, options.max_bytes).compile(root);
  compact(*prog);
  for (const Step& s : prog->steps)
    if (s.is_variable()) prog->checks.emplace_back(s.slot, s.shape);
  std::sort(prog->checks.begin(), prog->checks.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  prog->checks.erase(std::unique(prog->checks.begin(), prog->checks.end(),
                                 [](const auto& x, const auto& y) { return x.first == y.first; }),
                     prog->checks.end());
  for (const auto& check : prog->checks) prog->variables_used.push_back(check.first);
  Step& result = prog->steps.back();
  if (result.is_variable()) result.out.zeros(result.shape.rows, result.shape.cols);  // `x` alone: copied out
  for (const Step& s : prog->steps)
    if (s.run && !s.run_cx) {
      prog->complex_obstacle = s.obstacle && *s.obstacle ? s.obstacle : "?";
      break;
    }
  return Expression(std::move(prog));
}

Expression::Expression(std::unique_ptr<detail::Program> program) : program_(std::move(program)) {}
Expression::Expression(const Expression& other) : program_(std::make_unique<Program>(*other.program_)) {}
Expression& Expression::operator=(const Expression& other) {
  if (this != &other) program_ = std::make_unique<Program>(*other.program_);
  return *this;
}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Shape Expression::shape() const { return program_->steps.back().shape; }
const std::string& Expression::text() const { return program_->text; }
const std::vector<std::size_t>& Expression::variables_used() const { return program_->variables_used; }

namespace {

// A wrong value is a bug of the caller, not numerical trouble: it throws.
template <class T>
void check_values(const Program& prog, const std::vector<arma::Mat<T>>& values, const char* who) {
  for (const auto& [slot, shape] : prog.checks) {
    if (slot >= values.size())
      throw std::invalid_argument(std::string(who) + ": no value for variable slot " + std::to_string(slot));
    if (values[slot].n_rows != shape.rows || values[slot].n_cols != shape.cols)
      throw std::invalid_argument(std::string(who) + ": the value in slot " + std::to_string(slot) + " is " +
                                  std::to_string(values[slot].n_rows) + "x" + std::to_string(values[slot].n_cols) +
                                  ", declared " + shape.str());
  }
}

// One evaluator for real (T = double, kernels Step::run) and complex values (Step::run_cx):
// every kernel step in program order, its inputs read from `values` for a variable and from the
// input step's buffer of type T otherwise; the result is the last step's buffer (a copy of the
// variable when the expression is a variable alone).
template <class T>
const arma::Mat<T>& run_program(Program& prog, const std::vector<arma::Mat<T>>& values) {
  std::vector<Step>& steps = prog.steps;
  auto input = [&](std::size_t i) -> const arma::Mat<T>& {
    return steps[i].is_variable() ? values[steps[i].slot] : detail::out<T>(steps[i]);
  };
  for (Step& s : steps) {
    if (!s.run) continue;
    if constexpr (std::is_same_v<T, double>) s.run(s, input(s.a), input(s.b));
    else s.run_cx(s, input(s.a), input(s.b));
  }
  Step& result = steps.back();
  if (result.is_variable()) detail::out<T>(result) = values[result.slot];
  return detail::out<T>(result);
}

}  // namespace

bool Expression::has_complex_extension() const { return program_->complex_obstacle.empty(); }

bool Expression::smooth() const {
  for (const detail::Step& s : program_->steps)
    if (s.kinked) return false;
  return true;
}

// Degrees in program order by each step's DegreeRule (program.hpp): a leaf is 1 (the variable)
// or 0; a step whose inputs are all of degree 0 is 0; otherwise the rule, where -1 (no degree)
// absorbs everything; above 1000 (x .^ 64 nested) it is -1 too. The result is an upper bound
// (x - x counts as degree 1).
int Expression::polynomial_degree(std::size_t slot) const {
  using detail::DegreeRule;
  const std::vector<detail::Step>& steps = program_->steps;
  std::vector<int> d(steps.size(), 0);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const detail::Step& s = steps[i];
    if (!s.run) {
      d[i] = s.slot == slot ? 1 : 0;
      continue;
    }
    const int da = d[s.a], db = s.b == s.a ? 0 : d[s.b];
    if (da == 0 && db == 0) continue;
    if (da < 0 || db < 0) {
      d[i] = -1;
      continue;
    }
    switch (s.degree) {
      case DegreeRule::kSame: d[i] = da; break;
      case DegreeRule::kMax: d[i] = std::max(da, db); break;
      case DegreeRule::kProduct: d[i] = da + db; break;
      case DegreeRule::kQuotient: d[i] = db == 0 ? da : -1; break;
      case DegreeRule::kPower: d[i] = s.p >= 0 && s.p == std::floor(s.p) ? int(s.p) * da : -1; break;
      case DegreeRule::kNone: d[i] = -1; break;
    }
    if (d[i] > 1000) d[i] = -1;
  }
  return steps.empty() ? 0 : d.back();
}
const std::string& Expression::complex_obstacle() const { return program_->complex_obstacle; }

const arma::cx_mat& Expression::evaluate_complex(const std::vector<arma::cx_mat>& values) {
  if (!has_complex_extension())
    throw Error("expr.complex", "'" + program_->text + "' has no complex extension: " + program_->complex_obstacle +
                                    " has none, so complex-step differentiation does not apply");
  check_values(*program_, values, "Expression::evaluate_complex");
  detail::size_complex(*program_);
  return run_program(*program_, values);
}

const arma::mat& Expression::evaluate(const std::vector<arma::mat>& values) {
  check_values(*program_, values, "Expression::evaluate");
  return run_program(*program_, values);
}

}  // namespace gradcheck
