// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

using gradcheck::testing::sample_run;
using nlohmann::json;

json parsed(const RunResult& run) { return json::parse(report::json(run)); }

TEST(Json, HasEveryFieldOfTheSpec) {
  const json j = parsed(sample_run());
  EXPECT_EQ(j.at("schema"), 1);
  const json& s = j.at("summary");
  EXPECT_EQ(s.at("passed"), 1);
  EXPECT_EQ(s.at("failed"), 2);
  EXPECT_EQ(s.at("errors"), 1);
  EXPECT_EQ(s.at("expected_failures"), 1);
  EXPECT_EQ(s.at("unexpected_passes"), 1);
  ASSERT_EQ(j.at("cases").size(), 5u);
  for (const json& c : j.at("cases")) {
    for (const char* field : {"name", "file", "status", "expect", "checks"}) EXPECT_TRUE(c.contains(field)) << field;
    for (const json& k : c.at("checks")) {
      for (const char* field : {"wrt", "layout", "form", "status", "max_abs_error", "max_rel_error", "rel_error_norm",
                                "worst", "fd", "diagnoses", "time_ms"})
        EXPECT_TRUE(k.contains(field)) << field << " in " << k.dump();
      for (const char* field : {"index", "analytic", "numeric"}) EXPECT_TRUE(k.at("worst").contains(field)) << field;
      for (const char* field : {"method", "step", "evaluations"}) EXPECT_TRUE(k.at("fd").contains(field)) << field;
      EXPECT_TRUE(k.at("diagnoses").is_array());
    }
  }
}

TEST(Json, CarriesTheFiguresOfTheRun) {
  const json j = parsed(sample_run());
  const json& pass = j.at("cases")[0];
  EXPECT_EQ(pass.at("name"), "bilinear_wrt_B");
  EXPECT_EQ(pass.at("file"), "cases/seeds/bilinear.json");
  EXPECT_EQ(pass.at("status"), "pass");
  EXPECT_EQ(pass.at("expect"), "pass");
  const json& check = pass.at("checks")[0];
  EXPECT_EQ(check.at("wrt"), "B");
  EXPECT_EQ(check.at("layout"), "denominator");
  EXPECT_EQ(check.at("form"), "auto");
  EXPECT_EQ(check.at("max_rel_error"), 3.4e-9);
  EXPECT_EQ(check.at("worst").at("index"), json::array({2, 0}));
  EXPECT_EQ(check.at("worst").at("analytic"), 0.51);
  EXPECT_EQ(check.at("worst").at("label"), "B(2,0)");
  EXPECT_EQ(check.at("fd").at("method"), "central");
  EXPECT_EQ(check.at("fd").at("evaluations"), 24);
  EXPECT_EQ(pass.at("dims").at("N"), 4);
  EXPECT_EQ(pass.at("tags"), json::array({"bilinear", "seed"}));

  const json& fail = j.at("cases")[1].at("checks")[0];
  EXPECT_EQ(fail.at("status"), "fail");
  ASSERT_EQ(fail.at("diagnoses").size(), 2u);
  EXPECT_EQ(fail.at("diagnoses")[0].at("code"), "layout-transposed");
  EXPECT_EQ(fail.at("diagnoses")[1].at("code"), "scale");
  EXPECT_EQ(fail.at("diagnoses")[1].at("figures").at("factor"), 0.5);
  EXPECT_EQ(fail.at("worst_entries").size(), 10u);
  EXPECT_EQ(fail.at("trials").size(), 2u);
  EXPECT_EQ(fail.at("worst_trial"), 1);
  EXPECT_EQ(fail.at("error_vs_step").size(), 12u);

  const json& xfail = j.at("cases")[2];
  EXPECT_EQ(xfail.at("status"), "xfail");
  EXPECT_EQ(xfail.at("expect"), "fail");
  EXPECT_EQ(xfail.at("expected_diagnosis"), "sign");
  EXPECT_EQ(xfail.at("checks")[0].at("status"), "fail");
  EXPECT_EQ(xfail.at("checks")[0].at("outcome"), "xfail");

  const json& error = j.at("cases")[4];
  EXPECT_EQ(error.at("status"), "error");
  EXPECT_EQ(error.at("error_id"), "expr.shape");
  EXPECT_NE(error.at("error").get<std::string>().find("\n  wa' * A * wb\n"), std::string::npos);
}

