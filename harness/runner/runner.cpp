// SPDX-License-Identifier: MIT
// The case-file front end of the engine: instances, symbols, compiled expressions, points.
#include "gradcheck/runner.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "cases/init.hpp"
#include "compare/form_map.hpp"
#include "engine/directional.hpp"
#include "engine/second_order.hpp"
#include "reference/reference.hpp"
#include "runner/programs.hpp"
#include "symbolic/suggest.hpp"
#include "gradcheck/check.hpp"
#include "gradcheck/expression.hpp"
#include "gradcheck/index_notation.hpp"

namespace gradcheck {
namespace {

using Clock = std::chrono::steady_clock;

// One combination of a case's dims.
struct Instance {
  const CaseSpec* spec = nullptr;
  std::string file;
  std::string name;                      // "bilinear[N=3,D=5]" when dims are lists
  std::map<std::string, double> dims;
};

std::vector<Instance> expand(const CaseSpec& spec, const std::string& file) {
  std::vector<Instance> out;
  bool has_list = false;
  std::size_t total = 1;
  for (const auto& [name, values] : spec.dims) {
    has_list = has_list || values.size() > 1;
    total *= values.size();
  }
  for (std::size_t k = 0; k < total; ++k) {
    Instance in{&spec, file, spec.name, {}};
    std::size_t rest = k;
    std::string suffix;
    // The first dim varies slowest, so instances read in the order the lists are written.
    std::vector<std::size_t> choice(spec.dims.size());
    for (std::size_t d = spec.dims.size(); d-- > 0;) {
      choice[d] = rest % spec.dims[d].second.size();
      rest /= spec.dims[d].second.size();
    }
    for (std::size_t d = 0; d < spec.dims.size(); ++d) {
      const double v = spec.dims[d].second[choice[d]];
      in.dims[spec.dims[d].first] = v;
      if (spec.dims[d].second.size() > 1)
        suffix += fmt::format("{}{}={}", suffix.empty() ? "" : ",", spec.dims[d].first, v);
    }
    if (has_list) in.name += "[" + suffix + "]";
    out.push_back(std::move(in));
  }
  return out;
}

// An error located in the file (its text: "file:line:col: error [id] case "x", field "f": message").
Error located(const Location& at, const std::string& id, const std::string& case_name, const std::string& field,
              const std::string& message) {
  return Error(id, message, {at.file, at.line, at.column, case_name, field});
}

// An Error of the engine (or of a check's form) at a field of the case.
Error located(const Location& at, const Error& e, const std::string& case_name, const std::string& field) {
  return e.at({at.file, at.line, at.column, case_name, field});
}

// An ExprError inside a string field: the column of the caret in the file is the column of the
// string's opening quote + 1 + the raw offset of the expression's column (escape sequences such
// as \u00b7 or \" are wider in the file than in the expression).
Error located_expr(const Location& string_at, const ExprError& e, const std::string& case_name,
                   const std::string& field) {
  Location at = string_at;
  if (at.line > 0) {
    const std::vector<std::size_t>& raw = string_at.string_columns;
    const std::size_t k = e.column() > 0 ? e.column() - 1 : 0;
    at.column += 1 + (raw.empty() ? k : raw[std::min(k, raw.size() - 1)]);
  }
  return located(at, e, case_name, field);
}

arma::uword size_of(const std::string& written, const std::map<std::string, double>& dims) {
  auto it = dims.find(written);
  return it != dims.end() ? static_cast<arma::uword>(it->second) : static_cast<arma::uword>(std::stoull(written));
}

// The point of trial t: variable v drawn from seed mix(mix(case seed, t), v), so adding a variable
// does not change the others' values; attempt k > 0 (the trial moved) mixes k in as well.
// Variables with a `value` keep it. Throws (v, error) for an init that cannot apply.
std::vector<arma::mat> draw_point(const CaseSpec& spec, const std::vector<Shape>& shapes, std::uint64_t seed, int t,
                                  int attempt) {
  std::vector<arma::mat> point;
  for (std::size_t v = 0; v < spec.variables.size(); ++v) {
    const VariableSpec& var = spec.variables[v];
    if (var.value) {
      point.push_back(*var.value);
      continue;
    }
    std::uint64_t s = mix_seed(mix_seed(seed, static_cast<std::uint64_t>(t)), v);
    if (attempt > 0) s = mix_seed(s, 0xa77e0000ULL + static_cast<std::uint64_t>(attempt));
    Random random(s);
    try {
      arma::mat m = draw(var.init, shapes[v].rows, shapes[v].cols, random, var.range_lo, var.range_hi);
      if (var.structure == Structure::kSymmetric) m = 0.5 * (m + m.t());
      point.push_back(std::move(m));
    } catch (const Error& e) {
      throw std::make_pair(v, e);
    }
  }
  return point;
}

// A check ready to run: the engine's Problem and its options.
struct PreparedCheck {
  Problem problem;
  Options options;
  std::optional<Error> error;  // set: the check cannot run (a case-file error), with its location
  bool uses_program = false;   // f or expected calls the case's program
};

// The result of a check that never ran (its expected or indices are wrong, the check threw): what
// it differentiates and in which form, from the case file as written, so that its ERROR row reads
// as the label the check would have had ("d Z[i,l]/d H[j,k] (index)", "d2 f/d vec(x) d vec(y)").
CheckResult unrun_check(const CheckSpec& c, const PreparedCheck& pc) {
  CheckResult r;
  r.function = pc.problem.f_name.empty() ? "f" : pc.problem.f_name;
  r.derivative_order = c.derivative_order;
  r.wrt = c.derivative_order == 2 && !c.wrt2.empty() ? c.wrt + ", " + c.wrt2 : c.wrt;
  r.direction = c.direction;
  r.layout = c.derivative_order == 2 ? "" : to_string(c.form.layout);
  r.form = to_string(c.form.form);
  if (c.form.form == Form::kVec) r.order = to_string(c.form.order);
  if (c.form.form == Form::kIndex) r.indices = c.indices;
  r.expected = c.expected;
  r.fd.method = to_string(pc.options.fd.method);
  r.fd.step = reference::base_step(pc.options.fd, std::numeric_limits<double>::epsilon());
  return r;
}

// Everything of an instance that can be prepared without running: symbols, compiled
// expressions, the random points. Errors are case-file errors with positions.
struct Prepared {
  std::vector<PreparedCheck> checks;
  std::vector<std::vector<arma::mat>> points;
  std::optional<Error> error;  // the whole instance cannot run
  std::uint64_t seed = 0;
  program::Client* client = nullptr;  // the case's program, when it runs one
  std::shared_ptr<const Symbols> symbols;  // for suggestions (harness/symbolic/suggest.hpp)
};

// The operations of one finite-difference evaluation of f with respect to `slot`, for the size
// guard: the cost of f's propagated evaluator (Expression::perturbed_operations), the largest
// over three entries (first, middle, last) of the variable, plus kFdOverhead for the
// reference's own work per evaluation.
constexpr double kFdOverhead = 64;
double operations_per_evaluation(const Expression& f, std::size_t slot, const Shape& x) {
  const arma::uword n = x.numel();
  double most = 0;
  for (arma::uword b : {arma::uword(0), n / 2, n - 1}) most = std::max(most, f.perturbed_operations(slot, b, b));
  return most + kFdOverhead;
}

// `pool` null (lint): nothing is run, program fields are validated as far as the file allows.
Prepared prepare(const Instance& in, const RunOptions& run, program::Pool* pool) {
  const CaseSpec& spec = *in.spec;
  Prepared out;
  auto fail = [&](Error e) {
    out.error = std::move(e);
    return out;
  };

  Symbols symbols;
  std::vector<std::string> names;
  std::vector<Shape> shapes;
  for (const VariableSpec& v : spec.variables) {
    const Shape s{size_of(v.rows, in.dims), size_of(v.cols, in.dims)};
    // Finite differences cost four evaluations of f per entry (two steps each side): a variable past a million
    // entries would run for hours (or exhaust memory). Refuse it with the reason.
    constexpr arma::uword kMaxEntries = 1000000;
    if (s.rows * s.cols > kMaxEntries)
      return fail(located(v.location, "case.size", in.name, "variables." + v.name + ".shape",
                                       fmt::format("{} has {} entries; gradcheck takes at most {} per variable "
                                                   "(finite differences evaluate f four times per entry): use smaller dims",
                                                   s.str(), s.rows * s.cols, kMaxEntries)));
    if (v.value && (v.value->n_rows != s.rows || v.value->n_cols != s.cols))
      return fail(located(v.location, "case.field", in.name, "variables." + v.name + ".value",
                                        fmt::format("the value is {}x{} but the shape is {}", v.value->n_rows,
                                                    v.value->n_cols, s.str())));
    if (v.structure == Structure::kSymmetric && v.value && s.is_square() &&
        !v.value->is_symmetric(1e-12 * std::max(1.0, arma::abs(*v.value).max())))
      return fail(located(v.location, "case.field", in.name, "variables." + v.name + ".value",
                                        "a variable with \"structure\": \"symmetric\" needs a symmetric value"));
    if (v.structure == Structure::kSymmetric && !s.is_square())
      return fail(located(v.location, "case.field", in.name, "variables." + v.name + ".structure",
                                        fmt::format("a symmetric variable must be square, the shape is {}", s.str())));
    symbols.add_variable(v.name, s);
    names.push_back(v.name);
    shapes.push_back(s);
  }
  for (const auto& [name, value] : in.dims) symbols.add_dim(name, value);
  out.symbols = std::make_shared<const Symbols>(symbols);

  // Programs: allowed by the run, started (or reused), asked for their functions.
  const std::optional<std::string> f_program = program::function_name(spec.expression);
  bool uses_program = f_program.has_value();
  for (const CheckSpec& c : spec.checks) uses_program = uses_program || program::function_name(c.expected);
  std::vector<std::string> functions;
  auto program_error = [&](const std::string& message) {
    return fail(located(spec.program->location, "case.program", in.name, "program", message));
  };
  if (uses_program && spec.program && pool) {
    program::Client& client = pool->get(*spec.program, in.file);
    if (!run.allow_programs)
      return program_error(fmt::format("this case runs the program `{}`, and a case file alone never executes code: "
                                       "run with --allow-programs (or GRADCHECK_ALLOW_PROGRAMS=1) to allow it",
                                       client.command_text()));
    client.reset();  // a failure of an earlier case: start it again
    out.client = &client;
    try {
      functions = client.functions();
    } catch (const Error& e) {
      return program_error(e.message());
    }
    if (f_program) {
      const std::string unknown = runner_programs::unknown_function(*f_program, functions, client.command_text());
      if (!unknown.empty())
        return fail(located(spec.expression_location, "case.field", in.name, "expression", unknown));
    }
  }

  std::optional<Expression> f;
  if (!f_program) try {
    f = Expression::compile(spec.expression, symbols);
  } catch (const ExprError& e) {
    // The case cannot run; its expected strings are still compiled below so that lint lists
    // their problems too (every problem, not the first).
    out.error = located_expr(spec.expression_location, e, in.name, "expression");
  }

  out.seed = spec.seed ? *spec.seed : mix_seed(run.seed, hash_name(spec.name));
  for (int t = 0; t < spec.trials; ++t) {
    try {
      out.points.push_back(draw_point(spec, shapes, out.seed, t, 0));
    } catch (const std::pair<std::size_t, Error>& e) {
      const VariableSpec& var = spec.variables[e.first];
      return fail(located(var.location, e.second, in.name, "variables." + var.name + ".init"));
    }
  }
  // A trial's point may move (off a kink, away from an ill-conditioned spot) when some variable
  // is drawn at random.
  const bool movable = std::any_of(spec.variables.begin(), spec.variables.end(),
                                   [](const VariableSpec& v) { return !v.value; });
  // A program's f: its shape is that of its value at the first point.
  std::optional<runner_programs::ProgramF> program_f;
  if (f_program && out.client) {
    try {
      program_f = runner_programs::program_f(*out.client, *f_program, names, out.points.at(0));
    } catch (const Error& e) {
      return program_error(e.message());
    }
  }

  for (std::size_t i = 0; i < spec.checks.size(); ++i) {
    const CheckSpec& c = spec.checks[i];
    const std::string field = fmt::format("checks[{}]", i);
    PreparedCheck pc;
    Problem& p = pc.problem;
    p.names = names;
    p.shapes = shapes;
    p.dims = in.dims;
    p.f_shape = f ? f->shape() : program_f ? program_f->shape : Shape{1, 1};
    const std::optional<std::string> expected_program = program::function_name(c.expected);
    pc.uses_program = f_program || expected_program;
    p.f_name = "f";
    p.form = c.form;
    p.expected_text = c.expected;
    const auto wrt = std::find(names.begin(), names.end(), c.wrt);
    p.wrt = static_cast<std::size_t>(wrt - names.begin());
    p.structure = spec.variables[p.wrt].structure;
    p.derivative_order = c.derivative_order;  // second order: engine/second_order.cpp
    if (c.derivative_order == 2) {
      p.wrt2 = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.wrt2) - names.begin());
      if (c.form.form == Form::kHvp)
        p.direction = static_cast<std::size_t>(std::find(names.begin(), names.end(), c.direction) - names.begin());
    }
    pc.options.tolerance = c.tolerance ? *c.tolerance : spec.tolerance;
    if (run.rtol) pc.options.tolerance.rtol = *run.rtol;
    if (run.atol) pc.options.tolerance.atol = *run.atol;
    pc.options.tolerance_stated = c.numerics.tolerance_stated || run.rtol || run.atol;
    pc.options.precision = c.numerics.precision;
    pc.options.reference = c.numerics.reference;
    pc.options.mode = c.numerics.mode ? *c.numerics.mode : run.mode.value_or(Mode::kEntrywise);
    if (run.probes) pc.options.probes = *run.probes;
    if (movable) {
      const CaseSpec* spec_ptr = &spec;
      const std::uint64_t seed = out.seed;
      p.resample = [spec_ptr, shapes, seed](int trial, int attempt) {
        try {
          return draw_point(*spec_ptr, shapes, seed, trial, attempt);
        } catch (const std::pair<std::size_t, Error>& e) {
          throw e.second;
        }
      };
    }
    pc.options.fd = spec.fd;
    pc.options.trials = spec.trials;
    pc.options.seed = out.seed;
    pc.options.diagnose = run.diagnose;
    pc.options.threads = run.threads;
    // Each check owns its copy of the compiled f: checks and threads never share buffers.
    // Finite differences evaluate f about four times per entry of the variable at every trial, and keep
    // the derivative of every entry of f by every entry of the variable: refuse a check that would
    // run for hours or exhaust memory, before anything of it is compiled.
    {
      constexpr double kMaxDerivative = 1e8, kMaxOperations = 1e11;
      const Shape& x = shapes[p.wrt];
      // Second order: each entry of the block costs about what one entry of a gradient does.
      const double second = c.derivative_order == 2 && c.form.form != Form::kHvp ? double(shapes[p.wrt2].numel()) : 1.0;
      const double derivative = double(x.numel()) * double(p.f_shape.numel()) * second;
      const int per_entry = reference::evaluations_per_entry(spec.fd);
      // Directional: per trial, each probe and each narrowing probe (log2 of the sizes, at most
      // 64) costs what one entry does; the noise measurement and f(x) about 12 evaluations.
      const bool directional = pc.options.mode == Mode::kDirectional;
      const double evaluations =
          directional ? (12.0 + double(per_entry) * (2 * directional_probes_per_trial(pc.options, spec.trials) + 64)) * spec.trials
                      : double(per_entry) * double(x.numel()) * second * spec.trials;
      double entries = 0;  // without f: every input read once
      for (const Shape& s : shapes) entries += double(s.numel());
      const double per_evaluation = (f ? operations_per_evaluation(*f, p.wrt, x) : entries) + double(p.f_shape.numel());
      const double operations = evaluations * per_evaluation;
      std::string why;
      if (derivative > kMaxDerivative)
        why = fmt::format("the derivative of f ({}) by {} ({}) has {:.0f} entries; at most {:.0f}: use smaller dims",
                          p.f_shape.str(), c.wrt, x.str(), derivative, kMaxDerivative);
      else if (operations > kMaxOperations)
        why = fmt::format("finite differences would evaluate f {:.0f} times ({} trial{}, {} per {} of {}) at "
                          "about {:.1e} operations each, about {:.1e} operations; at most {:.0e}: use smaller dims or "
                          "fewer trials{}",
                          evaluations, spec.trials, spec.trials == 1 ? "" : "s", per_entry,
                          directional ? "probe" : "entry", c.wrt, per_evaluation, operations, kMaxOperations,
                          directional ? "" : ", or \"mode\": \"directional\"");
      if (!why.empty()) {
        pc.error = located(c.location, "case.size", in.name, field, why);
        out.checks.push_back(std::move(pc));
        continue;
      }
    }
    if (!f && !program_f) {
      // Without f only the expected strings of the auto and vec forms can be checked.
      if (c.form.form != Form::kIndex && !expected_program) {
        try {
          Expression::compile(c.expected, symbols);
        } catch (const ExprError& e) {
          if (e.id() != "expr.shape") {
            pc.error = located_expr(c.expected_location, e, in.name, field + ".expected");
          }
        }
      }
      out.checks.push_back(std::move(pc));
      continue;
    }
    if (program_f) {
      p.f = program_f->f;
      p.f_batch = program_f->f_batch;
      p.complex_obstacle = "f is a program, which has no complex extension";
    } else {
      set_f(p, *f);  // evaluation, propagation, polynomial degree, complex extension
    }
    if (!p.f_complex) {
      if (c.numerics.reference == ReferenceMethod::kComplexStep) {
        pc.error = located(c.location, "case.field", in.name, field + ".reference",
                           program_f ? std::string("\"reference\": \"complex-step\" needs f as an expression (a "
                                                   "program's f has no complex extension); use \"fd\"")
                                     : fmt::format("\"reference\": \"complex-step\" needs every function of the "
                                                   "expression to have a complex extension, and {}; use \"fd\"",
                                                   p.complex_obstacle));
        out.checks.push_back(std::move(pc));
        continue;
      }
    }
    if (c.numerics.reference == ReferenceMethod::kSymbolic) {
      // The symbolic reference: J itself, i.e. the derivative in form vec, numerator layout.
      try {
        auto j = std::make_shared<Expression>(symbolic::jacobian_expression(spec.expression, c.wrt, p.structure, symbols));
        p.jacobian = [j](const std::vector<arma::mat>& values) { return arma::mat(j->evaluate(values)); };
      } catch (const Error& e) {
        const auto* x = dynamic_cast<const ExprError*>(&e);
        pc.error = located(c.location, "case.field", in.name, field + ".reference",
                           "\"reference\": \"symbolic\" needs an expression that can be derived (use \"fd\"): [" +
                               e.id() + "] " +
                               (x ? "column " + std::to_string(x->column()) + ": " + x->detail() + "\n" + x->excerpt("  ")
                                  : e.message()));
        out.checks.push_back(std::move(pc));
        continue;
      }
    }
    try {
      if (expected_program) {
        if (c.form.form == Form::kIndex) {
          try {
            p.form.indices = c.derivative_order == 2 ? parse_hessian_indices(c.indices, c.wrt, c.wrt2)
                                                     : IndexSpec::parse(c.indices);
          } catch (const ExprError& e) {
            throw std::make_pair(e, std::string("indices"));
          }
        }
        if (out.client) {
          const std::string unknown =
              runner_programs::unknown_function(*expected_program, functions, out.client->command_text());
          if (!unknown.empty())
            pc.error = located(c.expected_location, "case.field", in.name, field + ".expected", unknown);
          else
            p.expected = runner_programs::program_expected(*out.client, *expected_program, names);
        }
      } else if (c.form.form == Form::kIndex) {
        const bool second = c.derivative_order == 2;  // "X[i,j], Y[k,l]": dG[i,j]/dY[k,l], G = df/dX
        try {
          p.form.indices = second ? parse_hessian_indices(c.indices, c.wrt, c.wrt2) : IndexSpec::parse(c.indices);
        } catch (const ExprError& e) {
          throw std::make_pair(e, std::string("indices"));
        }
        auto ix = std::make_shared<IndexExpression>(
            IndexExpression::compile(c.expected, *p.form.indices, second ? shapes[p.wrt] : p.f_shape,
                                     shapes[second ? p.wrt2 : p.wrt], symbols, c.explicit_summation));
        p.expected = [ix](const std::vector<arma::mat>& values) { return arma::mat(ix->evaluate(values)); };
      } else {
        auto g = std::make_shared<Expression>(Expression::compile(c.expected, symbols));
        p.expected = [g](const std::vector<arma::mat>& values) { return arma::mat(g->evaluate(values)); };
      }
    } catch (const std::pair<ExprError, std::string>& e) {
      pc.error = located_expr(c.indices_location, e.first, in.name, field + ".indices");
    } catch (const ExprError& e) {
      const bool in_indices = c.form.form == Form::kIndex && e.text() == c.indices;
      if (e.id() == "expr.shape" && !in_indices) {
        // The derivation's own sizes do not fit: a failed check (shape-mismatch), not a file error.
        p.expected = [e](const std::vector<arma::mat>&) -> arma::mat { throw e; };
      } else {
        pc.error = located_expr(in_indices ? c.indices_location : c.expected_location, e, in.name,
                                field + (in_indices ? ".indices" : ".expected"));
      }
    }
    // The form must fit the shapes (a matrix-valued f needs vec or index): checked here, so
    // that lint reports it too.
    if (!pc.error) {
      try {
        if (p.derivative_order == 2) {
          const Problem g = gradient_problem(p);
          make_form_map(g.form, g.f_shape, g.shapes[g.wrt], g.f_name, g.names[g.wrt]);
        } else {
          make_form_map(p.form, p.f_shape, shapes[p.wrt], p.f_name, names[p.wrt]);
        }
      } catch (const Error& e) {
        pc.error = located(c.location, e, in.name, field);
      }
    }
    out.checks.push_back(std::move(pc));
  }
  return out;
}

