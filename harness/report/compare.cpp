// SPDX-License-Identifier: MIT
// Regression runs: a baseline JSON report against the current run.
//
// Matching (the one rule, for files and for a run in memory): a case is the same case when its
// name and its normalised file are (case_key: `./cases/x/a.json`, `cases//x/a.json`,
// `cases/y/../x/a.json` and the absolute path of the same file under the working folder are one
// file); a case left unmatched whose name is unique in both runs is matched by name alone (a
// baseline run from `cases` and a run from `cases/x` name the files differently); within it, a check is the same check when wrt, layout and form are and it is
// the n-th check with those three in its case (so adding a check elsewhere in the case does not
// shift the others). Statuses compared are the check's outcome under its case's expectation
// (detail::outcome): an expected failure that still fails is xfail, not fail.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "common/json_error.hpp"
#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

using Json = nlohmann::json;

// ---- Reading a report back (only what the comparison needs) ----

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  RunResult read() {
    std::error_code ec;
    if (std::filesystem::is_directory(path_, ec)) fail(fmt::format("cannot read \"{}\": it is a folder", path_));
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail(fmt::format("cannot read \"{}\": {}", path_, std::strerror(errno)));
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string content = buffer.str();
    Json root;
    try {
      root = Json::parse(content);
    } catch (const Json::exception& e) {
      const JsonFailure failure = json_failure(content, e);
      fail(fmt::format("\"{}\": line {}, column {}: not valid JSON: {}", path_, failure.at.line, failure.at.column,
                       failure.reason));
    }
    if (!root.is_object() || !root.contains("schema") || root["schema"] != 1)
      fail(fmt::format("\"{}\" is not a gradcheck report: it needs \"schema\": 1 at the top", path_));
    RunResult run;
    const Json& cases = field(root, "cases", "", Json::value_t::array);
    for (std::size_t i = 0; i < cases.size(); ++i) run.cases.push_back(read_case(cases[i], fmt::format("cases[{}]", i)));
    return run;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw Error("report.read", message); }

  // obj[key] of the given type; `optional` fields that are missing give null.
  const Json& field(const Json& obj, const char* key, const std::string& where, Json::value_t type,
                    bool optional = false) const {
    static const Json kNull;
    const std::string at = where.empty() ? key : where + "." + key;
    if (!obj.contains(key)) {
      if (optional) return kNull;
      fail(fmt::format("\"{}\": {} is missing", path_, at));
    }
    const Json& value = obj[key];
    const bool number = type == Json::value_t::number_float && value.is_number();
    if (value.type() != type && !number)
      fail(fmt::format("\"{}\": {} should be {}, not {}", path_, at, Json(type).type_name(), value.type_name()));
    return value;
  }

  std::string text(const Json& obj, const char* key, const std::string& where, const char* fallback) const {
    const Json& v = field(obj, key, where, Json::value_t::string, fallback != nullptr);
    return v.is_null() ? fallback : v.get<std::string>();
  }

  Status status(const Json& obj, const std::string& where) const {
    const std::string word = text(obj, "status", where, nullptr);
    Status s;
    if (!detail::parse_status(word, &s))
      fail(fmt::format("\"{}\": {}.status is \"{}\": expected pass, fail, error, xfail or xpass", path_, where, word));
    return s;
  }

  // A figure written by json(): a number, or null with a "<key>_nonfinite" sibling.
  double figure(const Json& obj, const char* key, const std::string& where) const {
    const std::string at = where + "." + key;
    if (!obj.contains(key) || obj[key].is_null()) {
      const std::string sibling = std::string(key) + "_nonfinite";
      const std::string word = obj.contains(sibling) && obj[sibling].is_string() ? obj[sibling].get<std::string>() : "";
      const double inf = std::numeric_limits<double>::infinity();
      return word == "inf" ? inf : word == "-inf" ? -inf : std::numeric_limits<double>::quiet_NaN();
    }
    return field(obj, key, where, Json::value_t::number_float).get<double>();
  }

  CaseResult read_case(const Json& j, const std::string& where) const {
    if (!j.is_object()) fail(fmt::format("\"{}\": {} should be an object", path_, where));
    CaseResult c;
    c.name = text(j, "name", where, nullptr);
    c.file = text(j, "file", where, "");
    c.expect = text(j, "expect", where, "pass");
    c.status = status(j, where);
    const Json& checks = field(j, "checks", where, Json::value_t::array, true);
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const std::string at = fmt::format("{}.checks[{}]", where, i);
      const Json& k = checks[i];
      if (!k.is_object()) fail(fmt::format("\"{}\": {} should be an object", path_, at));
      CheckResult check;
      check.wrt = text(k, "wrt", at, nullptr);
      check.layout = text(k, "layout", at, "");
      check.form = text(k, "form", at, "");
      check.order = text(k, "order", at, "");
      check.indices = text(k, "indices", at, "");
      check.status = status(k, at);
      check.max_rel_error = figure(k, "max_rel_error", at);
      c.checks.push_back(std::move(check));
    }
    return c;
  }

  std::string path_;
};