// Errors as data: the report carries each error's id, place and expression column as fields.
TEST(Json, ErrorsCarryTheirLocationAsFields) {
  RunResult run = sample_run();
  const ExprError e("expr.shape", "cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4", "wa' * A * wb", 9);
  run.cases[4].errors = {e.at({"cases/broken.json", 7, 19, "broken_shape", "checks[0].expected"})};
  const json j = json::parse(report::json(run));
  const json& error = j.at("cases")[4];
  EXPECT_EQ(error.at("error_id"), "expr.shape");  // the fields of before stay
  ASSERT_EQ(error.at("errors").size(), 1u);
  const json& at = error.at("errors")[0];
  EXPECT_EQ(at.at("id"), "expr.shape");
  EXPECT_EQ(at.at("file"), "cases/broken.json");
  EXPECT_EQ(at.at("line"), 7);
  EXPECT_EQ(at.at("column"), 19);
  EXPECT_EQ(at.at("case"), "broken_shape");
  EXPECT_EQ(at.at("field"), "checks[0].expected");
  EXPECT_EQ(at.at("expression"), "wa' * A * wb");
  EXPECT_EQ(at.at("expression_column"), 9);
  EXPECT_EQ(at.at("message"), "cannot multiply wa' * A (1x3) by wb (4x1): inner sizes 3 and 4");
  EXPECT_FALSE(j.at("cases")[0].contains("errors"));  // a passing case has none
}

TEST(Json, RoundTripsThroughNlohmann) {
  const std::string text = report::json(sample_run());
  const json j = json::parse(text);
  EXPECT_EQ(json::parse(j.dump()), j);
  EXPECT_EQ(text.rfind("{\n  \"schema\": 1,\n  \"summary\": {", 0), 0u) << text.substr(0, 80);  // spec order
}

TEST(Json, NonFiniteFiguresAreNullWithAWord) {
  RunResult run = sample_run();
  CheckResult& k = run.cases[1].checks[0];
  k.max_abs_error = std::numeric_limits<double>::quiet_NaN();
  k.max_rel_error = std::numeric_limits<double>::infinity();
  k.worst.numeric = -std::numeric_limits<double>::infinity();
  k.trials[1].error_vs_step[0].second = std::numeric_limits<double>::quiet_NaN();
  const std::string text = report::json(run);
  EXPECT_EQ(text.find("nan"), text.find("\"nan\"") + 1);  // only as a quoted word
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  json j;
  ASSERT_NO_THROW(j = json::parse(text));
  const json& check = j.at("cases")[1].at("checks")[0];
  EXPECT_TRUE(check.at("max_abs_error").is_null());
  EXPECT_EQ(check.at("max_abs_error_nonfinite"), "nan");
  EXPECT_TRUE(check.at("max_rel_error").is_null());
  EXPECT_EQ(check.at("max_rel_error_nonfinite"), "inf");
  EXPECT_TRUE(check.at("worst").at("numeric").is_null());
  EXPECT_EQ(check.at("worst").at("numeric_nonfinite"), "-inf");
  EXPECT_TRUE(check.at("error_vs_step")[0][1].is_null());
  EXPECT_FALSE(check.contains("rel_error_norm_nonfinite"));  // finite figures get no sibling
}

TEST(Json, MalformedUtf8InAMessageStillGivesValidJson) {
  RunResult run = sample_run();
  run.cases[4].error = "bad byte \xff here";
  EXPECT_TRUE(json::accept(report::json(run)));
}

TEST(JsonDirectional, ADirectionalCheckCarriesItsProbesAndMissChance) {
  RunResult run = sample_run();
  CheckResult& k = run.cases.front().checks.front();
  k.mode = "directional";
  k.directional.probes = 24;
  k.directional.narrowing_probes = 0;
  k.directional.miss_probability = std::pow(0.75, 24);
  k.directional.probes_for_one_in_a_million = 49;
  k.directional.threshold = 3e-6;
  k.directional.replaced_probes = 3;
  const json r = parsed(run);
  const json& check = r["cases"][0]["checks"][0];
  EXPECT_EQ(check["mode"], "directional");
  EXPECT_EQ(check["directional"]["probes"], 24);
  EXPECT_EQ(check["directional"]["replaced_probes"], 3);
  EXPECT_NEAR(check["directional"]["miss_probability"].get<double>(), 1.0e-3, 1e-5);
  EXPECT_EQ(check["directional"]["probes_for_one_in_a_million"], 49);
  EXPECT_EQ(check["directional"]["located"], false);
  // An entry-wise check says its mode and has no directional object.
  const json& other = r["cases"][0]["checks"][1];
  EXPECT_EQ(other["mode"], "entrywise");
  EXPECT_FALSE(other.contains("directional"));
}

}  // namespace
}  // namespace gradcheck::report

