// SPDX-License-Identifier: MIT
#include "report/common.hpp"
#include "report/sample_run.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace gradcheck::report::detail {
namespace {

TEST(ReportCommon, StatusNamesRoundTrip) {
  for (Status s : {Status::kPass, Status::kFail, Status::kError, Status::kXfail, Status::kXpass}) {
    Status back = Status::kError;
    ASSERT_TRUE(parse_status(status_name(s), &back)) << status_name(s);
    EXPECT_EQ(back, s);
  }
  Status unused;
  EXPECT_FALSE(parse_status("PASS", &unused));
  EXPECT_EQ(status_name(Status::kXpass), "xpass");
}

TEST(ReportCommon, OutcomeAppliesTheCaseExpectation) {
  CaseResult c;
  CheckResult k;
  k.status = Status::kFail;
  EXPECT_EQ(outcome(c, k), Status::kFail);
  c.expect = "fail";
  c.status = Status::kXfail;
  EXPECT_EQ(outcome(c, k), Status::kXfail);
  k.status = Status::kPass;
  EXPECT_EQ(outcome(c, k), Status::kPass);  // one passing check of a case that failed as expected
  c.status = Status::kXpass;
  EXPECT_EQ(outcome(c, k), Status::kXpass);
  k.status = Status::kError;
  EXPECT_EQ(outcome(c, k), Status::kError);
  EXPECT_TRUE(is_bad(Status::kXpass));
  EXPECT_FALSE(is_bad(Status::kXfail));
}

TEST(ReportCommon, DerivativeNamesLayoutAndForm) {
  CheckResult k;
  k.wrt = "B";
  k.layout = "denominator";
  k.form = "auto";
  EXPECT_EQ(derivative(k), "d f/d B (denominator, auto)");
  k.form = "vec";
  k.layout = "numerator";
  EXPECT_EQ(derivative(k), "d vec(f)/d vec(B) (numerator, vec)");
  k.order = "row-major";
  EXPECT_EQ(derivative(k), "d vec(f)/d vec(B) (numerator, vec, row-major)");
  k.form = "index";
  k.indices = "Z[i,l] / H[j,k]";
  EXPECT_EQ(derivative(k), "d Z[i,l]/d H[j,k] (index)");
  k.indices = " / W[i,k]";
  EXPECT_EQ(derivative(k), "d f/d W[i,k] (index)");
}

TEST(ReportCommon, NumbersAndLabels) {
  EXPECT_EQ(sci(1.2e-10), "1.20e-10");
  EXPECT_EQ(sci(0.51, 6), "5.100000e-01");
  EXPECT_EQ(sci(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(sci(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(index_text({2, 0}), "(2,0)");
  EXPECT_EQ(index_text({}), "()");
  EntryError e;
  e.index = {1, 2, 0, 3};
  EXPECT_EQ(entry_label(e), "(1,2,0,3)");
  e.label = "Z[1,2]/H[0,3]";
  EXPECT_EQ(entry_label(e), "Z[1,2]/H[0,3]");
  EXPECT_EQ(shape_text(arma::mat(4, 3)), "4x3");
}

// A check whose reference never ran (f not finite at the point) says so instead of "fd (), bound nan".
TEST(ReportCommon, NumericsOfAReferenceNeverComputed) {
  CheckResult c;
  c.reference.method = "fd";
  c.reference.evaluations = 0;
  c.reference.max_error_bound = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(numerics(c), "reference fd: not computed");
  c.reference.detail = "central differences";
  c.reference.evaluations = 12;
  c.reference.max_error_bound = 1e-9;
  EXPECT_EQ(numerics(c), "reference fd (central differences), bound 1.00e-09, 12 evaluations");
}

TEST(ReportCommon, LinesKeepTheirIndentation) {
  EXPECT_EQ(split_lines("a\n  b\n"), (std::vector<std::string>{"a", "  b"}));
  EXPECT_EQ(split_lines("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(indent_lines("x * y\n    ^", "  "), "  x * y\n      ^\n");
}

TEST(ReportCommon, XmlEscape) {
  EXPECT_EQ(xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  EXPECT_EQ(xml_escape("tab\there\nnew line"), "tab\there\nnew line");
  EXPECT_EQ(xml_escape("\xCE\xB1 \xE2\x88\x82 \xF0\x9D\x90\xB1"), "\xCE\xB1 \xE2\x88\x82 \xF0\x9D\x90\xB1");  // kept
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(xml_escape(std::string("nul\0!", 5)), "nul" + replacement + "!");
  EXPECT_EQ(xml_escape("\x1b[31m"), replacement + "[31m");
  EXPECT_EQ(xml_escape("bad \xff byte"), "bad " + replacement + " byte");
  EXPECT_EQ(xml_escape("overlong \xC0\xAF"), "overlong " + replacement + replacement);
  EXPECT_EQ(xml_escape("cut \xE2\x88"), "cut " + replacement + replacement);
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE"), replacement);  // U+FFFE is not an XML character
}

TEST(ReportCommon, DirectionalLineStatesTheMissChance) {
  CheckResult k;
  EXPECT_EQ(directional(k), "");  // entry-wise: nothing to say
  k.mode = "directional";
  k.directional.probes = 24;
  k.directional.miss_probability = 1.0e-3;
  k.directional.probes_for_one_in_a_million = 49;
  k.directional.threshold = 3.1e-6;
  EXPECT_EQ(directional(k),
            "directional: 24 random probes v' E u against v' J u; a derivative with an entry off by more than 3.10e-06 "
            "(times 1/max(1,|x|)) passes them all with probability <= 1.00e-03; 49 probes bring it below 1e-6");
  k.directional.narrowing_probes = 7;
  k.directional.located = true;
  EXPECT_NE(directional(k).find("; 7 more probes narrowed the failure down to the worst entry"), std::string::npos);
  EXPECT_EQ(directional(k).find("replaced"), std::string::npos);
  k.directional.replaced_probes = 2;
  EXPECT_NE(directional(k).find("; 2 more probes replaced undecided ones"), std::string::npos);
}

TEST(ReportCommon, SecondOrderChecksSayDerivativeOrderTwo) {
  CheckResult k;
  k.function = "f";
  k.derivative_order = 2;
  k.wrt = "x";
  k.form = "vec";
  EXPECT_EQ(derivative(k), "d2 f/d vec(x) d vec(x) (Hessian, vec, derivative order 2)");
  k.wrt = "W, b";
  EXPECT_EQ(derivative(k), "d2 f/d vec(W) d vec(b) (mixed block, vec, derivative order 2)");
  k.wrt = "X";
  k.form = "index";
  k.indices = "X[i,j], X[k,l]";
  EXPECT_EQ(derivative(k), "d2 f/d X[i,j] d X[k,l] (Hessian, index, derivative order 2)");
  k.form = "hvp";
  k.direction = "V";
  EXPECT_EQ(derivative(k), "d2 f/d X d X * V (Hessian-vector product, derivative order 2)");
}

// One rule for every format: the position is added only to checks of a case that read the same.
TEST(ReportCommon, CheckLabelNumbersOnlyChecksThatReadTheSame) {
  const CaseResult c = gradcheck::testing::twin_checks_run().cases[0];
  EXPECT_EQ(check_label(c, c.checks[0]), "d f/d B (denominator, auto) #1");
  EXPECT_EQ(check_label(c, c.checks[1]), "d f/d A (numerator, auto)");
  EXPECT_EQ(check_label(c, c.checks[2]), "d f/d B (denominator, auto) #3");
  const CheckResult outside = c.checks[0];  // not an element of c.checks: the derivative alone
  EXPECT_EQ(check_label(c, outside), "d f/d B (denominator, auto)");
}

}  // namespace
}  // namespace gradcheck::report::detail