CaseResult run_instance(const Instance& in, const RunOptions& run, program::Pool& pool) {
  const auto start = Clock::now();
  const CaseSpec& spec = *in.spec;
  CaseResult r;
  r.name = in.name;
  r.file = in.file;
  r.description = spec.description;
  r.source = spec.source;
  r.tags = spec.tags;
  r.dims = in.dims;
  r.expect = spec.expect;
  r.expected_diagnosis = spec.diagnosis;
  Prepared prepared = prepare(in, run, &pool);
  r.seed = prepared.seed;
  // The case's error (text, id, and every error as data) is its first one; a check's, its own.
  auto case_error = [&r](const Error& e) {
    if (r.error.empty()) {
      r.error = e.what();
      r.error_id = e.id();
    }
    r.errors.push_back(e);
  };
  if (prepared.error) {
    r.status = Status::kError;
    case_error(*prepared.error);
  } else {
    bool any_error = false, any_fail = false, any_inconclusive = false, diagnosis_named = spec.diagnosis.empty();
    // A directional check names only the diagnoses its probes decide (engine/directional.hpp):
    // it is not held to the others (partial, symmetric-only, storage-order need every entry).
    bool directional_fail = false;
    for (std::size_t i = 0; i < prepared.checks.size(); ++i) {
      PreparedCheck& pc = prepared.checks[i];
      CheckResult cr;
      if (pc.error) {
        cr = unrun_check(spec.checks[i], pc);
        cr.status = Status::kError;
        cr.error = pc.error->what();
        cr.errors.push_back(*pc.error);
        case_error(*pc.error);
      } else {
        try {
          cr = run_check(pc.problem, prepared.points, pc.options);
          // The program failed under the check: an error of the case (case.program), located at
          // "program"; its later checks fail the same way at once.
          if (pc.uses_program && prepared.client && !prepared.client->failure().empty()) {
            const Error at = located(spec.program->location, "case.program", in.name, "program",
                                     prepared.client->failure());
            cr.status = Status::kError;
            cr.error = at.what();
            cr.errors.clear();
            cr.errors.push_back(at);
            case_error(at);
          }
          // A failing check of an expression-defined expected gets the derived one, if it passes.
          if (cr.status == Status::kFail && pc.problem.expected_text == spec.checks[i].expected)
            cr.suggestion = symbolic::suggest(spec.expression, *prepared.symbols, pc.problem, prepared.points, pc.options);
        } catch (const Error& e) {
          cr = unrun_check(spec.checks[i], pc);
          cr.status = Status::kError;
          const Error at = located(spec.checks[i].location, e, in.name, fmt::format("checks[{}]", i));
          cr.error = at.what();
          cr.errors.push_back(at);
          case_error(at);
        }
      }
      any_error = any_error || cr.status == Status::kError;
      any_fail = any_fail || cr.status == Status::kFail;
      any_inconclusive = any_inconclusive || cr.status == Status::kInconclusive;
      if (cr.status == Status::kError && r.error.empty())  // an error of a trial, without an id of its own
        case_error(located(spec.checks[i].location, "check.error", in.name, fmt::format("checks[{}]", i), cr.error));
      for (const Diagnosis& d : cr.diagnoses) diagnosis_named = diagnosis_named || d.code == spec.diagnosis;
      directional_fail = directional_fail || (cr.mode == "directional" && cr.status == Status::kFail);
      r.checks.push_back(std::move(cr));
    }
    if (directional_fail && !directional_decides(spec.diagnosis)) diagnosis_named = true;
    if (any_error) {
      r.status = Status::kError;
    } else if (!any_fail && any_inconclusive) {
      // Nothing decided that the case is wrong, and some check could not be decided at all.
      r.status = Status::kInconclusive;
    } else if (spec.expect == "fail") {
      if (!any_fail) {
        r.status = Status::kXpass;
      } else if (!diagnosis_named) {
        r.status = Status::kFail;
        std::string named;
        for (const CheckResult& c : r.checks)
          for (const Diagnosis& d : c.diagnoses) named += (named.empty() ? "" : ", ") + d.code;
        case_error(located(spec.location, "case.diagnosis", in.name, "diagnosis",
                           fmt::format("failed as expected, but the report does not name the diagnosis \"{}\" (it "
                                       "names: {})",
                                       spec.diagnosis, named.empty() ? "none" : named)));
      } else {
        r.status = Status::kXfail;
      }
    } else {
      r.status = any_fail ? Status::kFail : Status::kPass;
    }
  }
  r.time_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return r;
}

