// SPDX-License-Identifier: MIT
#include "gradcheck/runner.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace gradcheck {
namespace {

LoadedFile load(const std::string& text) {
  LoadedFile f = load_case_text(text, "t.json");
  std::string errors;
  for (const auto& e : f.errors) errors += std::string(e.what()) + "\n";
  EXPECT_TRUE(f.errors.empty()) << errors;
  return f;
}

const char* kSuite = R"json({"cases": [
  {"name": "quad", "dims": {"n": [2, 3], "m": [4, 5]}, "variables": {"A": {"shape": ["n", "m"]}, "x": {"shape": ["m", 1]}},
   "expression": "sum((A * x) .^ 2)", "checks": [{"wrt": "x", "expected": "2 * A' * A * x"}]},
  {"name": "bad_product", "expect": "fail", "diagnosis": "shape-mismatch",
   "variables": {"A": {"shape": [4, 3]}, "wa": {"shape": [4, 1]}, "wb": {"shape": [4, 1]}, "B": {"shape": [3, 4]}},
   "expression": "wa' * A * B * wb", "checks": [{"wrt": "B", "expected": "wa' * A * wb"}]},
  {"name": "syntax", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)",
   "checks": [{"wrt": "x", "expected": "ones(2, 1) +"}]}
]})json";

TEST(Runner, ListDimsRunEveryCombination) {
  const RunResult r = run_loaded({load(kSuite)}, RunOptions{});
  ASSERT_EQ(r.cases.size(), 6u);
  EXPECT_EQ(r.cases[0].name, "quad[n=2,m=4]");
  EXPECT_EQ(r.cases[1].name, "quad[n=2,m=5]");
  EXPECT_EQ(r.cases[3].name, "quad[n=3,m=5]");
  EXPECT_EQ(r.cases[3].dims.at("m"), 5);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.cases[i].status, Status::kPass) << r.cases[i].name;
}

TEST(Runner, ExpectedWhoseSizesDoNotFitIsAFailureNotAnError) {
  const RunResult r = run_loaded({load(kSuite)}, RunOptions{});
  const CaseResult& c = r.cases[4];
  EXPECT_EQ(c.status, Status::kXfail) << c.error;
  ASSERT_EQ(c.checks.size(), 1u);
  EXPECT_EQ(c.checks[0].status, Status::kFail);
  ASSERT_FALSE(c.checks[0].diagnoses.empty());
  EXPECT_EQ(c.checks[0].diagnoses[0].code, "shape-mismatch");
  EXPECT_NE(c.checks[0].diagnoses[0].message.find("cannot multiply wa' * A (1x3) by wb (4x1)"), std::string::npos)
      << c.checks[0].diagnoses[0].message;
}

TEST(Runner, ExpectedSyntaxErrorIsAnErrorWithItsPosition) {
  const RunResult r = run_loaded({load(kSuite)}, RunOptions{});
  const CaseResult& c = r.cases[5];
  EXPECT_EQ(c.status, Status::kError);
  EXPECT_EQ(c.error_id, "expr.syntax");
  EXPECT_NE(c.error.find("t.json:8:52: error [expr.syntax] case \"syntax\", field \"checks[0].expected\", column 12"),
            std::string::npos)
      << c.error;
  // The same error as data: its id, place and expression column, not only text.
  ASSERT_EQ(c.errors.size(), 1u);
  const Error& e = c.errors[0];
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(e.place().file, "t.json");
  EXPECT_EQ(e.place().line, 8u);
  EXPECT_EQ(e.place().column, 52u);
  EXPECT_EQ(e.place().case_name, "syntax");
  EXPECT_EQ(e.place().field, "checks[0].expected");
  EXPECT_EQ(e.expression_column(), 12u);
  EXPECT_EQ(e.what(), c.error);
  EXPECT_EQ(r.summary.passed, 4);
  EXPECT_EQ(r.summary.expected_failures, 1);
  EXPECT_EQ(r.summary.errors, 1);
  EXPECT_EQ(exit_status(r.summary), 2);
}

