// SPDX-License-Identifier: MIT
// Loops shared by the kernels of operators.cpp and functions.cpp.
//
// Kernels are written once over the element type: a generic lambda
//   [](Step& s, const auto& x, const auto& y) { ... result(s, x) ... }
// converts to both a Kernel (double) and a CxKernel (std::complex<double>), and writes into the
// step's buffer of that type. Helpers here are templates over arma::Mat<T>.
#pragma once

#include <armadillo>
#include <cmath>
#include <limits>
#include <optional>

#include "expr/program.hpp"
#include "expr/scalar_functions.hpp"

namespace gradcheck::expr {

using scalar::cx;
using scalar::re;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The element type of a matrix argument of a generic kernel.
template <class M>
using elem_t = typename std::decay_t<M>::elem_type;

// The result buffer of step s for the element type of x: s.out or s.cx_out.
template <class T>
arma::Mat<T>& result(detail::Step& s, const arma::Mat<T>&) {
  return detail::out<T>(s);
}

// Numerical failure: the step's result of element type T becomes all NaN (with its shape, even
// if a failed Armadillo call reset the buffer).
template <class T = double>
void fill_nan(detail::Step& s) {
  arma::Mat<T>& o = detail::out<T>(s);
  o.set_size(s.shape.rows, s.shape.cols);
  o.fill(scalar::nan<T>());
}

// out(i) = f(a(i)) for every entry; out has a's shape.
template <class T, class F>
void map(const arma::Mat<T>& a, arma::Mat<T>& out, F f) {
  const T* x = a.memptr();
  T* y = out.memptr();
  for (arma::uword i = 0; i < a.n_elem; ++i) y[i] = f(x[i]);
}

// The shape of an elementwise operation between a and b with broadcasting, or nothing:
// equal shapes; a scalar against anything; a p x 1 column against a p x m matrix (applied to
// each column); a 1 x m row against a p x m matrix (applied to each row); either side.
inline std::optional<Shape> broadcast_shape(Shape a, Shape b) {
  if (a == b || b.is_scalar()) return a;
  if (a.is_scalar()) return b;
  if (a.cols == 1 && a.rows == b.rows) return b;  // column against matrix
  if (b.cols == 1 && a.rows == b.rows) return a;
  if (a.rows == 1 && a.cols == b.cols) return b;  // row against matrix
  if (b.rows == 1 && a.cols == b.cols) return a;
  return std::nullopt;
}

// out(i, j) = f(a(i, j), b(i, j)) where a size-1 dimension of a or b is repeated
// (shapes already checked by broadcast_shape).
template <class T, class F>
void zip(const arma::Mat<T>& a, const arma::Mat<T>& b, arma::Mat<T>& out, F f) {
  T* y = out.memptr();
  const T* x = a.memptr();
  const T* z = b.memptr();
  if (a.n_rows == b.n_rows && a.n_cols == b.n_cols) {
    for (arma::uword i = 0; i < a.n_elem; ++i) y[i] = f(x[i], z[i]);
    return;
  }
  // Strides of a repeated dimension are 0.
  const arma::uword ar = a.n_rows == 1 ? 0 : 1, ac = a.n_cols == 1 ? 0 : a.n_rows;
  const arma::uword br = b.n_rows == 1 ? 0 : 1, bc = b.n_cols == 1 ? 0 : b.n_rows;
  for (arma::uword j = 0; j < out.n_cols; ++j)
    for (arma::uword i = 0; i < out.n_rows; ++i) *y++ = f(x[i * ar + j * ac], z[i * br + j * bc]);
}

// The strided form of zip (program.hpp, StridedBlock): f over a block, in place.
// A row (the usual block: what one entry of W moves in W*X) is one loop over its columns.
template <class F>
void strided_zip(const detail::Step&, const detail::StridedBlock& k) {
  const F f{};
  if (k.rows == 1) {
    const arma::uword ac = k.ac, bc = k.bc, oc = k.oc;
    for (arma::uword j = 0; j < k.cols; ++j) k.out[j * oc] = f(k.a[j * ac], k.b[j * bc]);
    return;
  }
  for (arma::uword j = 0; j < k.cols; ++j) {
    const double* x = k.a + j * k.ac;
    const double* z = k.b + j * k.bc;
    double* y = k.out + j * k.oc;
    for (arma::uword i = 0; i < k.rows; ++i) y[i] = f(x[i * k.ar], z[i * k.br]);
  }
}
// The strided form of map with f(v, p), p the step's parameter (Step::p, read once): b is not
// read.
template <class F>
void strided_map(const detail::Step& s, const detail::StridedBlock& k) {
  const F f{};
  const double p = s.p;
  if (k.rows == 1) {
    const arma::uword ac = k.ac, oc = k.oc;
    for (arma::uword j = 0; j < k.cols; ++j) k.out[j * oc] = f(k.a[j * ac], p);
    return;
  }
  for (arma::uword j = 0; j < k.cols; ++j) {
    const double* x = k.a + j * k.ac;
    double* y = k.out + j * k.oc;
    for (arma::uword i = 0; i < k.rows; ++i) y[i] = f(x[i * k.ar], p);
  }
}

// Reductions along a dimension: dim 0 = all entries (1x1), 1 = each column (1 x n),
// 2 = each row (m x 1). f(first, stride, count) reduces `count` entries `stride` apart.
template <class T, class F>
void reduce(const arma::Mat<T>& a, int dim, arma::Mat<T>& out, F f) {
  if (dim == 0) {
    out[0] = f(a.memptr(), 1, a.n_elem);
  } else if (dim == 1) {
    for (arma::uword j = 0; j < a.n_cols; ++j) out[j] = f(a.colptr(j), 1, a.n_rows);
  } else {
    for (arma::uword i = 0; i < a.n_rows; ++i) out[i] = f(a.memptr() + i, a.n_rows, a.n_cols);
  }
}

// The result shape of reduce().
inline Shape reduced_shape(Shape s, int dim) {
  if (dim == 0) return Shape{1, 1};
  if (dim == 1) return Shape{1, s.cols};
  return Shape{s.rows, 1};
}

}  // namespace gradcheck::expr