// The load problems of one case (or of the whole file): one result, every problem in it.
CaseResult load_error_case(const LoadedFile& file, const std::vector<Error>& problems) {
  CaseResult r;
  const std::string& case_name = problems.front().place().case_name;
  r.name = case_name.empty() ? file.path : case_name;
  r.file = file.path;
  r.status = Status::kError;
  r.error_id = problems.front().id();
  for (const Error& p : problems) r.error += (r.error.empty() ? "" : "\n") + std::string(p.what());
  r.errors = problems;
  return r;
}

}  // namespace

bool matches_filter(const std::string& name, const std::string& filter) {
  if (filter.empty()) return true;
  if (filter.find_first_of("*?[") != std::string::npos) return fnmatch(filter.c_str(), name.c_str(), 0) == 0;
  return name.find(filter) != std::string::npos;
}

RunResult run_loaded(const std::vector<LoadedFile>& files, const RunOptions& options) {
  const auto start = Clock::now();
  // Work items in a stable order: files as given, within a file its load errors then its cases.
  struct Item {
    std::optional<Instance> instance;
    CaseResult ready;  // load errors
  };
  std::vector<Item> items;
  std::size_t index = 0;
  for (const LoadedFile& file : files) {
    // A case name with errors appears once, whatever the number of its problems: merge them.
    std::vector<std::vector<Error>> merged;
    for (const Error& p : file.errors) {
      auto it = std::find_if(merged.begin(), merged.end(), [&](const std::vector<Error>& m) {
        return m.front().place().case_name == p.place().case_name;
      });
      if (it == merged.end()) merged.push_back({p});
      else it->push_back(p);
    }
    for (const std::vector<Error>& p : merged) {
      const std::string& case_name = p.front().place().case_name;
      const std::string name = case_name.empty() ? file.path : case_name;
      if (!matches_filter(name, options.filter) && !case_name.empty()) continue;
      if (index++ % options.shard_count != static_cast<std::size_t>(options.shard_index)) continue;
      items.push_back({std::nullopt, load_error_case(file, p)});
    }
    for (const CaseSpec& spec : file.cases) {
      for (Instance& in : expand(spec, file.path)) {
        if (!matches_filter(in.name, options.filter)) continue;
        if (index++ % options.shard_count != static_cast<std::size_t>(options.shard_index)) continue;
        items.push_back({std::move(in), {}});
      }
    }
  }

  RunResult result;
  result.seed = options.seed;
  result.cases.resize(items.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::mutex progress_mutex;
  auto worker = [&]() {
    program::Pool programs;  // this worker's programs: one process per case file and command
    for (std::size_t i = next++; i < items.size(); i = next++) {
      try {
        result.cases[i] = items[i].instance ? run_instance(*items[i].instance, options, programs) : items[i].ready;
      } catch (const std::bad_alloc&) {  // sizes beyond this machine's memory
        result.cases[i] = items[i].ready;
        result.cases[i].name = items[i].instance->name;
        result.cases[i].file = items[i].instance->file;
        result.cases[i].status = Status::kError;
        const Error e("case.size", "out of memory while evaluating it; use smaller dims",
                      {items[i].instance->file, 0, 0, items[i].instance->name, ""});
        result.cases[i].error_id = e.id();
        result.cases[i].error = e.what();
        result.cases[i].errors = {e};
      } catch (const std::exception& e) {  // never expected; still one case, not the run
        result.cases[i] = items[i].ready;
        result.cases[i].name = items[i].instance->name;
        result.cases[i].file = items[i].instance->file;
        result.cases[i].status = Status::kError;
        const Error internal("internal", e.what(), {items[i].instance->file, 0, 0, items[i].instance->name, ""});
        result.cases[i].error_id = internal.id();
        result.cases[i].error = internal.what();
        result.cases[i].errors = {internal};
      }
      const std::size_t finished = ++done;
      if (options.progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress(finished, items.size(), result.cases[i]);
      }
    }
  };
  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(items.size())));
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
    for (std::thread& t : threads) t.join();
  }
  result.summary = summarize(result.cases);
  result.time_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

RunResult run_files(const std::vector<std::string>& paths, const RunOptions& options) {
  std::vector<LoadedFile> files;
  for (const std::string& p : paths) files.push_back(load_case_file(p));
  return run_loaded(files, options);
}

std::vector<std::string> lint_files(const std::vector<std::string>& paths) {
  std::vector<std::string> problems;
  RunOptions options;
  for (const std::string& path : paths) {
    const LoadedFile file = load_case_file(path);
    for (const Error& p : file.errors) problems.push_back(p.what());
    for (const CaseSpec& spec : file.cases) {
      for (const Instance& in : expand(spec, file.path)) {
        Prepared prepared = prepare(in, options, nullptr);
        if (prepared.error) problems.push_back(prepared.error->what());
        for (const PreparedCheck& c : prepared.checks)
          if (c.error) problems.push_back(c.error->what());
      }
    }
  }
  return problems;
}

}  // namespace gradcheck
