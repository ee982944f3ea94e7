// SPDX-License-Identifier: MIT
// The derivative rules: reverse mode for a scalar f (adjoints), forward mode for the Jacobian of
// a vector or matrix f, and the arrangement into a layout and form. See derive.hpp.
#include "symbolic/derive.hpp"

#include <cmath>
#include <optional>

#include "expr/parser.hpp"
#include "expr/scalar_functions.hpp"
#include "gradcheck/error.hpp"
#include "symbolic/sym.hpp"

namespace gradcheck::symbolic {
namespace {

bool is_number(const P& p) { return p->kind == Node::Number; }

// The order p of norm(x, p): 0 when absent.
double norm_order(const P& n) { return n->kids.size() > 1 ? n->kids[1]->value : 0; }

// The dimension a reduction runs along: 0 all entries, 1 each column, 2 each row.
int reduction_dim(const P& n) {
  if (n->kids.size() < 2) return 0;
  return static_cast<int>(n->kids[1]->value);
}

class Deriver {
 public:
  Deriver(const Builder& b, std::string text, std::string wrt) : B(b), text_(std::move(text)), wrt_(std::move(wrt)) {}

  [[noreturn]] void fail(const char* id, const std::string& detail, const P& n) const {
    throw ExprError(id, detail, text_, n->pos + 1, n->len);
  }

  // f'(x) of an elementwise scalar function, from the one table (scalar_functions.hpp).
  P scalar_derivative(const P& call) const {
    const scalar::Function* f = scalar::find(call->name);
    if (!f || !f->derivative) fail("symbolic.no-rule", "no derivative rule for '" + call->name + "'", call);
    return B.from_ast(expr::parse(f->derivative), true, {{"x", call->kids[0]}});
  }

  // ------------------------------------------------------------------------------------------
  // Reverse mode. back(n, bar) adds the contribution of node n, whose adjoint is bar (shaped
  // like n: bar = d f / d n entrywise), to the gradient of the variable; only operands that
  // depend on the variable are visited.

  P gradient(const P& root) {
    grad_ = nullptr;
    back(root, B.num(1));
    return grad_;
  }

  // The adjoint of an operand that was broadcast to `out`: summed over the repeated dimension.
  P unbroadcast(const P& g, const P& operand) const {
    const Shape s = operand->shape, o = g->shape;
    if (s == o) return g;
    if (s.is_scalar()) return B.sum(g);
    if (s.cols == 1) return B.sum(g, 2);
    return B.sum(g, 1);
  }

  P ones_like(const P& n) const { return B.ones(n->shape.rows, n->shape.cols); }

  void back(const P& n, const P& bar) {
    if (!depends_on(n, wrt_)) return;
    switch (n->kind) {
      case Node::Name: grad_ = grad_ ? B.add(grad_, bar) : bar; return;
      case Node::Unary: return back(n->kids[0], B.neg(bar));
      case Node::Transpose: return back(n->kids[0], B.transpose(bar));
      case Node::Binary: return back_binary(n, bar);
      case Node::Call: return back_call(n, bar);
      case Node::Number: return;
    }
  }

