// SPDX-License-Identifier: MIT
// Perturbation propagation: the rules are written in propagate.hpp, each again where it is
// implemented below.
#include "expr/propagate.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "expr/program.hpp"
#include "expr/scalar_functions.hpp"
#include "gradcheck/expression.hpp"
#include "gradcheck/perturbed.hpp"

namespace gradcheck {
namespace {

using arma::mat;
using arma::uword;
using detail::Program;
using detail::Step;

// A block of a step's result: rows [r0, r1) x columns [c0, c1); empty when r0 == r1.
struct Rect {
  uword r0 = 0, r1 = 0, c0 = 0, c1 = 0;
  bool empty() const { return r1 <= r0 || c1 <= c0; }
  uword rows() const { return r1 - r0; }
  uword cols() const { return c1 - c0; }
  bool covers(const Shape& s) const { return r0 == 0 && c0 == 0 && r1 == s.rows && c1 == s.cols; }
  bool operator==(const Rect& o) const { return r0 == o.r0 && r1 == o.r1 && c0 == o.c0 && c1 == o.c1; }
};

Rect full(const Shape& s) { return Rect{0, s.rows, 0, s.cols}; }

Rect unite(const Rect& a, const Rect& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return Rect{std::min(a.r0, b.r0), std::max(a.r1, b.r1), std::min(a.c0, b.c0), std::max(a.c1, b.c1)};
}

// The block of an elementwise result (shape `out`) that a changed block r of an input of shape
// `in` touches under broadcasting (kernels.hpp): the same block for equal shapes, every entry
// for a scalar input, the rows of r across every column for a column input, the columns of r
// down every row for a row input.
Rect broadcast_rect(const Rect& r, const Shape& in, const Shape& out) {
  if (r.empty()) return r;
  if (in.rows == out.rows && in.cols == out.cols) return r;
  if (in.is_scalar()) return full(out);
  if (in.cols == 1 && in.rows == out.rows) return Rect{r.r0, r.r1, 0, out.cols};
  return Rect{0, out.rows, r.c0, r.c1};  // a row against the matrix
}

// Blocks in plain loops with the strides in locals: the blocks are small (a row of 16), where a
// subview copy costs more than the entries, and an n_rows read through the matrix is reloaded
// at every entry (the writes may alias it). A rows x cols block from column stride `fs` to
// column stride `ts`; a row (the usual block: what one entry of W moves in W*X) is one strided
// entry per column, without an inner loop per column.
template <class T>
void copy_strided(const T* from, arma::uword fs, T* to, arma::uword ts, arma::uword rows, arma::uword cols) {
  if (rows == 1) {
    for (arma::uword c = 0; c < cols; ++c) to[c * ts] = from[c * fs];
    return;
  }
  for (arma::uword c = 0; c < cols; ++c, from += fs, to += ts)
    for (arma::uword k = 0; k < rows; ++k) to[k] = from[k];
}
// into = x(r), as a r.rows() x r.cols() buffer (its memory kept from one move to the next).
template <class T>
void gather(const arma::Mat<T>& x, const Rect& r, arma::Mat<T>& into) {
  if (into.n_rows != r.rows() || into.n_cols != r.cols()) into.set_size(r.rows(), r.cols());
  copy_strided(x.memptr() + r.c0 * x.n_rows + r.r0, x.n_rows, into.memptr(), r.rows(), r.rows(), r.cols());
}
// x(r) = block, a r.rows() x r.cols() buffer.
template <class T>
void scatter(const arma::Mat<T>& block, const Rect& r, arma::Mat<T>& x) {
  copy_strided(block.memptr(), r.rows(), x.memptr() + r.c0 * x.n_rows + r.r0, x.n_rows, r.rows(), r.cols());
}

// The entries of input `x` (shape `in`) that the result block r of an elementwise step reads.
// The broadcast inputs' entries are contiguous (a scalar; rows r0..r1 of a column; columns
// c0..c1 of a row): copied into the buffer kept from one move to the next, without a subview.
template <class T>
void input_block(const arma::Mat<T>& x, const Shape& in, const Shape& out, const Rect& r, arma::Mat<T>& into) {
  if (in.rows == out.rows && in.cols == out.cols) return gather(x, r, into);
  const bool column = !in.is_scalar() && in.cols == 1 && in.rows == out.rows;
  const bool row = !in.is_scalar() && !column;
  const arma::uword first = column ? r.r0 : row ? r.c0 : 0;
  const arma::uword rows = column ? r.rows() : 1, cols = row ? r.cols() : 1;
  if (into.n_rows != rows || into.n_cols != cols) into.set_size(rows, cols);
  std::copy(x.memptr() + first, x.memptr() + first + rows * cols, into.memptr());
}

// Where the entries of input `x` (shape `in`) that the result block r of an elementwise step
// reads start, and their row and column strides (0 along a broadcast dimension): the block
// itself for equal shapes; one entry for a scalar; rows r0..r1, repeated across the columns, of
// a column; columns c0..c1, repeated down the rows, of a row.
inline void strides(const arma::mat& x, const Shape& in, const Shape& out, const Rect& r, const double*& first,
                    arma::uword& row_stride, arma::uword& col_stride) {
  if (in.rows == out.rows && in.cols == out.cols) {
    first = x.memptr() + r.c0 * x.n_rows + r.r0;
    row_stride = 1;
    col_stride = x.n_rows;
  } else if (in.is_scalar()) {
    first = x.memptr();
    row_stride = col_stride = 0;
  } else if (in.cols == 1 && in.rows == out.rows) {
    first = x.memptr() + r.r0;
    row_stride = 1;
    col_stride = 0;
  } else {
    first = x.memptr() + r.c0;
    row_stride = 0;
    col_stride = 1;
  }
}

// A step's kernel for element type T (the real one, or its complex extension).
template <class T>
void run_step(Step& s, const arma::Mat<T>& a, const arma::Mat<T>& b) {
  if constexpr (std::is_same_v<T, double>) s.run(s, a, b);
  else s.run_cx(s, a, b);
}

// log(1 + t) for the determinant lemma: log1p for real t; for complex t (complex step, t = i h
// c + O(h^2)) the principal log, whose imaginary part atan2(Im t, 1 + Re t) keeps every digit.
inline double log_one_plus(double t) { return std::log1p(t); }
inline std::complex<double> log_one_plus(std::complex<double> t) { return std::log(1.0 + t); }

// The propagation over one element type: double for f(x + delta e_b), complex for the complex
// step f(x + i h e_b) (whose base values are real: every imaginary part of a result comes from
// the changed region alone, so Im f / h carries no cancellation). It works on the buffers of
// type T of a program it does not own (out or cx_out, see program.hpp), so that a real and a
// complex core can share one copy of the program.
template <class T>
class Core {
 public:
  using M = arma::Mat<T>;
  Core(Program& program, std::size_t slot) : prog_(program), slot_(slot) {
    const std::size_t n = prog_.steps.size();
    depends_.assign(n, false);
    dirty_.assign(n, Rect{});
    base_.resize(n);
    inverse_.resize(n);
    inverse_ok_.assign(n, false);
    scratch_.resize(n);
    deltas_.resize(n);
    blocks_a_.resize(n);
    blocks_b_.resize(n);
    finite_columns_.resize(n);
    all_finite_columns_.assign(n, 0);
    shift_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Step& s = prog_.steps[i];
      if (s.is_variable()) {
        depends_[i] = s.slot == slot_;
        if (depends_[i]) leaves_.push_back(i);
      } else if (s.run) {
        depends_[i] = depends_[s.a] || depends_[s.b];
        if (depends_[i]) order_.push_back(i);
      }
      if (s.run && (s.op == expr::kOpElementwise || expr::column_separable(s.op))) {
        scratch_[i].run = s.run;
        scratch_[i].run_cx = s.run_cx;
        scratch_[i].fn = s.fn;
        scratch_[i].p = s.p;
      }
    }
    find_fused_sums();
  }

