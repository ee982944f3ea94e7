// SPDX-License-Identifier: MIT
// The parser of index notation: text -> syntax tree. A hand-written recursive descent over the
// characters (no separate lexer): the source of matrix-expression groups is passed on verbatim,
// and may hold characters (' .* ...) that index notation itself does not have.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <utility>

#include "gradcheck/error.hpp"
#include "index/ast.hpp"
#include "index/scan.hpp"

namespace gradcheck::index {

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Tree parse() {
    skip_space();
    if (p_ == s_.size()) fail("the expression is empty", 0);
    tree_.root = sum();
    skip_space();
    if (p_ < s_.size()) {
      if (s_[p_] == ')') fail("')' without a matching '('", p_);
      fail("unexpected " + quoted(s_, p_) + after_term_hint(), p_);
    }
    return std::move(tree_);
  }

 private:
  [[noreturn]] void fail(const std::string& detail, std::size_t pos, std::size_t len = 1,
                         const char* id = "expr.syntax") const {
    throw ExprError(id, detail, std::string(s_), pos + 1, len);
  }
  void skip_space() {
    while (p_ < s_.size() && is_space(s_[p_])) ++p_;
  }
  // Skips spaces, then true if the next character is c (not consumed).
  bool next_is(char c) {
    skip_space();
    return p_ < s_.size() && s_[p_] == c;
  }
  void expect(char c, const char* what) {
    if (!next_is(c)) fail(std::string("expected ") + what + " but found " + quoted(s_, p_), p_);
    ++p_;
  }
  // Characters of the matrix language that index notation does not have get a pointer to groups.
  std::string after_term_hint() const {
    if (p_ < s_.size() && (s_[p_] == '\'' || s_[p_] == '.'))
      return ": transposes and elementwise operators belong to matrix expressions; index one, as in (W')[k,i]";
    return "";
  }

  // `at`: where a refusal points (the operator of a binary node); npos: the node's start.
  int add(Node node, std::size_t at = std::string_view::npos) {
    for (int k : node.kids) node.height = std::max(node.height, tree_.nodes[static_cast<std::size_t>(k)].height + 1);
    // Chains (a[i] + a[i] + ...) nest without parentheses: bound the height of the tree as well.
    if (node.height > kMaxHeight)
      fail("expression too long: more than 1000 operations in a chain (split it, or use sum())",
           at == std::string_view::npos ? node.pos : at);
    tree_.nodes.push_back(std::move(node));
    return static_cast<int>(tree_.nodes.size()) - 1;
  }
  int binary(Node::Kind kind, int a, int b, std::size_t op) {
    Node n;
    n.kind = kind;
    n.kids = {a, b};
    n.pos = tree_.nodes[a].pos;
    n.end = tree_.nodes[b].end;
    return add(std::move(n), op);
  }

  int sum() {
    int left = product();
    while (next_is('+') || next_is('-')) {
      const std::size_t op = p_;
      const Node::Kind kind = s_[p_++] == '+' ? Node::Add : Node::Sub;
      left = binary(kind, left, product(), op);
    }
    return left;
  }

  int product() {
    int left = unary();
    while (next_is('*') || next_is('/')) {
      const std::size_t op = p_;
      const Node::Kind kind = s_[p_++] == '*' ? Node::Mul : Node::Div;
      left = binary(kind, left, unary(), op);
    }
    return left;
  }

  int unary() {
    // Every level of nesting passes here: refuse deep nesting before the recursion could exhaust
    // the stack.
    struct Nest {
      std::size_t& depth;
      ~Nest() { --depth; }
    } nest{++depth_};
    if (depth_ > kMaxDepth) fail("expression nested too deeply (more than 200 levels)", p_);
    if (next_is('-')) {
      Node n;
      n.kind = Node::Neg;
      n.pos = p_++;
      n.kids = {unary()};
      n.end = tree_.nodes[n.kids[0]].end;
      return add(std::move(n));
    }
    return power();
  }

  int power() {
    const int base = primary();
    if (!next_is('^')) return base;
    const std::size_t op = p_++;
    return binary(Node::Pow, base, unary(), op);
  }

  // The offset of the ')' closing the '(' at `open`; fails if there is none.
  std::size_t matching_paren(std::size_t open) const {
    int depth = 0;
    for (std::size_t q = open; q < s_.size(); ++q) {
      if (s_[q] == '(') ++depth;
      if (s_[q] == ')' && --depth == 0) return q;
    }
    fail("'(' is never closed", open);
  }
  // True if, after the ')' at `close` and any spaces, a '[' follows: the group is indexed.
  bool indexed_after(std::size_t close) const {
    std::size_t q = close + 1;
    while (q < s_.size() && is_space(s_[q])) ++q;
    return q < s_.size() && s_[q] == '[';
  }