  void back_binary(const P& n, const P& bar) {
    const P& a = n->kids[0];
    const P& b = n->kids[1];
    switch (n->op) {
      case Tok::Plus:
        back(a, unbroadcast(bar, a));
        back(b, unbroadcast(bar, b));
        return;
      case Tok::Minus:
        back(a, unbroadcast(bar, a));
        back(b, unbroadcast(B.neg(bar), b));
        return;
      case Tok::DotStar:  // d(a .* b) = da .* b + a .* db
        back(a, unbroadcast(B.emul(bar, b), a));
        back(b, unbroadcast(B.emul(bar, a), b));
        return;
      case Tok::DotSlash:  // d(a ./ b) = da ./ b - a .* db ./ b.^2
        back(a, unbroadcast(B.ediv(bar, b), a));
        back(b, unbroadcast(B.neg(B.emul(bar, B.ediv(a, B.epow(b, B.num(2))))), b));
        return;
      case Tok::Star:
        if (a->shape.is_scalar() || b->shape.is_scalar()) {  // scaling: elementwise
          back(a, a->shape.is_scalar() ? B.sum(B.emul(bar, b)) : B.mul(bar, b));
          back(b, b->shape.is_scalar() ? B.sum(B.emul(bar, a)) : B.mul(a, bar));
          return;
        }
        // d(A B) = dA B + A dB: adjoints bar B' and A' bar.
        back(a, B.mul(bar, B.transpose(b)));
        back(b, B.mul(B.transpose(a), bar));
        return;
      case Tok::Slash:  // by a scalar s: d(a / s) = da / s - a ds / s^2
        back(a, B.div(bar, b));
        back(b, B.neg(B.div(B.sum(B.emul(bar, a)), B.pow(b, B.num(2)))));
        return;
      case Tok::DotCaret:
      case Tok::Caret:
        if (n->op == Tok::DotCaret || a->shape.is_scalar()) {
          // d(a .^ b) = b .* a .^ (b - 1) .* da + log(a) .* a .^ b .* db
          back(a, unbroadcast(B.emul(bar, B.emul(b, B.epow(a, B.sub(b, B.num(1))))), a));
          back(b, unbroadcast(B.emul(bar, B.emul(B.call("log", {a}), n)), b));
          return;
        }
        return back_matrix_power(n, bar);
      default: return;  // comparisons are constants (0 or 1 away from ties)
    }
  }

  // A^k, k a constant integer >= 1: d(A^k) = sum_{i<k} A^i dA A^(k-1-i), adjoint
  // sum_i (A')^i bar (A')^(k-1-i).
  void back_matrix_power(const P& n, const P& bar) {
    const P& a = n->kids[0];
    const P& e = n->kids[1];
    if (!is_number(e) || e->value < 1 || e->value != std::floor(e->value) || e->value > 16 || depends_on(e, wrt_))
      fail("symbolic.no-rule",
           "no derivative rule for a matrix power unless the exponent is an integer constant from 1 to 16", n);
    const int k = static_cast<int>(e->value);
    const P at = B.transpose(a);
    auto power = [&](int i) -> P { return i == 0 ? nullptr : B.pow(at, B.num(i)); };
    P total;
    for (int i = 0; i < k; ++i) {
      P t = bar;
      if (P l = power(i)) t = B.mul(l, t);
      if (P r = power(k - 1 - i)) t = B.mul(t, r);
      total = total ? B.add(total, t) : t;
    }
    back(a, total);
  }

