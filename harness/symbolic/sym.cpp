// SPDX-License-Identifier: MIT
// The symbolic tree: equality, printing, shapes (by the compiler), conversion from the AST.
#include "symbolic/sym.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "expr/compiler.hpp"
#include "gradcheck/error.hpp"

namespace gradcheck::symbolic {

bool equal(const P& a, const P& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (a->kind != b->kind || a->op != b->op || a->name != b->name || a->kids.size() != b->kids.size()) return false;
  if (a->kind == Node::Number && a->value != b->value) return false;
  for (std::size_t i = 0; i < a->kids.size(); ++i)
    if (!equal(a->kids[i], b->kids[i])) return false;
  return true;
}

bool depends_on(const P& n, const std::string& variable) {
  if (n->constant) return false;
  if (n->kind == Node::Name) return n->name == variable;
  for (const P& k : n->kids)
    if (depends_on(k, variable)) return true;
  return false;
}

Node to_node(const P& n) {
  Node out(n->kind);
  out.op = n->op;
  out.name = n->name;
  out.value = n->value;
  for (const P& k : n->kids) {
    out.children.push_back(to_node(k));
    out.height = std::max(out.height, out.children.back().height + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Printing. Levels of the grammar (parser.hpp), loosest first: 1 comparisons, 2 sums, 3 terms
// (* / .* ./), 4 unary minus, 5 powers, 6 transposes, 7 primaries (numbers, names, calls,
// parentheses). A child is parenthesised when its level is below what its position admits.

namespace {

const char* op_text(Tok op) {
  switch (op) {
    case Tok::Plus: return "+";
    case Tok::Minus: return "-";
    case Tok::Star: return "*";
    case Tok::Slash: return "/";
    case Tok::DotStar: return ".*";
    case Tok::DotSlash: return "./";
    case Tok::Caret: return "^";
    case Tok::DotCaret: return ".^";
    case Tok::Less: return "<";
    case Tok::LessEq: return "<=";
    case Tok::Greater: return ">";
    case Tok::GreaterEq: return ">=";
    default: return "?";
  }
}

int level_of(Tok op) {
  switch (op) {
    case Tok::Plus:
    case Tok::Minus: return 2;
    case Tok::Star:
    case Tok::Slash:
    case Tok::DotStar:
    case Tok::DotSlash: return 3;
    case Tok::Caret:
    case Tok::DotCaret: return 5;
    default: return 1;
  }
}

struct Printer {
  std::map<double, std::string> size_names;  // values held by exactly one dim

  std::string number(const Sym& n) const {
    if (n.size) {
      const auto it = size_names.find(n.value);
      if (it != size_names.end()) return it->second;
    }
    if (std::isinf(n.value)) return n.value > 0 ? "inf" : "-inf";
    return fmt::format("{}", n.value);
  }

  int level(const Sym& n) const {
    switch (n.kind) {
      case Node::Number: return n.value < 0 ? 4 : 7;
      case Node::Name:
      case Node::Call: return 7;
      case Node::Unary: return 4;
      case Node::Transpose: return 6;
      case Node::Binary: return level_of(n.op);
    }
    return 7;
  }

  std::string at(const P& n, int min_level) const {
    std::string s = text(*n);
    return level(*n) < min_level ? "(" + s + ")" : s;
  }

  // A right operand at the same level needs no parentheses where regrouping keeps the value:
  // a + (b - c), a * (b * c), a .* (b .* c), a * (b / s), a .* (b ./ c).
  static bool regroups(Tok parent, const Sym& right) {
    if (right.kind != Node::Binary) return false;
    if (parent == Tok::Plus) return right.op == Tok::Plus || right.op == Tok::Minus;
    if (parent == Tok::Star) return right.op == Tok::Star || right.op == Tok::Slash;
    if (parent == Tok::DotStar) return right.op == Tok::DotStar || right.op == Tok::DotSlash;
    return false;
  }

  std::string text(const Sym& n) const {
    switch (n.kind) {
      case Node::Number: return number(n);
      case Node::Name: return n.name;
      case Node::Call: {
        std::string s = n.name + "(";
        for (std::size_t i = 0; i < n.kids.size(); ++i) s += (i ? ", " : "") + at(n.kids[i], 1);
        return s + ")";
      }
      case Node::Unary: return "-" + at(n.kids[0], 4);
      case Node::Transpose: return at(n.kids[0], 6) + "'";
      case Node::Binary: {
        const int l = level_of(n.op);
        if (l == 5) {  // right-associative; the base is a postfix, the exponent a power
          const P& e = n.kids[1];
          // The exponent is itself an exponent: a number or a negation needs no parentheses (x .^ -1).
          const bool bare = (e->kind == Node::Number && !e->size) || e->kind == Node::Unary;
          if (e->kind == Node::Unary) return at(n.kids[0], 6) + " " + op_text(n.op) + " -" + at(e->kids[0], 5);
          return at(n.kids[0], 6) + " " + op_text(n.op) + " " + (bare ? number(*e) : at(e, 5));
        }
        const int right = regroups(n.op, *n.kids[1]) ? l : l + 1;
        return at(n.kids[0], l) + " " + op_text(n.op) + " " + at(n.kids[1], right);
      }
    }
    return "?";
  }
};

}  // namespace

std::string print(const P& n, const PrintOptions& options) {
  Printer p;
  std::map<double, int> count;
  for (const auto& [name, value] : options.dims) ++count[value];
  for (const auto& [name, value] : options.dims)
    if (count[value] == 1) p.size_names[value] = name;
  return p.text(*n);
}

// ---------------------------------------------------------------------------------------------
// Builder basics.

Builder::Builder(const Symbols& symbols, std::set<std::string> symmetric)
    : symbols_(symbols), symmetric_(std::move(symmetric)) {
  for (const std::string& d : symbols.dim_names()) dims_only_.add_dim(d, *symbols.find_dim(d));
}

Shape Builder::shape_of(const Node& node, const std::vector<P>& kids) const {
  Symbols s = dims_only_;
  Node n = node;
  n.children.clear();
  for (std::size_t i = 0; i < kids.size(); ++i) {
    if (kids[i]->constant) {
      n.children.push_back(to_node(kids[i]));
    } else {
      const std::string placeholder = "__gc_operand" + std::to_string(i);
      s.add_variable(placeholder, kids[i]->shape);
      Node leaf(Node::Name);
      leaf.name = placeholder;
      n.children.push_back(std::move(leaf));
    }
    n.height = std::max(n.height, n.children.back().height + 1);
  }
  detail::Program prog;
  const std::size_t step = expr::Compiler("", s, prog).compile(n);
  return prog.steps[step].shape;
}

// The key of a node: everything that makes it what it is (the operands by identity: they are
// interned already); a leaf's shape and constancy too.
static std::string node_key(const Sym& n) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &n.value, sizeof bits);
  std::string key = fmt::format("{}|{}|{}|{}|{}|", int(n.kind), int(n.op), n.name, bits, n.size);
  for (const P& k : n.kids) key += fmt::format("{}|", static_cast<const void*>(k.get()));
  if (n.kids.empty()) key += fmt::format("{}x{}|{}", n.shape.rows, n.shape.cols, n.constant);
  return key;
}

P Builder::intern(const std::shared_ptr<Sym>& node) const {
  return nodes_.emplace(node_key(*node), node).first->second;
}

P Builder::raw(Node::Kind kind, Tok op, const std::string& name, std::vector<P> kids, double value) const {
  auto s = std::make_shared<Sym>();
  s->kind = kind;
  s->op = op;
  s->name = name;
  s->value = value;
  s->kids = kids;
  if (!kids.empty())  // an equal node made before: no second shape inference
    if (const auto it = nodes_.find(node_key(*s)); it != nodes_.end()) return it->second;
  for (const P& k : kids) s->constant = s->constant && k->constant;
  Node node(kind);
  node.op = op;
  node.name = name;
  node.value = value;
  s->shape = shape_of(node, kids);
  s->kids = std::move(kids);
  return intern(s);
}

P Builder::num(double v, bool size) const {
  auto s = std::make_shared<Sym>();
  s->kind = Node::Number;
  s->value = v;
  s->size = size;
  return intern(s);
}

P Builder::name(const std::string& n) const {
  auto s = std::make_shared<Sym>();
  s->kind = Node::Name;
  s->name = n;
  if (const auto* v = symbols_.find_variable(n)) {
    s->shape = v->shape;
    s->constant = false;
  } else if (!symbols_.find_dim(n)) {
    throw Error("symbolic.internal", "unknown name '" + n + "' in a derived expression");
  }
  return intern(s);
}

P Builder::ones(arma::uword r, arma::uword c) const {
  return raw(Node::Call, Tok::End, "ones", {num(double(r), true), num(double(c), true)});
}

P Builder::eye(arma::uword r, arma::uword c) const {
  if (r == 1 && c == 1) return num(1);
  if (r == c) return raw(Node::Call, Tok::End, "eye", {num(double(r), true)});
  return raw(Node::Call, Tok::End, "eye", {num(double(r), true), num(double(c), true)});
}

P Builder::commutation(arma::uword m, arma::uword n) const {
  if (m == 1 || n == 1) return eye(m * n, m * n);
  return raw(Node::Call, Tok::End, "commutation", {num(double(m), true), num(double(n), true)});
}

P Builder::from_ast(const Node& n, bool simplify, const std::map<std::string, P>& substitute) const {
  std::vector<P> kids;
  for (const Node& c : n.children) kids.push_back(from_ast(c, simplify, substitute));
  P out;
  switch (n.kind) {
    case Node::Number: out = num(n.value); break;
    case Node::Name:
      if (const auto it = substitute.find(n.name); it != substitute.end()) return it->second;
      if (!symbols_.find_variable(n.name) && !symbols_.find_dim(n.name) && (n.name == "inf" || n.name == "Inf"))
        out = num(HUGE_VAL);
      else
        out = name(n.name);
      break;
    case Node::Unary:
      if (n.op == Tok::Plus) return kids[0];
      out = simplify ? neg(kids[0]) : raw(Node::Unary, Tok::Minus, "", kids);
      break;
    case Node::Transpose: out = simplify ? transpose(kids[0]) : raw(Node::Transpose, Tok::End, "", kids); break;
    case Node::Binary:
      if (!simplify) {
        out = raw(Node::Binary, n.op, "", kids);
        break;
      }
      switch (n.op) {
        case Tok::Plus: out = add(kids[0], kids[1]); break;
        case Tok::Minus: out = sub(kids[0], kids[1]); break;
        case Tok::Star: out = mul(kids[0], kids[1]); break;
        case Tok::Slash: out = div(kids[0], kids[1]); break;
        case Tok::DotStar: out = emul(kids[0], kids[1]); break;
        case Tok::DotSlash: out = ediv(kids[0], kids[1]); break;
        case Tok::DotCaret: out = epow(kids[0], kids[1]); break;
        case Tok::Caret: out = pow(kids[0], kids[1]); break;
        default: out = compare(n.op, kids[0], kids[1]); break;
      }
      break;
    case Node::Call: out = simplify ? call(n.name, kids) : raw(Node::Call, Tok::End, n.name, kids); break;
  }
  if (simplify) return out;
  auto located = std::make_shared<Sym>(*out);
  located->pos = n.pos;
  located->len = n.len;
  return located;
}

P Builder::rebuild(const P& n) const {
  std::vector<P> kids;
  for (const P& k : n->kids) kids.push_back(rebuild(k));
  switch (n->kind) {
    case Node::Number:
    case Node::Name: return n;
    case Node::Unary: return neg(kids[0]);
    case Node::Transpose: return transpose(kids[0]);
    case Node::Call: return call(n->name, kids);
    case Node::Binary:
      switch (n->op) {
        case Tok::Plus: return add(kids[0], kids[1]);
        case Tok::Minus: return sub(kids[0], kids[1]);
        case Tok::Star: return mul(kids[0], kids[1]);
        case Tok::Slash: return div(kids[0], kids[1]);
        case Tok::DotStar: return emul(kids[0], kids[1]);
        case Tok::DotSlash: return ediv(kids[0], kids[1]);
        case Tok::DotCaret: return epow(kids[0], kids[1]);
        case Tok::Caret: return pow(kids[0], kids[1]);
        default: return compare(n->op, kids[0], kids[1]);
      }
  }
  return n;
}

P Builder::simplify(const P& n) const {
  P cur = n;
  for (int pass = 0; pass < 8; ++pass) {
    P next = rebuild(cur);
    if (equal(next, cur)) return next;
    cur = next;
  }
  return cur;
}

}  // namespace gradcheck::symbolic