  // The letter at the current position (after spaces).
  LetterUse letter() {
    skip_space();
    const std::size_t len = name_length(s_, p_, true);
    if (len == 0) fail("expected an index letter (a lowercase name such as i) but found " + quoted(s_, p_), p_);
    LetterUse use{std::string(s_.substr(p_, len)), p_};
    p_ += len;
    return use;
  }
  // "[" letter { "," letter } "]", at the current position.
  void bracket_letters(Node& n) {
    skip_space();
    const std::size_t open = p_++;
    while (true) {
      n.letters.push_back(letter());
      if (next_is(',')) {
        ++p_;
        continue;
      }
      if (next_is(']')) break;
      if (p_ == s_.size()) fail("'[' is never closed", open);
      fail("expected ',' or ']' but found " + quoted(s_, p_), p_);
    }
    n.end = ++p_;
  }

  // A matrix-expression group [start, close] (the ')' included), indexed if '[' follows.
  int embedded(std::size_t start, std::size_t close) {
    Node n;
    n.kind = Node::Embedded;
    n.pos = start;
    n.name = std::string(s_.substr(start, close + 1 - start));
    n.name_end = n.end = p_ = close + 1;
    if (indexed_after(close)) bracket_letters(n);
    return add(std::move(n));
  }

  int primary() {
    skip_space();
    const std::size_t start = p_;
    if (p_ == s_.size()) fail("expected a term but found the end", p_);
    const char c = s_[p_];

    if (is_digit(c) || (c == '.' && p_ + 1 < s_.size() && is_digit(s_[p_ + 1]))) return number();

    if (c == '(') {
      const std::size_t close = matching_paren(p_);
      if (indexed_after(close)) return embedded(start, close);
      ++p_;
      Node n;
      n.kind = Node::Group;
      n.pos = start;
      n.kids = {sum()};
      expect(')', "')'");
      n.end = p_;
      return add(std::move(n));
    }

    const std::size_t len = name_length(s_, p_, false);
    if (len == 0) {
      if (c == ')') fail("expected a term but found ')'", p_);
      fail("expected a term but found " + quoted(s_, p_) + after_term_hint(), p_);
    }
    Node n;
    n.pos = start;
    n.name = std::string(s_.substr(p_, len));
    n.name_end = n.end = p_ += len;

    if (next_is('(')) {
      const std::size_t open = p_;
      const std::size_t close = matching_paren(open);
      if (indexed_after(close)) return embedded(start, close);
      if (n.name == "delta") {
        ++p_;
        n.kind = Node::Delta;
        n.letters.push_back(letter());
        expect(',', "',' (delta takes two index letters, delta(i,k))");
        n.letters.push_back(letter());
        expect(')', "')' (delta takes two index letters, delta(i,k))");
        n.end = p_;
        return add(std::move(n));
      }
      if (n.name == "sum" && starts_sum(open)) {
        ++p_;
        n.kind = Node::Sum;
        n.letters.push_back(letter());
        expect(',', "','");
        n.kids = {sum()};
        expect(')', "')'");
        n.end = p_;
        return add(std::move(n));
      }
      if ((n.fn = scalar::find(n.name))) {
        ++p_;
        n.kind = Node::Func;
        n.kids = {sum()};
        if (next_is(','))
          fail(n.name + " takes one argument; to apply it to a matrix expression, index the result, as in " +
                   n.name + "(A)[i,j]",
               p_, 1, "expr.arity");
        expect(')', "')'");
        n.end = p_;
        return add(std::move(n));
      }
      return embedded(start, close);  // tr(A), det(X), sum(A): a 1x1 matrix expression
    }

    if (next_is('[')) {
      n.kind = Node::Indexed;
      bracket_letters(n);
      return add(std::move(n));
    }
    n.kind = Node::Name;
    return add(std::move(n));
  }

  // sum( letter , ... ) is the index sum; anything else (sum(A), sum(x'*y)) the matrix one.
  bool starts_sum(std::size_t open) const {
    std::size_t q = open + 1;
    while (q < s_.size() && is_space(s_[q])) ++q;
    const std::size_t len = name_length(s_, q, true);
    if (len == 0) return false;
    q += len;
    while (q < s_.size() && is_space(s_[q])) ++q;
    return q < s_.size() && s_[q] == ',';
  }

  // digits [ "." digits ] [ ("e" | "E") [sign] digits ], or "." digits ...
  int number() {
    const std::size_t start = p_;
    while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      std::size_t q = p_ + 1;
      if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
      if (q < s_.size() && is_digit(s_[q])) {
        p_ = q;
        while (p_ < s_.size() && is_digit(s_[p_])) ++p_;
      }
    }
    Node n;
    n.kind = Node::Number;
    n.pos = start;
    n.end = p_;
    n.value = std::strtod(std::string(s_.substr(start, p_ - start)).c_str(), nullptr);
    return add(std::move(n));
  }

  static constexpr std::size_t kMaxDepth = 200;
  static constexpr std::size_t kMaxHeight = 1000;

  std::string_view s_;
  std::size_t p_ = 0;
  std::size_t depth_ = 0;  // nesting of groups, calls, signs and exponents
  Tree tree_;
};

}  // namespace

Tree parse(std::string_view text) { return Parser(text).parse(); }

}  // namespace gradcheck::index
