// SPDX-License-Identifier: MIT
// Case files -> CaseSpec: JSON parsing (nlohmann), validation of every field, positions.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cases/json_locator.hpp"
#include "cases/discover.hpp"
#include "cases/init.hpp"
#include "common/diagnosis_codes.hpp"
#include "common/json_error.hpp"
#include "common/suggest.hpp"
#include "program/function_name.hpp"
#include "gradcheck/case.hpp"
#include "gradcheck/error.hpp"

namespace gradcheck {

// ordered_json keeps the file's order of dims and variables (slots, instance names, seeds follow it).
using json = nlohmann::ordered_json;

namespace {

const std::vector<std::string> kCaseFields = {"name", "description", "source", "tags", "dims", "variables",
                                              "expression", "checks", "tolerance", "fd", "trials", "seed",
                                              "expect", "diagnosis", "reference", "precision", "mode", "program",
                                              "comment", "$schema"};
const std::vector<std::string> kDefaultsFields = {"dims",      "tolerance", "fd",   "trials",  "seed",
                                                  "reference", "precision", "mode", "program", "comment"};
const std::vector<std::string> kSuiteFields = {"defaults", "cases", "description", "comment", "$schema"};
const std::vector<std::string> kVariableFields = {"shape", "init", "range", "value", "structure", "comment"};
const std::vector<std::string> kCheckFields = {"wrt",       "layout",    "form",      "order", "expected",
                                               "indices",   "summation", "tolerance", "reference", "precision",
                                               "mode",      "comment",   "derivative_order", "direction"};

// A JSON pointer as a field path: "/checks/0/layout" -> "checks[0].layout".
std::string field_of_pointer(const std::string& pointer) {
  std::string field;
  std::size_t at = 0;
  while (at < pointer.size()) {
    const std::size_t next = std::min(pointer.find('/', at + 1), pointer.size());
    std::string part = pointer.substr(at + 1, next - at - 1);
    for (std::size_t k; (k = part.find("~1")) != std::string::npos;) part.replace(k, 2, "/");
    for (std::size_t k; (k = part.find("~0")) != std::string::npos;) part.replace(k, 2, "~");
    const bool index = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    field += index ? "[" + part + "]" : (field.empty() ? "" : ".") + part;
    at = next;
  }
  return field;
}

bool is_identifier(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// "3", "16": digits only, a size someone put in quotes.
bool is_size_text(const std::string& s) {
  return !s.empty() && s.size() <= 6 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "a number";
  }
}

// A value quoted in a message, cut after 37 bytes (at a character boundary) when it is longer
// than 40, saying how long it was: a 5 MiB string is not echoed whole.
std::string cut(const std::string& s) {
  if (s.size() <= 40) return s;
  std::size_t n = 37;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
  return fmt::format("{}... ({} bytes in all)", s.substr(0, n), s.size());
}

std::string show(const json& v) { return cut(v.dump(-1, ' ', false, json::error_handler_t::replace)); }

// Reads the fields of one case (or of defaults), collecting every problem with its position.
class Reader {
 public:
  Reader(const std::string& path, const JsonLocator& locator, std::string case_name, std::string base)
      : path_(path), locator_(locator), case_name_(std::move(case_name)), base_(std::move(base)) {}

  std::vector<Error> problems;

  Location where(const std::string& pointer) const {
    const TextPosition p = locator_.value(base_ + pointer);
    return {path_, p.line, p.column};
  }
  // The position of a string field, with the raw column of each decoded byte when it has escapes.
  Location string_where(const std::string& pointer) const {
    Location at = where(pointer);
    at.string_columns = locator_.string_columns(base_ + pointer);
    return at;
  }
  Location key_where(const std::string& pointer) const {
    const TextPosition p = locator_.key(base_ + pointer);
    return {path_, p.line, p.column};
  }

  // field: "checks[0].layout"; pointer: "/checks/0/layout".
  void error(const std::string& id, const std::string& pointer, const std::string& field, const std::string& what,
             bool at_key = false) {
    const Location at = at_key ? key_where(pointer) : where(pointer);
    problems.push_back(Error(id, what, {at.file, at.line, at.column, case_name_, field}));
  }