  void back_call(const P& n, const P& bar) {
    const std::string& f = n->name;
    const P& x = n->kids[0];
    const Shape s = x->shape;
    if (scalar::find(f)) return back(x, B.emul(bar, scalar_derivative(n)));
    if (f == "pow") {
      back(x, unbroadcast(B.emul(bar, B.emul(n->kids[1], B.epow(x, B.sub(n->kids[1], B.num(1))))), x));
      back(n->kids[1], unbroadcast(B.emul(bar, B.emul(B.call("log", {x}), n)), n->kids[1]));
      return;
    }
    if (f == "sum" || f == "mean") {
      const int dim = reduction_dim(n);
      P g = spread(bar, x, dim);
      if (f == "mean") g = B.div(g, B.num(double(dim == 0 ? s.numel() : dim == 1 ? s.rows : s.cols), true));
      return back(x, g);
    }
    if (f == "var") {  // d var = 2 (x - mean) / (N - 1) along the dimension
      const int dim = reduction_dim(n);
      const double count = double(dim == 0 ? s.numel() : dim == 1 ? s.rows : s.cols);
      if (count < 2) return;
      std::vector<P> margs = {x};
      if (dim) margs.push_back(B.num(dim));
      const P centred = B.sub(x, B.call("mean", margs));
      return back(x, B.div(B.mul(B.num(2), B.emul(spread(bar, x, dim), centred)), B.num(count - 1, true)));
    }
    if (f == "max" || f == "min") {
      const bool mx = f == "max";
      const bool reduction = n->kids.size() == 1 || (is_number(n->kids[1]) && !n->kids[1]->size &&
                                                      (n->kids[1]->value == 1 || n->kids[1]->value == 2) &&
                                                      n->kids[1]->constant && n->kids[1]->kind == Node::Number);
      if (reduction) {  // the adjoint goes to the entries equal to the extreme
        const P hit = B.compare(mx ? Tok::GreaterEq : Tok::LessEq, x, n);
        return back(x, B.emul(spread(bar, x, reduction_dim(n)), hit));
      }
      const P& y = n->kids[1];  // max(A, B) picks A where A >= B (min: A <= B)
      back(x, unbroadcast(B.emul(bar, B.compare(mx ? Tok::GreaterEq : Tok::LessEq, x, y)), x));
      back(y, unbroadcast(B.emul(bar, B.compare(mx ? Tok::Less : Tok::Greater, x, y)), y));
      return;
    }
    if (f == "cumsum") {  // the adjoint of a running sum is the reversed running sum
      const int dim = n->kids.size() > 1 ? static_cast<int>(n->kids[1]->value) : (s.rows == 1 ? 2 : 1);
      const P rev = B.add(B.sub(bar, B.call("cumsum", {bar, B.num(dim)})), B.sum(bar, dim));
      return back(x, rev);
    }
    if (f == "norm") {
      const double p = norm_order(n);
      if (p == 0 || (s.is_vector() && p == 2)) return back(x, B.mul(bar, B.div(x, n)));  // x / ||x||
      if (s.is_vector() && p == 1) return back(x, B.mul(bar, B.call("sign", {x})));
      const P sg = B.call("sign", {x});
      const P ax = B.call("abs", {x});
      if (s.is_vector()) return back(x, B.mul(bar, B.emul(sg, B.compare(Tok::GreaterEq, ax, n))));
      if (p == 1) return back(x, B.mul(bar, B.emul(sg, B.compare(Tok::GreaterEq, B.sum(ax, 1), n))));
      if (std::isinf(p)) return back(x, B.mul(bar, B.emul(sg, B.compare(Tok::GreaterEq, B.sum(ax, 2), n))));
      fail("symbolic.no-rule", "no derivative rule for the spectral norm of a matrix (norm(X, 2)); norm(X) is the Frobenius norm", n);
    }
    if (f == "dot") {
      const P& y = n->kids[1];
      back(x, B.mul(bar, reshaped(y, x->shape)));
      back(y, B.mul(bar, reshaped(x, y->shape)));
      return;
    }
    if (f == "softmax") return back(x, B.emul(n, B.sub(bar, B.sum(B.emul(bar, n), 1))));
    if (f == "log_softmax") return back(x, B.sub(bar, B.emul(B.call("softmax", {x}), B.sum(bar, 1))));
    if (f == "logsumexp") return back(x, B.emul(B.call("softmax", {x}), bar));
    if (f == "tr" || f == "trace") return back(x, B.mul(bar, B.eye(s.rows, s.cols)));
    if (f == "det") return back(x, B.mul(bar, B.mul(n, B.transpose(B.call("inv", {x})))));
    if (f == "logdet") return back(x, B.mul(bar, B.transpose(B.call("inv", {x}))));
    if (f == "inv") {
      const P yt = B.transpose(n);
      return back(x, B.neg(B.mul(B.mul(yt, bar), yt)));
    }
    if (f == "solve") {  // Y = A \ B: bar_B = A' \ bar, bar_A = -bar_B Y'
      const P& rhs = n->kids[1];
      const P g = B.call("solve", {B.transpose(x), bar});
      back(rhs, g);
      back(x, B.neg(B.mul(g, B.transpose(n))));
      return;
    }
    if (f == "diag") {
      if (s.is_vector()) return back(x, s.cols == 1 ? B.call("diag", {bar}) : B.transpose(B.call("diag", {bar})));
      const arma::uword k = std::min(s.rows, s.cols);
      P g = B.call("diag", {bar});
      if (!s.is_square()) g = B.mul(B.mul(B.eye(s.rows, k), g), B.eye(k, s.cols));
      return back(x, g);
    }
    if (f == "kron") return back_kron(n, bar);
    if (f == "vec" || f == "reshape") return back(x, reshaped(bar, s));
    if (f == "repmat") {  // the sum of the tiles: block sums by products with stacked identities
      const arma::uword r = n->shape.rows / s.rows, c = n->shape.cols / s.cols;
      const P left = B.call("kron", {B.ones(1, r), B.eye(s.rows, s.rows)});
      const P right = B.call("kron", {B.ones(c, 1), B.eye(s.cols, s.cols)});
      return back(x, B.mul(B.mul(left, bar), right));
    }
    if (f == "tril" || f == "triu") return back(x, B.call(f, {bar}));
    if (f == "transpose") return back(x, B.transpose(bar));
    fail("symbolic.no-rule", "no derivative rule for '" + f + "'", n);
  }