  // `values` are checked by the caller (Propagator::prepare).
  void prepare(const std::vector<mat>& values) {
    values_.resize(std::max(values.size(), slot_ + 1));
    for (std::size_t k = 0; k < values.size(); ++k) values_[k] = arma::conv_to<M>::from(values[k]);
    if constexpr (!std::is_same_v<T, double>) detail::size_complex(prog_);
    // The base evaluation: every step once; constants and steps of other variables only here.
    std::vector<Step>& steps = prog_.steps;
    for (Step& s : steps)
      if (s.run) run_step<T>(s, input(s.a), input(s.b));
    for (std::size_t i : order_) base_[i] = detail::out<T>(steps[i]);
    // Inverses for the determinant lemma, at the base point (real there: the real part of the
    // complex base is the real point).
    for (std::size_t i : order_) {
      const Step& s = steps[i];
      if (s.op != expr::kOpDet && s.op != expr::kOpLogdet) continue;
      mat x;
      if constexpr (std::is_same_v<T, double>) x = input(s.a);
      else x = arma::real(input(s.a));
      inverse_ok_[i] = x.is_finite() && arma::inv(inverse_[i], x) && inverse_[i].is_finite();
    }
    // The rank-one rule of the softmax family needs finite base columns (input and result).
    for (std::size_t i : order_) {
      const Step& s = steps[i];
      if (!expr::column_separable(s.op)) continue;
      const M& x = input(s.a);
      std::vector<char>& ok = finite_columns_[i];
      ok.assign(x.n_cols, 0);
      bool all = true;
      for (uword j = 0; j < x.n_cols; ++j) {
        ok[j] = x.col(j).is_finite() && base_[i].col(j).is_finite();
        all = all && ok[j];
      }
      all_finite_columns_[i] = all;
    }
    // The fused sums (propagate.hpp): on where the sum is finite at the base point.
    std::fill(quiet_.begin(), quiet_.end(), 0);
    for (std::size_t i : order_) {
      Fused& fu = fused_[i];
      if (fu.source == kNone) continue;
      if (fu.c != kNone) fu.colsum = arma::sum(input(fu.c), 0);
      quiet_[fu.source] = std::isfinite(std::real(base_[i][0])) && std::isfinite(std::imag(base_[i][0]));
    }
    std::fill(dirty_.begin(), dirty_.end(), Rect{});
    for (Shift& sh : shift_) sh.valid = false;
    moved_ = false;
  }

  double operations() const { return operations_; }

