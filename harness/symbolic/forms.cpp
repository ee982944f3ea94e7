// SPDX-License-Identifier: MIT
// The derivative in a check's own form; see forms.hpp.
#include "symbolic/forms.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "expr/parser.hpp"
#include "gradcheck/error.hpp"
#include "symbolic/derive.hpp"
#include "symbolic/sym.hpp"

namespace gradcheck::symbolic {
namespace {

// `text` as the operand of an index: a name or a call stands as it is (A[i,j], inv(X)[j,i]),
// anything else in parentheses ((A * H)[i,k]).
std::string indexable(const std::string& text) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::size_t i = 0;
  while (i < text.size() && word(text[i])) ++i;
  if (i == text.size() && i > 0) return text;
  if (i > 0 && i < text.size() && text[i] == '(' && text.back() == ')') {
    int depth = 0;  // the call's own parentheses must close at the very end
    for (std::size_t k = i; k < text.size(); ++k) {
      if (text[k] == '(') ++depth;
      if (text[k] == ')' && --depth == 0) return k + 1 == text.size() ? text : "(" + text + ")";
    }
  }
  return "(" + text + ")";
}

// A side of an index into a matrix M: the letters whose values make its row (or column) index,
// each with its range, first the fastest (a = l0 + n0 l1); empty when that dimension of M is 1.
using Side = std::vector<std::pair<std::string, arma::uword>>;

struct Term {
  std::string text;
  int level;  // 2 a sum, 3 a product, 4 a negation, 7 an atom
};

// The index terms of M at (row, col), read from M's tree, or nothing when no rule below applies
// (the caller then writes the general form). Rules, with A m x n, B p x q:
//   kron(A, B)[rA p + rB, cA q + cB] = A[rA, cA] B[rB, cB], where each side splits so;
//   (M K(m, n))[a, i + m j] = M[a, j + n i] and (K(m, n) M)[j + n i, b] = M[i + m j, b]
//   (K = commutation: the two letters of a side change places);
//   eye(n)[i,j] = delta(i,j); diag(v)[i,j] = delta(i,j) v[i]; X'[i,j] = X[j,i];
//   (u v')[i,j] = u[i] v[j] for an outer product; sums, negations and numeric factors term by term;
//   any other M with single letters on both sides (or one): indexed as it is, (A * H)[i,k].
class IndexWriter {
 public:
  IndexWriter(const Builder& b, PrintOptions po) : b_(b), po_(std::move(po)) {}

