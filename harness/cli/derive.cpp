// SPDX-License-Identifier: MIT
// The `derive` verb (see derive.hpp and ../shared/spec/runner-and-reports.md): the derivative on
// stdout, alone on its line; everything else on stderr.
#include "cli/derive.hpp"

#include <fmt/format.h>

#include <iostream>
#include <regex>

#include "gradcheck/case.hpp"
#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "gradcheck/runner.hpp"
#include "symbolic/derive.hpp"

namespace gradcheck::cli {
namespace {

constexpr double kMaxSize = 100000;  // a size or a dim, as in case files

// "m=8" -> (m, 8).
std::pair<std::string, double> parse_dim(const std::string& d) {
  static const std::regex form(R"(([A-Za-z_][A-Za-z0-9_]*)=([1-9][0-9]{0,5}))");
  std::smatch m;
  if (!std::regex_match(d, m, form) || std::stod(m[2]) > kMaxSize)
    throw Error("cli.usage", fmt::format("--dim \"{}\": expected NAME=VALUE with a positive integer up to 100000, e.g. m=16", d));
  return {m[1], std::stod(m[2])};
}

// "A=4x3", "x=n,1", "P=4x4:spd": the variable of a case, its sizes numbers or dims.
VariableSpec parse_var(const std::string& v, const std::map<std::string, double>& dims) {
  static const std::regex form(R"(([A-Za-z_][A-Za-z0-9_]*)=([A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]*)[x,]([A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]*)(:([a-z]+))?)");
  std::smatch m;
  VariableSpec var;
  if (!std::regex_match(v, m, form))
    throw Error("cli.usage", fmt::format("--var \"{}\": expected NAME=ROWSxCOLS[:INIT], e.g. A=4x3 or x=n,1:positive", v));
  var.name = m[1];
  var.rows = m[2];
  var.cols = m[3];
  for (const std::string& s : {var.rows, var.cols}) {
    if (std::isdigit(static_cast<unsigned char>(s[0]))) {
      if (s.size() > 6 || std::stod(s) > kMaxSize)
        throw Error("cli.usage", fmt::format("--var \"{}\": sizes are at most 100000, got {}", v, s));
    } else if (!dims.count(s)) {
      throw Error("cli.usage", fmt::format("--var \"{}\": \"{}\" is neither a size nor a --dim", v, s));
    }
  }
  if (m[5].matched && !parse_init(m[5], &var.init))
    throw Error("cli.usage", fmt::format("--var \"{}\": unknown init \"{}\"", v, m[5].str()));
  var.location = {"<command line: --var " + v + ">", 0, 0};
  return var;
}

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
  d->add_option("--form", a.form, "auto or vec (index is not derived)")
      ->check(CLI::IsMember({"auto", "vec", "index"}))
      ->capture_default_str();
  d->add_option("--order", a.order, "form vec: column-major or row-major")->check(CLI::IsMember({"column-major", "row-major"}));
  d->add_option("--indices", a.indices, "form index: not derived symbolically");
  d->add_flag("--check", a.check, "Also verify the result numerically (exit 1 when it does not pass)");
  d->add_option("--seed", a.seed, "Seed of the random inputs of --check")->capture_default_str();
  return d;
}

int run_derive(const DeriveArgs& a) {
  CaseSpec spec;
  spec.name = "derive";
  spec.expression = a.expr;
  spec.expression_location = {"<command line: --expr>", 0, 0};
  spec.seed = a.seed;
  std::map<std::string, double> dims;
  for (const std::string& d : a.dims) {
    auto [name, value] = parse_dim(d);
    if (dims.count(name)) throw Error("cli.usage", fmt::format("--dim \"{}\": \"{}\" is already a --dim", d, name));
    dims[name] = value;
    spec.dims.push_back({name, {value}});
  }
  Symbols symbols;
  for (const std::string& v : a.vars) {
    VariableSpec var = parse_var(v, dims);
    if (std::any_of(spec.variables.begin(), spec.variables.end(), [&](const VariableSpec& o) { return o.name == var.name; }))
      throw Error("cli.usage", fmt::format("--var \"{}\": \"{}\" is already a --var", v, var.name));
    if (dims.count(var.name)) throw Error("cli.usage", fmt::format("--var \"{}\": \"{}\" is already a --dim", v, var.name));
    symbols.add_variable(var.name, Shape{size_of(var.rows, dims), size_of(var.cols, dims)});
    spec.variables.push_back(var);
  }
  for (const auto& [name, value] : dims) symbols.add_dim(name, value);
  symbolic::DeriveRequest request;
  request.expression = a.expr;
  request.wrt = a.wrt;
  for (const std::string& s : a.structures) {
    const auto eq = s.find('=');
    const std::string name = s.substr(0, eq);
    auto it = std::find_if(spec.variables.begin(), spec.variables.end(), [&](const VariableSpec& v) { return v.name == name; });
    if (eq == std::string::npos || s.substr(eq + 1) != "symmetric" || it == spec.variables.end())
      throw Error("cli.usage", fmt::format("--structure \"{}\": expected NAME=symmetric for a --var NAME", s));
    it->structure = Structure::kSymmetric;
    if (it->init == Init::kNormal) it->init = Init::kSymmetric;
    if (name == a.wrt) request.structure = Structure::kSymmetric;
  }
  if (std::none_of(spec.variables.begin(), spec.variables.end(), [&](const VariableSpec& v) { return v.name == a.wrt; }))
    throw Error("cli.usage", fmt::format("--wrt \"{}\" is not one of the --var variables", a.wrt));
  parse(a.layout, &request.form.layout);
  parse(a.form, &request.form.form);
  parse(a.order, &request.form.order);

  symbolic::Derivative d;
  try {
    d = symbolic::derive(request, symbols);
  } catch (const ExprError& e) {
    std::cerr << "gradcheck: error [" << e.id() << "] --expr, column " << e.column() << ": " << e.detail() << "\n"
              << e.excerpt() << "\n";
    return 2;
  }
  std::cout << d.text << "\n" << std::flush;
  if (!a.check) return 0;

  CheckSpec c;
  c.wrt = a.wrt;
  c.expected = d.text;
  c.form = request.form;
  c.expected_location = {"<derived>", 0, 0};
  spec.checks.push_back(c);
  LoadedFile file;
  file.path = "<command line>";
  file.cases.push_back(spec);
  const RunResult run = run_loaded({file}, RunOptions{});
  report::TextOptions text;
  text.color = false;
  std::cerr << report::text(run, text);
  return run.summary.passed == 1 ? 0 : 1;
}

}  // namespace gradcheck::cli