TEST(Runner, SameSeedSameReportOtherSeedOtherPoints) {
  RunOptions a;
  const RunResult r1 = run_loaded({load(kSuite)}, a);
  const RunResult r2 = run_loaded({load(kSuite)}, a);
  RunOptions b;
  b.seed = 43;
  const RunResult r3 = run_loaded({load(kSuite)}, b);
  EXPECT_EQ(r1.cases[0].checks[0].max_abs_error, r2.cases[0].checks[0].max_abs_error);
  EXPECT_EQ(r1.cases[0].checks[0].worst.numeric, r2.cases[0].checks[0].worst.numeric);
  EXPECT_NE(r1.cases[0].checks[0].worst.numeric, r3.cases[0].checks[0].worst.numeric);
}

TEST(Runner, JobsKeepTheOrderAndTheFigures) {
  RunOptions one, four;
  four.jobs = 4;
  const RunResult r1 = run_loaded({load(kSuite)}, one);
  const RunResult r4 = run_loaded({load(kSuite)}, four);
  ASSERT_EQ(r1.cases.size(), r4.cases.size());
  for (std::size_t i = 0; i < r1.cases.size(); ++i) {
    EXPECT_EQ(r1.cases[i].name, r4.cases[i].name);
    EXPECT_EQ(r1.cases[i].status, r4.cases[i].status);
    if (!r1.cases[i].checks.empty()) {
      const double a = r1.cases[i].checks[0].max_abs_error, b = r4.cases[i].checks[0].max_abs_error;
      EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << r1.cases[i].name << ": " << a << " vs " << b;
    }
  }
}

TEST(Runner, FilterAndShards) {
  EXPECT_TRUE(matches_filter("quad[n=2,m=4]", "quad*"));
  EXPECT_TRUE(matches_filter("bad_product", "product"));
  EXPECT_FALSE(matches_filter("bad_product", "quad*"));
  RunOptions o;
  o.shard_count = 2;
  o.shard_index = 1;
  const RunResult r = run_loaded({load(kSuite)}, o);
  ASSERT_EQ(r.cases.size(), 3u);
  EXPECT_EQ(r.cases[0].name, "quad[n=2,m=5]");
}

TEST(Runner, ToleranceOverrideFromTheCommandLine) {
  RunOptions o;
  o.rtol = 0.6;  // loose enough that x for 2x passes: |x - 2x| = |x| <= 0.6 |2x|
  const RunResult r = run_loaded({load(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}},
    "expression": "sum(x .^ 2)", "checks": [{"wrt": "x", "expected": "x"}]})json")}, o);
  EXPECT_EQ(r.cases[0].status, Status::kPass);
}

// A check that never ran keeps what it differentiates: an index-form check whose expected does
// not compile reads "d Z[i,l]/d H[j,k] (index)" like the one that ran, not "d f/d H".
TEST(Runner, ACheckThatNeverRanKeepsItsLabel) {
  const RunResult r = run_loaded({load(R"json({"name": "idx", "variables": {"A": {"shape": [3, 3]}, "H": {"shape": [3, 3]}},
    "expression": "A * H", "checks": [
      {"wrt": "H", "form": "index", "indices": "Z[i,l] / H[j,k]", "expected": "A[i,j] * delta(l,k)"},
      {"wrt": "H", "form": "index", "indices": "Z[i,l] / H[j,k]", "expected": "A[i,q] * delta(l,k)"}]})json")},
                                 RunOptions{});
  ASSERT_EQ(r.cases.size(), 1u);
  ASSERT_EQ(r.cases[0].checks.size(), 2u);
  const CheckResult& ran = r.cases[0].checks[0];
  const CheckResult& never = r.cases[0].checks[1];
  EXPECT_EQ(ran.status, Status::kPass);
  EXPECT_EQ(never.status, Status::kError);
  EXPECT_EQ(never.indices, ran.indices);
  EXPECT_EQ(never.form, ran.form);
  EXPECT_EQ(never.wrt, ran.wrt);
  EXPECT_EQ(never.expected, "A[i,q] * delta(l,k)");
}