  std::optional<Term> at(const P& m, const Side& row, const Side& col) const {
    if (m->kind == Node::Unary) {
      auto t = at(m->kids[0], row, col);
      if (!t) return std::nullopt;
      return Term{"-" + wrap(*t, 4), 4};
    }
    if (m->kind == Node::Binary && (m->op == Tok::Plus || m->op == Tok::Minus) && m->kids[0]->shape == m->shape &&
        m->kids[1]->shape == m->shape) {
      auto x = at(m->kids[0], row, col), y = at(m->kids[1], row, col);
      if (!x || !y) return std::nullopt;
      return Term{x->text + (m->op == Tok::Plus ? " + " : " - ") + wrap(*y, 3), 2};
    }
    if (m->kind == Node::Binary && m->op == Tok::Star && m->kids[0]->kind == Node::Number) {
      auto t = at(m->kids[1], row, col);
      if (!t) return std::nullopt;
      return Term{print(m->kids[0], po_) + " * " + wrap(*t, 3), 3};
    }
    if (m->kind == Node::Binary && m->op == Tok::Star && !m->kids[0]->shape.is_scalar() &&
        !m->kids[1]->shape.is_scalar()) {
      const P& a = m->kids[0];
      const P& c = m->kids[1];
      if (is_call(c, "commutation") && col.size() == 2 && double(col[0].second) == size(c->kids[0]) &&
          double(col[1].second) == size(c->kids[1]))
        return at(a, row, Side{col[1], col[0]});
      if (is_call(a, "commutation") && row.size() == 2 && double(row[0].second) == size(a->kids[1]) &&
          double(row[1].second) == size(a->kids[0]))
        return at(c, Side{row[1], row[0]}, col);
      // A diagonal scaling of the columns or rows: (M diag(vec(D)))[a, b] = M[a,b] D[b].
      if (const P d = diagonal_of(c)) {
        auto x = at(a, row, col), y = at_vec(d, col);
        if (x && y) return Term{wrap(*x, 3) + " * " + wrap(*y, 3), 3};
      }
      if (const P d = diagonal_of(a)) {
        auto x = at_vec(d, row), y = at(c, row, col);
        if (x && y) return Term{wrap(*x, 3) + " * " + wrap(*y, 3), 3};
      }
      if (a->shape.cols == 1 && row.size() <= 1 && col.size() <= 1) {  // an outer product u v'
        auto x = at(a, row, {}), y = at(c, {}, col);
        if (x && y) return Term{wrap(*x, 3) + " * " + wrap(*y, 3), 3};
      }
    }
    if (is_call(m, "kron")) {
      const P& a = m->kids[0];
      const P& c = m->kids[1];
      Side ra, rb, ca, cb;
      if (!split(row, a->shape.rows, c->shape.rows, ra, rb) || !split(col, a->shape.cols, c->shape.cols, ca, cb))
        return std::nullopt;
      auto x = at(a, ra, ca), y = at(c, rb, cb);
      if (!x || !y) return std::nullopt;
      if (x->text == "1") return y;  // delta(i,i), a letter repeated across f and x
      if (y->text == "1") return x;
      if (y->text.rfind("delta(", 0) == 0 && x->text.rfind("delta(", 0) != 0) std::swap(x, y);  // delta first
      return Term{wrap(*x, 3) + " * " + wrap(*y, 3), 3};
    }
    if (const P d = diagonal_of(m)) {  // diag(vec(D))[a, b] = delta(a, b) D[a], letter by letter
      if (row.size() != col.size() || row.empty()) return std::nullopt;
      auto v = at_vec(d, row);
      if (!v) return std::nullopt;
      std::string out;
      for (std::size_t k = 0; k < row.size(); ++k)
        if (row[k].first != col[k].first) out += "delta(" + row[k].first + "," + col[k].first + ") * ";
      return Term{out + wrap(*v, 3), out.empty() ? v->level : 3};
    }
    if (row.size() > 1 || col.size() > 1) return std::nullopt;
    if (m->kind == Node::Transpose) return at(m->kids[0], col, row);
    if (is_call(m, "eye") && row.size() == 1 && col.size() == 1)
      return Term{row[0].first == col[0].first ? "1" : "delta(" + row[0].first + "," + col[0].first + ")", 7};
    if (is_call(m, "diag") && m->kids[0]->shape.is_vector() && row.size() == 1 && col.size() == 1) {
      auto v = at(m->kids[0], m->kids[0]->shape.cols == 1 ? row : Side{}, m->kids[0]->shape.cols == 1 ? Side{} : row);
      if (!v) return std::nullopt;
      return Term{"delta(" + row[0].first + "," + col[0].first + ") * " + wrap(*v, 3), 3};
    }
    std::vector<std::string> letters;
    for (const Side* s : {&row, &col})
      if (!s->empty()) letters.push_back(s->front().first);
    if (letters.empty()) return std::nullopt;
    std::string out = indexable(print(m, po_)) + "[" + letters[0];
    if (letters.size() > 1) out += "," + letters[1];
    return Term{out + "]", 7};
  }