  // The operations of at(first, second, .) from the shapes alone, without a base point: the
  // same rules, their arithmetic skipped (the determinant lemma taken to apply).
  double dry_run(uword first, uword second) {
    if (leaves_.empty()) return 0;
    const Shape x = prog_.steps[leaves_[0]].shape;
    auto entry = [&](uword k) { return Rect{k % x.rows, k % x.rows + 1, k / x.rows, k / x.rows + 1}; };
    std::vector<Rect> saved = dirty_;
    dry_ = true;
    for (std::size_t i : leaves_) dirty_[i] = unite(entry(first), entry(second));
    operations_ = 0;
    for (std::size_t i : order_) update(i);
    dry_ = false;
    dirty_ = std::move(saved);
    return operations_;
  }

  const M& at(uword first, uword second, T delta) {
    restore_variable();
    M& x = values_[slot_];
    if (first >= x.n_elem || second >= x.n_elem)
      throw std::out_of_range("PerturbedFunction::at: entry " + std::to_string(std::max(first, second)) +
                              " of a variable of " + std::to_string(x.n_elem) + " entries (prepare first)");
    old_first_ = x(first);
    old_second_ = x(second);
    first_ = first;
    second_ = second;
    x(first) += delta;
    if (second != first) x(second) += delta;
    moved_ = true;
    // The variable's own change: the bounding block of the moved entries.
    const Rect moved = unite(entry_rect(x, first), entry_rect(x, second));
    for (std::size_t i : leaves_) dirty_[i] = moved;
    operations_ = 0;
    // Each step's result holds the base values but in dirty_[i], the block the previous move
    // changed. The step is recomputed where this move changes it (its new dirty_[i]), then the
    // rest of its previous block is put back (the base values), before any later step reads it:
    // a move of the same entries again (x + h, then x - h, 2h, -2h) puts back nothing.
    for (std::size_t i : order_) {
      const Rect previous = dirty_[i];
      update(i);
      // (The same block again, the usual case: x + h after x - h of the same entry.)
      if (!previous.empty() && !(previous == dirty_[i])) restore_outside(i, previous);
    }
    Step& result = prog_.steps.back();
    if (result.is_variable()) {
      result_ = x;
      return result_;
    }
    return detail::out<T>(result);
  }

 private:
  static Rect entry_rect(const M& x, uword k) {
    const uword i = k % x.n_rows, j = k / x.n_rows;
    return Rect{i, i + 1, j, j + 1};
  }

  const M& input(std::size_t i) {
    Step& s = prog_.steps[i];
    return s.is_variable() ? values_[s.slot] : detail::out<T>(s);
  }
  // (current - base) of step i over block r, into `into`.
  void change(std::size_t i, const Rect& r, M& into) {
    Step& s = prog_.steps[i];
    if (s.is_variable()) {
      // The variable: only the moved entries differ from the base.
      if (into.n_rows != r.rows() || into.n_cols != r.cols()) into.set_size(r.rows(), r.cols());
      const M& x = values_[s.slot];
      if (into.n_elem == 1 && second_ == first_ && r.r0 == first_ % x.n_rows && r.c0 == first_ / x.n_rows) {
        // The usual move: one entry, its own block.
        into[0] = x[first_] - old_first_;
        return;
      }
      into.zeros();
      for (uword k : {first_, second_}) {
        const uword a = k % x.n_rows, b = k / x.n_rows;
        if (a >= r.r0 && a < r.r1 && b >= r.c0 && b < r.c1) into.at(a - r.r0, b - r.c0) = x[k] - old_value(k);
        if (second_ == first_) break;
      }
      return;
    }
    // Plain loops: the blocks are small (often one entry), where an expression costs more.
    const M& now = detail::out<T>(s);
    const M& base = base_[i];
    const uword rows = r.rows(), cols = r.cols();
    if (into.n_rows != rows || into.n_cols != cols) into.set_size(rows, cols);
    const uword stride = now.n_rows;  // (strides in locals and a row alone, as copy_strided)
    const T* a = now.memptr() + r.c0 * stride + r.r0;
    const T* b = base.memptr() + r.c0 * stride + r.r0;
    T* to = into.memptr();
    if (rows == 1) {
      for (uword c = 0; c < cols; ++c) to[c] = a[c * stride] - b[c * stride];
      return;
    }
    for (uword c = 0; c < cols; ++c, a += stride, b += stride, to += rows)
      for (uword k = 0; k < rows; ++k) to[k] = a[k] - b[k];
  }
  T old_value(uword k) const { return k == first_ ? old_first_ : old_second_; }

  // to(r) = from(r) (blocks of the same step's shape).
  static void copy_block(const M& from, const Rect& r, M& to) {
    const uword offset = r.c0 * from.n_rows + r.r0;
    copy_strided(from.memptr() + offset, from.n_rows, to.memptr() + offset, to.n_rows, r.rows(), r.cols());
  }

  // Puts back the variable's moved entries.
  void restore_variable() {
    if (!moved_) return;
    M& x = values_[slot_];
    x(second_) = old_second_;
    x(first_) = old_first_;
    moved_ = false;
  }