// ---- Comparing ----

bool good(Status s) { return s == Status::kPass || s == Status::kXfail; }

// The file of a case as a key: lexically normal (no `.`, no `x/..`, no repeated `/`), and an
// absolute path inside the working folder made relative to it.
std::string normal_file(const std::string& file) {
  if (file.empty()) return file;
  namespace fs = std::filesystem;
  fs::path p = fs::path(file).lexically_normal();
  if (p.is_absolute()) {
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    if (!ec) {
      const fs::path rel = p.lexically_relative(cwd.lexically_normal());
      if (!rel.empty() && *rel.begin() != "..") p = rel;
    }
  }
  std::string key = p.generic_string();
  if (key.size() > 1 && key.back() == '/') key.pop_back();
  return key;
}

using CaseKey = std::pair<std::string, std::string>;  // name, normal_file
CaseKey case_key(const CaseResult& c) { return {c.name, normal_file(c.file)}; }

using CheckId = std::tuple<std::string, std::string, std::string, int>;  // wrt, layout, form, n-th

std::vector<CheckId> check_ids(const CaseResult& c) {
  std::map<std::tuple<std::string, std::string, std::string>, int> seen;
  std::vector<CheckId> ids;
  for (const auto& k : c.checks) ids.emplace_back(k.wrt, k.layout, k.form, seen[{k.wrt, k.layout, k.form}]++);
  return ids;
}

std::string case_label(const CaseResult& c) { return c.file.empty() ? c.name : c.name + " (" + c.file + ")"; }


void classify(Change change, Status before, Status after, const CompareOptions& options, Comparison& out) {
  change.before = detail::status_name(before);
  change.after = detail::status_name(after);
  if (good(before) && detail::is_bad(after)) {
    out.regressions.push_back(change);
  } else if (detail::is_bad(before) && good(after)) {
    out.fixes.push_back(change);
  } else if (before == Status::kPass && after == Status::kPass) {
    // Errors under the floor are noise: compare from the floor up.
    const double b = std::max(change.error_before, options.floor), a = std::max(change.error_after, options.floor);
    if (a > options.growth_factor * b) out.grown.push_back(change);
  }
}

