// SPDX-License-Identifier: MIT
#include "gradcheck/error.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Error, WithoutAPlaceReadsIdAndMessage) {
  const Error e("check.options", "invalid options: rtol and atol cannot both be 0");
  EXPECT_STREQ(e.what(), "[check.options] invalid options: rtol and atol cannot both be 0");
  EXPECT_EQ(e.message(), "invalid options: rtol and atol cannot both be 0");
  EXPECT_TRUE(e.place().file.empty());
}

TEST(Error, EveryKnownPartOfThePlaceIsPrinted) {
  EXPECT_STREQ(Error("case.field", "expected a number", {"a.json", 3, 7, "sq", "trials"}).what(),
               "a.json:3:7: error [case.field] case \"sq\", field \"trials\": expected a number");
  EXPECT_STREQ(Error("case.field", "expected a number", {"a.json", 3, 7, "", "defaults.trials"}).what(),
               "a.json:3:7: error [case.field] field \"defaults.trials\": expected a number");
  EXPECT_STREQ(Error("case.io", "cannot read the file", {"a.json"}).what(), "a.json: error [case.io] cannot read the file");
  EXPECT_STREQ(Error("internal", "std::bad_alloc", {"a.json", 0, 0, "huge"}).what(),
               "a.json: error [internal] case \"huge\": std::bad_alloc");
}

TEST(Error, AnExpressionErrorKeepsItsCaretWhenLocated) {
  const ExprError e("expr.syntax", "expected an expression after '*', got '*'", "x' * * A * x", 6);
  EXPECT_STREQ(e.what(), "[expr.syntax] column 6: expected an expression after '*', got '*'\n  x' * * A * x\n       ^");
  const Error at = e.at({"b.json", 5, 23, "double_operator", "expression"});
  EXPECT_STREQ(at.what(),
               "b.json:5:23: error [expr.syntax] case \"double_operator\", field \"expression\", column 6: expected an "
               "expression after '*', got '*'\n    x' * * A * x\n         ^");
  EXPECT_EQ(at.id(), "expr.syntax");
  EXPECT_EQ(at.message(), "expected an expression after '*', got '*'");
  EXPECT_EQ(at.expression_column(), 6u);
  EXPECT_EQ(at.place().line, 5u);
}

TEST(Error, AtKeepsThePartsThePlaceDoesNotKnow) {
  const Error e("case.init", "init \"orthogonal\" needs rows >= cols", {"c.json", 3, 22, "q", "variables.Q.init"});
  const Error renamed = e.at({"", 0, 0, "q[n=4]", ""});
  EXPECT_EQ(renamed.place().file, "c.json");
  EXPECT_EQ(renamed.place().line, 3u);
  EXPECT_EQ(renamed.place().case_name, "q[n=4]");
  EXPECT_EQ(renamed.place().field, "variables.Q.init");
}

}  // namespace
}  // namespace gradcheck
