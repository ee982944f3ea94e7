// SPDX-License-Identifier: MIT
// Recursive-descent parser; see parser.hpp for the grammar.
#include "expr/parser.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "gradcheck/error.hpp"

namespace gradcheck::expr {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), toks_(tokenize(text)) {}

  Node parse_all() {
    if (toks_.size() == 1) fail("unexpected end of expression: the expression is empty", toks_[0].pos, 1);
    Node root = compare();
    const Token& t = peek();
    if (t.kind == Tok::RParen) fail("unexpected ')' without a matching '('", t);
    if (t.kind != Tok::End) fail("unexpected '" + str(t) + "': expected an operator or the end of the expression", t);
    return root;
  }

 private:
  std::string_view text_;
  std::vector<Token> toks_;
  std::size_t at_ = 0;
  std::size_t depth_ = 0;  // nesting of parentheses, calls, signs and exponents
  static constexpr std::size_t kMaxDepth = 200;
  // Chains (x + x + ..., a transpose of a transpose ...) nest without parentheses; the compiler
  // recurses through every level of the tree, so its height is bounded too.
  static constexpr std::size_t kMaxHeight = 1000;

  const Token& peek() const { return toks_[at_]; }
  const Token& take() { return toks_[at_++]; }
  bool accept(Tok k) {
    if (peek().kind != k) return false;
    ++at_;
    return true;
  }
  std::string str(const Token& t) const { return token_text(text_, t); }

  [[noreturn]] void fail(std::string detail, std::size_t pos, std::size_t len) const {
    throw ExprError("expr.syntax", std::move(detail), std::string(text_), pos + 1, len);
  }
  [[noreturn]] void fail(std::string detail, const Token& t) const {
    fail(std::move(detail), t.pos, t.len ? t.len : 1);
  }

  // Sets n.height from its children; refuses a tree taller than kMaxHeight, pointing at n.
  void grown(Node& n) const {
    for (const Node& c : n.children) n.height = std::max(n.height, c.height + 1);
    if (n.height > kMaxHeight)
      fail("expression too long: more than 1000 operations in a chain (split it, or use sum() and matrix products)",
           n.pos, n.len ? n.len : 1);
  }

  Node binary(Tok op, const Token& t, Node lhs, Node rhs) const {
    Node n{Node::Binary};
    n.op = op;
    n.pos = t.pos;
    n.len = t.len;
    n.begin = lhs.begin;
    n.end = rhs.end;
    n.children.push_back(std::move(lhs));
    n.children.push_back(std::move(rhs));
    grown(n);
    return n;
  }

  // Left-associative level: operand { op operand } for the operators in `ops`.
  template <class Next>
  Node left_assoc(std::initializer_list<Tok> ops, Next next) {
    Node lhs = (this->*next)();
    for (;;) {
      bool match = false;
      for (Tok k : ops) match = match || peek().kind == k;
      if (!match) return lhs;
      const Token& t = take();
      Node rhs = (this->*next)();
      lhs = binary(t.kind, t, std::move(lhs), std::move(rhs));
    }
  }

  Node compare() { return left_assoc({Tok::Less, Tok::LessEq, Tok::Greater, Tok::GreaterEq}, &Parser::sum); }
  Node sum() { return left_assoc({Tok::Plus, Tok::Minus}, &Parser::term); }
  Node term() { return left_assoc({Tok::Star, Tok::Slash, Tok::DotStar, Tok::DotSlash}, &Parser::unary); }

  // A prefix sign applied to `operand` (parsed by the member `operand`).
  // Every nesting level passes here once, so this is where deep nesting is refused (before the
  // recursion could exhaust the stack).
  Node signed_operand(Node (Parser::*operand)()) {
    struct Nest {
      std::size_t& depth;
      ~Nest() { --depth; }
    } nest{++depth_};
    if (depth_ > kMaxDepth) fail("expression nested too deeply (more than 200 levels)", peek());
    if (peek().kind == Tok::Minus || peek().kind == Tok::Plus) {
      const Token& t = take();
      Node inner = signed_operand(operand);
      Node n{Node::Unary};
      n.op = t.kind;
      n.pos = t.pos;
      n.len = 1;
      n.begin = t.pos;
      n.end = inner.end;
      n.children.push_back(std::move(inner));
      grown(n);
      return n;
    }
    return (this->*operand)();
  }
  Node unary() { return signed_operand(&Parser::power); }
  Node exponent() { return signed_operand(&Parser::power); }

  Node power() {
    Node base = postfix();
    if (peek().kind != Tok::Caret && peek().kind != Tok::DotCaret) return base;
    const Token& t = take();
    Node exp = exponent();  // recursion makes ^ right-associative
    return binary(t.kind, t, std::move(base), std::move(exp));
  }

  Node postfix() {
    Node n = primary();
    while (peek().kind == Tok::Quote || peek().kind == Tok::DotT) {
      const Token& t = take();
      Node tr{Node::Transpose};
      tr.pos = t.pos;
      tr.len = t.len;
      tr.begin = n.begin;
      tr.end = t.pos + t.len;
      tr.children.push_back(std::move(n));
      grown(tr);
      n = std::move(tr);
    }
    return n;
  }

  Node primary() {
    const Token& t = peek();
    if (t.kind == Tok::Number) {
      take();
      Node n{Node::Number};
      n.value = t.number;
      n.pos = n.begin = t.pos;
      n.len = t.len;
      n.end = t.pos + t.len;
      return n;
    }
    if (t.kind == Tok::Name) {
      take();
      Node n{Node::Name};
      n.name = str(t);
      n.pos = n.begin = t.pos;
      n.len = t.len;
      n.end = t.pos + t.len;
      if (peek().kind == Tok::LParen) call_arguments(n);
      return n;
    }
    if (t.kind == Tok::LParen) {
      const Token& open = take();
      Node n = compare();
      const Token& close = peek();
      if (close.kind == Tok::End) fail("unterminated '(': no matching ')'", open);
      if (close.kind != Tok::RParen) fail("unexpected '" + str(close) + "': expected an operator or ')'", close);
      take();
      n.begin = open.pos;  // the parentheses belong to the operand's source text
      n.end = close.pos + 1;
      return n;
    }
    missing_operand();
  }

  // name "(" args ")": turns the Name node `n` into a Call.
  void call_arguments(Node& n) {
    const Token& open = take();
    n.kind = Node::Call;
    if (!accept(Tok::RParen)) {
      for (;;) {
        n.children.push_back(compare());
        const Token& t = peek();
        if (t.kind == Tok::Comma) {
          take();
          continue;
        }
        if (t.kind == Tok::RParen) break;
        if (t.kind == Tok::End) fail("unterminated '(': no matching ')'", open);
        fail("unexpected '" + str(t) + "': expected an operator, ',' or ')'", t);
      }
      take();
    }
    n.end = toks_[at_ - 1].pos + 1;
    grown(n);
  }

  // An operand was expected at the current token but it cannot start one.
  [[noreturn]] void missing_operand() const {
    const Token& t = peek();
    const Token* prev = at_ > 0 ? &toks_[at_ - 1] : nullptr;
    if (t.kind == Tok::End) {
      if (prev && prev->kind == Tok::LParen) fail("unterminated '(': no matching ')'", *prev);
      if (prev) fail("expected an expression after '" + str(*prev) + "'", *prev);
      fail("unexpected end of expression", t.pos, 1);
    }
    if (t.kind == Tok::RParen && prev && prev->kind == Tok::LParen) fail("unexpected ')': empty parentheses", t);
    if (prev) fail("expected an expression after '" + str(*prev) + "', got '" + str(t) + "'", t);
    fail("expected an expression, got '" + str(t) + "'", t);
  }
};

}  // namespace

Node parse(std::string_view text) { return Parser(text).parse_all(); }

}  // namespace gradcheck::expr