Comparison compare(const RunResult& baseline, const RunResult& current, const CompareOptions& options) {
  Comparison out;
  // A multimap: a name and file given twice (two cases of one name in one file) pairs the n-th
  // of the baseline with the n-th of the current run, on both sides alike (equal keys keep their
  // order of insertion), so a duplicate is neither dropped from the baseline nor added twice.
  std::multimap<CaseKey, const CaseResult*> before;
  for (const auto& c : baseline.cases) before.emplace(case_key(c), &c);
  // The pairs: by name and file first, then the names left unique on both sides by name alone.
  std::vector<std::pair<const CaseResult*, const CaseResult*>> pairs;  // (baseline, current)
  std::vector<const CaseResult*> unmatched;
  for (const auto& c : current.cases) {
    auto it = before.find(case_key(c));
    if (it == before.end()) {
      unmatched.push_back(&c);
      continue;
    }
    pairs.emplace_back(it->second, &c);
    before.erase(it);
  }
  std::map<std::string, int> names_before, names_now;
  for (const auto& [key, b] : before) ++names_before[key.first];
  for (const CaseResult* c : unmatched) ++names_now[c->name];
  for (const CaseResult* c : unmatched) {
    auto it = std::find_if(before.begin(), before.end(), [&](const auto& kv) { return kv.first.first == c->name; });
    if (names_now[c->name] == 1 && names_before[c->name] == 1 && it != before.end()) {
      pairs.emplace_back(it->second, c);
      before.erase(it);
    } else {
      out.added.push_back(case_label(*c));
    }
  }
  for (const auto& [bp, cp] : pairs) {
    const CaseResult& b = *bp;
    const CaseResult& c = *cp;
    if (b.checks.empty() || c.checks.empty()) {  // a case that did not run on one side: its status
      classify({c.name, "", "", "", 0.0, 0.0}, b.status, c.status, options, out);
      continue;
    }
    std::map<CheckId, const CheckResult*> old_checks;
    const auto old_ids = check_ids(b);
    for (std::size_t i = 0; i < b.checks.size(); ++i) old_checks.emplace(old_ids[i], &b.checks[i]);
    const auto ids = check_ids(c);
    for (std::size_t i = 0; i < c.checks.size(); ++i) {
      const CheckResult& k = c.checks[i];
      auto found = old_checks.find(ids[i]);
      if (found == old_checks.end()) {
        out.added.push_back(case_label(c) + ": " + detail::check_label(c, k));
        continue;
      }
      const CheckResult& old = *found->second;
      old_checks.erase(found);
      Change change{c.name, detail::check_label(c, k), "", "", old.max_rel_error, k.max_rel_error};
      classify(change, detail::outcome(b, old), detail::outcome(c, k), options, out);
    }
    for (const auto& [id, k] : old_checks) out.removed.push_back(case_label(b) + ": " + detail::check_label(b, *k));
  }
  std::set<const CaseResult*> left;
  for (const auto& [key, b] : before) left.insert(b);
  for (const auto& c : baseline.cases)
    if (left.count(&c)) out.removed.push_back(case_label(c));
  return out;
}

}  // namespace

Comparison compare_files(const std::string& baseline_path, const std::string& current_path,
                         const CompareOptions& options) {
  return compare(Reader(baseline_path).read(), Reader(current_path).read(), options);
}

Comparison compare_run(const std::string& baseline_path, const RunResult& current, const CompareOptions& options) {
  return compare(Reader(baseline_path).read(), current, options);
}

std::string comparison_text(const Comparison& cmp) {
  std::string out;
  auto section = [&](const char* title, const std::vector<Change>& changes) {
    if (changes.empty()) return;
    out += fmt::format("{} ({}):\n", title, changes.size());
    for (const auto& ch : changes) {
      out += fmt::format("  {}{}{}  {} -> {}  max rel {} -> {}\n", ch.case_name, ch.check.empty() ? "" : "  ", ch.check,
                         ch.before, ch.after, detail::sci(ch.error_before), detail::sci(ch.error_after));
    }
  };
  section("regressions", cmp.regressions);
  section("fixes", cmp.fixes);
  section("grown errors", cmp.grown);
  auto names = [&](const char* title, const std::vector<std::string>& list) {
    if (list.empty()) return;
    out += fmt::format("{} ({}):\n", title, list.size());
    for (const auto& name : list) out += "  " + name + "\n";
  };
  names("added", cmp.added);
  names("removed", cmp.removed);
  out += fmt::format("{} regressions, {} fixes, {} grown errors, {} added, {} removed\n", cmp.regressions.size(),
                     cmp.fixes.size(), cmp.grown.size(), cmp.added.size(), cmp.removed.size());
  return out;
}

}  // namespace gradcheck::report