 private:
  // D of diag(vec(D)) (a matrix D) or of diag(v) (a column v): the values on the diagonal, in vec
  // order; nullptr for anything else.
  static P diagonal_of(const P& m) {
    if (!is_call(m, "diag") || m->kids[0]->shape.cols != 1 || m->kids[0]->shape.rows < 2) return nullptr;
    const P& v = m->kids[0];
    return is_call(v, "vec") ? v->kids[0] : v;
  }
  // Entry `side` of vec(d): d indexed by the side's letters (two for a matrix d, one for a vector).
  std::optional<Term> at_vec(const P& d, const Side& side) const {
    if (side.size() == 2 && d->shape.rows == side[0].second && d->shape.cols == side[1].second)
      return at(d, {side[0]}, {side[1]});
    if (side.size() == 1 && d->shape.numel() == side[0].second)
      return d->shape.cols == 1 ? at(d, side, {}) : d->shape.rows == 1 ? at(d, {}, side) : std::nullopt;
    return std::nullopt;
  }
  // A size argument: a number, or a dim by its value.
  double size(const P& p) const {
    if (p->kind == Node::Name)
      if (const auto* d = b_.symbols().find_dim(p->name)) return *d;
    return p->kind == Node::Number ? p->value : -1;
  }
  static bool is_call(const P& p, const char* name) { return p->kind == Node::Call && p->name == name; }
  static std::string wrap(const Term& t, int level) { return t.level < level ? "(" + t.text + ")" : t.text; }

  // A side of kron(A, B) into A's part (range m) and B's part (range p), a = a_A p + a_B.
  static bool split(const Side& s, arma::uword m, arma::uword p, Side& a, Side& b) {
    a.clear();
    b.clear();
    if (m == 1 && p == 1) return s.empty();
    if (m == 1) return (b = s, total(s) == p);
    if (p == 1) return (a = s, total(s) == m);
    if (s.size() == 2 && s[0].second == p && s[1].second == m) {
      b = {s[0]};
      a = {s[1]};
      return true;
    }
    return false;
  }
  static arma::uword total(const Side& s) {
    arma::uword n = 1;
    for (const auto& d : s) n *= d.second;
    return n;
  }

  const Builder& b_;
  PrintOptions po_;
};

}  // namespace

std::string index_text(const std::string& m_text, Shape f, const std::vector<std::string>& f_letters, Shape x,
                       const std::vector<std::string>& x_letters, const Symbols& symbols) {
  // Letters already taken (the check's, the variables', the dims') are not used for the sums.
  std::set<std::string> taken(f_letters.begin(), f_letters.end());
  taken.insert(x_letters.begin(), x_letters.end());
  for (const std::string& n : symbols.variable_names()) taken.insert(n);
  for (const std::string& n : symbols.dim_names()) taken.insert(n);
  auto fresh = [&taken]() {
    for (const char* c : {"a", "b", "p", "q", "u", "v", "s", "t"})
      if (!taken.count(c)) {
        taken.insert(c);
        return std::string(c);
      }
    for (int k = 1;; ++k)
      if (!taken.count("a" + std::to_string(k))) {
        taken.insert("a" + std::to_string(k));
        return "a" + std::to_string(k);
      }
  };
  Builder b(symbols);
  PrintOptions po;
  for (const std::string& name : symbols.dim_names()) po.dims[name] = *symbols.find_dim(name);
  // First from the tree of M (IndexWriter), else the general form below.
  {
    Builder tb(symbols);
    const P tree = tb.from_ast(expr::parse(m_text), true);
    PrintOptions tpo;
    for (const std::string& name : symbols.dim_names()) tpo.dims[name] = *symbols.find_dim(name);
    auto side_of = [](Shape shape, const std::vector<std::string>& letters) {
      Side out;
      if (letters.size() == 1) out.push_back({letters[0], shape.numel()});
      if (letters.size() == 2) out = {{letters[0], shape.rows}, {letters[1], shape.cols}};
      return out;
    };
    const IndexWriter w(tb, tpo);
    std::optional<Term> t;
    if (f_letters.empty())  // M is the gradient, shaped like x: its rows and columns are x's
      t = x_letters.size() == 2 ? w.at(tree, {{x_letters[0], x.rows}}, {{x_letters[1], x.cols}})
                                : w.at(tree, x.cols == 1 ? side_of(x, x_letters) : Side{},
                                       x.cols == 1 ? Side{} : side_of(x, x_letters));
    else
      t = w.at(tree, side_of(f, f_letters), side_of(x, x_letters));
    if (t) return t->text;
  }
  const std::string m = indexable(m_text);
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& l : v) out += (out.empty() ? "" : ",") + l;
    return out;
  };
  if (f_letters.empty()) return m + "[" + join(x_letters) + "]";  // M is the gradient, shaped like x
  std::vector<std::string> sums, factors;
  // The index of one side into M: its letter, or a summed vec index tied to its two letters.
  auto side = [&](Shape shape, const std::vector<std::string>& letters) -> std::string {
    if (letters.size() == 1) return letters[0];
    const std::string a = fresh();
    sums.push_back(a);
    const P rows = b.call("kron", {b.ones(shape.cols, 1), b.eye(shape.rows, shape.rows)});  // [a, r]: a mod R = r
    const P cols = shape.rows == 1 ? b.eye(shape.cols, shape.cols)  // [a, c]: floor(a/R) = c
                                   : b.call("kron", {b.eye(shape.cols, shape.cols), b.ones(shape.rows, 1)});
    factors.push_back(indexable(print(rows, po)) + "[" + a + "," + letters[0] + "]");
    factors.push_back(indexable(print(cols, po)) + "[" + a + "," + letters[1] + "]");
    return a;
  };
  const std::string ra = side(f, f_letters);
  const std::string cb = side(x, x_letters);
  std::string body = m + "[" + ra + "," + cb + "]";
  for (const std::string& t : factors) body += " * " + t;
  for (auto it = sums.rbegin(); it != sums.rend(); ++it) body = "sum(" + *it + ", " + body + ")";
  return body;
}