  // Puts back the base values of step i over `previous` but its current dirty_[i]: previous
  // minus the current block, as up to four blocks (the columns left and right of it, the rows
  // above and below it in its columns).
  void restore_outside(std::size_t i, const Rect& previous) {
    const Rect& now = dirty_[i];
    M& o = detail::out<T>(prog_.steps[i]);
    const M& base = base_[i];
    if (now.empty() || now.r0 >= previous.r1 || now.r1 <= previous.r0 || now.c0 >= previous.c1 ||
        now.c1 <= previous.c0) {
      copy_block(base, previous, o);
      return;
    }
    const uword c0 = std::max(previous.c0, now.c0), c1 = std::min(previous.c1, now.c1);
    auto put_back = [&](const Rect& r) {
      if (!r.empty()) copy_block(base, r, o);
    };
    put_back(Rect{previous.r0, previous.r1, previous.c0, c0});
    put_back(Rect{previous.r0, previous.r1, c1, previous.c1});
    put_back(Rect{previous.r0, std::min(previous.r1, now.r0), c0, c1});
    put_back(Rect{std::max(previous.r0, now.r1), previous.r1, c0, c1});
  }

  // Recomputes step i where its inputs changed, by the rule of its op (propagate.hpp).
  void update(std::size_t i) {
    Step& s = prog_.steps[i];
    M& out = detail::out<T>(s);
    M& delta = deltas_[i];
    M& block_a = blocks_a_[i];
    const Rect ra = dirty_[s.a], rb = s.b == s.a ? Rect{} : dirty_[s.b];
    shift_[i].valid = false;
    if (fused_live(i)) return fused_sum(i);
    if (ra.empty() && rb.empty()) {
      dirty_[i] = Rect{};
      return;
    }
    const Shape sa = prog_.steps[s.a].shape, sb = prog_.steps[s.b].shape;
    if (s.op == expr::kOpElementwise) return elementwise(i, ra, rb);
    if (s.op == expr::kOpTranspose) {
      // out[j, i] = a[i, j]: the block transposed.
      const Rect r{ra.c0, ra.c1, ra.r0, ra.r1};
      if (!dry_) out.submat(r.r0, r.c0, r.r1 - 1, r.c1 - 1) = input(s.a).submat(ra.r0, ra.c0, ra.r1 - 1, ra.c1 - 1).st();
      dirty_[i] = r;
      operations_ += double(r.rows()) * double(r.cols());
      return;
    }
    if (s.op == expr::kOpMatmul && rb.empty()) {
      // C[I, :] = C0[I, :] + (A - A0)[I, K] B[K, :]; one changed entry (i, k):
      // C[i, :] = C0[i, :] + d B[k, :] (the same products, without a temporary).
      if (!dry_) {
        change(s.a, ra, delta);
        if (delta.n_cols == 1) {
          // One changed column k of A (rows I; one entry, the usual move, is one row):
          // C[I, :] = C0[I, :] + d B[k, :], a rank-one update in plain loops with the strides in
          // locals (a BLAS call costs more than the products at these sizes).
          const M& b = input(s.b);
          const T* d = delta.memptr();
          const uword rows = delta.n_rows, cols = out.n_cols, stride = out.n_rows, b_stride = b.n_rows;
          const T* from = base_[i].memptr() + ra.r0;
          const T* bk = b.memptr() + ra.c0;
          T* to = out.memptr() + ra.r0;
          if (rows == 1) {  // a row of C: one strided entry per column (as copy_strided)
            const T d0 = d[0];
            for (uword c = 0; c < cols; ++c) to[c * stride] = from[c * stride] + d0 * bk[c * b_stride];
          } else {
            for (uword c = 0; c < cols; ++c, from += stride, to += stride) {
              const T bc = bk[c * b_stride];
              for (uword r = 0; r < rows; ++r) to[r] = from[r] + d[r] * bc;
            }
          }
        } else {
          product_ = delta * input(s.b).rows(ra.c0, ra.c1 - 1);
          out.rows(ra.r0, ra.r1 - 1) = base_[i].rows(ra.r0, ra.r1 - 1) + product_;
        }
      }
      dirty_[i] = Rect{ra.r0, ra.r1, 0, s.shape.cols};
      operations_ += double(ra.rows()) * double(ra.cols()) * double(s.shape.cols);
      return;
    }
    if (s.op == expr::kOpMatmul && ra.empty()) {
      // C[:, J] = C0[:, J] + A[:, K] (B - B0)[K, J]; one changed entry (k, j):
      // C[:, j] = C0[:, j] + A[:, k] d.
      if (!dry_) {
        change(s.b, rb, delta);
        if (delta.n_rows == 1) {
          // One changed row k of B (columns J; one entry, the usual move, is one column):
          // C[:, J] = C0[:, J] + A[:, k] d, rank one.
          const T* a = input(s.a).colptr(rb.r0);
          const uword rows = out.n_rows;
          for (uword j = 0; j < delta.n_cols; ++j) {
            const T d = delta.at(0, j);
            const T* from = base_[i].colptr(rb.c0 + j);
            T* to = out.colptr(rb.c0 + j);
            for (uword r = 0; r < rows; ++r) to[r] = from[r] + a[r] * d;
          }
        } else {
          product_ = input(s.a).cols(rb.r0, rb.r1 - 1) * delta;
          out.cols(rb.c0, rb.c1 - 1) = base_[i].cols(rb.c0, rb.c1 - 1) + product_;
        }
      }
      dirty_[i] = Rect{0, s.shape.rows, rb.c0, rb.c1};
      operations_ += double(rb.rows()) * double(rb.cols()) * double(s.shape.rows);
      return;
    }
    if (s.op == expr::kOpSum || s.op == expr::kOpMean) {
      // s = s0 + sum of (X - X0) over the changed block, per changed column (dim 1) or row
      // (dim 2) of the result; mean divides by the number of entries reduced.
      const int dim = static_cast<int>(s.p);
      const bool mean = s.op == expr::kOpMean;
      operations_ += double(ra.rows()) * double(ra.cols());
      if (dry_) {
        dirty_[i] = dim == 0 ? Rect{0, 1, 0, 1} : dim == 1 ? Rect{0, 1, ra.c0, ra.c1} : Rect{ra.r0, ra.r1, 0, 1};
        return;
      }
      change(s.a, ra, delta);
      if (dim == 0) {
        const double n = mean ? double(sa.numel()) : 1.0;
        out[0] = base_[i][0] + arma::accu(delta) / n;
        dirty_[i] = Rect{0, 1, 0, 1};
      } else if (dim == 1) {
        const double n = mean ? double(sa.rows) : 1.0;
        for (uword j = 0; j < ra.cols(); ++j) out[ra.c0 + j] = base_[i][ra.c0 + j] + arma::accu(delta.col(j)) / n;
        dirty_[i] = Rect{0, 1, ra.c0, ra.c1};
      } else {
        const double n = mean ? double(sa.cols) : 1.0;
        for (uword r = 0; r < ra.rows(); ++r) out[ra.r0 + r] = base_[i][ra.r0 + r] + arma::accu(delta.row(r)) / n;
        dirty_[i] = Rect{ra.r0, ra.r1, 0, 1};
      }
      return;
    }
    if (expr::column_separable(s.op) && rb.empty() && ra.rows() == 1 && rank_one_columns(i, ra)) return;
    if (expr::column_separable(s.op) && rb.empty() && !ra.covers(sa)) {
      // Column-separable: result columns c0..c1 from input columns c0..c1, by the kernel itself.
      const Rect r{0, s.shape.rows, ra.c0, ra.c1};
      dirty_[i] = r;
      operations_ += double(sa.rows) * double(ra.cols()) * 2.0;
      if (dry_) return;
      Step& k = columns_step(i);
      k.shape = Shape{s.shape.rows, ra.cols()};
      detail::out<T>(k).set_size(s.shape.rows, ra.cols());
      block_a = input(s.a).cols(ra.c0, ra.c1 - 1);
      run_step<T>(k, block_a, block_a);
      out.cols(ra.c0, ra.c1 - 1) = detail::out<T>(k);
      return;
    }
    if ((s.op == expr::kOpDet || s.op == expr::kOpLogdet) && (dry_ || inverse_ok_[i]) &&
        (ra.rows() == 1 || ra.cols() == 1)) {
      if (dry_) {  // the lemma taken to apply
        operations_ += double(ra.rows()) * double(ra.cols());
        dirty_[i] = Rect{0, 1, 0, 1};
        return;
      }
      // The matrix determinant lemma: X = X0 + e_i d' (one row changed) gives
      // det X = det X0 (1 + d' X0^-1 e_i); X = X0 + u e_j' (one column) gives
      // det X = det X0 (1 + e_j' X0^-1 u).
      change(s.a, ra, delta);
      const mat& inv = inverse_[i];
      T t = 0;
      if (ra.rows() == 1) {
        for (uword k = 0; k < ra.cols(); ++k) t += delta[k] * inv(ra.c0 + k, ra.r0);
      } else {
        for (uword k = 0; k < ra.rows(); ++k) t += inv(ra.c0, ra.r0 + k) * delta[k];
      }
      operations_ += double(ra.rows()) * double(ra.cols());
      if (std::real(1.0 + t) >= 1e-2) {
        out[0] = s.op == expr::kOpDet ? base_[i][0] * (1.0 + t) : base_[i][0] + log_one_plus(t);
        dirty_[i] = Rect{0, 1, 0, 1};
        return;
      }
    }
    // The fallback: recomputed whole from the inputs' current values.
    if (!dry_) run_step<T>(s, input(s.a), input(s.b));
    dirty_[i] = full(s.shape);
    operations_ += full_cost(s, sa, sb);
  }

