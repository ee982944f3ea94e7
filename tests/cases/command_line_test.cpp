// SPDX-License-Identifier: MIT
#include "cases/command_line.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

CheckFlags square() {
  CheckFlags f;
  f.expr = "sum(x .^ 2)";
  f.wrt = "x";
  f.expected = "2 * x";
  f.vars = {"x=3x1"};
  return f;
}

std::string all(const LoadedFile& f) {
  std::string s;
  for (const Error& e : f.errors) s += std::string(e.what()) + "\n";
  return s;
}

// The message of the only error of a case file holding `json` where the flags' case has it.
std::string file_message(const std::string& text) {
  const LoadedFile f = load_case_text(text, "c.json");
  EXPECT_EQ(f.errors.size(), 1u) << all(f);
  return f.errors.empty() ? "" : f.errors[0].message();
}

TEST(CheckFlags, RightFlagsLoadAsOneCase) {
  CheckFlags f = square();
  f.dims = {"m=8"};
  f.vars = {"x=3xm:positive", "W=m,2"};
  f.layout = "numerator";
  f.trials = "2";
  f.step = "auto";
  const LoadedFile file = load_check_flags(f);
  ASSERT_TRUE(file.errors.empty()) << all(file) << check_case_text(f);
  ASSERT_EQ(file.cases.size(), 1u);
  const CaseSpec& c = file.cases[0];
  EXPECT_EQ(c.name, "check");
  EXPECT_EQ(c.trials, 2);
  ASSERT_EQ(c.variables.size(), 2u);
  EXPECT_EQ(c.variables[0].cols, "m");
  EXPECT_EQ(c.variables[0].init, Init::kPositive);
  EXPECT_EQ(c.variables[1].rows, "m");
  EXPECT_EQ(c.checks[0].form.layout, Layout::kNumerator);
  EXPECT_EQ(c.expression_location.file, "<command line: --expr>");
}

// Found by review: `--rtol 1` ran while "rtol": 1 was refused; `--step 1` passed the command line
// and failed only at run time. The flags now go through the loader: the same value, the same error.
TEST(CheckFlags, ABadValueGetsTheErrorACaseFileGets) {
  struct Row {
    void (*set)(CheckFlags&);
    const char* flag;
    const char* field;
    const char* json;  // the same value in a case file
  };
  const Row rows[] = {
      {[](CheckFlags& f) { f.rtol = "1"; }, "--rtol", "tolerance.rtol", R"("tolerance": {"rtol": 1})"},
      {[](CheckFlags& f) { f.step = "1"; }, "--step", "fd.step", R"("fd": {"step": 1})"},
      {[](CheckFlags& f) { f.fd = "centered"; }, "--fd", "fd.method", R"("fd": {"method": "centered"})"},
      {[](CheckFlags& f) { f.layout = "denominater"; }, "--layout", "checks[0].layout", nullptr},
      {[](CheckFlags& f) { f.trials = "0"; }, "--trials", "trials", R"("trials": 0)"},
      {[](CheckFlags& f) { f.trials = "three"; }, "--trials", "trials", R"("trials": "three")"},
      {[](CheckFlags& f) { f.seed = "-5"; }, "--seed", "seed", R"("seed": -5)"},
  };
  for (const Row& row : rows) {
    CheckFlags f = square();
    row.set(f);
    const LoadedFile file = load_check_flags(f);
    ASSERT_EQ(file.errors.size(), 1u) << row.flag << "\n" << all(file);
    const Error& e = file.errors[0];
    EXPECT_EQ(e.id(), "case.field") << row.flag;
    EXPECT_EQ(e.place().file, std::string("<command line: ") + row.flag + ">");
    EXPECT_EQ(e.place().field, row.field);
    EXPECT_EQ(e.place().line, 0u);
    if (row.json) {
      const std::string text = std::string(R"({"name": "c", "variables": {"x": {"shape": [3, 1]}}, )") + row.json +
                               R"j(, "expression": "sum(x .^ 2)", "checks": [{"wrt": "x", "expected": "2 * x"}]})j";
      EXPECT_EQ(e.message(), file_message(text)) << row.flag;
    }
  }
}

TEST(CheckFlags, NamesFollowTheRulesOfCaseFiles) {
  CheckFlags f = square();
  f.dims = {"x=3"};
  // A name given twice is the command line's own error, said once with both flags.
  try {
    load_check_flags(f);
    ADD_FAILURE() << "a name both --dim and --var loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "cli.usage");
    EXPECT_EQ(e.message(), "--dim x=3 and --var x=3x1: \"x\" is given twice; name each size (--dim) and each variable (--var) once");
  }
  f = square();
  f.vars.push_back(f.vars.front());
  EXPECT_THROW(load_check_flags(f), Error);

  f = square();
  LoadedFile file;
  f.vars = {"x=3xn"};
  file = load_check_flags(f);
  ASSERT_EQ(file.errors.size(), 1u) << all(file);
  EXPECT_EQ(file.errors[0].place().field, "variables.x.shape");
  EXPECT_NE(file.errors[0].message().find("\"n\" is not a dim of this case"), std::string::npos) << all(file);

  f = square();
  f.vars = {"2x=3x1"};
  f.wrt = "2x";
  file = load_check_flags(f);
  ASSERT_FALSE(file.errors.empty());
  EXPECT_EQ(file.errors[0].message(), "a variable name must be an identifier (letters, digits, _)");

  f = square();
  f.vars = {"x=3x1:gaussian"};
  file = load_check_flags(f);
  ASSERT_EQ(file.errors.size(), 1u) << all(file);
  EXPECT_EQ(file.errors[0].place().field, "variables.x.init");

  f = square();
  f.wrt = "y";
  file = load_check_flags(f);
  ASSERT_EQ(file.errors.size(), 1u) << all(file);
  EXPECT_EQ(file.errors[0].place().file, "<command line: --wrt>");
  EXPECT_EQ(file.errors[0].message(), "\"y\" is not a variable of this case");
}

TEST(CheckFlags, TextWithNoPlaceInACaseIsAUsageError) {
  CheckFlags f = square();
  f.vars = {"x=three"};
  EXPECT_THROW(check_case_text(f), Error);
  f = square();
  f.dims = {"m"};
  try {
    check_case_text(f);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "cli.usage");
  }
}

TEST(CheckFlags, FormIndexWithoutIndicesNamesTheFlag) {
  CheckFlags f = square();
  f.form = "index";
  const LoadedFile file = load_check_flags(f);
  ASSERT_EQ(file.errors.size(), 1u) << all(file);
  EXPECT_EQ(file.errors[0].id(), "case.missing-field");
  EXPECT_EQ(file.errors[0].place().file, "<command line: --indices>");
}

}  // namespace
}  // namespace gradcheck
