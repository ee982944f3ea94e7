// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

using gradcheck::testing::sample_run;

std::string last_line(const std::string& text) {
  std::string body = text.substr(0, text.size() - 1);  // drop the final newline
  return body.substr(body.rfind('\n') + 1);
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

TEST(ClosingLine, NamesPassedFailedAndErrors) {
  Summary s;
  s.passed = 12;
  s.failed = 1;
  s.errors = 0;
  EXPECT_EQ(closing_line(s), "12 passed, 1 failed, 0 errors, 0 inconclusive");
}

TEST(Text, EndsWithExactlyOneClosingLine) {
  const std::string out = text(sample_run());
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(last_line(out), "1 passed, 2 failed, 1 errors, 0 inconclusive");
  EXPECT_EQ(count(out, " passed, "), 1) << out;
  EXPECT_NE(out.find("\n1 expected failures, 1 unexpected passes\n1 passed, 2 failed, 1 errors, 0 inconclusive\n"), std::string::npos)
      << out;
}

TEST(Text, OneLinePerCheckWithFiguresAndWorstEntry) {
  const std::string out = text(sample_run());
  EXPECT_NE(out.find("PASS   bilinear_wrt_B  d f/d B (denominator, auto)  max abs 1.20e-10  max rel 3.40e-09  worst B(2,0)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("PASS   bilinear_wrt_B  d f/d A (numerator, auto)"), std::string::npos) << out;
  EXPECT_NE(out.find("XFAIL  softmax_sign  d f/d z (denominator, auto)"), std::string::npos) << out;
  EXPECT_NE(out.find("XPASS  trace_known_wrong  d f/d X (denominator, auto)"), std::string::npos) << out;
  EXPECT_NE(out.find("cases/seeds/bilinear.json\n"), std::string::npos) << out;
}

TEST(Text, FailingCheckHasWorstEntriesTableAndDiagnoses) {
  const RunResult run = sample_run();
  const CaseResult& c = run.cases[1];
  TextOptions options;
  options.worst_entries = 3;
  const std::string out = check_text(c, c.checks[0], options);
  EXPECT_EQ(out.rfind("FAIL   bilinear_wrong_layout  d f/d B (denominator, auto)  max abs ", 0), 0u) << out;
  EXPECT_NE(out.find("     entry       analytic        numeric  abs error  rel error\n"), std::string::npos) << out;
  // The three worst entries, worst first, and no fourth.
  const auto& w = c.checks[0].worst_entries;
  std::size_t previous = 0;
  for (int i = 0; i < 3; ++i) {
    auto pos = out.find("    " + w[i].label + "  ");
    ASSERT_NE(pos, std::string::npos) << w[i].label << "\n" << out;
    EXPECT_GT(pos, previous);
    previous = pos;
  }
  EXPECT_EQ(out.find("    " + w[3].label + "  "), std::string::npos) << out;
  EXPECT_NE(out.find("(7 more entries not shown)"), std::string::npos) << out;
  EXPECT_NE(out.find("\n  [layout-transposed] expected matches the finite differences once transposed"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\n  [scale] expected is 1/2 times"), std::string::npos) << out;
  EXPECT_NE(out.find("trial 2 of 2, central differences, step 6.06e-06, 32 evaluations"), std::string::npos) << out;
}

TEST(Text, NoTableWhenNoRowsAreWanted) {
  const RunResult run = sample_run();
  TextOptions options;
  options.worst_entries = 0;
  const std::string out = check_text(run.cases[1], run.cases[1].checks[0], options);
  EXPECT_EQ(out.find("entry"), std::string::npos) << out;
  EXPECT_NE(out.find("  [scale] "), std::string::npos) << out;
}

TEST(Text, TableColumnsAreAligned) {
  const RunResult run = sample_run();
  const std::string out = check_text(run.cases[1], run.cases[1].checks[0]);
  std::size_t header = out.find("entry");
  ASSERT_NE(header, std::string::npos);
  std::size_t line_start = out.rfind('\n', header) + 1;
  std::size_t line_end = out.find('\n', header);
  const std::size_t width = line_end - line_start;
  for (int row = 0; row < 10; ++row) {
    line_start = line_end + 1;
    line_end = out.find('\n', line_start);
    EXPECT_EQ(line_end - line_start, width) << out.substr(line_start, line_end - line_start);
  }
}

TEST(Text, ErrorCaseKeepsItsCaretExcerpt) {
  const std::string out = text(sample_run());
  EXPECT_NE(out.find("ERROR  broken_shape\n"
                     "    cases/broken.json:7:19: [expr.shape] column 9: cannot multiply wa' * A (1x3) by wb (4x1)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\n      wa' * A * wb\n              ^\n"), std::string::npos) << out;
}

TEST(Text, XpassSaysWhatWasExpected) {
  const RunResult run = sample_run();
  const std::string out = check_text(run.cases[3], run.cases[3].checks[0]);
  EXPECT_NE(out.find("expected to fail, but every check passed"), std::string::npos) << out;
}

TEST(Text, QuietListsOnlyFailuresAndTheClosingLine) {
  TextOptions options;
  options.quiet = true;
  const std::string out = text(sample_run(), options);
  EXPECT_EQ(out.find("bilinear_wrt_B"), std::string::npos) << out;
  EXPECT_EQ(out.find("softmax_sign"), std::string::npos) << out;  // xfail is as expected
  EXPECT_NE(out.find("FAIL   bilinear_wrong_layout"), std::string::npos) << out;
  EXPECT_NE(out.find("XPASS  trace_known_wrong"), std::string::npos) << out;
  EXPECT_NE(out.find("ERROR  broken_shape  (cases/broken.json)"), std::string::npos) << out;
  EXPECT_EQ(last_line(out), "1 passed, 2 failed, 1 errors, 0 inconclusive");
}

TEST(Text, QuietAllPassingIsTheClosingLineAlone) {
  RunResult run = sample_run();
  run.cases.resize(1);
  run.summary = Summary{1, 0, 0, 0, 0};
  TextOptions options;
  options.quiet = true;
  EXPECT_EQ(text(run, options), "1 passed, 0 failed, 0 errors, 0 inconclusive\n");
}

TEST(Text, VerboseListsTrials) {
  TextOptions options;
  options.verbose = true;
  const std::string out = text(sample_run(), options);
  // Trials are counted from 1 in text, as in "trial 2 of 3".
  EXPECT_NE(out.find("    trial 1: pass  max abs 1.20e-10"), std::string::npos) << out;
  EXPECT_NE(out.find("    trial 2: fail"), std::string::npos) << out;
}

TEST(Text, ColourOnlyWhenAsked) {
  const RunResult run = sample_run();
  EXPECT_EQ(text(run).find('\x1b'), std::string::npos);
  TextOptions options;
  options.color = true;
  const std::string out = text(run, options);
  EXPECT_NE(out.find("\x1b[32mPASS \x1b[0m"), std::string::npos) << out;
  EXPECT_EQ(last_line(out), "1 passed, 2 failed, 1 errors, 0 inconclusive");  // the closing line stays plain
}

TEST(Text, NonFiniteFiguresArePrintedAsWords) {
  RunResult run = sample_run();
  CheckResult& k = run.cases[1].checks[0];
  k.max_abs_error = std::numeric_limits<double>::quiet_NaN();
  k.max_rel_error = std::numeric_limits<double>::infinity();
  const std::string out = check_text(run.cases[1], k);
  EXPECT_NE(out.find("max abs nan  max rel inf"), std::string::npos) << out;
}

}  // namespace
}  // namespace gradcheck::report

namespace gradcheck::report {
namespace {

TEST(TextVerdict, InconclusiveShowsItsReasonAndTheNumerics) {
  const std::string out = text(gradcheck::testing::verdict_run());
  EXPECT_NE(out.find("INCONCLUSIVE  large_offset_without_complex_step"), std::string::npos) << out;
  EXPECT_NE(out.find("    inconclusive: the reference at x(1)"), std::string::npos);
  EXPECT_NE(out.find("single precision (stated"), std::string::npos);
  EXPECT_NE(out.find(", 1 inconclusive\n"), std::string::npos);
}

// Issue 12: two checks with the same wrt, layout and form in one case get distinct headings,
// the check's position added only to those two (detail::check_label).
TEST(Text, ChecksThatReadTheSameAreNumbered) {
  const std::string out = text(gradcheck::testing::twin_checks_run());
  EXPECT_NE(out.find("twins  d f/d B (denominator, auto) #1  "), std::string::npos) << out;
  EXPECT_NE(out.find("twins  d f/d B (denominator, auto) #3  "), std::string::npos) << out;
  EXPECT_NE(out.find("twins  d f/d A (numerator, auto)  "), std::string::npos) << out;
  EXPECT_EQ(out.find("#2"), std::string::npos) << out;
}

}  // namespace
}  // namespace gradcheck::report
