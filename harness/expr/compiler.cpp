// SPDX-License-Identifier: MIT
// Name resolution, shape inference and constant folding; see compiler.hpp.
#include "expr/compiler.hpp"

#include "common/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "gradcheck/error.hpp"

namespace gradcheck::expr {
namespace {

}  // namespace

std::string format_number(double v) { return fmt::format("{}", v); }

std::size_t Compiler::compile(const Node& n) {
  switch (n.kind) {
    case Node::Number: return push_constant(arma::mat(1, 1, arma::fill::value(n.value)), n);
    case Node::Name: return compile_name(n);
    case Node::Call: return compile_call(n);
    case Node::Unary:
      if (n.op == Tok::Plus) return compile(n.children[0]);  // +x is x
      [[fallthrough]];
    case Node::Binary:
    case Node::Transpose: {
      const std::size_t start = prog_.steps.size();
      Args args;
      for (const Node& child : n.children) args.push_back(compile(child));
      return finish(n, start, lower_operator(*this, n, args));
    }
  }
  return 0;  // unreachable
}

std::size_t Compiler::push_constant(arma::mat value, const Node& n) {
  Step s;
  s.shape = Shape{value.n_rows, value.n_cols};
  s.out = std::move(value);
  return push(std::move(s), n);
}

// The budget (CompileOptions::max_bytes): a variable leaf holds nothing of its own (the caller
// owns its value); any other step is counted for kBytesPerEntry bytes per entry of its result.
std::size_t Compiler::push(Step s, const Node& n) {
  const double bytes = s.is_variable() ? 0 : kBytesPerEntry * static_cast<double>(s.shape.rows * s.shape.cols);
  held_.push_back((held_.empty() ? 0 : held_.back()) + bytes);
  spans_.emplace_back(n.begin, n.end);
  prog_.steps.push_back(std::move(s));
  return prog_.steps.size() - 1;
}

void Compiler::truncate(std::size_t start) {
  prog_.steps.resize(start);
  held_.resize(std::min(held_.size(), start));
  spans_.resize(std::min(spans_.size(), start));
}

namespace {

// 3.2 GB, 240 MB, 1.4 MB, 512 kB, 96 B: decimal units, as the limit is given.
std::string format_bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e7) return fmt::format("{:.0f} MB", b / 1e6);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.0f} kB", b / 1e3);
  return fmt::format("{:.0f} B", b);
}

}  // namespace

// held + new <= max_bytes, where held = held_.back() is the sum over the steps compiled so far
// (after folding) and new = kBytesPerEntry x the entries of the step about to be made. The
// operands of a folded step are still counted at the moment it is made (their buffers are alive
// while it is computed), so the check is conservative by at most the operands of one fold.
void Compiler::charge(const Node& n, Shape s) const {
  const double held = held_.empty() ? 0 : held_.back();
  const double total = held + kBytesPerEntry * static_cast<double>(s.rows * s.cols);
  if (total <= max_bytes_) return;
  // The largest value held: the first of the largest steps so far, or the new step.
  std::pair<std::size_t, std::size_t> span{n.begin, n.end};
  Shape largest{0, 0};
  std::size_t values = 1;
  for (std::size_t i = 0; i < prog_.steps.size() && i < spans_.size(); ++i) {
    const Step& step = prog_.steps[i];
    if (step.is_variable()) continue;
    ++values;
    if (step.shape.rows * step.shape.cols > largest.rows * largest.cols) {
      largest = step.shape;
      span = spans_[i];
    }
  }
  if (s.rows * s.cols > largest.rows * largest.cols) {
    largest = s;
    span = {n.begin, n.end};
  }
  const std::string_view src =
      span.first < span.second && span.second <= text_.size() ? text_.substr(span.first, span.second - span.first)
                                                              : std::string_view();
  const std::string what = src.empty() || src.size() > 30 ? "a value" : std::string(src);
  fail_span("expr.value",
            fmt::format("this expression would hold {} of values here (limit {}): {} values, each counted {} bytes an "
                        "entry for the evaluators' copies; the largest is {} ({}, {})",
                        format_bytes(total), format_bytes(max_bytes_), values, kBytesPerEntry, what, largest.str(),
                        format_bytes(kBytesPerEntry * static_cast<double>(largest.rows * largest.cols))),
            n);
}

