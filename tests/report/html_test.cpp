// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

namespace fs = std::filesystem;
using gradcheck::testing::count;
using gradcheck::testing::sample_run;
using gradcheck::testing::slurp;



const char* kChromium = "/usr/bin/chromium";

// Headless Chromium on `page` with its own profile folder and no network; its output goes to
// `out` and its messages to `out`.err. Returns its exit status.
int chromium(const fs::path& page, const std::string& what, const fs::path& out, const fs::path& profile) {
  const std::string command = std::string("timeout 120 ") + kChromium +
                              " --headless --no-sandbox --disable-gpu --disable-background-networking"
                              " --disable-component-update --no-first-run --disable-sync --hide-scrollbars"
                              " --user-data-dir='" +
                              profile.string() + "' --window-size=1200,1600 " + what + " 'file://" + page.string() +
                              "' > '" + out.string() + "' 2> '" + out.string() + ".err'";
  return std::system(command.c_str());
}

TEST(Html, IsOneSelfContainedFile) {
  const std::string page = html(sample_run());
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("<p class=\"closing\">1 passed, 2 failed, 1 errors, 0 inconclusive</p>"), std::string::npos);
  EXPECT_EQ(page.find("http://"), page.find("http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
}

TEST(Html, TableOfEveryCheckAndDetailsOfFailures) {
  const std::string page = html(sample_run());
  EXPECT_EQ(count(page, "<tr><td><span class=\"badge"), 6) << "5 checks and 1 case that did not run";
  // The failing check and the expected failure get details; passing checks do not.
  EXPECT_EQ(count(page, "<details class=\"check\""), 3);  // fail, xfail, xpass
  EXPECT_NE(page.find("<code>layout-transposed</code> expected matches"), std::string::npos);
  EXPECT_NE(page.find("<code>scale</code> expected is 1/2 times"), std::string::npos);
  // Three heatmaps for each of the two checks with matrices; their cells say their values.
  EXPECT_EQ(count(page, "<svg class=\"heatmap\""), 6);
  EXPECT_NE(page.find("<title>analytic(0,0) = "), std::string::npos);
  EXPECT_NE(page.find("<title>difference(3,2) = "), std::string::npos);
  EXPECT_EQ(count(page, "<svg class=\"stepplot\""), 1);
  EXPECT_NE(page.find("10<tspan dy=\"-5\" font-size=\"8\">-12</tspan>"), std::string::npos) << "decade ticks";
  // The error case keeps its caret excerpt.
  EXPECT_NE(page.find("\n  wa&apos; * A * wb\n          ^</pre>"), std::string::npos);
}

TEST(Html, LargeMatricesAreCapped) {
  RunResult run = sample_run();
  TrialResult& t = run.cases[1].checks[0].trials[1];
  t.numeric = arma::mat(60, 50, arma::fill::ones);
  t.analytic = t.numeric * 2.0;
  const std::string page = html(run);
  EXPECT_NE(page.find("first 40x40 of 60x50"), std::string::npos);
  EXPECT_NE(page.find("<title>analytic(39,39) = "), std::string::npos);
  EXPECT_EQ(page.find("<title>analytic(40,"), std::string::npos);
  EXPECT_EQ(page.find("<title>analytic(0,40)"), std::string::npos);
}

TEST(Html, MismatchedShapesHaveNoDifferenceMap) {
  RunResult run = sample_run();
  TrialResult& t = run.cases[1].checks[0].trials[1];
  t.analytic = arma::mat(3, 4, arma::fill::ones);
  const std::string page = html(run);
  EXPECT_NE(page.find("No difference map: the shapes differ (3x4 against 4x4)."), std::string::npos);
}

TEST(Html, RendersInHeadlessChromium) {
  if (!fs::exists(kChromium)) GTEST_SKIP() << "chromium not installed";
  const fs::path dir = fs::temp_directory_path() / "gradcheck_html_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path page = dir / "gradcheck-report.html", png = dir / "gradcheck-report.png", dom = dir / "dom.html";
  write_atomically(page.string(), html(sample_run()));

  const fs::path log = dir / "screenshot.log";
  ASSERT_EQ(chromium(page, "--screenshot='" + png.string() + "'", log, dir / "profile-shot"), 0)
      << slurp(log.string() + ".err");
  ASSERT_TRUE(fs::exists(png)) << slurp(log.string() + ".err");
  EXPECT_GT(fs::file_size(png), 10000u) << "a blank page compresses to almost nothing";

  ASSERT_EQ(chromium(page, "--dump-dom", dom, dir / "profile-dom"), 0) << slurp(dom.string() + ".err");
  const std::string rendered = slurp(dom);
  EXPECT_EQ(count(rendered, "<svg class=\"heatmap\""), 6) << rendered.substr(0, 2000);
  EXPECT_NE(rendered.find("<rect class=\"cell\""), std::string::npos);
  EXPECT_NE(rendered.find("1 passed, 2 failed, 1 errors, 0 inconclusive"), std::string::npos);
}

}  // namespace
}  // namespace gradcheck::report

namespace gradcheck::report {
namespace {

TEST(HtmlVerdict, InconclusiveHasItsBadgeAndReason) {
  const std::string page = html(gradcheck::testing::verdict_run());
  EXPECT_NE(page.find("badge inconclusive"), std::string::npos);
  EXPECT_NE(page.find("<dt>inconclusive</dt>"), std::string::npos);
  EXPECT_NE(page.find("<dt>verdict</dt><dd>reference fd (central differences"), std::string::npos);
}

// Issue 12: two checks with the same wrt, layout and form in one case get distinct headings,
// the check's position added only to those two (detail::check_label).
TEST(Html, ChecksThatReadTheSameAreNumbered) {
  const std::string page = html(gradcheck::testing::twin_checks_run());
  EXPECT_EQ(count(page, "<code>d f/d B (denominator, auto) #1</code>"), 1) << page;
  EXPECT_EQ(count(page, "<code>d f/d B (denominator, auto) #3</code>"), 1) << page;
  EXPECT_EQ(count(page, "<code>d f/d A (numerator, auto)</code>"), 1) << page;
}

}  // namespace
}  // namespace gradcheck::report
