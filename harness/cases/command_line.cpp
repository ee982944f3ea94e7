// SPDX-License-Identifier: MIT
#include "cases/command_line.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace gradcheck {
namespace {

const char* kFile = "<command line>";

// A JSON string literal of `s`.
std::string json_string(const std::string& s) { return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// `s` as a JSON number when it is one (so the loader applies its rules for numbers), else as a
// string (so the loader says "expected a number, got a string ...").
std::string literal(const std::string& s) {
  try {
    const nlohmann::json v = nlohmann::json::parse(s);
    if (v.is_number()) return s;
  } catch (const nlohmann::json::exception&) {
  }
  return json_string(s);
}

// "4x3", "N,3", "nx1": rows and cols, each a run of letters, digits and _. With a comma, the
// comma splits; otherwise the first 'x' with such a run on each side.
bool split_shape(const std::string& text, std::string& rows, std::string& cols) {
  auto token = [](const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  };
  const auto comma = text.find(',');
  if (comma != std::string::npos) {
    rows = text.substr(0, comma);
    cols = text.substr(comma + 1);
    return token(rows) && token(cols);
  }
  for (std::size_t x = text.find('x'); x != std::string::npos; x = text.find('x', x + 1)) {
    rows = text.substr(0, x);
    cols = text.substr(x + 1);
    if (token(rows) && token(cols)) return true;
  }
  return false;
}

// "NAME=REST" -> NAME, REST; false without '=' or with an empty side.
bool split_name(const std::string& text, std::string& name, std::string& rest) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return false;
  name = text.substr(0, eq);
  rest = text.substr(eq + 1);
  return true;
}

struct Var {
  std::string text, name, rows, cols;
  std::optional<std::string> init;
};

std::vector<Var> parse_vars(const CheckFlags& flags) {
  std::vector<Var> out;
  for (const std::string& v : flags.vars) {
    Var var{v, "", "", "", std::nullopt};
    std::string rest;
    const std::string wanted = fmt::format("--var \"{}\": expected NAME=ROWSxCOLS[:INIT], e.g. A=4x3 or x=n,1:positive", v);
    if (!split_name(v, var.name, rest)) throw Error("cli.usage", wanted);
    if (const auto colon = rest.find(':'); colon != std::string::npos) {
      var.init = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
    if (!split_shape(rest, var.rows, var.cols)) throw Error("cli.usage", wanted);
    out.push_back(std::move(var));
  }
  return out;
}

// The flag a field of the generated case came from.
std::string flag_of(const std::string& field, const std::vector<Var>& vars, const CheckFlags& flags) {
  auto starts = [&](const std::string& prefix) {
    return field == prefix || field.rfind(prefix + ".", 0) == 0 || field.rfind(prefix + "[", 0) == 0;
  };
  for (const Var& v : vars)
    if (starts("variables." + v.name)) return "--var " + v.text;
  for (const std::string& d : flags.dims) {
    std::string name, value;
    if (split_name(d, name, value) && starts("dims." + name)) return "--dim " + d;
  }
  static const std::vector<std::pair<std::string, std::string>> kFlags = {
      {"expression", "--expr"},         {"checks[0].expected", "--expected"}, {"checks[0].indices", "--indices"},
      {"checks[0].wrt", "--wrt"},       {"checks[0].layout", "--layout"},     {"checks[0].form", "--form"},
      {"checks[0].order", "--order"},   {"tolerance.rtol", "--rtol"},         {"tolerance.atol", "--atol"},
      {"tolerance", "--rtol/--atol"},   {"fd.method", "--fd"},                {"fd.step", "--step"},
      {"trials", "--trials"},           {"seed", "--seed"},                   {"expect", "--expect"},
      {"dims", "--dim"},                {"variables", "--var"}};
  for (const auto& [prefix, flag] : kFlags)
    if (starts(prefix)) return flag;
  return "";
}

std::string place_of(const std::string& flag) { return flag.empty() ? kFile : fmt::format("<command line: {}>", flag); }

// Each name once over all --dim and --var flags: a repeated name is a usage error of the command
// line itself, said once, naming both flags (the generated file would otherwise hold a duplicate
// key and every error that follows from it).
void check_names_unique(const CheckFlags& flags, const std::vector<Var>& vars) {
  std::vector<std::pair<std::string, std::string>> seen;  // name, the flag that gave it
  auto add = [&](const std::string& name, const std::string& flag) {
    for (const auto& [other, first] : seen)
      if (other == name)
        throw Error("cli.usage", fmt::format("{} and {}: \"{}\" is given twice; name each size (--dim) and each variable (--var) once",
                                             first, flag, name));
    seen.emplace_back(name, flag);
  };
  for (const std::string& d : flags.dims) {
    std::string name, value;
    if (split_name(d, name, value)) add(name, "--dim " + d);
  }
  for (const Var& v : vars) add(v.name, "--var " + v.text);
}

}  // namespace

std::string check_case_text(const CheckFlags& flags) {
  const std::vector<Var> vars = parse_vars(flags);
  check_names_unique(flags, vars);
  std::string text = "{\n  \"name\": \"check\",\n  \"dims\": {";
  for (std::size_t i = 0; i < flags.dims.size(); ++i) {
    std::string name, value;
    if (!split_name(flags.dims[i], name, value))
      throw Error("cli.usage", fmt::format("--dim \"{}\": expected NAME=VALUE, e.g. m=16", flags.dims[i]));
    text += fmt::format("{}{}: {}", i ? ", " : "", json_string(name), literal(value));
  }
  text += "},\n  \"variables\": {";
  for (std::size_t i = 0; i < vars.size(); ++i) {
    const Var& v = vars[i];
    text += fmt::format("{}{}: {{\"shape\": [{}, {}]", i ? ", " : "", json_string(v.name), literal(v.rows), literal(v.cols));
    if (v.init) text += ", \"init\": " + json_string(*v.init);
    text += "}";
  }
  text += "},\n  \"expression\": " + json_string(flags.expr) + ",\n";
  if (flags.trials) text += "  \"trials\": " + literal(*flags.trials) + ",\n";
  if (flags.seed) text += "  \"seed\": " + literal(*flags.seed) + ",\n";
  if (flags.expect) text += "  \"expect\": " + json_string(*flags.expect) + ",\n";
  if (flags.rtol || flags.atol) {
    text += "  \"tolerance\": {";
    if (flags.rtol) text += "\"rtol\": " + literal(*flags.rtol);
    if (flags.atol) text += std::string(flags.rtol ? ", " : "") + "\"atol\": " + literal(*flags.atol);
    text += "},\n";
  }
  if (flags.fd || flags.step) {
    text += "  \"fd\": {";
    if (flags.fd) text += "\"method\": " + json_string(*flags.fd);
    if (flags.step) text += std::string(flags.fd ? ", " : "") + "\"step\": " + literal(*flags.step);
    text += "},\n";
  }
  text += "  \"checks\": [{\"wrt\": " + json_string(flags.wrt) + ", \"expected\": " + json_string(flags.expected);
  const std::pair<const char*, const std::optional<std::string>*> words[] = {
      {"layout", &flags.layout}, {"form", &flags.form}, {"order", &flags.order}, {"indices", &flags.indices}};
  for (const auto& [key, value] : words)
    if (*value) text += fmt::format(", \"{}\": {}", key, json_string(**value));
  text += "}]\n}\n";
  return text;
}

LoadedFile load_check_flags(const CheckFlags& flags) {
  const std::vector<Var> vars = parse_vars(flags);
  LoadedFile file = load_case_text(check_case_text(flags), kFile);
  file.path = kFile;
  for (Error& e : file.errors) {
    const ErrorPlace& at = e.place();
    // Problems of the file as a whole (none are expected: the text is generated) keep no line.
    e = Error(e.id(), e.message(), {place_of(flag_of(at.field, vars, flags)), 0, 0, at.case_name, at.field});
  }
  for (CaseSpec& spec : file.cases) {
    spec.location = {kFile, 0, 0};
    spec.expression_location = {place_of("--expr"), 0, 0};
    for (VariableSpec& v : spec.variables) v.location = {place_of(flag_of("variables." + v.name, vars, flags)), 0, 0};
    for (CheckSpec& c : spec.checks) {
      c.location = {kFile, 0, 0};
      c.expected_location = {place_of("--expected"), 0, 0};
      c.indices_location = {place_of("--indices"), 0, 0};
    }
  }
  return file;
}

}  // namespace gradcheck