  void unknown_fields(const json& object, const std::vector<std::string>& known, const std::string& pointer,
                      const std::string& field_prefix) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (std::find(known.begin(), known.end(), it.key()) != known.end()) continue;
      const std::string hint = suggest(it.key(), known);
      error("case.unknown-field", pointer + "/" + pointer_escape(it.key()), field_prefix + it.key(),
            fmt::format("unknown field{}; known fields: {}", hint.empty() ? "" : " (did you mean \"" + hint + "\"?)",
                        join(known)),
            true);
    }
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
      if (x != "comment" && x != "$schema") s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  bool expect_type(const json& v, bool ok, const std::string& pointer, const std::string& field,
                   const std::string& wanted) {
    if (!ok) error("case.field", pointer, field, fmt::format("expected {}, got {} {}", wanted, type_name(v), show(v)));
    return ok;
  }

  std::optional<std::string> string(const json& obj, const std::string& key, const std::string& pointer,
                                    const std::string& field, bool required) {
    if (!obj.contains(key)) {
      if (required) error("case.missing-field", pointer, field, "required field is missing");
      return std::nullopt;
    }
    const json& v = obj.at(key);
    if (!expect_type(v, v.is_string(), pointer + "/" + key, field, "a string")) return std::nullopt;
    return v.get<std::string>();
  }

  // One of a fixed set of words.
  std::optional<std::string> choice(const json& obj, const std::string& key, const std::string& pointer,
                                    const std::string& field, const std::vector<std::string>& allowed) {
    auto s = string(obj, key, pointer, field, false);
    if (!s) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), *s) == allowed.end()) {
      const std::string hint = suggest(*s, allowed);
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a + "\"";
      error("case.field", pointer + "/" + key, field,
            fmt::format("expected one of {}, got \"{}\"{}", list, cut(*s), hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
      return std::nullopt;
    }
    return s;
  }

  void tolerance(const json& v, const std::string& pointer, const std::string& field, Tolerance* out) {
    if (!expect_type(v, v.is_object(), pointer, field, "an object {\"rtol\": r, \"atol\": a}")) return;
    unknown_fields(v, {"rtol", "atol", "comment"}, pointer, field + ".");
    for (const char* key : {"rtol", "atol"}) {
      if (!v.contains(key)) continue;
      const json& x = v.at(key);
      const std::string f = field + "." + key;
      if (!expect_type(x, x.is_number(), pointer + "/" + key, f, "a number")) continue;
      const double d = x.get<double>();
      if (!(d >= 0) || d >= 1) {
        error("case.field", pointer + "/" + key, f, fmt::format("expected a number in [0, 1), got {}", show(x)));
        continue;
      }
      (std::string(key) == "rtol" ? out->rtol : out->atol) = d;
    }
    std::string why;
    if (!out->is_valid(&why)) error("case.field", pointer, field, why);
  }

  // "reference", "precision" and "mode" of a defaults object, a case or a check; a value set in
  // an inner object wins (the caller passes the outer values in *out).
  void numerics(const json& obj, const std::string& pointer, const std::string& prefix, Numerics* out) {
    if (auto s = choice(obj, "reference", pointer, prefix + "reference", names<ReferenceMethod>())) {
      parse(*s, &out->reference);
    }
    if (auto s = choice(obj, "precision", pointer, prefix + "precision", names<Precision>())) parse(*s, &out->precision);
    if (auto s = choice(obj, "mode", pointer, prefix + "mode", names<Mode>())) {
      Mode mode = Mode::kEntrywise;
      parse(*s, &mode);
      out->mode = mode;
    }
  }

  void fd(const json& v, const std::string& pointer, const std::string& field, FdOptions* out) {
    if (!expect_type(v, v.is_object(), pointer, field, "an object {\"method\": ..., \"step\": ...}")) return;
    unknown_fields(v, {"method", "step", "comment"}, pointer, field + ".");
    if (auto m = choice(v, "method", pointer, field + ".method", names<FdMethod>()))
      parse(*m, &out->method);
    if (v.contains("step")) {
      const json& s = v.at("step");
      if (s.is_string() && s.get<std::string>() == "auto") {
        out->step = 0;
      } else if (s.is_number() && s.get<double>() > 0 && s.get<double>() < 1) {
        out->step = s.get<double>();
      } else {
        error("case.field", pointer + "/step", field + ".step",
              fmt::format("expected \"auto\" or a number in (0, 1), got {}", show(s)));
      }
    }
  }

  void trials(const json& v, const std::string& pointer, int* out, const std::string& field = "trials") {
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 1000) {
      error("case.field", pointer, field, fmt::format("expected an integer from 1 to 1000, got {}", show(v)));
      return;
    }
    *out = static_cast<int>(v.get<long long>());
  }

  void seed(const json& v, const std::string& pointer, std::optional<std::uint64_t>* out,
            const std::string& field = "seed") {
    if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<long long>() < 0)) {
      error("case.field", pointer, field, fmt::format("expected a non-negative integer, got {}", show(v)));
      return;
    }
    *out = v.get<std::uint64_t>();
  }

  void dims(const json& v, const std::string& pointer, std::vector<std::pair<std::string, std::vector<double>>>* out) {
    if (!expect_type(v, v.is_object(), pointer, "dims", "an object of named sizes {\"n\": 5}")) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string p = pointer + "/" + pointer_escape(it.key());
      const std::string f = "dims." + it.key();
      if (!is_identifier(it.key())) {
        error("case.field", p, f, "a dim name must be an identifier (letters, digits, _)", true);
        continue;
      }
      std::vector<double> values;
      auto take = [&](const json& x, const std::string& px) {
        if (!x.is_number_integer() || x.get<long long>() < 1 || x.get<long long>() > 100000) {
          error("case.field", px, f, fmt::format("expected a positive integer size (or a list of them), got {}", show(x)));
          return false;
        }
        values.push_back(static_cast<double>(x.get<long long>()));
        return true;
      };
      bool ok = true;
      if (it->is_array()) {
        if (it->empty()) {
          error("case.field", p, f, "an empty list of sizes runs nothing; give at least one");
          ok = false;
        }
        for (std::size_t i = 0; i < it->size(); ++i) ok = take(it->at(i), p + "/" + std::to_string(i)) && ok;
      } else {
        ok = take(*it, p);
      }
      if (!ok) continue;
      auto existing = std::find_if(out->begin(), out->end(), [&](const auto& d) { return d.first == it.key(); });
      if (existing != out->end()) existing->second = values;  // a case's own value wins over defaults
      else out->emplace_back(it.key(), values);
    }
  }

 private:
  const std::string& path_;
  const JsonLocator& locator_;
  std::string case_name_;
  std::string base_;
};

