// SPDX-License-Identifier: MIT
// Perturbation propagation through a compiled program (the evaluator behind
// Expression::perturbed, gradcheck/perturbed.hpp).
//
// At a base point every step is evaluated once (prepare); steps that do not depend on the
// perturbed variable keep that value for every perturbation (they are hoisted out of the
// finite-difference loop). Moving entries of the variable then marks a changed region of each
// step's result, a rectangle of rows x columns (empty, one entry, a row, a column, a block, or
// everything), propagated in program order; each step recomputes only its changed region from
// its inputs' current values, by the rule of its op:
//
//   elementwise (+ - .* ./ .^, scalar functions, comparisons, max(A, B), ...; broadcasting):
//       the changed region of an input as it lands in the result (a changed entry of a column
//       broadcast against a matrix changes that row, of a row that column, of a scalar all),
//       the bounding rectangle of both inputs'; the kernel recomputes just that block, in
//       place where the op has a strided form (Step::strided: + - .* ./ .^, comparisons,
//       integer powers), else on a gathered copy of it.
//   matmul C = A B, only A changed in block R (rows I, cols K):
//       C[I, :] = C0[I, :] + (A - A0)[I, K] B[K, :]        (the rows I change)
//     only B changed in block (rows K, cols J):
//       C[:, J] = C0[:, J] + A[:, K] (B - B0)[K, J]        (the columns J change)
//     both changed: recomputed whole.
//   transpose: the block transposed.
//   sum / mean over all entries, each column (dim 1) or each row (dim 2):
//       s = s0 + sum of (X - X0) over the changed block (divided by the count for mean), only
//       the changed columns (rows) of the result.
//   det, logdet of a square X changed in one row i (X = X0 + e_i d') or one column j
//   (X = X0 + u e_j'), by the matrix determinant lemma with X0^-1 cached at the base point:
//       det X = det X0 (1 + t),  logdet X = logdet X0 + log1p(t),
//       t = d' X0^-1 e_i = sum_k d_k X0^-1[k, i]   (row),   t = e_j' X0^-1 u   (column);
//     when X0 has no finite inverse, or 1 + t < 1e-2 (X close to singular, where t is
//     inaccurate), recomputed whole.
//   column-separable (softmax, log_softmax, logsumexp: column j of the result reads column j
//   of the input alone): the changed columns of the input, recomputed by the step's own kernel
//   over those columns; every row of them changes (rows r0..r1 of the result's shape).
//     One changed row i (the input's column j moved by d_j in entry i alone: what a changed row
//     of W does to W*X), with the base softmax p = softmax(z) of the column, exactly:
//       t = p_i expm1(d_j),   logsumexp(z + d_j e_i) = logsumexp(z) + log1p(t),
//       softmax:     p_k / (1 + t) (k != i),   p_i (1 + expm1(d_j)) / (1 + t) (k = i),
//       log_softmax: l_k - log1p(t),           l_i + d_j - log1p(t),
//     one expm1 and one log1p per column instead of an exp per entry; the column shift log1p(t)
//     is kept for the step reading it (below). Taken only where the base column (input and
//     result) is finite and 1 + t >= 1e-2, else the kernel over the columns.
//   log of a softmax step updated by that rule: log(p_k / (1 + t)) = log p_k - log1p(t), and
//     log p_i + d_j - log1p(t): the base logarithms shifted, no log per entry (the value of
//     log(softmax(.)) as written, -inf where the base softmax underflowed to 0, is kept).
//   sum (or mean) over all entries of C .* L, or of L, where L is log(softmax(Z)) or
//     log_softmax(Z) updated by that rule, C does not depend on the variable, and nothing else
//     reads L, C .* L or the softmax (the cross-entropy -sum(Y .* log(softmax(W*X)))): with
//     the change of L, -log1p(t_j) down column j and d_j more in row i,
//       s = s0 + sum over the changed columns j of ( C[i, j] d_j - colsum(C)_j log1p(t_j) )
//     (colsum(C)_j = rows for L alone; mean divides by the count), O(1) per column: L, C .* L
//     and the softmax are not written (their buffers keep the base values, which nothing
//     reads). Taken only where s0 is finite at the base point (then every entry of L is).
//   anything else (inv, solve, chol, norms, kron, ...): recomputed whole from its
//   inputs' current values (the fallback), so its result counts as changed everywhere.
//
// Between moves: a step's result keeps the previous move's values in its previous changed block
// until the step is recomputed for the next move; then what of that block the new one does not
// cover is put back from the base (before any later step reads it), so a move of the same
// entries again (x + h, x - h, x + 2h, x - 2h) puts back nothing.
//
// Rounding: each changed value is the base value plus a change computed from the changed block
// alone, so it carries at most the rounding of a full evaluation (the final addition: eps |f| /
// 2, which is the floor of the measured noise, noise.cpp) and the base's own rounding, which is
// the same in every perturbed value and cancels in f(x + h) - f(x - h). The reference's error
// model, which takes each evaluation to be within 3 sigma of its exact value, stays an upper
// bound.
#pragma once

namespace gradcheck::expr {

// The ops with a propagation rule (Step::op); every other step is recomputed whole.
inline constexpr const char* kOpElementwise = "elementwise";
inline constexpr const char* kOpMatmul = "matmul";
inline constexpr const char* kOpTranspose = "transpose";
inline constexpr const char* kOpSum = "sum";
inline constexpr const char* kOpMean = "mean";
inline constexpr const char* kOpDet = "det";
inline constexpr const char* kOpLogdet = "logdet";
// Column-separable (column j of the result reads column j of the input alone):
inline constexpr const char* kOpSoftmax = "softmax";
inline constexpr const char* kOpLogSoftmax = "log_softmax";
inline constexpr const char* kOpLogsumexp = "logsumexp";

inline bool column_separable(const char* op) {
  return op == kOpSoftmax || op == kOpLogSoftmax || op == kOpLogsumexp;
}

}  // namespace gradcheck::expr
