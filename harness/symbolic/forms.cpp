// SPDX-License-Identifier: MIT
// The derivative in a check's own form; see forms.hpp.
#include "symbolic/forms.hpp"

#include <algorithm>
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
    const P cols = b.call("kron", {b.eye(shape.cols, shape.cols), b.ones(shape.rows, 1)});  // [a, c]: floor(a/R) = c
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