  Step& columns_step(std::size_t i) { return scratch_[i]; }

  // The rank-one rule of the softmax family (propagate.hpp): input columns c0..c1 moved in row
  // r alone by d_j; with the base softmax p of each column, t = p_r expm1(d_j) and
  //   logsumexp: L + log1p(t);  softmax: p_k / (1 + t), p_r (1 + expm1(d_j)) / (1 + t);
  //   log_softmax: l_k - log1p(t), l_r + d_j - log1p(t).
  // False (nothing written) where a base column is not finite or 1 + t < 1e-2: the caller
  // then recomputes the columns by the kernel.
  bool rank_one_columns(std::size_t i, const Rect& ra) {
    Step& s = prog_.steps[i];
    M& delta = deltas_[i];
    const uword r = ra.r0, cols = ra.cols(), rows = s.shape.rows;
    const bool lse = s.op == expr::kOpLogsumexp;
    if (dry_) {
      operations_ += double(lse ? 1 : rows) * double(cols);
      dirty_[i] = Rect{0, lse ? uword{1} : rows, ra.c0, ra.c1};
      return true;
    }
    if (!all_finite_columns_[i])
      for (uword j = ra.c0; j < ra.c1; ++j)
        if (!finite_columns_[i][j]) return false;
    change(s.a, ra, delta);  // 1 x cols: d_j
    const M& base = base_[i];
    const M& x = input(s.a);
    Shift& sh = shift_[i];
    sh.grow.set_size(cols);
    sh.log_shift.set_size(cols);
    if (!softmax_shifts(s, ra, delta, base, sh.grow.memptr(), sh.log_shift.memptr())) {
      for (uword j = 0; j < cols; ++j) {
        const uword c = ra.c0 + j;
        const T d = delta[j];
        // p_r at the base: the base result itself (softmax), its exp (log_softmax), or
        // exp(z_r - L) with the base input entry z_r = x(r, c) - d (logsumexp).
        const T p = s.op == expr::kOpSoftmax      ? base.at(r, c)
                    : s.op == expr::kOpLogSoftmax ? std::exp(base.at(r, c))
                                                  : std::exp(x.at(r, c) - d - base.at(0, c));
        const T grow = scalar::expm1_near_zero(d);
        const T t = p * grow;
        if (!(std::real(1.0 + t) >= 1e-2) || !std::isfinite(std::real(t)) || !std::isfinite(std::imag(t))) return false;
        sh.grow[j] = grow;
        sh.log_shift[j] = scalar::log1p_near_zero(t);
      }
    }
    sh.row = r;
    sh.c0 = ra.c0;
    sh.d = delta;
    sh.valid = true;
    if (quiet_[i]) {  // only the fused sum reads this move: nothing written (propagate.hpp)
      dirty_[i] = Rect{};
      operations_ += double(cols);
      return true;
    }
    M& out = detail::out<T>(s);
    for (uword j = 0; j < cols; ++j) {
      const uword c = ra.c0 + j;
      const T* b = base.colptr(c);
      T* o = out.colptr(c);
      if (lse) {
        o[0] = b[0] + sh.log_shift[j];
      } else if (s.op == expr::kOpSoftmax) {
        const T scale = 1.0 / (1.0 + sh.grow[j] * b[r]);
        for (uword k = 0; k < rows; ++k) o[k] = b[k] * scale;
        o[r] = b[r] * (1.0 + sh.grow[j]) * scale;
      } else {
        const T shift = sh.log_shift[j];
        for (uword k = 0; k < rows; ++k) o[k] = b[k] - shift;
        o[r] = b[r] + delta[j] - shift;
      }
    }
    dirty_[i] = Rect{0, lse ? uword{1} : rows, ra.c0, ra.c1};
    operations_ += double(lse ? 1 : rows) * double(cols);
    return true;
  }

