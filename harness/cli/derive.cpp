// SPDX-License-Identifier: MIT
// The `derive` verb (see derive.hpp and ../shared/spec/runner-and-reports.md): the derivative on
// stdout, alone on its line; everything else on stderr.
#include "cli/derive.hpp"

#include <fmt/format.h>

#include <iostream>
#include <regex>

#include "cases/command_line.hpp"
#include "gradcheck/case.hpp"
#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "gradcheck/runner.hpp"
#include "symbolic/derive.hpp"
#include "symbolic/forms.hpp"

namespace gradcheck::cli {
namespace {

arma::uword size_of(const std::string& s, const std::map<std::string, double>& dims) {
  const auto it = dims.find(s);
  return it != dims.end() ? static_cast<arma::uword>(it->second) : static_cast<arma::uword>(std::stoull(s));
}

}  // namespace

CLI::App* add_derive_verb(CLI::App& app, DeriveArgs& a) {
  auto* d = app.add_subcommand("derive", "Print the derivative of an expression, derived symbolically and simplified");
  d->add_option("--expr,-e", a.expr, "The function f, e.g. \"wa' * A * B * wb\"")->required();
  d->add_option("--wrt,-w", a.wrt, "The variable to differentiate with respect to")->required();
  d->add_option("--var", a.vars, "A variable: NAME=ROWSxCOLS[:INIT], e.g. A=4x3 (repeatable)")->required()->take_all();
  d->add_option("--dim", a.dims, "A named size: NAME=VALUE, e.g. m=16 (repeatable)")->take_all();
  d->add_option("--structure", a.structures, "NAME=symmetric: entries (i,j) and (j,i) are one variable")->take_all();
  d->add_option("--layout", a.layout, "denominator or numerator")
      ->check(CLI::IsMember({"denominator", "numerator"}))
      ->capture_default_str();
  d->add_option("--form", a.form, "auto, vec or index (with --indices)")
      ->check(CLI::IsMember({"auto", "vec", "index"}))
      ->capture_default_str();
  d->add_option("--order", a.order, "form vec: column-major or row-major")->check(CLI::IsMember({"column-major", "row-major"}));
  d->add_option("--indices", a.indices, "form index: the indices of f and x, e.g. \"z[i] / W[k,j]\" or \"q / X[i,j]\"");
  d->add_flag("--check", a.check, "Also verify the result numerically (exit 1 when it does not pass)");
  d->add_option("--seed", a.seed, "Seed of the random inputs of --check")->capture_default_str();
  return d;
}

int run_derive(const DeriveArgs& a) {
  // The flags go through the case loader as the check verb's do (cases/command_line.hpp): one
  // validator of names, sizes, inits and layouts for the command line and case files.
  CheckFlags flags;
  flags.expr = a.expr;
  flags.wrt = a.wrt;
  flags.expected = "0";  // replaced by the derivative
  flags.vars = a.vars;
  flags.dims = a.dims;
  flags.layout = a.layout;
  flags.form = a.form;
  if (a.form == "vec") flags.order = a.order;
  if (!a.indices.empty()) flags.indices = a.indices;
  flags.seed = std::to_string(a.seed);
  LoadedFile file = load_check_flags(flags);
  if (!file.errors.empty()) {
    for (const Error& e : file.errors) std::cerr << e.what() << "\n";
    return 2;
  }
  CaseSpec& spec = file.cases.at(0);
  std::map<std::string, double> dims;
  for (const auto& [name, values] : spec.dims) dims[name] = values.at(0);
  Symbols symbols;
  for (const VariableSpec& var : spec.variables)
    symbols.add_variable(var.name, Shape{size_of(var.rows, dims), size_of(var.cols, dims)});
  for (const auto& [name, value] : dims) symbols.add_dim(name, value);
  symbolic::DeriveRequest request;
  request.expression = a.expr;
  request.wrt = a.wrt;
  request.form = spec.checks.at(0).form;
  for (const std::string& s : a.structures) {
    const auto eq = s.find('=');
    const std::string name = s.substr(0, eq);
    auto it = std::find_if(spec.variables.begin(), spec.variables.end(), [&](const VariableSpec& v) { return v.name == name; });
    if (eq == std::string::npos || s.substr(eq + 1) != "symmetric" || it == spec.variables.end())
      throw Error("cli.usage", fmt::format("--structure \"{}\": expected NAME=symmetric for a --var NAME", s));
    it->structure = Structure::kSymmetric;
    if (name == a.wrt) request.structure = Structure::kSymmetric;
  }

  symbolic::Derivative d;
  try {
    if (request.form.form == Form::kIndex) {  // the index expression over --indices (forms.hpp)
      symbolic::CheckRequest r;
      r.expression = request.expression;
      r.wrt = request.wrt;
      r.structure = request.structure;
      r.form = request.form;
      r.form.indices = IndexSpec::parse(a.indices);
      d.text = symbolic::derive_expected(r, symbols);
    } else {
      d = symbolic::derive(request, symbols);
    }
  } catch (const ExprError& e) {
    std::cerr << "gradcheck: error [" << e.id() << "] --expr, column " << e.column() << ": " << e.detail() << "\n"
              << e.excerpt() << "\n";
    return 2;
  }
  std::cout << d.text << "\n" << std::flush;
  if (!a.check) return 0;

  spec.checks.at(0).expected = d.text;
  const RunResult run = run_loaded({file}, RunOptions{});
  report::TextOptions text;
  text.color = false;
  std::cerr << report::text(run, text);
  return run.summary.passed == 1 ? 0 : 1;
}

}  // namespace gradcheck::cli
