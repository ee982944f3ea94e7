// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

using gradcheck::testing::sample_run;

TEST(Markdown, SummaryTableOfStatusCounts) {
  const std::string md = markdown(sample_run());
  EXPECT_EQ(md.rfind("## gradcheck report\n\n**1 passed, 2 failed, 1 errors, 0 inconclusive**\n", 0), 0u) << md;
  EXPECT_NE(md.find("| status | count |\n| --- | ---: |\n| passed | 1 |\n| failed | 2 |\n| errors | 1 |\n"
                    "| expected failures | 1 |\n| unexpected passes | 1 |\n"),
            std::string::npos)
      << md;
}

TEST(Markdown, TableOfChecksWithStatusWords) {
  const std::string md = markdown(sample_run());
  EXPECT_NE(md.find("| status | case | file | derivative | max abs error | max rel error | worst entry |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| pass | `bilinear_wrt_B` | cases/seeds/bilinear.json | d f/d B (denominator, auto) | 1.20e-10 | "
                    "3.40e-09 | `B(2,0)` |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| **fail** | `bilinear_wrong_layout` |"), std::string::npos) << md;
  EXPECT_NE(md.find("| xfail | `softmax_sign` |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **xpass** | `trace_known_wrong` |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **error** | `broken_shape` | cases/broken.json | cases/broken.json:7:19: [expr.shape]"),
            std::string::npos)
      << md;
}

TEST(Markdown, DetailsOfFailingChecks) {
  const std::string md = markdown(sample_run());
  const auto details = md.find("### Failures and inconclusive checks\n");
  ASSERT_NE(details, std::string::npos) << md;
  const std::string tail = md.substr(details);
  EXPECT_NE(tail.find("#### fail: `bilinear_wrong_layout` d f/d B (denominator, auto)\n"), std::string::npos) << tail;
  EXPECT_NE(tail.find("- worst entry `B(3,2)`: analytic -6.744712e-01, numeric 2.961504e+00"), std::string::npos)
      << tail;
  EXPECT_NE(tail.find("- `layout-transposed`: expected matches"), std::string::npos) << tail;
  EXPECT_NE(tail.find("- `scale`: expected is 1/2 times"), std::string::npos) << tail;
  EXPECT_NE(tail.find("#### xpass: `trace_known_wrong`"), std::string::npos) << tail;
  EXPECT_NE(tail.find("```text\ncases/broken.json:7:19: [expr.shape] column 9: cannot multiply wa' * A (1x3) by wb "
                      "(4x1): inner sizes 3 and 4\n  wa' * A * wb\n          ^\n```\n"),
            std::string::npos)
      << tail;
  EXPECT_EQ(tail.find("softmax_sign"), std::string::npos) << "an expected failure needs no details";
}

TEST(Markdown, CellsCannotBreakTheTable) {
  RunResult run = sample_run();
  run.cases[0].file = "cases/a|b.json";
  run.cases[0].name = "with `tick` | bar";
  const std::string md = markdown(run);
  EXPECT_NE(md.find("| ``with `tick` \\| bar`` | cases/a\\|b.json |"), std::string::npos) << md;
}

TEST(Markdown, AllPassingHasNoFailureSection) {
  RunResult run = sample_run();
  run.cases.resize(1);
  run.summary = Summary{1, 0, 0, 0, 0};
  EXPECT_EQ(markdown(run).find("### Failures"), std::string::npos);
}

}  // namespace
}  // namespace gradcheck::report

namespace gradcheck::report {
namespace {

TEST(MarkdownVerdict, InconclusiveIsCountedAndExplained) {
  const std::string md = markdown(gradcheck::testing::verdict_run());
  EXPECT_NE(md.find("| inconclusive | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("- inconclusive: the reference at x(1)"), std::string::npos) << md;
  EXPECT_NE(md.find("reference fd (central differences"), std::string::npos) << md;
}

// Issue 12: two checks with the same wrt, layout and form in one case get distinct headings,
// the check's position added only to those two (detail::check_label).
TEST(Markdown, ChecksThatReadTheSameAreNumbered) {
  const std::string md = markdown(gradcheck::testing::twin_checks_run());
  EXPECT_NE(md.find("| d f/d B (denominator, auto) #1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| d f/d B (denominator, auto) #3 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| d f/d A (numerator, auto) |"), std::string::npos) << md;
}

}  // namespace
}  // namespace gradcheck::report