  // The rank-one rule's column shifts for a softmax of real values (the loop of
  // rank_one_columns, in two passes): every column's expm1(d_j), t = p_r expm1(d_j) and
  // log1p(t) by the polynomials, branch-free (vectorised); taken (true) only where every |d_j|
  // and |t| is within kNearZero, where expm1_near_zero and log1p_near_zero take the polynomials
  // too (the same values) and the loop's test holds (|t| <= 2^-12: 1 + t >= 1e-2, t finite);
  // else (false) the loop takes the columns again.
  bool softmax_shifts(const Step& s, const Rect& ra, const M& delta, const M& base, T* grow, T* shift) {
    if constexpr (!std::is_same_v<T, double>) {
      return false;
    } else {
      if (s.op != expr::kOpSoftmax) return false;
      const uword cols = ra.cols(), stride = base.n_rows;
      const double* p = base.memptr() + ra.c0 * stride + ra.r0;  // p_r of the first column
      const double* d = delta.memptr();
      double far = 0.0;
#pragma omp simd reduction(+ : far)
      for (uword j = 0; j < cols; ++j) {
        const double g = scalar::expm1_polynomial(d[j]);
        const double t = p[j * stride] * g;
        far += (std::abs(d[j]) <= scalar::kNearZero) & (std::abs(t) <= scalar::kNearZero) ? 0.0 : 1.0;
        grow[j] = g;
        shift[j] = scalar::log1p_polynomial(t);
      }
      return far == 0.0;
    }
  }

  // The fused sums of propagate.hpp: sum (mean) over all entries of C .* L or of L, with L
  // log(softmax(.)) or log_softmax(.), read by nothing else (nor the softmax but by L). Found
  // once from the program's shape; switched on per base point in prepare.
  void find_fused_sums() {
    const std::vector<Step>& steps = prog_.steps;
    const std::size_t n = steps.size();
    fused_.assign(n, Fused{});
    quiet_.assign(n, 0);
    std::vector<int> uses(n, 0);  // readers of each step (the result counts as one)
    for (const Step& s : steps)
      if (s.run) {
        ++uses[s.a];
        if (s.b != s.a) ++uses[s.b];
      }
    if (n > 0) ++uses[n - 1];
    for (std::size_t i : order_) {
      const Step& s = steps[i];
      if ((s.op != expr::kOpSum && s.op != expr::kOpMean) || s.p != 0 || s.a != s.b) continue;
      std::size_t l = s.a, c = kNone;
      const Step& product = steps[s.a];
      if (product.product && product.a != product.b && uses[s.a] == 1) {
        if (depends_[product.a] && !depends_[product.b]) l = product.a, c = product.b;
        else if (depends_[product.b] && !depends_[product.a]) l = product.b, c = product.a;
        else continue;
      }
      const Step& ls = steps[l];
      if (uses[l] != 1) continue;
      if (ls.op == expr::kOpLogSoftmax) {
        fused_[i].source = l;
      } else if (log_of_softmax(ls) && uses[ls.a] == 1) {
        fused_[i].source = ls.a;
      }
      if (fused_[i].source != kNone) fused_[i].c = c;
    }
  }

