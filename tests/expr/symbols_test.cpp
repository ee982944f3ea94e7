// SPDX-License-Identifier: MIT
// Tests of harness/expr/symbols.cpp.
#include <gtest/gtest.h>

#include "gradcheck/expression.hpp"

using namespace gradcheck;

TEST(Symbols, VariablesGetSlotsInOrder) {
  Symbols s;
  s.add_variable("W", Shape{3, 2});
  s.add_variable("b", Shape{3, 1});
  ASSERT_NE(s.find_variable("b"), nullptr);
  EXPECT_EQ(s.find_variable("W")->slot, 0u);
  EXPECT_EQ(s.find_variable("b")->slot, 1u);
  EXPECT_EQ(s.find_variable("W")->shape, (Shape{3, 2}));
  EXPECT_EQ(s.variable_count(), 2u);
  EXPECT_EQ(s.variable_names(), (std::vector<std::string>{"W", "b"}));
  EXPECT_EQ(s.find_variable("w"), nullptr);  // names are case-sensitive
}

TEST(Symbols, DimsAreNamedNumbers) {
  Symbols s;
  s.add_dim("n", 5);
  s.add_dim("eps", 1e-3);
  ASSERT_NE(s.find_dim("n"), nullptr);
  EXPECT_DOUBLE_EQ(*s.find_dim("n"), 5);
  EXPECT_EQ(s.find_dim("m"), nullptr);
  EXPECT_EQ(s.find_variable("n"), nullptr);
  EXPECT_EQ(s.dim_names(), (std::vector<std::string>{"eps", "n"}));
  EXPECT_EQ(s.variable_count(), 0u);
}

TEST(Symbols, RejectsDuplicateNames) {
  Symbols s;
  s.add_variable("x", Shape{2, 1});
  try {
    s.add_dim("x", 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "expr.name");
    EXPECT_EQ(e.message(), "the name 'x' is declared twice");
  }
  EXPECT_THROW(s.add_variable("x", Shape{1, 1}), Error);
}

TEST(Symbols, RejectsInvalidNamesAndEmptyShapes) {
  Symbols s;
  EXPECT_THROW(s.add_variable("2x", Shape{1, 1}), Error);
  EXPECT_THROW(s.add_dim("a-b", 1), Error);
  EXPECT_THROW(s.add_dim("", 1), Error);
  try {
    s.add_variable("z", Shape{0, 3});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "expr.value");
    EXPECT_EQ(e.message(), "variable 'z' has an empty shape 0x3");
  }
  s.add_variable("_ok_1", Shape{1, 1});
  EXPECT_NE(s.find_variable("_ok_1"), nullptr);
}

TEST(Shape, Predicates) {
  EXPECT_TRUE((Shape{1, 1}).is_scalar());
  EXPECT_TRUE((Shape{1, 4}).is_vector());
  EXPECT_TRUE((Shape{4, 1}).is_vector());
  EXPECT_FALSE((Shape{2, 3}).is_vector());
  EXPECT_TRUE((Shape{3, 3}).is_square());
  EXPECT_EQ((Shape{4, 3}).numel(), 12u);
  EXPECT_EQ((Shape{4, 3}).str(), "4x3");
}