std::string derive_expected(const CheckRequest& r, const Symbols& symbols) {
  auto derive_text = [&](const std::string& f, const std::string& wrt, Structure structure, Layout layout, Form form,
                         VecOrder order) {
    DeriveRequest d{f, wrt, structure, {}};
    d.form.layout = layout;
    d.form.form = form;
    d.form.order = order;
    return derive(d, symbols);
  };
  const Symbols::Variable* xv = symbols.find_variable(r.wrt);
  if (!xv) throw Error("expr.name", "cannot differentiate with respect to '" + r.wrt + "': not a variable");
  const Shape xs = xv->shape;
  const bool index = r.form.form == Form::kIndex;
  if (index && !r.form.indices) throw Error("symbolic.form", "form index needs its indices");
  if (r.derivative_order == 1) {
    if (!index) {
      DeriveRequest d{r.expression, r.wrt, r.structure, r.form};
      d.form.indices.reset();
      return derive(d, symbols).text;
    }
    const Shape fs = Expression::compile(r.expression, symbols).shape();
    const IndexSpec& ix = *r.form.indices;
    if (fs.is_scalar()) {
      const Derivative g = derive_text(r.expression, r.wrt, r.structure, Layout::kDenominator, Form::kAuto,
                                       VecOrder::kColumnMajor);
      return index_text(g.text, fs, {}, xs, ix.x_letters, symbols);
    }
    const Derivative j =
        derive_text(r.expression, r.wrt, r.structure, Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor);
    return index_text(j.text, fs, ix.f_letters, xs, ix.x_letters, symbols);
  }
  // Second order: G = df/dx, shaped like x, then differentiated as a function of its own.
  const std::string g =
      derive_text(r.expression, r.wrt, Structure::kNone, Layout::kDenominator, Form::kAuto, VecOrder::kColumnMajor).text;
  const Symbols::Variable* yv = symbols.find_variable(r.wrt2);
  if (!yv) throw Error("expr.name", "cannot differentiate with respect to '" + r.wrt2 + "': not a variable");
  if (r.form.form == Form::kHvp) {
    if (r.wrt2 != r.wrt) throw Error("symbolic.form", "a Hessian-vector product is derived for a pure Hessian only");
    const std::string inner = "sum((" + g + ") .* " + r.direction + ")";  // <G, V>: its gradient is H V
    return derive_text(inner, r.wrt, Structure::kNone, Layout::kDenominator, Form::kAuto, VecOrder::kColumnMajor).text;
  }
  if (!index) return derive_text(g, r.wrt2, Structure::kNone, Layout::kNumerator, Form::kVec, r.form.order).text;
  const Derivative h = derive_text(g, r.wrt2, Structure::kNone, Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor);
  return index_text(h.text, xs, r.form.indices->f_letters, yv->shape, r.form.indices->x_letters, symbols);
}

}  // namespace gradcheck::symbolic