// Parses "value": rows of numbers; a flat list for a vector; a number for a scalar.
std::optional<arma::mat> read_value(const json& v, Reader& r, const std::string& pointer, const std::string& field) {
  auto number = [&](const json& x, const std::string& p) -> std::optional<double> {
    if (x.is_number()) return x.get<double>();
    r.error("case.field", p, field, fmt::format("expected a number, got {} {}", type_name(x), show(x)));
    return std::nullopt;
  };
  if (v.is_number()) return arma::mat(1, 1, arma::fill::value(v.get<double>()));
  if (!v.is_array() || v.empty()) {
    r.error("case.field", pointer, field, fmt::format("expected rows of numbers [[1, 2], [3, 4]], got {}", show(v)));
    return std::nullopt;
  }
  if (!v.at(0).is_array()) {  // a flat list: a column vector
    arma::mat m(v.size(), 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto d = number(v.at(i), pointer + "/" + std::to_string(i));
      if (!d) return std::nullopt;
      m(i, 0) = *d;
    }
    return m;
  }
  const std::size_t cols = v.at(0).size();
  arma::mat m(v.size(), cols);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const json& row = v.at(i);
    const std::string p = pointer + "/" + std::to_string(i);
    if (!row.is_array() || row.size() != cols) {
      r.error("case.field", p, field, fmt::format("row {} has {} entries, row 0 has {}: every row needs the same count", i,
                                                  row.is_array() ? row.size() : 1, cols));
      return std::nullopt;
    }
    for (std::size_t j = 0; j < cols; ++j) {
      auto d = number(row.at(j), p + "/" + std::to_string(j));
      if (!d) return std::nullopt;
      m(i, j) = *d;
    }
  }
  return m;
}

