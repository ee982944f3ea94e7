// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

namespace fs = std::filesystem;
using gradcheck::testing::count;
using gradcheck::testing::sample_run;


bool have_xmllint() { return std::system("command -v xmllint > /dev/null 2>&1") == 0; }

// Runs xmllint against tests/report/junit.xsd; returns its output, empty on success.
std::string validate(const std::string& xml, const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "gradcheck_junit_test";
  fs::create_directories(dir);
  const fs::path file = dir / name, log = dir / (name + ".log");
  std::ofstream(file) << xml;
  const std::string xsd = std::string(GRADCHECK_SOURCE_DIR) + "/tests/report/junit.xsd";
  const std::string command =
      "xmllint --noout --schema '" + xsd + "' '" + file.string() + "' > '" + log.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return status == 0 ? "" : "xmllint failed:\n" + output;
}

TEST(Junit, OneSuitePerFileOneTestcasePerCheck) {
  const std::string xml = junit(sample_run());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0), 0u);
  EXPECT_EQ(count(xml, "<testsuite "), 3) << xml;
  EXPECT_EQ(count(xml, "<testcase "), 6) << xml;  // 2 + 1 + 1 + 1 checks, 1 case without checks
  EXPECT_NE(xml.find("<testsuites name=\"gradcheck\" tests=\"6\" failures=\"2\" errors=\"1\" skipped=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"cases/seeds/bilinear.json\" id=\"0\" tests=\"3\" failures=\"1\" errors=\"0\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"cases/seeds/bilinear.json\" name=\"bilinear_wrt_B: d f/d B (denominator, "
                     "auto)\" time=\"0.000300\"/>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<skipped"), std::string::npos);
}

TEST(Junit, FailuresCarryTheCheckText) {
  const std::string xml = junit(sample_run());
  EXPECT_NE(xml.find("<failure message=\"max rel error 3.39e+00 at B(3,2) [layout-transposed] [scale]\" type=\"fail\">"
                     "FAIL   bilinear_wrong_layout  d f/d B (denominator, auto)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("  [layout-transposed] expected matches"), std::string::npos);
  EXPECT_NE(xml.find("<failure message=\"expected to fail, but passed\" type=\"xpass\">XPASS  trace_known_wrong"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<error message=\"cases/broken.json:7:19: [expr.shape] column 9: cannot multiply wa&apos; * A "
                     "(1x3) by wb (4x1): inner sizes 3 and 4\" type=\"expr.shape\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<system-out>expected failure (xfail)\nXFAIL  softmax_sign"), std::string::npos) << xml;
}

TEST(Junit, EscapesMarkupQuotesAndControlCharacters) {
  RunResult run = sample_run();
  run.cases[1].name = "a<b && \"c\"";
  run.cases[1].checks[0].diagnoses[0].message = "x < y & \x01 bell\x07 ok";
  run.cases[4].error = "bad \"quote\" <tag> & \x1b[31m\xff";
  const std::string xml = junit(run);
  EXPECT_NE(xml.find("name=\"a&lt;b &amp;&amp; &quot;c&quot;: d f/d B"), std::string::npos) << xml;
  EXPECT_NE(xml.find("x &lt; y &amp; \xEF\xBF\xBD bell\xEF\xBF\xBD ok"), std::string::npos) << xml;
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_EQ(xml.find('\xff'), std::string::npos);
  if (!have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  EXPECT_EQ(validate(xml, "escaped.xml"), "");
}

TEST(Junit, ValidatesAgainstTheSchema) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  EXPECT_EQ(validate(junit(sample_run()), "sample.xml"), "");
  EXPECT_EQ(validate(junit(RunResult{}), "empty.xml"), "");
}

TEST(Junit, SchemaRejectsAMalformedReport) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint not installed";
  // The schema is not vacuous: a testcase without a name, and a count that is not a number, fail.
  EXPECT_NE(validate("<testsuites><testsuite name=\"f\" tests=\"1\"><testcase classname=\"x\"/></testsuite></testsuites>",
                     "noname.xml"),
            "");
  EXPECT_NE(validate("<testsuites><testsuite name=\"f\" tests=\"one\"/></testsuites>", "badcount.xml"), "");
}

}  // namespace
}  // namespace gradcheck::report

namespace gradcheck::report {
namespace {

TEST(JunitVerdict, InconclusiveIsSkippedWithItsReason) {
  const std::string xml = junit(gradcheck::testing::verdict_run());
  EXPECT_NE(xml.find("<skipped message=\"inconclusive: the reference at x(1) is only known to"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("skipped=\"1\""), std::string::npos);
}

// Issue 12: two checks with the same wrt, layout and form in one case get distinct headings,
// the check's position added only to those two (detail::check_label).
TEST(Junit, ChecksThatReadTheSameHaveDistinctNames) {
  const std::string xml = junit(gradcheck::testing::twin_checks_run());
  EXPECT_EQ(count(xml, "name=\"twins: d f/d B (denominator, auto) #1\""), 1) << xml;
  EXPECT_EQ(count(xml, "name=\"twins: d f/d B (denominator, auto) #3\""), 1) << xml;
  EXPECT_EQ(count(xml, "name=\"twins: d f/d A (numerator, auto)\""), 1) << xml;
}

}  // namespace
}  // namespace gradcheck::report
