// SPDX-License-Identifier: MIT
#include "compare/form_map.hpp"

#include <fmt/format.h>

#include "gradcheck/error.hpp"

namespace gradcheck {
namespace {

// Index of x's entry in the user's terms: one index for a vector, (row,col) for a matrix.
std::string entry(const std::string& name, Shape shape, arma::uword linear) {
  if (shape.is_scalar()) return name;
  if (shape.is_vector()) return fmt::format("{}({})", name, linear);
  return fmt::format("{}({},{})", name, linear % shape.rows, linear / shape.rows);
}

// vec position of (r, c) in a matrix of `shape`, stacking columns or rows.
arma::uword vec_index(Shape shape, arma::uword r, arma::uword c, VecOrder order) {
  return order == VecOrder::kColumnMajor ? r + c * shape.rows : c + r * shape.cols;
}

// Marks a map whose every entry k is J(k), and drops its index array.
void finish(FormMap& map) {
  const arma::uword* index = map.to_jacobian.memptr();
  bool identity = true;
  for (arma::uword k = 0; k < map.to_jacobian.n_elem && identity; ++k) identity = index[k] == k;
  if (!identity) return;
  map.identity = true;
  map.count = map.to_jacobian.n_elem;
  map.to_jacobian.reset();
}

}  // namespace

std::string FormMap::x_label(arma::uword b) const { return entry(x_name, x_shape, b); }

arma::mat FormMap::arrange(const arma::mat& jacobian) const {
  if (identity) return arma::reshape(jacobian, wanted.rows, wanted.cols);  // (same entries, same order)
  arma::mat out(wanted.rows, wanted.cols);
  const arma::uword* index = to_jacobian.memptr();
  const double* from = jacobian.memptr();
  double* to = out.memptr();
  for (arma::uword k = 0; k < to_jacobian.n_elem; ++k) to[k] = from[index[k]];
  return out;
}

std::vector<arma::uword> FormMap::position(arma::uword k) const {
  if (spec.form == Form::kIndex) {
    // One value per free letter, the first letter fastest.
    std::vector<arma::uword> out;
    arma::uword rest = k;
    for (arma::uword r : index_ranges) {
      out.push_back(rest % r);
      rest /= r;
    }
    return out;
  }
  return {k % wanted.rows, k / wanted.rows};
}

std::string FormMap::label(arma::uword k) const {
  const arma::uword j = index(k);
  const arma::uword p = f_shape.numel();
  const arma::uword a = j % p, b = j / p;
  if (spec.form == Form::kIndex) {
    const std::vector<arma::uword> pos = position(k);
    const auto& free = spec.indices->free_letters;
    auto value_of = [&](const std::string& letter) {
      for (std::size_t i = 0; i < free.size(); ++i)
        if (free[i] == letter) return pos[i];
      return arma::uword{0};
    };
    auto side = [&](const std::string& name, const std::vector<std::string>& letters) {
      if (letters.empty()) return name;
      std::string s = name + "[";
      for (std::size_t i = 0; i < letters.size(); ++i) s += (i ? "," : "") + std::to_string(value_of(letters[i]));
      return s + "]";
    };
    // The names as the indices field writes them ("z[2]/W[2,1]"), not f's.
    return side(spec.indices->f_name, spec.indices->f_letters) + "/" + side(x_name, spec.indices->x_letters);
  }
  if (f_shape.is_scalar()) return entry(x_name, x_shape, b);
  return "d" + entry(f_name, f_shape, a) + "/d" + entry(x_name, x_shape, b);
}

std::string FormMap::describe() const {
  const std::string lay = to_string(spec.layout);
  if (spec.form == Form::kIndex) return fmt::format("{} index form ({})", wanted.str(), spec.indices->text);
  if (spec.form == Form::kVec)
    return fmt::format("{} ({} layout of d vec({})/d vec({}), {})", wanted.str(), lay, f_name, x_name,
                       to_string(spec.order));
  if (f_shape.is_scalar())
    return spec.layout == Layout::kDenominator
               ? fmt::format("{} (denominator layout: the gradient, shaped like {} {})", wanted.str(), x_name, x_shape.str())
               : fmt::format("{} (numerator layout: shaped like {}' {})", wanted.str(), x_name,
                             Shape{x_shape.cols, x_shape.rows}.str());
  return spec.layout == Layout::kNumerator
             ? fmt::format("{} (numerator layout: the Jacobian, numel({}) x numel({}))", wanted.str(), f_name, x_name)
             : fmt::format("{} (denominator layout: the transposed Jacobian, numel({}) x numel({}))", wanted.str(),
                           x_name, f_name);
}

FormMap make_form_map(const FormSpec& spec, Shape f_shape, Shape x_shape, const std::string& f_name,
                      const std::string& x_name) {
  FormMap map;
  map.spec = spec;
  map.f_name = f_name;
  map.x_name = x_name;
  map.f_shape = f_shape;
  map.x_shape = x_shape;
  const arma::uword p = f_shape.numel(), q = x_shape.numel();
  auto at = [p](arma::uword a, arma::uword b) { return a + b * p; };

  if (spec.form == Form::kAuto) {
    if (f_shape.is_scalar()) {
      // Gradient. Denominator: E (m x n), E[i,j] = df/dx[i,j]. Numerator: E (n x m), E[j,i].
      const bool den = spec.layout == Layout::kDenominator;
      map.wanted = den ? x_shape : Shape{x_shape.cols, x_shape.rows};
      map.to_jacobian.set_size(q);
      for (arma::uword j = 0; j < x_shape.cols; ++j)
        for (arma::uword i = 0; i < x_shape.rows; ++i) {
          const arma::uword k = den ? i + j * x_shape.rows : j + i * x_shape.cols;
          map.to_jacobian(k) = at(0, i + j * x_shape.rows);
        }
      finish(map);
      return map;
    }
    if (!f_shape.is_vector() || !x_shape.is_vector()) {
      throw Error("check.form",
                  fmt::format("form \"auto\" covers a scalar f, or a vector f with respect to a vector; here {} is "
                              "{} and {} is {}: use form \"vec\" (d vec({})/d vec({})) or \"index\"",
                              f_name, f_shape.str(), x_name, x_shape.str(), f_name, x_name));
    }
    // Jacobian of vectors. Numerator: E (p x q), E[a,b] = df[a]/dx[b]; denominator: E (q x p).
    const bool num = spec.layout == Layout::kNumerator;
    map.wanted = num ? Shape{p, q} : Shape{q, p};
    map.to_jacobian.set_size(p * q);
    for (arma::uword b = 0; b < q; ++b)
      for (arma::uword a = 0; a < p; ++a) map.to_jacobian(num ? a + b * p : b + a * q) = at(a, b);
    finish(map);
    return map;
  }

  if (spec.form == Form::kVec) {
    // E = d vec(f)/d vec(x) (numerator, p x q) or its transpose (denominator), where vec stacks
    // columns (column-major) or rows (row-major) of both f and x.
    const bool num = spec.layout == Layout::kNumerator;
    map.wanted = num ? Shape{p, q} : Shape{q, p};
    if (num && spec.order == VecOrder::kColumnMajor) {  // J itself: no index array
      map.identity = true;
      map.count = p * q;
      return map;
    }
    // vec position of each entry of f and of x (column-major linear index -> position in vec).
    auto positions = [&](Shape shape) {
      std::vector<arma::uword> out(shape.numel());
      for (arma::uword c = 0; c < shape.cols; ++c)
        for (arma::uword r = 0; r < shape.rows; ++r) out[r + c * shape.rows] = vec_index(shape, r, c, spec.order);
      return out;
    };
    const std::vector<arma::uword> fa = positions(f_shape), xb = positions(x_shape);
    map.to_jacobian.set_size(p * q);
    arma::uword* index = map.to_jacobian.memptr();
    for (arma::uword b = 0; b < q; ++b)
      for (arma::uword a = 0; a < p; ++a) index[num ? fa[a] + xb[b] * p : xb[b] + fa[a] * q] = at(a, b);
    finish(map);
    return map;
  }

  if (spec.form == Form::kHvp || !spec.indices)
    throw Error("check.form", spec.form == Form::kHvp ? "form \"hvp\" is a Hessian-vector product: it needs "
                                                        "derivative_order 2"
                                                      : "form \"index\" needs its indices");
  // Index form: the free letters in order (first fastest); f's letters address f, x's address x.
  const IndexSpec& ix = *spec.indices;
  auto letters_fit = [&](const std::vector<std::string>& letters, Shape shape, const std::string& name) {
    const std::size_t want = shape.is_scalar() ? 0 : shape.is_vector() ? 1 : 2;
    if (letters.size() != want)
      throw Error("check.form", fmt::format("indices \"{}\": {} is {} and takes {} {}, not {}", ix.text, name,
                                            shape.str(), want, want == 1 ? "index" : "indices", letters.size()));
  };
  letters_fit(ix.f_letters, f_shape, f_name);
  letters_fit(ix.x_letters, x_shape, x_name);
  // Range of each free letter from the side(s) it indexes.
  auto range_in = [](const std::vector<std::string>& letters, Shape shape, const std::string& letter) -> arma::uword {
    for (std::size_t i = 0; i < letters.size(); ++i)
      if (letters[i] == letter) return letters.size() == 1 ? shape.numel() : (i == 0 ? shape.rows : shape.cols);
    return 0;
  };
  std::vector<arma::uword> ranges;
  arma::uword rows = 1, total = 1;
  for (const std::string& letter : ix.free_letters) {
    arma::uword r = range_in(ix.f_letters, f_shape, letter);
    const arma::uword rx = range_in(ix.x_letters, x_shape, letter);
    if (r == 0) r = rx;
    if (rx != 0 && rx != r)
      throw Error("check.form", fmt::format("indices \"{}\": letter '{}' ranges over {} in {} but over {} in {}",
                                            ix.text, letter, r, f_name, rx, x_name));
    ranges.push_back(r);
    total *= r;
    if (range_in(ix.f_letters, f_shape, letter) != 0) rows *= r;
  }
  map.index_ranges = ranges;
  map.wanted = Shape{rows, total / std::max<arma::uword>(rows, 1)};
  map.to_jacobian.set_size(total);
  std::vector<arma::uword> value(ranges.size(), 0);
  auto linear = [&](const std::vector<std::string>& letters, Shape shape) -> arma::uword {
    if (letters.empty()) return 0;
    auto v = [&](const std::string& letter) {
      for (std::size_t i = 0; i < ix.free_letters.size(); ++i)
        if (ix.free_letters[i] == letter) return value[i];
      return arma::uword{0};
    };
    if (letters.size() == 1) return v(letters[0]);
    return v(letters[0]) + v(letters[1]) * shape.rows;
  };
  for (arma::uword k = 0; k < total; ++k) {
    arma::uword rest = k;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      value[i] = rest % ranges[i];
      rest /= ranges[i];
    }
    map.to_jacobian(k) = at(linear(ix.f_letters, f_shape), linear(ix.x_letters, x_shape));
  }
  finish(map);
  return map;
}

}  // namespace gradcheck
