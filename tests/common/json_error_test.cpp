// SPDX-License-Identifier: MIT
#include "common/json_error.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

JsonFailure failure_of(const std::string& text) {
  try {
    const auto parsed = nlohmann::json::parse(text);
    ADD_FAILURE() << "parsed: " << parsed.dump();
  } catch (const nlohmann::json::exception& e) {
    return json_failure(text, e);
  }
  return {};
}

TEST(PositionOf, CountsLinesAndColumns) {
  EXPECT_EQ(position_of("ab\ncd", 4).line, 2u);
  EXPECT_EQ(position_of("ab\ncd", 4).column, 2u);
}

TEST(JsonFailure, ASyntaxErrorIsWhereTheParserStopped) {
  const JsonFailure f = failure_of("{\n  \"a\": [1, 2,]\n}");
  EXPECT_EQ(f.at.line, 2u);
  EXPECT_EQ(f.at.column, 14u);
  EXPECT_EQ(f.reason.rfind("a trailing comma before ']' (JSON allows none): syntax error while parsing value - "
                           "unexpected ']'", 0),
            0u)
      << f.reason;
}

TEST(JsonFailure, ANumberTooLargeIsFoundOutsideStrings) {
  const JsonFailure f = failure_of("{\"s\": \"1e999\",\n \"x\": 1e999}");
  EXPECT_EQ(f.at.line, 2u);
  EXPECT_EQ(f.at.column, 7u);
  EXPECT_EQ(f.reason, "number overflow parsing '1e999'");
}

TEST(Printable, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(printable("a\xff" "b\xc3\xa9"), "a\\xFFb\xc3\xa9");
  EXPECT_EQ(printable("tab\there"), "tab\\x09here");
}

}  // namespace
}  // namespace gradcheck
