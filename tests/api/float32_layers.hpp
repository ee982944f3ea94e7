// SPDX-License-Identifier: MIT
// float32 layers written the way hand-written C ML code is (llm.c and the like): row-major
// buffers, a batch of B rows, forward passes that fill caches, backward passes that ACCUMULATE
// (+=) into gradient buffers the caller zeroed. Each backward has its right form and realistic
// slips, picked by the layer's Bug; tests/api/float32_layers_test.cpp checks them through the
// float API of gradcheck.hpp.
//
// The kernels are templates over the element type only so that the very same code also runs in
// double, for the test's independent proof that the right backwards are right; the code under
// test is the float instantiation.
//
// Shapes (row-major, entry (i, j) of an R x C matrix at [i * C + j]):
//   linear      inp B x C, W C x OC, b OC, out B x OC         out = inp W + 1 b'
//   layernorm   inp B x C, w C, b C, out B x C (per row)      out = (inp - mean) * rstd * w + b
//   softmax-ce  logits B x V, targets int[B], loss scalar     loss = mean_i -log softmax(logits_i)[t_i]
//   gelu        inp N, out N (elementwise, tanh approximation)
//   attention   q, k, v T x D, out T x D (single head, causal) out = softmax(q k' / sqrt(D)) v
//   residual    inp B x C, W C x C, b C, out B x C            out = inp + gelu(inp W + 1 b')
#pragma once

namespace f32layers {

// --- linear --------------------------------------------------------------------------------
enum class LinearBug {
  kNone,
  kBiasAssigned,    // db[o] = dout[...] instead of +=: only the last row of the batch survives
  kTransposedDW,    // dW[o * C + c] instead of dW[c * OC + o]: i and j swapped in the index
  kWrongSignDInp,   // dinp -= instead of +=
};
template <class T>
void linear_forward(T* out, const T* inp, const T* W, const T* b, int B, int C, int OC);
template <class T>
void linear_backward(T* dinp, T* dW, T* db, const T* dout, const T* inp, const T* W, int B, int C, int OC,
                     LinearBug bug = LinearBug::kNone);

// --- layernorm -----------------------------------------------------------------------------
enum class LayerNormBug {
  kNone,
  kMissingMeanTerm,  // dinp without the - mean(dnorm) term
  kBiasAssigned,     // db[j] = dout[...] instead of += over the rows
  kLostFactor,       // mean(dnorm * norm) taken as a sum (the 1/C lost)
};
// mean, rstd: caches of B entries each.
template <class T>
void layernorm_forward(T* out, T* mean, T* rstd, const T* inp, const T* w, const T* b, int B, int C);
template <class T>
void layernorm_backward(T* dinp, T* dw, T* db, const T* dout, const T* inp, const T* w, const T* mean,
                        const T* rstd, int B, int C, LayerNormBug bug = LayerNormBug::kNone);

// --- softmax cross-entropy -----------------------------------------------------------------
enum class CrossEntropyBug {
  kNone,
  kLostMean,    // dlogits without the 1/B of the batch mean
  kWrongSign,   // (onehot - p) instead of (p - onehot)
};
// probs: cache B x V. Returns the mean loss over the B rows.
template <class T>
T softmax_crossentropy_forward(T* probs, const T* logits, const int* targets, int B, int V);
// dloss: the scalar's upstream gradient.
template <class T>
void softmax_crossentropy_backward(T* dlogits, const T* probs, const int* targets, T dloss, int B, int V,
                                   CrossEntropyBug bug = CrossEntropyBug::kNone);

// --- GELU (tanh approximation) -------------------------------------------------------------
enum class GeluBug {
  kNone,
  kLostHalf,         // (1 + tanh u) instead of 0.5 (1 + tanh u) in the first term
  kMissingSech2,     // the 0.5 x sech^2(u) u' term dropped
  kMissingCubic,     // u' = s instead of s (1 + 3 * 0.044715 x^2)
};
template <class T>
void gelu_forward(T* out, const T* inp, int N);
template <class T>
void gelu_backward(T* dinp, const T* inp, const T* dout, int N, GeluBug bug = GeluBug::kNone);

// --- single-head causal attention ----------------------------------------------------------
enum class AttentionBug {
  kNone,
  kLostScale,     // dq and dk without the 1/sqrt(D)
  kSoftmaxNoSub,  // softmax backward as datt * att (the - sum(att * datt) term dropped)
};
// att: cache T x T (row t holds the weights over t2 <= t; the rest 0).
template <class T>
void attention_forward(T* out, T* att, const T* q, const T* k, const T* v, int Tn, int D);
template <class T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* att, const T* q, const T* k, const T* v, int Tn,
                        int D, AttentionBug bug = AttentionBug::kNone);

// --- residual block: out = inp + gelu(inp W + b) -------------------------------------------
enum class ResidualBug {
  kNone,
  kLostResidual,   // the branch's dinp assigned (=) over the residual's: the identity path lost
};
// pre, act: caches B x C (inp W + b, gelu of it).
template <class T>
void residual_forward(T* out, T* pre, T* act, const T* inp, const T* W, const T* b, int B, int C);
template <class T>
void residual_backward(T* dinp, T* dW, T* db, const T* dout, const T* inp, const T* W, const T* pre, int B, int C,
                       ResidualBug bug = ResidualBug::kNone);

}  // namespace f32layers
