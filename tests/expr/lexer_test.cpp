// SPDX-License-Identifier: MIT
// Tests of harness/expr/lexer.cpp.
#include "expr/lexer.hpp"

#include <gtest/gtest.h>

#include "gradcheck/error.hpp"

using gradcheck::ExprError;
using gradcheck::expr::Tok;
using gradcheck::expr::tokenize;

namespace {

std::vector<Tok> kinds(const std::string& text) {
  std::vector<Tok> out;
  for (const auto& t : tokenize(text)) out.push_back(t.kind);
  return out;
}

ExprError lex_error(const std::string& text) {
  try {
    tokenize(text);
  } catch (const ExprError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a lexer error from: " << text;
  return ExprError("none", "", text, 1);
}

}  // namespace

TEST(Lexer, OperatorsAndPunctuation) {
  EXPECT_EQ(kinds("+ - * / .* ./ ^ .^ < <= > >= ' .' .T ( ) ,"),
            (std::vector<Tok>{Tok::Plus, Tok::Minus, Tok::Star, Tok::Slash, Tok::DotStar, Tok::DotSlash, Tok::Caret,
                              Tok::DotCaret, Tok::Less, Tok::LessEq, Tok::Greater, Tok::GreaterEq, Tok::Quote,
                              Tok::Quote, Tok::DotT, Tok::LParen, Tok::RParen, Tok::Comma, Tok::End}));
}

TEST(Lexer, NumbersInEveryForm) {
  const auto toks = tokenize("2 0.5 1e-3 .25 3E2 7e+1");
  ASSERT_EQ(toks.size(), 7u);
  const double want[] = {2, 0.5, 1e-3, 0.25, 300, 70};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(toks[i].kind, Tok::Number) << i;
    EXPECT_DOUBLE_EQ(toks[i].number, want[i]) << i;
  }
}

TEST(Lexer, DotAfterNumberStartsAnOperator) {
  // `2.*x` is 2 .* x and `x.^.5` is x .^ 0.5.
  EXPECT_EQ(kinds("2.*x"), (std::vector<Tok>{Tok::Number, Tok::DotStar, Tok::Name, Tok::End}));
  const auto toks = tokenize("x.^.5");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[1].kind, Tok::DotCaret);
  EXPECT_DOUBLE_EQ(toks[2].number, 0.5);
}

TEST(Lexer, NamesAndPositions) {
  const auto toks = tokenize("  w_1 +Ab2");
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[0].kind, Tok::Name);
  EXPECT_EQ(toks[0].pos, 2u);
  EXPECT_EQ(toks[0].len, 3u);
  EXPECT_EQ(toks[1].pos, 6u);
  EXPECT_EQ(toks[2].pos, 7u);
  EXPECT_EQ(toks[2].len, 3u);
  EXPECT_EQ(toks[3].kind, Tok::End);
  EXPECT_EQ(toks[3].pos, 10u);
}

TEST(Lexer, TransposeSpellings) {
  EXPECT_EQ(kinds("x'"), (std::vector<Tok>{Tok::Name, Tok::Quote, Tok::End}));
  EXPECT_EQ(kinds("x.T"), (std::vector<Tok>{Tok::Name, Tok::DotT, Tok::End}));
  EXPECT_EQ(kinds("x.T'"), (std::vector<Tok>{Tok::Name, Tok::DotT, Tok::Quote, Tok::End}));
}

TEST(Lexer, UnknownCharacterIsASyntaxError) {
  const ExprError e = lex_error("x # y");
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(e.detail(), "unexpected character '#'");
  EXPECT_EQ(e.column(), 3u);
  EXPECT_EQ(e.excerpt(), "  x # y\n    ^");
}

TEST(Lexer, StrayDotIsASyntaxError) {
  EXPECT_EQ(lex_error("x.y").detail(), "unexpected character '.'");
  EXPECT_EQ(lex_error("x.Tx").column(), 2u);
}

// A\b (MATLAB's solve) got only "unexpected character": it now says what to write.
TEST(Lexer, BackslashSuggestsSolve) {
  const ExprError e = lex_error("A\\b");
  EXPECT_EQ(e.detail(), "unexpected character '\\': to solve A x = b write solve(A, b) (A\\b is not supported)");
  EXPECT_EQ(e.column(), 2u);
}

TEST(Lexer, NonPrintableCharacterIsShownAsAByte) {
  EXPECT_EQ(lex_error("x\x01").detail(), "unexpected character (byte 0x01)");
}

TEST(Lexer, MalformedNumbers) {
  const ExprError e = lex_error("2x + 1");
  EXPECT_EQ(e.id(), "expr.syntax");
  EXPECT_EQ(e.detail(), "malformed number '2x'");
  EXPECT_EQ(e.column(), 1u);
  EXPECT_EQ(e.length(), 2u);
  EXPECT_EQ(lex_error("1 + 1e").detail(), "malformed number '1e'");
  EXPECT_EQ(lex_error("1e+ 2").detail(), "malformed number '1e+'");
}
