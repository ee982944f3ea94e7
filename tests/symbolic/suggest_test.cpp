// SPDX-License-Identifier: MIT
// Tests of harness/symbolic/suggest.cpp: suggestions on failing checks, verified before shown,
// over every bundled case, and carried by every report format.
#include "symbolic/suggest.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gradcheck/case.hpp"
#include "gradcheck/report.hpp"
#include "gradcheck/runner.hpp"
#include "symbolic/derive.hpp"

namespace gradcheck {
namespace {

const RunResult& bundled_run() {
  static const RunResult run = [] {
    RunOptions options;
    return run_files(find_case_files({std::string(GRADCHECK_SOURCE_DIR) + "/cases"}), options);
  }();
  return run;
}

bool has_diagnosis(const CheckResult& c, const std::string& code) {
  for (const Diagnosis& d : c.diagnoses)
    if (d.code == code) return true;
  return false;
}

// Every bundled wrong derivation shows a suggestion (first and second order, forms auto, vec,
// index and hvp), in the check's own layout and form, and suggest() showed it only after the same
// check passed with it. The explicit exceptions, each with its reason: a check whose numbers say
// that no derivative exists at the trial point (diagnosis nondifferentiable: a kink of relu, abs,
// max or the hinge exactly at the point) or that f is not finite there (nonfinite: log or sqrt
// of a negative entry). No formula can pass those; every other failing check must carry one.
TEST(Suggest, EveryBundledWrongDerivationShowsAPassingSuggestion) {
  int failing = 0, suggested = 0, second_order = 0, index = 0, exceptions = 0;
  for (const CaseResult& c : bundled_run().cases) {
    for (const CheckResult& k : c.checks) {
      if (k.status != Status::kFail) continue;
      ++failing;
      if (!k.suggestion.expected.empty()) {
        ++suggested;
        second_order += k.derivative_order == 2;
        index += k.form == "index";
        EXPECT_EQ(k.suggestion.layout, k.layout) << c.name;
        EXPECT_EQ(k.suggestion.form, k.form) << c.name;
        continue;
      }
      const bool exception = has_diagnosis(k, "nondifferentiable") || has_diagnosis(k, "nonfinite");
      exceptions += exception;
      EXPECT_TRUE(exception) << c.name << " (" << c.file << "), wrt " << k.wrt << ": a failing check without a suggestion";
    }
  }
  EXPECT_GT(failing, 100);
  EXPECT_EQ(suggested + exceptions, failing);
  EXPECT_GE(second_order, 7);  // cases/second-order: Hessians in vec and index form
  EXPECT_GE(index, 3);         // form index, first and second order
}

// The suggestion, put back as `expected` of the case, passes: checked through the loader and
// runner, independently of the verification suggest() did.
TEST(Suggest, ASuggestionPutBackIntoItsCasePasses) {
  const std::string text = R"({"name": "bilinear", "variables": {"A": {"shape": [4, 3]}, "B": {"shape": [3, 4]},
    "wa": {"shape": [4, 1]}, "wb": {"shape": [4, 1]}}, "expression": "wa' * A * B * wb",
    "checks": [{"wrt": "B", "expected": "wb * wa' * A"}]})";
  LoadedFile wrong = load_case_text(text, "bilinear.json");
  ASSERT_TRUE(wrong.errors.empty());
  const RunResult r = run_loaded({wrong}, RunOptions{});
  ASSERT_EQ(r.cases.at(0).checks.at(0).status, Status::kFail);
  const Suggestion s = r.cases[0].checks[0].suggestion;
  EXPECT_EQ(s.expected, "A' * wa * wb'");
  EXPECT_EQ(s.layout, "denominator");
  EXPECT_EQ(s.form, "auto");
  LoadedFile fixed = wrong;
  fixed.cases[0].checks[0].expected = s.expected;
  const RunResult again = run_loaded({fixed}, RunOptions{});
  EXPECT_EQ(again.cases.at(0).checks.at(0).status, Status::kPass);
  EXPECT_TRUE(again.cases[0].checks[0].suggestion.expected.empty()) << "a passing check has no suggestion";

  // Every report format carries it.
  EXPECT_NE(report::text(r).find("suggestion: A' * wa * wb'"), std::string::npos);
  const nlohmann::json j = nlohmann::json::parse(report::json(r));
  EXPECT_EQ(j["cases"][0]["checks"][0]["suggestion"]["expected"], "A' * wa * wb'");
  EXPECT_EQ(j["cases"][0]["checks"][0]["suggestion"]["layout"], "denominator");
  EXPECT_EQ(j["cases"][0]["checks"][0]["suggestion"]["form"], "auto");
  EXPECT_NE(report::markdown(r).find("suggestion: `A' * wa * wb'`"), std::string::npos);
  EXPECT_NE(report::html(r).find("suggestion: <code>A&apos; * wa * wb&apos;</code>"), std::string::npos);
}

// No suggestion where none would pass: a kink at the point, or an expression without a rule.
TEST(Suggest, NoSuggestionWithoutAPassingFormula) {
  const std::string text = R"json({"cases": [
    {"name": "pinv", "variables": {"X": {"shape": [4, 3]}}, "expression": "sum(pinv(X))",
     "checks": [{"wrt": "X", "expected": "X"}]},
    {"name": "kink", "variables": {"x": {"shape": [3, 1], "value": [[0], [1], [-1]]}}, "expression": "sum(abs(x))",
     "checks": [{"wrt": "x", "expected": "sign(x)"}]}]})json";
  LoadedFile file = load_case_text(text, "none.json");
  ASSERT_TRUE(file.errors.empty());
  const RunResult r = run_loaded({file}, RunOptions{});
  ASSERT_EQ(r.cases.size(), 2u);
  for (const CaseResult& c : r.cases) {
    ASSERT_EQ(c.checks.at(0).status, Status::kFail) << c.name;
    EXPECT_TRUE(c.checks[0].suggestion.expected.empty()) << c.name << ": " << c.checks[0].suggestion.expected;
  }
}

}  // namespace
}  // namespace gradcheck
