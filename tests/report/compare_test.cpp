// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

namespace fs = std::filesystem;
using gradcheck::testing::sample_run;

class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gradcheck_compare_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string save(const std::string& name, const std::string& content) const {
    const std::string path = (dir_ / name).string();
    write_atomically(path, content);
    return path;
  }
  // Expects compare_files(baseline, current) to throw report.read; returns its text.
  std::string read_error(const std::string& baseline, const std::string& current) const {
    try {
      compare_files(baseline, current);
    } catch (const Error& e) {
      EXPECT_EQ(e.id(), "report.read");
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }
  fs::path dir_;
};

TEST_F(CompareTest, SameRunHasNoChanges) {
  const std::string path = save("base.json", json(sample_run()));
  const Comparison cmp = compare_files(path, path);
  EXPECT_TRUE(cmp.regressions.empty());
  EXPECT_TRUE(cmp.fixes.empty());
  EXPECT_TRUE(cmp.grown.empty());
  EXPECT_TRUE(cmp.added.empty());
  EXPECT_TRUE(cmp.removed.empty());
  EXPECT_FALSE(cmp.regressed());
  EXPECT_EQ(comparison_text(cmp), "0 regressions, 0 fixes, 0 grown errors, 0 added, 0 removed\n");
}

TEST_F(CompareTest, FindsARegressionAFixAndAGrownError) {
  const RunResult baseline = sample_run();
  RunResult current = sample_run();
  // Regression: the first check of bilinear_wrt_B now fails.
  current.cases[0].checks[0].status = Status::kFail;
  current.cases[0].checks[0].max_rel_error = 0.5;
  current.cases[0].status = Status::kFail;
  // Fix: bilinear_wrong_layout now passes.
  current.cases[1].checks[0].status = Status::kPass;
  current.cases[1].checks[0].max_rel_error = 1e-9;
  current.cases[1].status = Status::kPass;
  // Grown: the second check still passes, its error 1000 times larger.
  current.cases[0].checks[1].max_rel_error = 5.0e-7;

  const std::string path = save("base.json", json(baseline));
  for (const Comparison& cmp : {compare_run(path, current), compare_files(path, save("cur.json", json(current)))}) {
    ASSERT_EQ(cmp.regressions.size(), 1u);
    EXPECT_EQ(cmp.regressions[0].case_name, "bilinear_wrt_B");
    EXPECT_EQ(cmp.regressions[0].check, "d f/d B (denominator, auto)");
    EXPECT_EQ(cmp.regressions[0].before, "pass");
    EXPECT_EQ(cmp.regressions[0].after, "fail");
    EXPECT_EQ(cmp.regressions[0].error_after, 0.5);
    ASSERT_EQ(cmp.fixes.size(), 1u);
    EXPECT_EQ(cmp.fixes[0].case_name, "bilinear_wrong_layout");
    EXPECT_EQ(cmp.fixes[0].before, "fail");
    EXPECT_EQ(cmp.fixes[0].after, "pass");
    ASSERT_EQ(cmp.grown.size(), 1u);
    EXPECT_EQ(cmp.grown[0].check, "d f/d A (numerator, auto)");
    EXPECT_DOUBLE_EQ(cmp.grown[0].error_before, 5.0e-10);
    EXPECT_DOUBLE_EQ(cmp.grown[0].error_after, 5.0e-7);
    EXPECT_TRUE(cmp.regressed());
  }
  const std::string text = comparison_text(compare_run(path, current));
  EXPECT_NE(text.find("regressions (1):\n  bilinear_wrt_B  d f/d B (denominator, auto)  pass -> fail  max rel 3.40e-09 -> "
                      "5.00e-01\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("fixes (1):\n  bilinear_wrong_layout  d f/d B (denominator, auto)  fail -> pass"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("grown errors (1):\n  bilinear_wrt_B  d f/d A (numerator, auto)  pass -> pass  max rel 5.00e-10 "
                      "-> 5.00e-07\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 regressions, 1 fixes, 1 grown errors, 0 added, 0 removed\n"), std::string::npos) << text;
}

TEST_F(CompareTest, ExpectationsCount) {
  const RunResult baseline = sample_run();
  RunResult current = sample_run();
  // The known-wrong softmax case now passes: xfail -> xpass is a regression.
  current.cases[2].checks[0].status = Status::kPass;
  current.cases[2].status = Status::kXpass;
  // The known-wrong trace case now fails, as it should: xpass -> xfail is a fix.
  current.cases[3].checks[0].status = Status::kFail;
  current.cases[3].status = Status::kXfail;
  const Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  ASSERT_EQ(cmp.regressions.size(), 1u);
  EXPECT_EQ(cmp.regressions[0].case_name, "softmax_sign");
  EXPECT_EQ(cmp.regressions[0].before, "xfail");
  EXPECT_EQ(cmp.regressions[0].after, "xpass");
  ASSERT_EQ(cmp.fixes.size(), 1u);
  EXPECT_EQ(cmp.fixes[0].case_name, "trace_known_wrong");
  EXPECT_EQ(cmp.fixes[0].before, "xpass");
  EXPECT_EQ(cmp.fixes[0].after, "xfail");
}