// Variables first, then dims; `inf` (or `Inf`) is infinity unless declared.
std::size_t Compiler::compile_name(const Node& n) {
  if (const auto* v = symbols_.find_variable(n.name)) {
    Step s;
    s.slot = v->slot;
    s.shape = v->shape;
    return push(std::move(s), n);
  }
  if (const double* d = symbols_.find_dim(n.name)) return push_constant(arma::mat(1, 1, arma::fill::value(*d)), n);
  if (n.name == "inf" || n.name == "Inf")
    return push_constant(arma::mat(1, 1, arma::fill::value(std::numeric_limits<double>::infinity())), n);
  if (find_function(n.name))
    fail("expr.syntax", "function '" + n.name + "' needs its arguments in parentheses: " + n.name + "(...)", n);
  unknown_name(n);
}

void Compiler::unknown_name(const Node& n) const {
  std::vector<std::string> names = symbols_.variable_names();
  for (const std::string& d : symbols_.dim_names()) names.push_back(d);
  const std::string guess = suggest(n.name, names);
  fail("expr.name",
       "unknown variable or dim '" + n.name + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"), n);
}

std::size_t Compiler::compile_call(const Node& n) {
  const Function* f = find_function(n.name);
  if (!f) {
    if (symbols_.find_variable(n.name) || symbols_.find_dim(n.name))
      fail("expr.syntax", "'" + n.name + "' is not a function: indexing with ( ) is not supported", n);
    fail("expr.name", "unknown function '" + n.name + "'", n);
  }
  const std::size_t got = n.children.size();
  if (got < f->min_args || got > f->max_args) {
    auto count = [](std::size_t k) { return std::to_string(k) + (k == 1 ? " argument" : " arguments"); };
    std::string expects = f->min_args == f->max_args       ? count(f->min_args)
                          : f->max_args == f->min_args + 1 ? std::to_string(f->min_args) + " or " + count(f->max_args)
                                                           : std::to_string(f->min_args) + " to " + count(f->max_args);
    fail("expr.arity", std::string(f->name) + " expects " + expects + ", got " + std::to_string(got), n);
  }
  const std::size_t start = prog_.steps.size();
  Args args;
  for (const Node& child : n.children) args.push_back(compile(child));
  return finish(n, start, f->lower(*this, n, args), f->name);
}

// Appends the step of a node whose operands occupy steps [start, end). A compile-time value, or a
// kernel over constant inputs, is folded: the operands' steps are dropped for one constant.
// `name` is the function's, for complex_obstacle() when the kernel has no complex extension.
std::size_t Compiler::finish(const Node& n, std::size_t start, Lowering low, const char* name) {
  check_size(n, low.shape);
  if (low.value) {
    truncate(start);
    charge(n, low.shape);
    return push_constant(std::move(*low.value), n);
  }
  charge(n, low.shape);
  Step s;
  s.run = low.run;
  s.run_cx = low.run_cx;
  s.strided = low.strided;
  s.obstacle = low.run_cx ? nullptr : name;
  s.fn = low.fn;
  s.op = low.op;
  s.degree = low.degree;
  s.kinked = low.kinked || (name != nullptr && can_kink(name));
  s.product = low.product;
  s.a = low.inputs.at(0);
  s.b = low.inputs.size() > 1 ? low.inputs[1] : s.a;
  s.p = low.p;
  s.shape = low.shape;
  s.out.zeros(s.shape.rows, s.shape.cols);
  if (prog_.steps[s.a].is_constant() && prog_.steps[s.b].is_constant()) {
    s.run(s, prog_.steps[s.a].out, prog_.steps[s.b].out);
    arma::mat value = std::move(s.out);
    truncate(start);
    return push_constant(std::move(value), n);
  }
  return push(std::move(s), n);
}

std::optional<double> Compiler::constant(std::size_t step) const {
  const Step& s = prog_.steps[step];
  if (!s.is_constant() || !s.shape.is_scalar()) return std::nullopt;
  return s.out[0];
}

std::string Compiler::describe(const Node& n, std::size_t step) const {
  const std::string_view src = text_.substr(n.begin, n.end - n.begin);
  if (src.size() <= 30) return std::string(src) + " (" + shape(step).str() + ")";
  return shape(step).str();
}

void Compiler::fail(const char* id, std::string detail, const Node& n) const {
  throw ExprError(id, std::move(detail), std::string(text_), n.pos + 1, n.len);
}

void Compiler::fail_span(const char* id, std::string detail, const Node& n) const {
  throw ExprError(id, std::move(detail), std::string(text_), n.begin + 1, std::max<std::size_t>(1, n.end - n.begin));
}

std::string Compiler::first_variable(const Node& n) const {
  if (n.kind == Node::Name && symbols_.find_variable(n.name)) return n.name;
  for (const Node& child : n.children)
    if (std::string v = first_variable(child); !v.empty()) return v;
  return "";
}

arma::uword Compiler::size_argument(const Node& call, std::size_t index, std::size_t step) const {
  const Node& arg = call.children[index];
  const std::string what = "size argument of " + call.name;
  if (!prog_.steps[step].is_constant()) {
    fail_span(
        "expr.value",
        what + " must be a constant made of numbers and dims, but it depends on variable '" + first_variable(arg) + "'",
        arg);
  }
  if (!shape(step).is_scalar())
    fail_span("expr.value", what + " must be a single number, got " + describe(arg, step), arg);
  const double v = prog_.steps[step].out[0];
  if (!(v >= 1) || v != std::floor(v) || v > 1e9)
    fail_span("expr.value", what + " must be a positive integer, got " + format_number(v), arg);
  return static_cast<arma::uword>(v);
}

void Compiler::check_size(const Node& n, Shape s) const {
  // Either side alone past the limit, or the product: no overflow, as both factors are <= 1e7.
  if (s.rows <= kMaxEntries && s.cols <= kMaxEntries && s.rows * s.cols <= kMaxEntries) return;
  const std::string_view src = text_.substr(n.begin, n.end - n.begin);
  fail_span("expr.value",
            fmt::format("{} would be {}x{}, more than {} entries: an expression's values are limited to that many "
                        "(use smaller sizes)",
                        src.size() <= 30 ? std::string(src) : std::string("this value"), s.rows, s.cols, kMaxEntries),
            n);
}

void Compiler::check_work(const Node& n, double operations) const {
  if (operations <= kMaxOperations) return;
  const std::string_view src = text_.substr(n.begin, n.end - n.begin);
  fail_span("expr.value",
            fmt::format("{} would take about {:.1e} operations per evaluation, more than {:.0e} (use smaller sizes)",
                        src.size() <= 30 ? std::string(src) : std::string("this operation"), operations,
                        kMaxOperations),
            n);
}

int Compiler::dimension_argument(const Node& call, std::size_t index, std::size_t step) const {
  const Node& arg = call.children[index];
  const std::string what = "dimension argument of " + call.name + " must be 1 (columns) or 2 (rows)";
  if (!prog_.steps[step].is_constant())
    fail_span("expr.value", what + ", but it depends on variable '" + first_variable(arg) + "'", arg);
  const std::optional<double> v = constant(step);
  if (!v) fail_span("expr.value", what + ", got " + describe(arg, step), arg);
  if (*v != 1 && *v != 2) fail_span("expr.value", what + ", got " + format_number(*v), arg);
  return static_cast<int>(*v);
}

}  // namespace gradcheck::expr