  // Step s is log(softmax(.)), elementwise over a softmax step of its own shape.
  bool log_of_softmax(const Step& s) const {
    return s.fn != nullptr && s.fn == log_fn_ && s.a == s.b && prog_.steps[s.a].op == expr::kOpSoftmax &&
           prog_.steps[s.a].shape == s.shape;
  }

  // This move reached sum i by its source's quiet rank-one rule (nothing between them written).
  bool fused_live(std::size_t i) const {
    const std::size_t source = fused_[i].source;
    return source != kNone && !dry_ && quiet_[source] && shift_[source].valid;
  }

  //   s = s0 + sum over the changed columns j of ( C[i, j] d_j - colsum(C)_j log1p(t_j) )
  // (propagate.hpp), divided by the count for mean.
  void fused_sum(std::size_t i) {
    Step& s = prog_.steps[i];
    const Fused& fu = fused_[i];
    const Shift& sh = shift_[fu.source];
    const uword rows = prog_.steps[fu.source].shape.rows;
    const M* c = fu.c == kNone ? nullptr : &input(fu.c);
    T change = 0;
    const uword cols = sh.d.n_elem;
    const T* d = sh.d.memptr();
    const T* shift = sh.log_shift.memptr();
    if (c) {  // (the two cases apart, strides in locals: the same terms in the same order)
      const uword stride = c->n_rows;
      const T* in_row = c->memptr() + sh.c0 * stride + sh.row;
      const T* colsum = fu.colsum.memptr() + sh.c0;
      for (uword j = 0; j < cols; ++j) change += in_row[j * stride] * d[j] - colsum[j] * shift[j];
    } else {
      const T count = T(double(rows));
      for (uword j = 0; j < cols; ++j) change += T(1) * d[j] - count * shift[j];
    }
    const double count = s.op == expr::kOpMean ? double(prog_.steps[s.a].shape.numel()) : 1.0;
    detail::out<T>(s)[0] = base_[i][0] + change / count;
    dirty_[i] = Rect{0, 1, 0, 1};
    operations_ += double(sh.d.n_elem);
  }

  // log of a softmax step updated by the rank-one rule: the base logarithms shifted by the
  // column shift, log p_k - log1p(t) and log p_r + d_j - log1p(t) (propagate.hpp).
  bool log_of_shifted_softmax(std::size_t i) {
    Step& s = prog_.steps[i];
    if (!log_of_softmax(s) || !shift_[s.a].valid) return false;
    const Shift& sh = shift_[s.a];
    const Rect r = dirty_[s.a];
    dirty_[i] = r;
    operations_ += double(r.rows()) * double(r.cols());
    const M& base = base_[i];
    M& out = detail::out<T>(s);
    for (uword j = 0; j < r.cols(); ++j) {
      const T* b = base.colptr(r.c0 + j);
      T* o = out.colptr(r.c0 + j);
      const T shift = sh.log_shift[j];
      for (uword k = 0; k < s.shape.rows; ++k) o[k] = b[k] - shift;
      o[sh.row] = b[sh.row] + sh.d[j] - shift;
    }
    return true;
  }

  // Operations of a whole step: a product's multiply-adds, a factorisation's n^3, else one per
  // entry read or written.
  static double full_cost(const Step& s, const Shape& sa, const Shape& sb) {
    const double entries = double(sa.numel()) + (s.b != s.a ? double(sb.numel()) : 0.0) + double(s.shape.numel());
    if (s.op == expr::kOpMatmul) return double(sa.rows) * double(sa.cols) * double(sb.cols);
    if (sa.is_square() && sa.rows > 1 && s.op != expr::kOpElementwise && s.op != expr::kOpTranspose)
      return std::max(entries, double(sa.rows) * double(sa.rows) * double(sa.rows));
    return entries;
  }

  // Elementwise steps: the changed block of the result under broadcasting, recomputed by the
  // step's own kernel over the input entries it reads.
  void elementwise(std::size_t i, const Rect& ra, const Rect& rb) {
    Step& s = prog_.steps[i];
    M& block_a = blocks_a_[i];
    M& block_b = blocks_b_[i];
    const Shape sa = prog_.steps[s.a].shape, sb = prog_.steps[s.b].shape;
    const Rect r = unite(broadcast_rect(ra, sa, s.shape), broadcast_rect(rb, sb, s.shape));
    if (!dry_ && log_of_shifted_softmax(i)) return;
    dirty_[i] = r;
    operations_ += double(r.rows()) * double(r.cols());
    if (dry_) return;
    if (r.covers(s.shape)) {
      run_step<T>(s, input(s.a), input(s.b));
      return;
    }
    if constexpr (std::is_same_v<T, double>) {
      if (s.strided) {  // in place: the block's entries read and written where they are
        detail::StridedBlock block;
        M& out = s.out;
        block.out = out.memptr() + r.c0 * out.n_rows + r.r0;
        block.oc = out.n_rows;
        block.rows = r.rows();
        block.cols = r.cols();
        strides(input(s.a), sa, s.shape, r, block.a, block.ar, block.ac);
        strides(input(s.b), sb, s.shape, r, block.b, block.br, block.bc);
        s.strided(s, block);
        return;
      }
    }
    Step& k = scratch_[i];
    k.shape = Shape{r.rows(), r.cols()};
    detail::out<T>(k).set_size(r.rows(), r.cols());
    input_block<T>(input(s.a), sa, s.shape, r, block_a);
    if (s.b != s.a) input_block<T>(input(s.b), sb, s.shape, r, block_b);
    run_step<T>(k, block_a, s.b != s.a ? block_b : block_a);
    scatter(detail::out<T>(k), r, detail::out<T>(s));
  }