TEST_F(CompareTest, CaseThatNoLongerLoadsIsARegression) {
  const RunResult baseline = sample_run();
  RunResult current = sample_run();
  current.cases[0].checks.clear();
  current.cases[0].status = Status::kError;
  current.cases[0].error = "cases/seeds/bilinear.json:3:1: [case.json] unexpected end";
  // And the broken case loads again.
  current.cases[4] = sample_run().cases[0];
  current.cases[4].name = "broken_shape";
  current.cases[4].file = "cases/broken.json";
  const Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  ASSERT_EQ(cmp.regressions.size(), 1u);
  EXPECT_EQ(cmp.regressions[0].case_name, "bilinear_wrt_B");
  EXPECT_EQ(cmp.regressions[0].check, "");
  EXPECT_EQ(cmp.regressions[0].after, "error");
  ASSERT_EQ(cmp.fixes.size(), 1u);
  EXPECT_EQ(cmp.fixes[0].case_name, "broken_shape");
}

TEST_F(CompareTest, AddedAndRemovedCasesAndChecks) {
  const RunResult baseline = sample_run();
  RunResult current = sample_run();
  current.cases.erase(current.cases.begin() + 3);  // trace_known_wrong removed
  current.cases[0].name = "bilinear_renamed";      // counts as removed + added
  current.cases[1].checks.push_back(current.cases[1].checks[0]);
  current.cases[1].checks.back().wrt = "A";
  const Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  EXPECT_EQ(cmp.added, (std::vector<std::string>{"bilinear_renamed (cases/seeds/bilinear.json)",
                                                 "bilinear_wrong_layout (cases/seeds/bilinear.json): d f/d A "
                                                 "(denominator, auto)"}));
  EXPECT_EQ(cmp.removed, (std::vector<std::string>{"bilinear_wrt_B (cases/seeds/bilinear.json)",
                                                   "trace_known_wrong (cases/known_wrong.json)"}));
  EXPECT_TRUE(cmp.regressions.empty());
}

// Two cases of one name in one file pair in order, the same from either side: a duplicate in the
// baseline is not dropped, nor one in the current run added (review finding: the baseline's
// second copy vanished while the current run's was "added").
TEST_F(CompareTest, DuplicateCasesPairInOrderFromEitherSide) {
  RunResult twice = sample_run();
  twice.cases.push_back(twice.cases[0]);
  const RunResult once = sample_run();
  const Comparison same = compare_run(save("twice.json", json(twice)), twice);
  EXPECT_TRUE(same.added.empty());
  EXPECT_TRUE(same.removed.empty());
  const Comparison grew = compare_run(save("once.json", json(once)), twice);
  const Comparison shrank = compare_run(save("twice2.json", json(twice)), once);
  ASSERT_EQ(grew.added.size(), 1u);
  ASSERT_EQ(shrank.removed.size(), 1u);
  EXPECT_EQ(grew.added[0], shrank.removed[0]);
  EXPECT_TRUE(grew.removed.empty());
  EXPECT_TRUE(shrank.added.empty());
}

TEST_F(CompareTest, ChecksMatchByWrtLayoutFormAndPosition) {
  RunResult baseline = sample_run();
  baseline.cases[0].checks[1].wrt = "B";
  baseline.cases[0].checks[1].layout = "denominator";  // two checks d f/d B (denominator, auto)
  RunResult current = baseline;
  std::swap(current.cases[0].checks[0], current.cases[0].checks[1]);  // same keys, positions swapped
  current.cases[0].checks[0].status = Status::kFail;                  // the first of the two fails now
  const Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  ASSERT_EQ(cmp.regressions.size(), 1u);
  EXPECT_EQ(cmp.regressions[0].check, "d f/d B (denominator, auto) #1");  // the label of the reports
  EXPECT_DOUBLE_EQ(cmp.regressions[0].error_before, 3.4e-9);  // matched to the first check
  EXPECT_DOUBLE_EQ(cmp.regressions[0].error_after, 5.0e-10);
}

TEST_F(CompareTest, ErrorsUnderTheFloorNeverGrow) {
  RunResult baseline = sample_run();
  baseline.cases[0].checks[0].max_rel_error = 1e-16;
  RunResult current = baseline;
  current.cases[0].checks[0].max_rel_error = 5e-13;  // 5000x, but both below the 1e-12 floor
  EXPECT_TRUE(compare_run(save("base.json", json(baseline)), current).grown.empty());
  current.cases[0].checks[0].max_rel_error = 5e-11;  // from below the floor to 50x the floor
  EXPECT_EQ(compare_run(save("base.json", json(baseline)), current).grown.size(), 1u);
}

TEST_F(CompareTest, NonFiniteFiguresReadBack) {
  RunResult baseline = sample_run();
  baseline.cases[1].checks[0].max_rel_error = std::numeric_limits<double>::infinity();
  const Comparison cmp = compare_run(save("base.json", json(baseline)), sample_run());
  EXPECT_TRUE(cmp.regressions.empty());
}