namespace gradcheck::report {
namespace {

const json* check_named(const json& report, const std::string& name, int index = 0) {
  for (const json& c : report["cases"])
    if (c["name"] == name) return &c["checks"][index];
  return nullptr;
}

TEST(JsonVerdict, EveryCheckCarriesItsReferencePrecisionToleranceAndResolution) {
  const nlohmann::json r = nlohmann::json::parse(gradcheck::report::json(gradcheck::testing::verdict_run()));
  EXPECT_EQ(r["summary"]["inconclusive"], 1);
  const json* cs = check_named(r, "logdet_near_singular_complex_step");
  ASSERT_NE(cs, nullptr);
  EXPECT_EQ((*cs)["reference"]["method"], "complex-step");
  EXPECT_GT((*cs)["reference"]["evaluations"].get<int>(), 0);
  EXPECT_LT((*cs)["reference"]["max_error_bound"].get<double>(), 1e-3);  // entries of ~1e6
  EXPECT_EQ((*cs)["precision"], "double");
  EXPECT_EQ((*cs)["tolerance"]["rtol"], 1e-5);
  EXPECT_GT((*cs)["resolution"].get<double>(), 0.0);

  const json* inc = check_named(r, "large_offset_without_complex_step");
  ASSERT_NE(inc, nullptr);
  EXPECT_EQ((*inc)["status"], "inconclusive");
  EXPECT_EQ((*inc)["reason_code"], "fd-noise");
  EXPECT_NE((*inc)["reason"].get<std::string>().find("only known to"), std::string::npos);
  EXPECT_EQ((*inc)["reference"]["method"], "fd");

  const json* single = check_named(r, "stated_single_precision", 0);
  const json* stated = check_named(r, "stated_single_precision", 1);
  ASSERT_NE(single, nullptr);
  EXPECT_EQ((*single)["precision"], "single");
  EXPECT_EQ((*single)["tolerance"]["rtol"], 1e-2);  // the single-precision default
  EXPECT_EQ((*stated)["tolerance"]["rtol"], 1e-5);  // a stated tolerance wins
  EXPECT_EQ((*stated)["status"], "fail");
  EXPECT_NE(r["closing_line"].get<std::string>().find("1 inconclusive"), std::string::npos);
}

TEST(Json, SecondOrderChecksCarryTheirDerivativeOrder) {
  RunResult run = sample_run();
  CheckResult& k = run.cases.at(0).checks.at(0);
  k.derivative_order = 2;
  k.form = "hvp";
  k.direction = "v";
  const json j = parsed(run);
  const json& first = j.at("cases").at(0).at("checks").at(0);
  EXPECT_EQ(first.at("derivative_order"), 2);
  EXPECT_EQ(first.at("direction"), "v");
  EXPECT_FALSE(j.at("cases").at(1).at("checks").at(0).contains("derivative_order"));
}

// Issue 12: two checks with the same wrt, layout and form in one case get distinct headings,
// the check's position added only to those two (detail::check_label).
TEST(Json, ChecksThatReadTheSameHaveDistinctLabels) {
  const json j = json::parse(report::json(gradcheck::testing::twin_checks_run()));
  const json& checks = j["cases"][0]["checks"];
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0]["label"], "d f/d B (denominator, auto) #1");
  EXPECT_EQ(checks[1]["label"], "d f/d A (numerator, auto)");
  EXPECT_EQ(checks[2]["label"], "d f/d B (denominator, auto) #3");
  EXPECT_EQ(checks[0]["derivative"], "d f/d B (denominator, auto)");  // the derivative itself is unchanged
}

}  // namespace
}  // namespace gradcheck::report