  Program& prog_;
  std::size_t slot_;
  std::vector<bool> depends_;       // step depends on the variable
  std::vector<std::size_t> leaves_;  // the variable's leaf steps
  std::vector<std::size_t> order_;   // the kernel steps that depend on it, in program order
  std::vector<M> base_;              // their values at the base point
  std::vector<Rect> dirty_;          // their changed blocks under the current perturbation
  std::vector<mat> inverse_;         // det / logdet: the inverse of the input at the base point
  std::vector<bool> inverse_ok_;
  std::vector<Step> scratch_;        // elementwise and column-separable steps: the kernel run over a block
  // The softmax family's rank-one rule: the finite base columns, and the update of this move
  // (row, d_j, expm1(d_j), the column shift log1p(t)) for the step that reads it.
  struct Shift {
    bool valid = false;
    uword row = 0, c0 = 0;  // the moved row; the first changed column
    M d, grow, log_shift;
  };
  // A fused sum (propagate.hpp): the step whose Shift it reads (a softmax, or a log_softmax),
  // the constant C of C .* L (kNone: the sum of L alone), colsum(C). quiet_[k]: step k is a fused
  // sum's source and the sum is finite at this base point (the sum is on): k skips its writes
  // when its rank-one rule applies (nothing but the fused sum reads what it would write).
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  struct Fused {
    std::size_t source = kNone, c = kNone;
    M colsum;
  };
  std::vector<Fused> fused_;
  std::vector<char> quiet_;
  std::vector<std::vector<char>> finite_columns_;
  std::vector<char> all_finite_columns_;  // every base column finite (no per-column test per move)
  std::vector<Shift> shift_;
  const scalar::Function* log_fn_ = scalar::find("log");
  std::vector<M> values_;            // the base point; values_[slot_] carries the perturbation
  // Per-step buffers (a step's blocks keep their size from one perturbation to the next, so
  // they are allocated once; one buffer shared by steps of different sizes was reallocated on
  // every evaluation, Armadillo freeing what shrinks to 16 entries or fewer).
  std::vector<M> deltas_, blocks_a_, blocks_b_;
  M product_, result_;
  uword first_ = 0, second_ = 0;
  T old_first_ = 0, old_second_ = 0;
  bool moved_ = false;
  double operations_ = 0;
  bool dry_ = false;  // rects and operations only (dry_run)
};

// The evaluator Expression::perturbed hands out: a real core, and a complex one made on the
// first complex-step request when every step has a complex extension. Both work on one copy of
// the program (real and complex buffers are distinct).
class Propagator final : public PerturbedFunction {
 public:
  Propagator(const Program& program, std::size_t slot)
      : prog_(std::make_unique<Program>(program)), slot_(slot), real_(*prog_, slot) {}

  void prepare(const std::vector<mat>& values) override {
    for (const auto& [slot, shape] : prog_->checks) {
      if (slot >= values.size())
        throw std::invalid_argument("PerturbedFunction::prepare: no value for variable slot " + std::to_string(slot));
      if (values[slot].n_rows != shape.rows || values[slot].n_cols != shape.cols)
        throw std::invalid_argument("PerturbedFunction::prepare: the value in slot " + std::to_string(slot) +
                                    " has the wrong shape, declared " + shape.str());
    }
    real_.prepare(values);
    values_ = values;
    cx_prepared_ = false;
  }

  const mat& at(uword first, uword second, double delta) override { return real_.at(first, second, delta); }

  const arma::cx_mat* at_complex(uword first, uword second, double h) override {
    if (!prog_->complex_obstacle.empty()) return nullptr;
    if (!cx_) cx_ = std::make_unique<Core<std::complex<double>>>(*prog_, slot_);
    if (!cx_prepared_) {
      cx_->prepare(values_);
      cx_prepared_ = true;
    }
    return &cx_->at(first, second, std::complex<double>(0.0, h));
  }

  double operations() const override { return real_.operations(); }
  double dry_run(uword first, uword second) { return real_.dry_run(first, second); }

 private:
  std::unique_ptr<Program> prog_;
  std::size_t slot_;
  Core<double> real_;
  std::unique_ptr<Core<std::complex<double>>> cx_;
  std::vector<mat> values_;  // the base point, for the complex core's lazy preparation
  bool cx_prepared_ = false;
};

}  // namespace

std::unique_ptr<PerturbedFunction> Expression::perturbed(std::size_t slot) const {
  return std::make_unique<Propagator>(*program_, slot);
}

double Expression::perturbed_operations(std::size_t slot, arma::uword first, arma::uword second) const {
  return Propagator(*program_, slot).dry_run(first, second);
}

}  // namespace gradcheck