// Parses "program": {"command": [argv...], "timeout_s": T}; the program runs in the case file's
// folder (docs/programs.md).
std::optional<ProgramSpec> read_program(const json& v, Reader& r, const std::string& pointer, const std::string& field,
                                        const std::string& path) {
  if (!r.expect_type(v, v.is_object(), pointer, field, "an object {\"command\": [\"python3\", \"f.py\"], \"timeout_s\": 30}"))
    return std::nullopt;
  r.unknown_fields(v, {"command", "timeout_s", "comment"}, pointer, field + ".");
  ProgramSpec out;
  out.location = r.where(pointer);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  out.folder = parent.empty() ? "." : parent.string();
  bool ok = true;
  if (!v.contains("command")) {
    r.error("case.missing-field", pointer, field + ".command", "required field is missing (the program's argv, a list of strings)");
    ok = false;
  } else {
    const json& c = v.at("command");
    ok = r.expect_type(c, c.is_array() && !c.empty() && std::all_of(c.begin(), c.end(), [](const json& a) {
                         return a.is_string();
                       }) && !c.at(0).get<std::string>().empty(),
                       pointer + "/command", field + ".command",
                       "a non-empty list of strings, the program and its arguments (no shell)");
    if (ok)
      for (const json& a : c) out.command.push_back(a.get<std::string>());
  }
  if (v.contains("timeout_s")) {
    const json& t = v.at("timeout_s");
    if (!t.is_number() || !(t.get<double>() > 0) || t.get<double>() > 86400) {
      r.error("case.field", pointer + "/timeout_s", field + ".timeout_s",
              fmt::format("expected seconds, a number in (0, 86400], got {}", show(t)));
      ok = false;
    } else {
      out.timeout_s = t.get<double>();
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// "program:NAME" in `expression` or an `expected` needs a "program" (of the case or its defaults)
// and a NAME; whether the program serves NAME is asked of it when the case runs.
void program_fields(const json& c, const CaseSpec& spec, Reader& r) {
  const bool has_program = spec.program || c.contains("program");
  auto check = [&](const std::string& text, const std::string& pointer, const std::string& field) {
    const auto name = program::function_name(text);
    if (!name) return;
    if (name->empty())
      r.error("case.field", pointer, field, "\"program:\" needs the name of one of the program's functions after it");
    else if (!has_program)
      r.error("case.field", pointer, field,
              fmt::format("\"{}\" names a function of a program, but the case has no \"program\": add \"program\": "
                          "{{\"command\": [\"python3\", \"your_program.py\"]}}",
                          text));
  };
  if (c.contains("expression") && c.at("expression").is_string())
    check(c.at("expression").get<std::string>(), "/expression", "expression");
  if (!c.contains("checks") || !c.at("checks").is_array()) return;
  const json& checks = c.at("checks");
  for (std::size_t i = 0; i < checks.size(); ++i)
    if (checks[i].is_object() && checks[i].contains("expected") && checks[i].at("expected").is_string())
      check(checks[i].at("expected").get<std::string>(), "/checks/" + std::to_string(i) + "/expected",
            fmt::format("checks[{}].expected", i));
}

// Applies the suite's defaults and reads one case. Problems go to `problems`; the case is kept
// only when it has none.
std::optional<CaseSpec> read_case(const json& c, const json* defaults, const std::string& path,
                                  const JsonLocator& locator, const std::string& base, const std::string& fallback_name,
                                  std::vector<Error>& problems) {
  std::string name = fallback_name;
  if (c.is_object() && c.contains("name") && c.at("name").is_string()) name = c.at("name").get<std::string>();
  Reader r(path, locator, name, base);
  CaseSpec spec;
  spec.name = name;
  spec.location = r.where("");
  if (!c.is_object()) {
    r.error("case.field", "", "(case)", fmt::format("expected a case object, got {}", type_name(c)));
    problems.insert(problems.end(), r.problems.begin(), r.problems.end());
    return std::nullopt;
  }
  r.unknown_fields(c, kCaseFields, "", "");

  // Defaults first, so that the case's own values win.
  if (defaults) {
    Reader d(path, locator, name, "/defaults");
    if (defaults->contains("dims")) d.dims(defaults->at("dims"), "/dims", &spec.dims);
    if (defaults->contains("tolerance")) d.tolerance(defaults->at("tolerance"), "/tolerance", "defaults.tolerance", &spec.tolerance);
    if (defaults->contains("fd")) d.fd(defaults->at("fd"), "/fd", "defaults.fd", &spec.fd);
    if (defaults->contains("trials")) d.trials(defaults->at("trials"), "/trials", &spec.trials);
    if (defaults->contains("seed")) d.seed(defaults->at("seed"), "/seed", &spec.seed);
    if (defaults->contains("tolerance")) spec.numerics.tolerance_stated = true;
    d.numerics(*defaults, "", "defaults.", &spec.numerics);
    if (defaults->contains("program")) spec.program = read_program(defaults->at("program"), d, "/program", "defaults.program", path);
    // Problems of defaults are reported once for the file, not per case (see load_case_text).
  }

  if (auto s = r.string(c, "name", "", "name", true)) {
    if (s->empty()) r.error("case.field", "/name", "name", "must not be empty");
  }
  if (auto s = r.string(c, "description", "", "description", false)) spec.description = *s;
  if (auto s = r.string(c, "source", "", "source", false)) spec.source = *s;
  if (c.contains("tags")) {
    const json& t = c.at("tags");
    if (r.expect_type(t, t.is_array() && std::all_of(t.begin(), t.end(), [](const json& x) { return x.is_string(); }),
                      "/tags", "tags", "a list of strings"))
      for (const json& x : t) spec.tags.push_back(x.get<std::string>());
  }
  if (c.contains("dims")) r.dims(c.at("dims"), "/dims", &spec.dims);
  if (c.contains("tolerance")) r.tolerance(c.at("tolerance"), "/tolerance", "tolerance", &spec.tolerance);
  if (c.contains("fd")) r.fd(c.at("fd"), "/fd", "fd", &spec.fd);
  if (c.contains("trials")) r.trials(c.at("trials"), "/trials", &spec.trials);
  if (c.contains("seed")) r.seed(c.at("seed"), "/seed", &spec.seed);
  if (c.contains("tolerance")) spec.numerics.tolerance_stated = true;
  r.numerics(c, "", "", &spec.numerics);
  if (c.contains("program")) spec.program = read_program(c.at("program"), r, "/program", "program", path);
  if (auto s = r.choice(c, "expect", "", "expect", {"pass", "fail"})) spec.expect = *s;
  if (auto s = r.string(c, "diagnosis", "", "diagnosis", false)) {
    const std::vector<std::string>& codes = diagnosis_codes();
    if (std::find(codes.begin(), codes.end(), *s) == codes.end()) {
      const std::string hint = suggest(*s, codes);
      r.error("case.field", "/diagnosis", "diagnosis",
              fmt::format("unknown diagnosis code \"{}\"{}", cut(*s), hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
    } else if (spec.expect != "fail") {
      r.error("case.field", "/diagnosis", "diagnosis", "a diagnosis is only checked with \"expect\": \"fail\"");
    } else {
      spec.diagnosis = *s;
    }
  }
  // Every combination of the lists is a full run of the case: a few lists of many sizes would
  // run for days (and their product can pass size_t).
  constexpr std::size_t kMaxCombinations = 1000;
  std::size_t combinations = 1;
  for (const auto& d : spec.dims) combinations = std::min(combinations * d.second.size(), kMaxCombinations + 1);
  if (combinations > kMaxCombinations)
    r.error("case.size", c.contains("dims") ? "/dims" : "", "dims",
            fmt::format("the lists of dims make more than {} combinations (each one a full run of the case): give "
                        "fewer sizes",
                        kMaxCombinations));
  std::set<std::string> dim_names;
  for (const auto& d : spec.dims) dim_names.insert(d.first);

  // variables
  if (!c.contains("variables")) {
    r.error("case.missing-field", "", "variables", "required field is missing");
  } else if (r.expect_type(c.at("variables"), c.at("variables").is_object() && !c.at("variables").empty(), "/variables",
                           "variables", "a non-empty object name -> {\"shape\": [rows, cols]}")) {
    const json& vars = c.at("variables");
    for (auto it = vars.begin(); it != vars.end(); ++it) {
      const std::string p = "/variables/" + pointer_escape(it.key());
      const std::string f = "variables." + it.key();
      VariableSpec v;
      v.name = it.key();
      v.location = r.where(p);
      if (!is_identifier(v.name)) {
        r.error("case.field", p, f, "a variable name must be an identifier (letters, digits, _)", true);
        continue;
      }
      if (dim_names.count(v.name)) {
        r.error("case.field", p, f, fmt::format("\"{}\" is both a dim and a variable", v.name), true);
        continue;
      }
      if (!r.expect_type(*it, it->is_object(), p, f, "an object {\"shape\": [rows, cols], ...}")) continue;
      r.unknown_fields(*it, kVariableFields, p, f + ".");
      if (!it->contains("shape")) {
        r.error("case.missing-field", p, f + ".shape", "required field is missing ([rows, cols]; [n, 1] for a vector)");
      } else {
        const json& s = it->at("shape");
        if (r.expect_type(s, s.is_array() && s.size() == 2, p + "/shape", f + ".shape",
                          "a list [rows, cols] of sizes or dims names")) {
          for (int k = 0; k < 2; ++k) {
            const json& e = s.at(k);
            const std::string pk = p + "/shape/" + std::to_string(k);
            std::string& out = k == 0 ? v.rows : v.cols;
            if (e.is_number_integer() && e.get<long long>() >= 1 && e.get<long long>() <= 100000) {
              out = std::to_string(e.get<long long>());
            } else if (e.is_string() && dim_names.count(e.get<std::string>())) {
              out = e.get<std::string>();
            } else if (e.is_string() && !is_identifier(e.get<std::string>())) {
              // "3" is a size in quotes, not a name: no dim could be called that.
              r.error("case.field", pk, f + ".shape",
                      fmt::format("expected a positive integer or a dims name, got the string {}{}", show(e),
                                  is_size_text(e.get<std::string>())
                                      ? fmt::format(": write a size as a number, {}, without quotes", e.get<std::string>())
                                      : ""));
            } else if (e.is_string()) {
              std::vector<std::string> names(dim_names.begin(), dim_names.end());
              const std::string hint = suggest(e.get<std::string>(), names);
              r.error("case.field", pk, f + ".shape",
                      fmt::format("\"{}\" is not a dim of this case{}", cut(e.get<std::string>()),
                                  hint.empty() ? fmt::format("{}: add it to \"dims\", e.g. \"dims\": {{\"{}\": 4}}",
                                                               names.empty() ? " (it has no dims)" : "",
                                                               cut(e.get<std::string>()))
                                                 : "; did you mean \"" + hint + "\"?"));
            } else {
              r.error("case.field", pk, f + ".shape", fmt::format("expected a positive integer or a dims name, got {}", show(e)));
            }
          }
        }
      }
      if (auto s = r.choice(*it, "init", p, f + ".init", init_names()))
        parse_init(*s, &v.init);
      if (it->contains("range")) {
        const json& rg = it->at("range");
        if (r.expect_type(rg, rg.is_array() && rg.size() == 2 && rg.at(0).is_number() && rg.at(1).is_number(),
                          p + "/range", f + ".range", "[lo, hi]")) {
          v.range_lo = rg.at(0).get<double>();
          v.range_hi = rg.at(1).get<double>();
          if (!(v.range_lo < v.range_hi)) r.error("case.field", p + "/range", f + ".range", "expected lo < hi");
          if (v.init != Init::kUniform) r.error("case.field", p + "/range", f + ".range", "range applies to \"init\": \"uniform\" only");
        }
      }
      if (it->contains("value")) v.value = read_value(it->at("value"), r, p + "/value", f + ".value");
      if (auto s = r.choice(*it, "structure", p, f + ".structure", {"none", "symmetric"}))
        v.structure = *s == "symmetric" ? Structure::kSymmetric : Structure::kNone;
      spec.variables.push_back(std::move(v));
    }
  }

  if (auto s = r.string(c, "expression", "", "expression", true)) {
    spec.expression = *s;
    spec.expression_location = r.string_where("/expression");
  }

  if (!c.contains("checks")) {
    r.error("case.missing-field", "", "checks", "required field is missing");
  } else if (r.expect_type(c.at("checks"), c.at("checks").is_array() && !c.at("checks").empty(), "/checks", "checks",
                           "a non-empty list of checks")) {
    const json& checks = c.at("checks");
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const json& k = checks.at(i);
      const std::string p = "/checks/" + std::to_string(i);
      const std::string f = "checks[" + std::to_string(i) + "]";
      if (!r.expect_type(k, k.is_object(), p, f, "a check object {\"wrt\", \"layout\", \"expected\"}")) continue;
      r.unknown_fields(k, kCheckFields, p, f + ".");
      CheckSpec check;
      check.numerics = spec.numerics;
      check.location = r.where(p);
      auto known_variable = [&](const std::string& name, const std::string& pointer, const std::string& field) {
        const bool known = std::any_of(spec.variables.begin(), spec.variables.end(),
                                       [&](const VariableSpec& v) { return v.name == name; });
        // A name declared under "variables" but rejected there has its error already: no follow-on.
        const bool listed = c.contains("variables") && c.at("variables").is_object();
        if (!known && listed && !c.at("variables").contains(name)) {
          std::vector<std::string> names;
          for (const auto& v : spec.variables) names.push_back(v.name);
          const std::string hint = suggest(name, names);
          r.error("case.field", pointer, field,
                  fmt::format("\"{}\" is not a variable of this case{}", cut(name), hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
        }
      };
      // Second order (case-format.md, "Second order"): derivative_order 2; wrt one name or two.
      if (k.contains("derivative_order")) {
        const json& o = k.at("derivative_order");
        if (o.is_number_integer() && (o.get<long long>() == 1 || o.get<long long>() == 2))
          check.derivative_order = static_cast<int>(o.get<long long>());
        else
          r.error("case.field", p + "/derivative_order", f + ".derivative_order",
                  fmt::format("expected 1 (a gradient or Jacobian) or 2 (a Hessian), got {}", show(o)));
      }
      if (k.contains("wrt") && k.at("wrt").is_array()) {
        const json& w = k.at("wrt");
        if (check.derivative_order != 2 || w.size() != 2 || !w.at(0).is_string() || !w.at(1).is_string()) {
          r.error("case.field", p + "/wrt", f + ".wrt",
                  check.derivative_order != 2
                      ? "a list of two names is the mixed block of a Hessian: it needs \"derivative_order\": 2"
                      : fmt::format("expected one name or a list of two names [\"x\", \"y\"], got {}", show(w)));
        } else {
          check.wrt = w.at(0).get<std::string>();
          check.wrt2 = w.at(1).get<std::string>();
          known_variable(check.wrt, p + "/wrt/0", f + ".wrt[0]");
          known_variable(check.wrt2, p + "/wrt/1", f + ".wrt[1]");
        }
      } else if (auto s = r.string(k, "wrt", p, f + ".wrt", true)) {
        check.wrt = *s;
        check.wrt2 = *s;
        known_variable(*s, p + "/wrt", f + ".wrt");
      }
      if (auto s = r.choice(k, "layout", p, f + ".layout", names<Layout>())) parse(*s, &check.form.layout);
      if (auto s = r.choice(k, "form", p, f + ".form", names<Form>())) parse(*s, &check.form.form);
      if (auto s = r.choice(k, "order", p, f + ".order", names<VecOrder>())) parse(*s, &check.form.order);
      r.numerics(k, p, f + ".", &check.numerics);
      if (auto s = r.choice(k, "summation", p, f + ".summation", {"einstein", "explicit"}))
        check.explicit_summation = *s == "explicit";
      if (auto s = r.string(k, "indices", p, f + ".indices", check.form.form == Form::kIndex)) {
        check.indices = *s;
        check.indices_location = r.string_where(p + "/indices");
        if (check.form.form != Form::kIndex)
          r.error("case.field", p + "/indices", f + ".indices", "indices apply to \"form\": \"index\" only");
      }
      if (k.contains("order") && check.form.form != Form::kVec && !(check.derivative_order == 2 && check.form.form == Form::kAuto))
        r.error("case.field", p + "/order", f + ".order", "order applies to \"form\": \"vec\" only");
      if (check.derivative_order == 2 && k.contains("layout"))
        r.error("case.field", p + "/layout", f + ".layout",
                "layout does not apply to derivative_order 2: the Hessian block is E[a,b] = d2f / d vec(x)[a] d "
                "vec(y)[b], numel(x) x numel(y)");
      if (check.form.form == Form::kHvp && check.derivative_order != 2)
        r.error("case.field", p + "/form", f + ".form", "form \"hvp\" is a Hessian-vector product: it needs "
                                                        "\"derivative_order\": 2");
      if (check.form.form == Form::kHvp && check.wrt != check.wrt2)
        r.error("case.field", p + "/wrt", f + ".wrt", "form \"hvp\" takes one name in wrt (H V of the pure Hessian)");
      if (auto s = r.string(k, "direction", p, f + ".direction", check.form.form == Form::kHvp)) {
        check.direction = *s;
        if (check.form.form != Form::kHvp)
          r.error("case.field", p + "/direction", f + ".direction", "direction applies to \"form\": \"hvp\" only");
        else
          known_variable(*s, p + "/direction", f + ".direction");
      }
      if (auto s = r.string(k, "expected", p, f + ".expected", true)) {
        check.expected = *s;
        check.expected_location = r.string_where(p + "/expected");
      }
      if (k.contains("tolerance")) {
        Tolerance t = spec.tolerance;
        r.tolerance(k.at("tolerance"), p + "/tolerance", f + ".tolerance", &t);
        check.tolerance = t;
        check.numerics.tolerance_stated = true;
      }
      spec.checks.push_back(std::move(check));
    }
  }
  program_fields(c, spec, r);
  for (const std::string& dup : locator.duplicates()) {
    if (dup.rfind(base + "/", 0) == 0)
      r.error("case.duplicate-key", dup.substr(base.size()), field_of_pointer(dup.substr(base.size())),
              "this key appears twice in one object; only the last would count", true);
  }
  if (!r.problems.empty()) {
    problems.insert(problems.end(), r.problems.begin(), r.problems.end());
    return std::nullopt;
  }
  return spec;
}

// The offset of the first '[' or '{' nested deeper than `limit` (outside strings), or npos.
std::size_t too_deep(const std::string& text, std::size_t limit) {
  std::size_t depth = 0;
  return find_outside_strings(text, [&](std::size_t i) {
    const char c = text[i];
    if (c == '[' || c == '{') return ++depth > limit;
    if ((c == ']' || c == '}') && depth > 0) --depth;
    return false;
  });
}

}  // namespace

LoadedFile load_case_text(const std::string& text, const std::string& path) {
  LoadedFile out;
  out.path = path;
  // The locator (and json::dump in messages) recurse once per level: refuse deep nesting first.
  // A case file needs a handful of levels; 64 leaves ample room.
  constexpr std::size_t kMaxNesting = 64;
  if (const std::size_t at = too_deep(text, kMaxNesting); at != std::string::npos) {
    const TextPosition p = position_of(text, at);
    out.errors.push_back(Error("case.json",
                               fmt::format("nested more than {} levels deep: a case file needs only a few levels",
                                           kMaxNesting),
                               {path, p.line, p.column, "", ""}));
    return out;
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    const JsonFailure failure = json_failure(text, e);
    out.errors.push_back(Error("case.json", "not valid JSON: " + failure.reason, {path, failure.at.line, failure.at.column, "", ""}));
    return out;
  }
  const JsonLocator locator(text);
  auto file_error = [&](const std::string& pointer, const std::string& what) {
    const TextPosition p = locator.value(pointer);
    out.errors.push_back(Error("case.field", what, {path, p.line, p.column, "", ""}));
  };
  if (!doc.is_object()) {
    file_error("", fmt::format("a case file holds a case object or a suite {{\"defaults\", \"cases\"}}, got {}", type_name(doc)));
    return out;
  }
  if (doc.contains("cases")) {
    Reader suite(path, locator, "", "");
    suite.unknown_fields(doc, kSuiteFields, "", "");
    const json* defaults = nullptr;
    if (doc.contains("defaults")) {
      const json& d = doc.at("defaults");
      if (suite.expect_type(d, d.is_object(), "/defaults", "defaults", "an object")) {
        defaults = &d;
        suite.unknown_fields(d, kDefaultsFields, "/defaults", "defaults.");
        // Validate defaults once, so that their problems are reported once.
        Reader dr(path, locator, "", "/defaults");
        CaseSpec scratch;
        if (d.contains("dims")) dr.dims(d.at("dims"), "/dims", &scratch.dims);
        if (d.contains("tolerance")) dr.tolerance(d.at("tolerance"), "/tolerance", "defaults.tolerance", &scratch.tolerance);
        if (d.contains("fd")) dr.fd(d.at("fd"), "/fd", "defaults.fd", &scratch.fd);
        if (d.contains("trials")) dr.trials(d.at("trials"), "/trials", &scratch.trials, "defaults.trials");
        if (d.contains("seed")) dr.seed(d.at("seed"), "/seed", &scratch.seed, "defaults.seed");
        if (d.contains("program")) read_program(d.at("program"), dr, "/program", "defaults.program", path);
        suite.problems.insert(suite.problems.end(), dr.problems.begin(), dr.problems.end());
      }
    }
    const json& cases = doc.at("cases");
    if (!suite.expect_type(cases, cases.is_array(), "/cases", "cases", "a list of case objects")) {
      out.errors = suite.problems;
      return out;
    }
    if (cases.empty()) suite.error("case.field", "/cases", "cases", "suite has no cases: give at least one case object");
    out.errors = suite.problems;
    const bool defaults_ok = suite.problems.empty();
    std::set<std::string> names;
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const std::string base = "/cases/" + std::to_string(i);
      auto spec = read_case(cases.at(i), defaults_ok ? defaults : nullptr, path, locator, base,
                            "cases[" + std::to_string(i) + "]", out.errors);
      if (!spec) continue;
      if (!names.insert(spec->name).second) {
        const TextPosition p = locator.value(base + "/name");
        out.errors.push_back(Error("case.duplicate-name",
                                   "another case in this file has the same name; names must be unique in a file",
                                   {path, p.line, p.column, spec->name, "name"}));
        continue;
      }
      spec->location.file = path;
      out.cases.push_back(std::move(*spec));
    }
    return out;
  }
  auto spec = read_case(doc, nullptr, path, locator, "", "(unnamed)", out.errors);
  if (spec) out.cases.push_back(std::move(*spec));
  return out;
}

LoadedFile load_case_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedFile out;
    out.path = path;
    out.errors.push_back(Error("case.io", fmt::format("cannot read the file: {}", std::strerror(errno)), {path, 0, 0, "", ""}));
    return out;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return load_case_text(buffer.str(), path);
}

// The rules are discover_case_files' (cases/discover.hpp); its first problem is thrown (cli.path:
// a path that does not exist, a folder with no case files, a symbolic-link loop, a dangling link).
std::vector<std::string> find_case_files(const std::vector<std::string>& paths) {
  FoundFiles found = discover_case_files(paths);
  if (!found.problems.empty()) throw found.problems.front();
  return found.files;
}

}  // namespace gradcheck