  // The adjoint of a reduction spread back over the entries of x (dim as reduction_dim).
  P spread(const P& bar, const P& x, int dim) const {
    const Shape s = x->shape;
    if (bar->shape == s) return bar;
    if (dim == 0) return B.mul(bar, ones_like(x));
    if (dim == 1) return B.mul(B.ones(s.rows, 1), bar);
    return B.mul(bar, B.ones(1, s.cols));
  }

  P reshaped(const P& y, Shape to) const {
    if (y->shape == to) return y;
    return B.call("reshape", {y, B.num(double(to.rows), true), B.num(double(to.cols), true)});
  }

  // kron(A, B), A m x n, B p x q: block (i,j) is A(i,j) B. Block sums are products with stacked
  // identities: S = kron(eye(m), ones(1, p)) sums the rows of each block row, T = kron(eye(n),
  // ones(q, 1)) the columns, so bar_A = S (bar .* kron(ones(m, n), B)) T and
  // bar_B = kron(ones(1, m), eye(p)) (bar .* kron(A, ones(p, q))) kron(ones(n, 1), eye(q)).
  void back_kron(const P& n, const P& bar) {
    const P& a = n->kids[0];
    const P& b = n->kids[1];
    const Shape sa = a->shape, sb = b->shape;
    if (depends_on(a, wrt_)) {
      const P s = B.call("kron", {B.eye(sa.rows, sa.rows), B.ones(1, sb.rows)});
      const P t = B.call("kron", {B.eye(sa.cols, sa.cols), B.ones(sb.cols, 1)});
      back(a, B.mul(B.mul(s, B.emul(bar, B.call("kron", {B.ones(sa.rows, sa.cols), b}))), t));
    }
    if (depends_on(b, wrt_)) {
      const P s = B.call("kron", {B.ones(1, sa.rows), B.eye(sb.rows, sb.rows)});
      const P t = B.call("kron", {B.ones(sa.cols, 1), B.eye(sb.cols, sb.cols)});
      back(b, B.mul(B.mul(s, B.emul(bar, B.call("kron", {a, B.ones(sb.rows, sb.cols)}))), t));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Forward mode: jac(n) = d vec(n) / d vec(x), numel(n) x q; nullptr when it is zero.

  P vec(const P& v) const { return B.call("vec", {v}); }

  // The Jacobian of an operand broadcast from `from` to `to`: rows repeated by a selection matrix.
  P expand(const P& j, Shape from, Shape to) const {
    if (!j || from == to) return j;
    if (from.is_scalar()) return B.mul(B.ones(to.numel(), 1), j);
    if (from.cols == 1) return B.mul(B.call("kron", {B.ones(to.cols, 1), B.eye(to.rows, to.rows)}), j);
    return B.mul(B.call("kron", {B.eye(to.cols, to.cols), B.ones(to.rows, 1)}), j);
  }

  // An operand's values broadcast to `to` (for the product rules).
  P widen(const P& v, Shape to) const {
    if (v->shape == to || v->shape.is_scalar()) return v;
    return B.emul(v, B.ones(to.rows, to.cols));
  }

  // d: the values multiplying dvec entrywise (shaped like the node), j: the Jacobian of that operand.
  P scale_rows(const P& d, const P& j) const {
    if (!j) return nullptr;
    if (d->shape.is_scalar()) return B.mul(d, j);
    return B.emul(vec(d), j);
  }

  static P plus(const Builder& b, const P& x, const P& y) {
    if (!x) return y;
    if (!y) return x;
    return b.add(x, y);
  }

  P jac(const P& n) {
    if (!depends_on(n, wrt_)) return nullptr;
    const Shape out = n->shape;
    switch (n->kind) {
      case Node::Number: return nullptr;
      case Node::Name: return out.is_scalar() ? B.num(1) : B.eye(out.numel(), out.numel());
      case Node::Unary: {
        P j = jac(n->kids[0]);
        return j ? B.neg(j) : nullptr;
      }
      case Node::Transpose: {  // vec(A') = K vec(A), K = commutation(m, n) for A m x n
        const P& a = n->kids[0];
        P j = jac(a);
        if (!j || a->shape.is_vector()) return j;
        return B.mul(B.commutation(a->shape.rows, a->shape.cols), j);
      }
      case Node::Binary: return jac_binary(n);
      case Node::Call: return jac_call(n);
    }
    return nullptr;
  }

  P jac_binary(const P& n) {
    const P& a = n->kids[0];
    const P& b = n->kids[1];
    const Shape out = n->shape;
    auto ja = [&] { return expand(jac(a), a->shape, out); };
    auto jb = [&] { return expand(jac(b), b->shape, out); };
    switch (n->op) {
      case Tok::Plus: return plus(B, ja(), jb());
      case Tok::Minus: {
        P y = jb();
        return plus(B, ja(), y ? B.neg(y) : nullptr);
      }
      case Tok::DotStar: return plus(B, scale_rows(widen(b, out), ja()), scale_rows(widen(a, out), jb()));
      case Tok::DotSlash: {
        P x = ja();
        P y = jb();
        P left = x ? (b->shape.is_scalar() ? B.div(x, b) : B.ediv(x, vec(widen(b, out)))) : nullptr;
        P right = y ? B.neg(scale_rows(widen(B.ediv(a, B.epow(b, B.num(2))), out), y)) : nullptr;
        return plus(B, left, right);
      }
      case Tok::Star: {
        if (a->shape.is_scalar() || b->shape.is_scalar()) {
          P x = jac(a), y = jac(b);
          const bool as = a->shape.is_scalar();
          // The scalar's Jacobian (1 x q) times the other's values as a column: an outer product.
          P left = x ? (as ? (b->shape.is_scalar() ? B.mul(b, x) : B.mul(vec(b), x)) : B.mul(b, x)) : nullptr;
          P right = y ? (as ? B.mul(a, y) : B.mul(vec(a), y)) : nullptr;
          return plus(B, left, right);
        }
        // vec(A B) = kron(B', eye(m)) vec(A) = kron(eye(n), A) vec(B), A m x k, B k x n.
        const arma::uword m = a->shape.rows, c = b->shape.cols;
        P x = jac(a), y = jac(b);
        P left = x ? B.mul(B.call("kron", {B.transpose(b), B.eye(m, m)}), x) : nullptr;
        P right = y ? B.mul(B.call("kron", {B.eye(c, c), a}), y) : nullptr;
        return plus(B, left, right);
      }
      case Tok::Slash: {
        P x = jac(a), y = jac(b);
        P left = x ? B.div(x, b) : nullptr;
        P right = y ? B.neg(B.mul(vec(B.div(a, B.pow(b, B.num(2)))), y)) : nullptr;
        return plus(B, left, right);
      }
      case Tok::DotCaret:
      case Tok::Caret: {
        if (n->op == Tok::Caret && !a->shape.is_scalar())
          fail("symbolic.no-rule", "no Jacobian rule for a matrix power; use a scalar f", n);
        P x = ja(), y = jb();
        P left = x ? scale_rows(widen(B.emul(b, B.epow(a, B.sub(b, B.num(1)))), out), x) : nullptr;
        P right = y ? scale_rows(widen(B.emul(B.call("log", {a}), n), out), y) : nullptr;
        return plus(B, left, right);
      }
      default: return nullptr;
    }
  }

  P jac_call(const P& n) {
    const std::string& f = n->name;
    const P& x = n->kids[0];
    const Shape s = x->shape;
    if (scalar::find(f)) return scale_rows(scalar_derivative(n), jac(x));
    if (f == "solve") {  // Y = A \ B: dvec(Y) = kron(eye(n), inv(A)) dvec(B) - kron(Y', inv(A)) dvec(A)
      const P& rhs = n->kids[1];
      P jb = jac(rhs), ja = jac(x);
      P left = jb ? (rhs->shape.cols == 1 ? B.call("solve", {x, jb})
                                         : B.mul(B.call("kron", {B.eye(rhs->shape.cols, rhs->shape.cols),
                                                                 B.call("inv", {x})}),
                                                 jb))
                  : nullptr;
      P right = ja ? B.neg(B.mul(B.call("kron", {B.transpose(n), B.call("inv", {x})}), ja)) : nullptr;
      return plus(B, left, right);
    }
    for (std::size_t k = 1; k < n->kids.size(); ++k)
      if (depends_on(n->kids[k], wrt_)) fail("symbolic.no-rule", "no Jacobian rule for '" + f + "' in its argument " + std::to_string(k + 1) + "; use a scalar f", n);
    P j = jac(x);
    if (!j) return nullptr;
    if (f == "sum" || f == "mean") {
      const int dim = reduction_dim(n);
      P r;
      if (dim == 0) r = B.sum(j, 1);
      else if (dim == 1) r = B.mul(B.call("kron", {B.eye(s.cols, s.cols), B.ones(1, s.rows)}), j);
      else r = B.mul(B.call("kron", {B.ones(1, s.cols), B.eye(s.rows, s.rows)}), j);
      if (f == "mean") r = B.div(r, B.num(double(dim == 0 ? s.numel() : dim == 1 ? s.rows : s.cols), true));
      return r;
    }
    if (f == "vec" || f == "reshape") return j;
    if (f == "transpose") return jac(B.raw(Node::Transpose, Tok::End, "", {x}));
    if (s.cols == 1 && f == "softmax") return B.mul(B.sub(B.call("diag", {n}), B.mul(n, B.transpose(n))), j);
    if (s.cols == 1 && f == "log_softmax") {
      const P sm = B.call("softmax", {x});
      return B.mul(B.sub(B.eye(s.rows, s.rows), B.mul(B.ones(s.rows, 1), B.transpose(sm))), j);
    }
    if (s.cols == 1 && f == "logsumexp") return B.mul(B.transpose(B.call("softmax", {x})), j);
    if (f == "tr" || f == "trace") return B.mul(B.transpose(vec(B.eye(s.rows, s.cols))), j);
    if (f == "det") return B.mul(B.mul(n, B.transpose(vec(B.transpose(B.call("inv", {x}))))), j);
    if (f == "logdet") return B.mul(B.transpose(vec(B.transpose(B.call("inv", {x})))), j);
    if (f == "inv") return B.neg(B.mul(B.call("kron", {B.transpose(n), n}), j));
    if (f == "norm" && (norm_order(n) == 0 || (s.is_vector() && norm_order(n) == 2)))
      return B.div(B.mul(B.transpose(vec(x)), j), n);
    fail("symbolic.no-rule",
         "no Jacobian rule for '" + f + "'" +
             (f == "softmax" || f == "log_softmax" || f == "logsumexp" ? " of a matrix (only of a column)" : "") +
             "; use a scalar f",
         n);
  }

 private:
  const Builder& B;
  std::string text_;
  std::string wrt_;
  P grad_;
};

}  // namespace

Derivative derive(const DeriveRequest& request, const Symbols& symbols) {
  const Expression f = Expression::compile(request.expression, symbols);  // the expression's own errors
  const Symbols::Variable* v = symbols.find_variable(request.wrt);
  if (!v) throw Error("expr.name", "cannot differentiate with respect to '" + request.wrt + "': not a variable");
  const Shape xs = v->shape, fs = f.shape();
  const bool sym = request.structure == Structure::kSymmetric;
  if (sym && !xs.is_square())
    throw Error("symbolic.form", "a symmetric variable must be square, '" + request.wrt + "' is " + xs.str());
  if (request.form.form == Form::kIndex)
    throw Error("symbolic.form", "form index is not derived symbolically; use form auto or vec");
  std::set<std::string> symmetric;
  if (sym) symmetric.insert(request.wrt);
  Builder b(symbols, symmetric);
  const P root = b.from_ast(expr::parse(request.expression), false);
  Deriver d(b, request.expression, request.wrt);
  const bool numerator = request.form.layout == Layout::kNumerator;
  const bool vec_form = request.form.form == Form::kVec;
  const bool row_major = request.form.order == VecOrder::kRowMajor;

  P out;
  if (fs.is_scalar()) {
    P g = d.gradient(root);
    if (!g) g = xs.is_scalar() ? b.num(0) : b.raw(Node::Call, Tok::End, "zeros", {b.num(double(xs.rows), true), b.num(double(xs.cols), true)});
    g = b.simplify(g);
    if (sym) g = b.simplify(b.sub(b.add(g, b.transpose(g)), b.call("diag", {b.call("diag", {g})})));
    if (vec_form) {
      const P v = b.call("vec", {row_major ? b.transpose(g) : g});
      out = numerator ? b.transpose(v) : v;
    } else {
      out = numerator ? b.transpose(g) : g;
    }
  } else {
    if (sym) throw Error("symbolic.form", "a symmetric variable is derived only for a scalar f");
    if (!vec_form && !(fs.is_vector() && xs.is_vector()))
      throw Error("symbolic.form", "form auto needs a scalar f, or a vector f and a vector x; use form vec");
    P j = d.jac(root);
    if (!j) j = b.raw(Node::Call, Tok::End, "zeros", {b.num(double(fs.numel()), true), b.num(double(xs.numel()), true)});
    // Row-major vec reads vec(f') by vec(x'): vec(f') = K(fr, fc) vec(f) and vec(x) = K(xc, xr) vec(x'),
    // so the Jacobian is K(fr, fc) J K(xc, xr) (identities for vectors).
    if (vec_form && row_major)
      j = b.mul(b.mul(b.commutation(fs.rows, fs.cols), j), b.commutation(xs.cols, xs.rows));
    j = b.simplify(j);
    out = numerator ? j : b.transpose(j);
  }
  out = b.simplify(out);
  PrintOptions po;
  for (const std::string& name : symbols.dim_names()) po.dims[name] = *symbols.find_dim(name);
  return Derivative{print(out, po), out->shape};
}

}  // namespace gradcheck::symbolic