// abs(x - d) at a fixed x = 0: a kink 1e-12 or 1e-13 beside the point is within reach of the
// noise line (which then reads the kink's shape as noise, sigma ~1e-13) but not at the point:
// the one-sided slope across it moves like 1/h, and the complex step decides the entry (-1, as
// expected says). These once failed as "not differentiable at this point". At d = 0 the kink
// is at the point, and is said to be, in both modes.
TEST(Runner, AKinkBesideAFixedPointIsNotClaimedAtIt) {
  auto run = [](const std::string& d, Mode mode) {
    const std::string text = R"json({"name": "abs_d", "variables": {"x": {"shape": [1, 1], "value": [[0]]},
      "y": {"shape": [2, 1]}}, "expression": "sum(abs(x - )json" + d + R"json()) + sum(y .^ 2)",
      "checks": [{"wrt": "x", "expected": "sign(x - )json" + d + R"json()"}]})json";
    RunOptions options;
    options.mode = mode;
    const RunResult r = run_loaded({load(text)}, options);
    EXPECT_EQ(r.cases.size(), 1u);
    return r.cases.at(0);
  };
  for (Mode mode : {Mode::kEntrywise, Mode::kDirectional}) {
    for (const char* d : {"1e-12", "1e-13"}) {
      const CaseResult c = run(d, mode);
      EXPECT_EQ(c.status, Status::kPass) << "d = " << d << ": " << (c.checks.empty() ? c.error : c.checks[0].reason);
    }
    const CaseResult at = run("0", mode);
    ASSERT_EQ(at.checks.size(), 1u);
    EXPECT_EQ(at.checks[0].status, Status::kFail);
    bool named = false;
    for (const Diagnosis& g : at.checks[0].diagnoses) named = named || g.code == "nondifferentiable";
    EXPECT_TRUE(named);
  }
}

TEST(Runner, ValueOfTheWrongShapeIsAnErrorOfThatCase) {
  const RunResult r = run_loaded({load(R"json({"name": "a", "variables": {"x": {"shape": [3, 1], "value": [1, 2]}},
    "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(3, 1)"}]})json")}, RunOptions{});
  EXPECT_EQ(r.cases[0].status, Status::kError);
  EXPECT_NE(r.cases[0].error.find("field \"variables.x.value\": the value is 2x1 but the shape is 3x1"), std::string::npos)
      << r.cases[0].error;
}

TEST(Runner, MatrixValuedFunctionWithFormAutoIsAnError) {
  const RunResult r = run_loaded({load(R"json({"name": "a", "variables": {"X": {"shape": [2, 2]}},
    "expression": "X * X", "checks": [{"wrt": "X", "expected": "X"}]})json")}, RunOptions{});
  EXPECT_EQ(r.cases[0].status, Status::kError);
  EXPECT_NE(r.cases[0].error.find("use form \"vec\""), std::string::npos) << r.cases[0].error;
}

TEST(Lint, ReportsWithoutRunning) {
  EXPECT_TRUE(lint_files({GRADCHECK_TEST_DATA "/cli/good.json"}).empty());
  const auto problems = lint_files({GRADCHECK_TEST_DATA "/cli/suite_mixed.json"});
  EXPECT_EQ(problems.size(), 4u);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(Runner, HugeVariablesAreRefusedNotRun) {
  const RunResult r = run_loaded({load_case_text(R"json({"name": "big", "dims": {"n": 2000},
    "variables": {"X": {"shape": ["n", "n"]}}, "expression": "sum(X)", "checks": [{"wrt": "X", "expected": "ones(n, n)"}]})json",
                                                 "big.json")},
                                 RunOptions{});
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].status, Status::kError);
  EXPECT_EQ(r.cases[0].error_id, "case.size");
  EXPECT_NE(r.cases[0].error.find("2000x2000 has 4000000 entries"), std::string::npos) << r.cases[0].error;
}