TEST_F(CompareTest, MissingFileIsAReadError) {
  const std::string good = save("good.json", json(sample_run()));
  const std::string missing = (dir_ / "missing.json").string();
  EXPECT_EQ(read_error(missing, good), "[report.read] cannot read \"" + missing + "\": No such file or directory");
}

TEST_F(CompareTest, MalformedJsonNamesLineAndColumn) {
  const std::string good = save("good.json", json(sample_run()));
  // Line 4 is `    {"name": "x",, }`: the second comma, column 18, is the mistake.
  const std::string bad = save("bad.json", "{\n  \"schema\": 1,\n  \"cases\": [\n    {\"name\": \"x\",, }\n  ]\n}\n");
  const std::string what = read_error(good, bad);
  EXPECT_EQ(what.rfind("[report.read] \"" + bad + "\": line 4, column 18: not valid JSON: ", 0), 0u) << what;
}

TEST_F(CompareTest, TruncatedReportIsAReadError) {
  const std::string full = json(sample_run());
  const std::string cut = save("cut.json", full.substr(0, full.size() / 2));
  EXPECT_NE(read_error(cut, cut).find("not valid JSON"), std::string::npos);
}

TEST_F(CompareTest, OtherJsonIsNotAReport) {
  const std::string other = save("other.json", "{\"name\": \"a case file\"}");
  EXPECT_EQ(read_error(other, other),
            "[report.read] \"" + other + "\" is not a gradcheck report: it needs \"schema\": 1 at the top");
}

TEST_F(CompareTest, WrongFieldTypesNameTheField) {
  const std::string a = save("a.json", R"({"schema": 1, "cases": [{"name": "x", "status": "pass", "checks": [
      {"wrt": "B", "status": "maybe"}]}]})");
  EXPECT_EQ(read_error(a, a), "[report.read] \"" + a +
                                  "\": cases[0].checks[0].status is \"maybe\": expected pass, fail, error, xfail or "
                                  "xpass");
  const std::string b = save("b.json", R"({"schema": 1, "cases": [{"name": 3, "status": "pass"}]})");
  EXPECT_EQ(read_error(b, b), "[report.read] \"" + b + "\": cases[0].name should be string, not number");
  const std::string c = save("c.json", R"({"schema": 1, "cases": {}})");
  EXPECT_EQ(read_error(c, c), "[report.read] \"" + c + "\": cases should be array, not object");
}

}  // namespace
// Found by hand after fuzz_case found the same in case files: a number too large for a double
// makes nlohmann throw out_of_range, which escaped as "[internal] number overflow".
TEST_F(CompareTest, NumberOverflowIsAReadError) {
  const std::string big = save("big.json", "{\"schema\": 1, \"x\": 1e999}");
  EXPECT_EQ(read_error(big, big), "[report.read] \"" + big + "\": line 1, column 20: not valid JSON: number overflow parsing '1e999'");
}

// The comparison names a check by the same label as the reports.
TEST_F(CompareTest, ChecksThatReadTheSameAreNamedApart) {
  const RunResult baseline = gradcheck::testing::twin_checks_run();
  RunResult current = baseline;
  current.cases[0].checks[2].status = Status::kFail;
  current.cases[0].status = Status::kFail;
  const Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  ASSERT_EQ(cmp.regressions.size(), 1u);
  EXPECT_EQ(cmp.regressions[0].check, "d f/d B (denominator, auto) #3");
}

// Issue 12: a case is its name and its normalised file; a case left over whose name is unique
// on both sides is paired by name (a baseline run from `cases`, a run from `cases/seeds`).
TEST_F(CompareTest, CasesArePairedByNormalisedFileThenByName) {
  const RunResult baseline = sample_run();
  RunResult current = sample_run();
  for (CaseResult& c : current.cases) c.file = "./" + c.file;
  current.cases[0].file = "cases//seeds/../seeds/bilinear.json";
  Comparison cmp = compare_run(save("base.json", json(baseline)), current);
  EXPECT_TRUE(cmp.added.empty() && cmp.removed.empty()) << comparison_text(cmp);
  for (CaseResult& c : current.cases) c.file = c.file.substr(c.file.rfind('/') + 1);  // another root
  current.cases[0].checks[0].status = Status::kFail;
  current.cases[0].status = Status::kFail;
  cmp = compare_run(save("base.json", json(baseline)), current);
  EXPECT_TRUE(cmp.added.empty() && cmp.removed.empty()) << comparison_text(cmp);
  ASSERT_EQ(cmp.regressions.size(), 1u);
  EXPECT_EQ(cmp.regressions[0].case_name, "bilinear_wrt_B");
  // Two cases of one name in other files: not guessed, added and removed.
  RunResult twice = baseline;
  twice.cases.push_back(baseline.cases[0]);
  twice.cases.back().file = "cases/other.json";
  RunResult moved = twice;
  for (CaseResult& c : moved.cases) c.file = "elsewhere/" + c.file;
  cmp = compare_run(save("twice.json", json(twice)), moved);
  EXPECT_EQ(std::count_if(cmp.added.begin(), cmp.added.end(),
                          [](const std::string& a) { return a.rfind("bilinear_wrt_B (", 0) == 0; }),
            2);
}

}  // namespace gradcheck::report
