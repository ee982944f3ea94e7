// SPDX-License-Identifier: MIT
// The simplifying constructors of Builder (the rules are listed in sym.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <utility>

#include "expr/scalar_functions.hpp"
#include "symbolic/sym.hpp"

namespace gradcheck::symbolic {
namespace {

bool is_number(const P& p) { return p->kind == Node::Number && !p->size; }
bool is_number(const P& p, double v) { return is_number(p) && p->value == v; }
bool is_binary(const P& p, Tok op) { return p->kind == Node::Binary && p->op == op; }
bool is_call(const P& p, const char* name) { return p->kind == Node::Call && p->name == name; }
bool is_scalar(const P& p) { return p->shape.is_scalar(); }
bool is_eye(const P& p) { return is_call(p, "eye") && p->shape.is_square(); }

// A coefficient whose shortest form is short (0.5, 0.05, 2, 1e-07): folded; 1/3 is not.
bool nice(double q) { return std::isfinite(q) && fmt::format("{}", q).size() <= 6; }

}  // namespace

// The factors of a matrix-product chain (scalar factors stop the flattening).
static void matrix_factors(const P& p, std::vector<P>& out) {
  if (is_binary(p, Tok::Star) && !is_scalar(p->kids[0]) && !is_scalar(p->kids[1])) {
    matrix_factors(p->kids[0], out);
    matrix_factors(p->kids[1], out);
  } else {
    out.push_back(p);
  }
}

// x = k * rest, with k the numeric coefficient (rest nullptr: x is the number k). Reads numbers,
// unary minus, number * rest and the numerator of rest / s.
static std::pair<double, P> split(const Builder& b, const P& p) {
  if (is_number(p)) return {p->value, nullptr};
  if (p->kind == Node::Unary) {
    auto [k, r] = split(b, p->kids[0]);
    return {-k, r};
  }
  if (is_binary(p, Tok::Star) && is_number(p->kids[0])) {
    auto [k, r] = split(b, p->kids[1]);
    return {p->kids[0]->value * k, r};
  }
  if (is_binary(p, Tok::Slash)) {
    auto [k, r] = split(b, p->kids[0]);
    if (k == 1 && r == p->kids[0]) return {1, p};
    return {k, b.raw(Node::Binary, Tok::Slash, "", {r ? r : b.num(1), p->kids[1]})};
  }
  return {1, p};
}

// k * rest in normal form: the number alone, rest, -rest, k * rest, or (k * x) / s.
static P scale(const Builder& b, double k, P r) {
  if (r) {
    auto [k2, r2] = split(b, r);
    k *= k2;
    r = r2;
  }
  if (!r) return b.num(k);
  if (k == 1) return r;
  if (is_binary(r, Tok::Slash)) return b.raw(Node::Binary, Tok::Slash, "", {scale(b, k, r->kids[0]), r->kids[1]});
  if (k == -1) return b.raw(Node::Unary, Tok::Minus, "", {r});
  return b.raw(Node::Binary, Tok::Star, "", {b.num(k), r});
}

P Builder::neg(const P& a) const {
  auto [k, r] = split(*this, a);
  return scale(*this, -k, r);
}

P Builder::mul(const P& a, const P& b) const {
  auto [ka, ra] = split(*this, a);
  auto [kb, rb] = split(*this, b);
  const double k = ka * kb;
  if (!ra && !rb) return num(k);
  if (!ra) return scale(*this, k, rb);
  if (!rb) return scale(*this, k, ra);
  return scale(*this, k, mul_core(ra, rb));
}

// Commutation matrices where two product chains meet (the rules of sym.hpp), with K(r, s) =
// commutation(r, s) and A m x n, B p x q inside kron(A, B):
//   K(m, n) K(n, m) = I;
//   K(p, m) kron(A, B) K(n, q) = kron(B, A);
//   kron(A, B) K(n, q) = kron(B, A) when m or p is 1, K(p, m) kron(A, B) = kron(B, A) when n or q is
//   1 (the commutation matrix that the full rule would leave is then an identity).
// nullptr when no rule applies at the junction of a and b.
P Builder::commuted(const P& a, const P& b) const {
  std::vector<P> fa, fb;
  matrix_factors(a, fa);
  matrix_factors(b, fb);
  auto is_k = [](const P& p, double r, double s) {
    return is_call(p, "commutation") && p->kids[0]->value == r && p->kids[1]->value == s;
  };
  auto product = [&](std::vector<P> left, const P& mid, std::vector<P> right) {
    std::vector<P> all = std::move(left);
    if (mid) all.push_back(mid);
    all.insert(all.end(), right.begin(), right.end());
    if (all.empty()) return eye(a->shape.rows, a->shape.rows);
    P r = all[0];
    for (std::size_t i = 1; i < all.size(); ++i) r = mul(r, all[i]);
    return r;
  };
  const P x = fa.back(), y = fb.front();
  std::vector<P> la(fa.begin(), fa.end() - 1), rb(fb.begin() + 1, fb.end());
  if (is_call(x, "commutation") && is_k(y, x->kids[1]->value, x->kids[0]->value)) return product(la, nullptr, rb);
  // kron(A, B) K(n, q), with K(p, m) before it or m or p 1.
  if (is_call(x, "kron") && is_call(y, "commutation")) {
    const Shape sa = x->kids[0]->shape, sb = x->kids[1]->shape;
    if (is_k(y, double(sa.cols), double(sb.cols))) {
      const P swapped = call("kron", {x->kids[1], x->kids[0]});
      if (!la.empty() && is_k(la.back(), double(sb.rows), double(sa.rows)))
        return product(std::vector<P>(la.begin(), la.end() - 1), swapped, rb);
      if (sa.rows == 1 || sb.rows == 1) return product(la, swapped, rb);
    }
  }
  // K(p, m) kron(A, B), with K(n, q) after it or n or q 1.
  if (is_call(x, "commutation") && is_call(y, "kron")) {
    const Shape sa = y->kids[0]->shape, sb = y->kids[1]->shape;
    if (is_k(x, double(sb.rows), double(sa.rows))) {
      const P swapped = call("kron", {y->kids[1], y->kids[0]});
      if (!rb.empty() && is_k(rb.front(), double(sa.cols), double(sb.cols)))
        return product(la, swapped, std::vector<P>(rb.begin() + 1, rb.end()));
      if (sa.cols == 1 || sb.cols == 1) return product(la, swapped, rb);
    }
  }
  return nullptr;
}

P Builder::mul_core(const P& a, const P& b) const {
  if (is_binary(a, Tok::Slash)) return div(mul(a->kids[0], b), a->kids[1]);
  if (is_binary(b, Tok::Slash)) return div(mul(a, b->kids[0]), b->kids[1]);
  if (is_scalar(a) || is_scalar(b)) {
    if (is_scalar(b) && !is_scalar(a)) return raw(Node::Binary, Tok::Star, "", {b, a});  // scalars first
    if (is_call(b, "ones") && is_scalar(a)) {}  // s * ones(r, c) stays
    return raw(Node::Binary, Tok::Star, "", {a, b});
  }
  if (is_eye(a)) return b;
  if (is_eye(b)) return a;
  if (equal(a, b) && a->shape.is_square()) return pow(a, num(2));
  if (is_binary(a, Tok::Caret) && equal(a->kids[0], b) && is_number(a->kids[1]))
    return pow(b, num(a->kids[1]->value + 1));
  // A scalar factor inside the right operand comes to the front: A * (s * B) -> s * A * B.
  if (is_binary(b, Tok::Star) && is_scalar(b->kids[0]) && !is_scalar(b->kids[1]))
    return mul(b->kids[0], mul(a, b->kids[1]));
  // The mixed product: kron(A, B) * kron(C, D) = kron(A * C, B * D) where the products fit.
  if (is_call(a, "kron") && is_call(b, "kron") && a->kids[0]->shape.cols == b->kids[0]->shape.rows &&
      a->kids[1]->shape.cols == b->kids[1]->shape.rows)
    return call("kron", {mul(a->kids[0], b->kids[0]), mul(a->kids[1], b->kids[1])});
  if (P c = commuted(a, b)) return c;
  if (is_call(b, "ones") && b->shape.cols == 1) return sum(a, 2);
  if (is_call(a, "ones") && a->shape.rows == 1) return sum(b, 1);
  return raw(Node::Binary, Tok::Star, "", {a, b});
}

P Builder::div(const P& a, const P& s) const {
  auto [ka, ra] = split(*this, a);
  auto [ks, rs] = split(*this, s);
  const double q = ka / ks;
  if (!rs) {  // by a number
    if (nice(q) || !ra) return scale(*this, q, ra);
    // Integer coefficients as a reduced fraction: 2 * X / 12 -> X / 6.
    if (ka == std::floor(ka) && ks == std::floor(ks) && std::abs(ka) < 1e9 && std::abs(ks) < 1e9) {
      double g = std::abs(ka), h = std::abs(ks);
      while (h > 0) {
        const double t = std::fmod(g, h);
        g = h;
        h = t;
      }
      const double n = ka / g, d = ks / g;
      if (d < 0) return raw(Node::Binary, Tok::Slash, "", {scale(*this, -n, ra), num(-d)});
      return raw(Node::Binary, Tok::Slash, "", {scale(*this, n, ra), num(d)});
    }
    return raw(Node::Binary, Tok::Slash, "", {scale(*this, ka, ra), num(ks)});
  }
  P core;
  if (ra && !equal(ra, rs) && rs->shape.is_scalar()) {
    // A scalar factor of the numerator's product equal to the divisor cancels: (s * A * x) / s.
    std::vector<P> f;
    std::function<void(const P&)> flat = [&](const P& p) {
      if (is_binary(p, Tok::Star)) {
        flat(p->kids[0]);
        flat(p->kids[1]);
      } else {
        f.push_back(p);
      }
    };
    flat(ra);
    for (std::size_t i = 0; i < f.size(); ++i)
      if (f.size() > 1 && equal(f[i], rs)) {
        f.erase(f.begin() + static_cast<std::ptrdiff_t>(i));
        P r = f[0];
        for (std::size_t j = 1; j < f.size(); ++j) r = mul(r, f[j]);
        if (r->shape == ra->shape) return scale(*this, q, r);
        break;
      }
  }
  if (!ra) core = raw(Node::Binary, Tok::Slash, "", {num(1), rs});
  else if (equal(ra, rs)) core = nullptr;
  else if (is_binary(ra, Tok::Slash)) core = raw(Node::Binary, Tok::Slash, "", {ra->kids[0], mul(ra->kids[1], rs)});
  else core = raw(Node::Binary, Tok::Slash, "", {ra, rs});
  if (nice(q)) return scale(*this, q, core);
  return raw(Node::Binary, Tok::Slash, "", {scale(*this, ka, ra), scale(*this, ks, rs)});
}

// An elementwise product-quotient with its factors cancelled: (u .* v) ./ v -> u, x .* (1 ./ y) ->
// x ./ y; nullptr when nothing cancels (or when cancelling would change the shape).
static P cancel_elementwise(const Builder& bld, const P& direct) {
  std::vector<P> num, den;
  bool changed = false, ones = false;
  std::function<void(const P&, bool)> flat = [&](const P& p, bool up) {
    if (is_binary(p, Tok::DotStar)) {
      flat(p->kids[0], up);
      flat(p->kids[1], up);
    } else if (is_binary(p, Tok::DotSlash)) {
      flat(p->kids[0], up);
      flat(p->kids[1], !up);
    } else if (is_number(p, 1)) {
      ones = true;
    } else {
      (up ? num : den).push_back(p);
    }
  };
  flat(direct, true);
  changed = ones && !num.empty();  // a factor 1 of a product goes; 1 ./ x stays
  for (std::size_t i = 0; i < den.size();) {
    auto it = std::find_if(num.begin(), num.end(), [&](const P& n) { return equal(n, den[i]); });
    if (it != num.end()) {
      num.erase(it);
      den.erase(den.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
    } else {
      ++i;
    }
  }
  if (!changed) return nullptr;
  P r = num.empty() ? bld.num(1) : num[0];
  for (std::size_t i = 1; i < num.size(); ++i) r = bld.emul(r, num[i]);
  for (const P& d : den) r = bld.ediv(r, d);
  return r->shape == direct->shape ? r : nullptr;
}

P Builder::emul(const P& a, const P& b) const {
  if (is_scalar(a) || is_scalar(b)) return mul(a, b);
  const P direct = raw(Node::Binary, Tok::DotStar, "", {a, b});
  if (is_call(a, "ones") && b->shape == direct->shape) return b;
  if (is_call(b, "ones") && a->shape == direct->shape) return a;
  // A column times the identity entrywise: the diagonal matrix (the Jacobian of f(x) elementwise).
  if (is_eye(b) && a->shape.cols == 1 && a->shape.rows == b->shape.rows) return call("diag", {a});
  if (is_eye(a) && b->shape.cols == 1 && b->shape.rows == a->shape.rows) return call("diag", {b});
  auto [ka, ra] = split(*this, a);
  auto [kb, rb] = split(*this, b);
  P core;
  if (is_binary(ra, Tok::Slash)) core = div(emul(ra->kids[0], rb), ra->kids[1]);
  else if (is_binary(rb, Tok::Slash)) core = div(emul(ra, rb->kids[0]), rb->kids[1]);
  else if (equal(ra, rb)) core = epow(ra, num(2));
  else if (ka == 1 && kb == 1) core = direct;
  else core = raw(Node::Binary, Tok::DotStar, "", {ra, rb});
  if (is_binary(core, Tok::DotStar) || is_binary(core, Tok::DotSlash))
    if (P c = cancel_elementwise(*this, core)) core = c;
  return scale(*this, ka * kb, core);
}

P Builder::ediv(const P& a, const P& b) const {
  if (is_scalar(b)) return div(a, b);
  auto [ka, ra] = split(*this, a);
  if (!ra) return raw(Node::Binary, Tok::DotSlash, "", {num(ka), b});
  if (is_binary(ra, Tok::Slash)) return scale(*this, ka, div(ediv(ra->kids[0], b), ra->kids[1]));
  const P core = raw(Node::Binary, Tok::DotSlash, "", {ra, b});
  if (P c = cancel_elementwise(*this, core)) return scale(*this, ka, c);
  return scale(*this, ka, core);
}

P Builder::epow(const P& a, const P& b) const {
  if (is_number(b, 1)) return a;
  if (is_number(a) && is_number(b)) return num(std::pow(a->value, b->value));
  if (is_number(b, 0)) return is_scalar(a) ? num(1) : ones(a->shape.rows, a->shape.cols);
  return raw(Node::Binary, Tok::DotCaret, "", {a, b});
}

P Builder::pow(const P& a, const P& b) const {
  if (is_scalar(a)) {
    if (is_number(b, 1)) return a;
    if (is_number(a) && is_number(b)) return num(std::pow(a->value, b->value));
  } else if (is_number(b, 1)) {
    return a;
  }
  return raw(Node::Binary, Tok::Caret, "", {a, b});
}

P Builder::compare(Tok op, const P& a, const P& b) const {
  if (is_number(a) && is_number(b)) {
    const double x = a->value, y = b->value;
    const bool v = op == Tok::Less ? x < y : op == Tok::LessEq ? x <= y : op == Tok::Greater ? x > y : x >= y;
    return num(v ? 1 : 0);
  }
  return raw(Node::Binary, op, "", {a, b});
}

P Builder::transpose(const P& a) const {
  if (is_scalar(a)) return a;
  switch (a->kind) {
    case Node::Transpose: return a->kids[0];
    case Node::Name: return symmetric_.count(a->name) ? a : raw(Node::Transpose, Tok::End, "", {a});
    case Node::Unary: return neg(transpose(a->kids[0]));
    case Node::Binary: {
      const P& x = a->kids[0];
      const P& y = a->kids[1];
      switch (a->op) {
        case Tok::Star: return is_scalar(x) || is_scalar(y) ? mul(transpose(x), transpose(y)) : mul(transpose(y), transpose(x));
        case Tok::Slash: return div(transpose(x), y);
        case Tok::Plus: return add(transpose(x), transpose(y));
        case Tok::Minus: return sub(transpose(x), transpose(y));
        case Tok::DotStar: return emul(transpose(x), transpose(y));
        case Tok::DotSlash: return ediv(transpose(x), transpose(y));
        case Tok::DotCaret: return epow(transpose(x), transpose(y));
        case Tok::Caret: break;
        default: return compare(a->op, transpose(x), transpose(y));
      }
      break;
    }
    case Node::Call: {
      if (scalar::find(a->name) || a->name == "inv") return call(a->name, {transpose(a->kids[0])});
      if (a->name == "transpose") return a->kids[0];
      if (a->name == "commutation") return raw(Node::Call, Tok::End, "commutation", {a->kids[1], a->kids[0]});
      if (a->name == "kron") return call("kron", {transpose(a->kids[0]), transpose(a->kids[1])});
      if ((a->name == "ones" || a->name == "zeros" || a->name == "eye") && a->constant) {
        if (a->kids.size() == 1) return a;
        return raw(Node::Call, Tok::End, a->name, {a->kids[1], a->kids[0]});
      }
      break;
    }
    default: break;
  }
  return raw(Node::Transpose, Tok::End, "", {a});
}

P Builder::sum(const P& a, int dim) const {
  if (dim == 0 && is_scalar(a)) return a;
  if (dim == 1 && a->shape.rows == 1) return a;
  if (dim == 2 && a->shape.cols == 1) return a;
  auto [k, r] = split(*this, a);
  if (!r) r = a;  // a number would have been a scalar
  if (k != 1) return scale(*this, k, sum(r, dim));
  if (is_binary(r, Tok::Slash)) return div(sum(r->kids[0], dim), r->kids[1]);
  if (dim == 0 && is_call(r, "ones")) return num(double(r->shape.numel()), true);
  if (dim == 0) return raw(Node::Call, Tok::End, "sum", {r});
  return raw(Node::Call, Tok::End, "sum", {r, num(dim)});
}

P Builder::call(const std::string& f, std::vector<P> args) const {
  if (f == "transpose") return transpose(args[0]);
  if (f == "pow") return epow(args[0], args[1]);
  if (f == "sum" && (args.size() == 1 || (is_number(args[1]) && (args[1]->value == 1 || args[1]->value == 2))))
    return sum(args[0], args.size() == 1 ? 0 : static_cast<int>(args[1]->value));
  if (f == "vec" && args[0]->shape.cols == 1) return args[0];
  if (f == "vec" && args[0]->shape.rows == 1) return transpose(args[0]);
  if (f == "inv" && is_call(args[0], "inv")) return args[0]->kids[0];
  if (f == "inv" && is_call(args[0], "commutation")) return transpose(args[0]);
  if (f == "commutation" && args[0]->kind == Node::Number && args[1]->kind == Node::Number && (args[0]->value == 1 || args[1]->value == 1))
    return eye(arma::uword(args[0]->value * args[1]->value), arma::uword(args[0]->value * args[1]->value));
  if ((f == "tr" || f == "trace") && is_scalar(args[0])) return args[0];
  if (f == "kron" && (is_scalar(args[0]) || is_scalar(args[1]))) return mul(args[0], args[1]);
  if (f == "reshape" && args[0]->shape.rows == args[1]->value && args[0]->shape.cols == args[2]->value &&
      args[1]->kind == Node::Number && args[2]->kind == Node::Number)
    return args[0];
  return raw(Node::Call, Tok::End, f, std::move(args));
}

// ---------------------------------------------------------------------------------------------
// Sums.

P Builder::add(const P& a, const P& b) const { return add_terms(a, b, false); }
P Builder::sub(const P& a, const P& b) const { return add_terms(a, b, true); }

namespace {

struct Term {
  double k;
  P r;  // nullptr: the number k
};

void collect(const Builder& b, const P& p, double sign, std::vector<Term>& out) {
  if (is_binary(p, Tok::Plus) || is_binary(p, Tok::Minus)) {
    collect(b, p->kids[0], sign, out);
    collect(b, p->kids[1], is_binary(p, Tok::Minus) ? -sign : sign, out);
    return;
  }
  auto [k, r] = split(b, p);
  out.push_back({sign * k, r});
}


}  // namespace

P Builder::add_terms(const P& a, const P& b, bool subtract) const {
  const P direct = raw(Node::Binary, subtract ? Tok::Minus : Tok::Plus, "", {a, b});
  std::vector<Term> terms;
  collect(*this, a, 1, terms);
  collect(*this, b, subtract ? -1 : 1, terms);

  auto product = [&](const std::vector<P>& f, std::size_t from, std::size_t to) {
    P r = f[from];
    for (std::size_t i = from + 1; i < to; ++i) r = mul(r, f[i]);
    return r;
  };
  // Two terms as one, or nothing: equal terms, a common divisor, a common factor of a product.
  auto merge = [&](const Term& x, const Term& y) -> std::optional<Term> {
    if ((!x.r && !y.r) || (x.r && y.r && equal(x.r, y.r))) return Term{x.k + y.k, x.r};
    if (x.r && y.r && is_binary(x.r, Tok::DotStar) && is_binary(y.r, Tok::DotStar) &&
        equal(x.r->kids[0], y.r->kids[1]) && equal(x.r->kids[1], y.r->kids[0]))
      return Term{x.k + y.k, x.r};  // .* commutes
    if (!x.r || !y.r) return std::nullopt;
    if (is_binary(x.r, Tok::Slash) && is_binary(y.r, Tok::Slash) && equal(x.r->kids[1], y.r->kids[1]))
      return Term{1, div(add(scale(*this, x.k, x.r->kids[0]), scale(*this, y.k, y.r->kids[0])), x.r->kids[1])};
    std::vector<P> fx, fy;
    matrix_factors(x.r, fx);
    matrix_factors(y.r, fy);
    if (fx.size() < 2 && fy.size() < 2) return std::nullopt;
    std::size_t pre = 0, suf = 0;
    while (pre < fx.size() && pre < fy.size() && equal(fx[pre], fy[pre])) ++pre;
    while (suf < fx.size() - pre && suf < fy.size() - pre && equal(fx[fx.size() - 1 - suf], fy[fy.size() - 1 - suf]))
      ++suf;
    if (pre + suf == 0 || pre + suf >= fx.size() || pre + suf >= fy.size()) return std::nullopt;
    if (suf > 0) pre = 0;  // one side at a time: the right factor first (A * x + B * x)
    else suf = 0;
    P mid = add(scale(*this, x.k, product(fx, pre, fx.size() - suf)), scale(*this, y.k, product(fy, pre, fy.size() - suf)));
    P r = mid;
    if (pre > 0) r = mul(product(fx, 0, pre), r);
    if (suf > 0) r = mul(r, product(fx, fx.size() - suf, fx.size()));
    return Term{1, r};
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < terms.size() && !changed; ++i)
      for (std::size_t j = i + 1; j < terms.size() && !changed; ++j)
        if (auto m = merge(terms[i], terms[j])) {
          auto [k, r] = split(*this, scale(*this, m->k, m->r));
          terms[i] = Term{k, r};
          terms.erase(terms.begin() + static_cast<std::ptrdiff_t>(j));
          changed = true;
        }
  }
  std::vector<Term> kept;
  for (const Term& t : terms)
    if (t.k != 0) kept.push_back(t);
  // A coefficient common to every term goes outside: -0.5 * a - 0.5 * b -> -0.5 * (a + b).
  double common = kept.size() > 1 ? kept[0].k : 1;
  for (const Term& t : kept)
    if (t.k != common || !t.r) common = 1;
  if (common != 1 && common != -1)
    for (Term& t : kept) t.k = 1;
  else
    common = 1;
  P out;
  for (int pass = 0; pass < 2; ++pass)  // the added terms, then the subtracted ones
    for (const Term& t : kept) {
      if ((t.k > 0) != (pass == 0)) continue;
      if (!out) out = scale(*this, t.k, t.r);
      else if (t.k > 0) out = raw(Node::Binary, Tok::Plus, "", {out, scale(*this, t.k, t.r)});
      else out = raw(Node::Binary, Tok::Minus, "", {out, scale(*this, -t.k, t.r)});
    }
  if (!out) out = num(0);
  if (common != 1) out = scale(*this, common, out);
  if (out->shape != direct->shape) return direct;  // a dropped term carried the shape
  return out;
}

}  // namespace gradcheck::symbolic