// Found by hand: a 200-byte case with a 1000x1000 variable passes the 10^6-entry limit, and then
// finite differences evaluate f 12 million times, each a 1000x1000 product (X * X changes
// whole when one entry of X moves: years); f = x for a 20000x1 x keeps a 20000x20000 Jacobian
// (3.2 GB). Both are case.size errors of the check now. The cost follows the propagated
// evaluator: sum(sum(X .^ 2)) costs a few operations per evaluation and is not refused.
TEST(Runner, ChecksThatWouldRunForHoursAreRefused) {
  RunResult r = run_loaded({load(R"json({"name": "big", "variables": {"X": {"shape": [1000, 1000]}},
    "expression": "sum(sum(X * X))", "checks": [{"wrt": "X", "expected": "2 * X"}]})json")},
                           RunOptions{});
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].status, Status::kError);
  EXPECT_EQ(r.cases[0].error_id, "case.size");
  EXPECT_EQ(r.cases[0].error,
            "t.json:2:49: error [case.size] case \"big\", field \"checks[0]\": finite differences would evaluate f "
            "12000000 times (3 trials, 4 per entry of X) at about 1.0e+09 operations each, about 1.2e+16 operations; "
            "at most 1e+11: use smaller dims or fewer trials, or \"mode\": \"directional\"");
  // Directionally the same check is a few hundred evaluations: it runs.
  RunOptions directional;
  directional.mode = Mode::kDirectional;
  directional.probes = 2;
  const RunResult d = run_loaded({load(R"json({"name": "big", "trials": 1, "variables": {"X": {"shape": [1000, 1000]}},
    "expression": "sum(sum(X .^ 2))", "checks": [{"wrt": "X", "expected": "2 * X"}]})json")},
                                 directional);
  ASSERT_EQ(d.cases.size(), 1u);
  EXPECT_EQ(d.cases[0].status, Status::kPass) << d.cases[0].error;
  r = run_loaded({load(R"json({"name": "wide", "variables": {"x": {"shape": [20000, 1]}},
    "expression": "x", "checks": [{"wrt": "x", "form": "vec", "expected": "eye(20000)"}], "trials": 1})json")},
                 RunOptions{});
  ASSERT_EQ(r.cases.size(), 1u);
  EXPECT_EQ(r.cases[0].error_id, "case.size");
  EXPECT_NE(r.cases[0].error.find("the derivative of f (20000x1) by x (20000x1) has 400000000 entries; at most 100000000"),
            std::string::npos)
      << r.cases[0].error;
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(Runner, SymmetricVariableNeedsASymmetricValue) {
  const RunResult r = run_loaded({load_case_text(R"json({"name": "s",
    "variables": {"S": {"shape": [2, 2], "structure": "symmetric", "value": [[1, 2], [3, 4]]}},
    "expression": "sum(S .^ 2)", "checks": [{"wrt": "S", "expected": "2 * (2 * S - diag(diag(S)))"}]})json", "s.json")},
                                 RunOptions{});
  EXPECT_EQ(r.cases[0].status, Status::kError);
  EXPECT_NE(r.cases[0].error.find("field \"variables.S.value\": a variable with \"structure\": \"symmetric\" needs a symmetric value"),
            std::string::npos) << r.cases[0].error;
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(Runner, CaretColumnCountsEscapeSequencesInTheFile) {
  // "\u0020" is one space in the expression but six characters in the file.
  const RunResult r = run_loaded({load_case_text("{\"name\": \"e\", \"variables\": {\"x\": {\"shape\": [2, 1]}},\n"
                                                 "\"expression\": \"sum(x)\\u0020+ y\", \"checks\": [{\"wrt\": \"x\", "
                                                 "\"expected\": \"ones(2, 1)\"}]}",
                                                 "e.json")},
                                 RunOptions{});
  // 'y' is column 10 of the expression; in the file the string opens at column 15 and 'y' sits
  // at 15 + 1 + 6 + 1 + 1 + 1 + 5 = column 30.
  EXPECT_NE(r.cases[0].error.find("e.json:2:30: error [expr.name]"), std::string::npos) << r.cases[0].error;
}

}  // namespace
}  // namespace gradcheck
