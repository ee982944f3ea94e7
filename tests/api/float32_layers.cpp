// SPDX-License-Identifier: MIT
// The float32 layers of float32_layers.hpp: forward, the right backward and its slips.
#include "float32_layers.hpp"

#include <cmath>
#include <vector>

namespace f32layers {

// --- linear --------------------------------------------------------------------------------

template <class T>
void linear_forward(T* out, const T* inp, const T* W, const T* b, int B, int C, int OC) {
  for (int i = 0; i < B; i++) {
    for (int o = 0; o < OC; o++) {
      T val = b != nullptr ? b[o] : T(0);
      for (int c = 0; c < C; c++) val += inp[i * C + c] * W[c * OC + o];
      out[i * OC + o] = val;
    }
  }
}

template <class T>
void linear_backward(T* dinp, T* dW, T* db, const T* dout, const T* inp, const T* W, int B, int C, int OC,
                     LinearBug bug) {
  // dinp = dout W'
  for (int i = 0; i < B; i++) {
    for (int c = 0; c < C; c++) {
      T s = 0;
      for (int o = 0; o < OC; o++) s += dout[i * OC + o] * W[c * OC + o];
      if (bug == LinearBug::kWrongSignDInp)
        dinp[i * C + c] -= s;
      else
        dinp[i * C + c] += s;
    }
  }
  // dW = inp' dout, db = 1' dout
  for (int i = 0; i < B; i++) {
    for (int o = 0; o < OC; o++) {
      const T d = dout[i * OC + o];
      for (int c = 0; c < C; c++) {
        if (bug == LinearBug::kTransposedDW)
          dW[o * C + c] += inp[i * C + c] * d;
        else
          dW[c * OC + o] += inp[i * C + c] * d;
      }
      if (db != nullptr) {
        if (bug == LinearBug::kBiasAssigned)
          db[o] = d;
        else
          db[o] += d;
      }
    }
  }
}

// --- layernorm -----------------------------------------------------------------------------

template <class T>
void layernorm_forward(T* out, T* mean, T* rstd, const T* inp, const T* w, const T* b, int B, int C) {
  const T eps = T(1e-5);
  for (int i = 0; i < B; i++) {
    const T* x = inp + i * C;
    T m = 0;
    for (int j = 0; j < C; j++) m += x[j];
    m = m / C;
    T v = 0;
    for (int j = 0; j < C; j++) {
      const T xshift = x[j] - m;
      v += xshift * xshift;
    }
    v = v / C;
    const T s = T(1) / std::sqrt(v + eps);
    for (int j = 0; j < C; j++) out[i * C + j] = s * (x[j] - m) * w[j] + b[j];
    mean[i] = m;
    rstd[i] = s;
  }
}

template <class T>
void layernorm_backward(T* dinp, T* dw, T* db, const T* dout, const T* inp, const T* w, const T* mean,
                        const T* rstd, int B, int C, LayerNormBug bug) {
  for (int i = 0; i < B; i++) {
    const T* x = inp + i * C;
    const T* d = dout + i * C;
    const T m = mean[i], s = rstd[i];
    // the two reductions of the normalization's backward
    T dnorm_mean = 0, dnorm_norm_mean = 0;
    for (int j = 0; j < C; j++) {
      const T norm = (x[j] - m) * s;
      const T dnorm = w[j] * d[j];
      dnorm_mean += dnorm;
      dnorm_norm_mean += dnorm * norm;
    }
    dnorm_mean = dnorm_mean / C;
    if (bug != LayerNormBug::kLostFactor) dnorm_norm_mean = dnorm_norm_mean / C;
    for (int j = 0; j < C; j++) {
      const T norm = (x[j] - m) * s;
      const T dnorm = w[j] * d[j];
      if (bug == LayerNormBug::kBiasAssigned)
        db[j] = d[j];
      else
        db[j] += d[j];
      dw[j] += norm * d[j];
      T dval = dnorm;
      if (bug != LayerNormBug::kMissingMeanTerm) dval -= dnorm_mean;
      dval -= norm * dnorm_norm_mean;
      dinp[i * C + j] += dval * s;
    }
  }
}

// --- softmax cross-entropy -----------------------------------------------------------------

template <class T>
T softmax_crossentropy_forward(T* probs, const T* logits, const int* targets, int B, int V) {
  T loss = 0;
  for (int i = 0; i < B; i++) {
    const T* z = logits + i * V;
    T maxval = z[0];
    for (int v = 1; v < V; v++)
      if (z[v] > maxval) maxval = z[v];
    T sum = 0;
    for (int v = 0; v < V; v++) {
      probs[i * V + v] = std::exp(z[v] - maxval);
      sum += probs[i * V + v];
    }
    for (int v = 0; v < V; v++) probs[i * V + v] /= sum;
    loss += -std::log(probs[i * V + targets[i]]);
  }
  return loss / B;
}

template <class T>
void softmax_crossentropy_backward(T* dlogits, const T* probs, const int* targets, T dloss, int B, int V,
                                   CrossEntropyBug bug) {
  const T scale = bug == CrossEntropyBug::kLostMean ? dloss : dloss / B;
  for (int i = 0; i < B; i++) {
    for (int v = 0; v < V; v++) {
      const T p = probs[i * V + v];
      const T indicator = v == targets[i] ? T(1) : T(0);
      const T g = bug == CrossEntropyBug::kWrongSign ? indicator - p : p - indicator;
      dlogits[i * V + v] += g * scale;
    }
  }
}

// --- GELU ----------------------------------------------------------------------------------

template <class T>
void gelu_forward(T* out, const T* inp, int N) {
  const T s = std::sqrt(T(2) / T(M_PI));
  for (int i = 0; i < N; i++) {
    const T x = inp[i];
    const T cube = T(0.044715) * x * x * x;
    out[i] = T(0.5) * x * (T(1) + std::tanh(s * (x + cube)));
  }
}

template <class T>
void gelu_backward(T* dinp, const T* inp, const T* dout, int N, GeluBug bug) {
  const T s = std::sqrt(T(2) / T(M_PI));
  for (int i = 0; i < N; i++) {
    const T x = inp[i];
    const T cube = T(0.044715) * x * x * x;
    const T u = s * (x + cube);
    const T th = std::tanh(u);
    const T sech2 = T(1) - th * th;
    const T du = bug == GeluBug::kMissingCubic ? s : s * (T(1) + T(3) * T(0.044715) * x * x);
    T grad = bug == GeluBug::kLostHalf ? (T(1) + th) : T(0.5) * (T(1) + th);
    if (bug != GeluBug::kMissingSech2) grad += T(0.5) * x * sech2 * du;
    dinp[i] += grad * dout[i];
  }
}

// --- attention -----------------------------------------------------------------------------

template <class T>
void attention_forward(T* out, T* att, const T* q, const T* k, const T* v, int Tn, int D) {
  const T scale = T(1) / std::sqrt(T(D));
  for (int t = 0; t < Tn; t++) {
    T maxval = -1e30f;
    for (int t2 = 0; t2 <= t; t2++) {
      T dot = 0;
      for (int d = 0; d < D; d++) dot += q[t * D + d] * k[t2 * D + d];
      dot *= scale;
      att[t * Tn + t2] = dot;
      if (dot > maxval) maxval = dot;
    }
    T sum = 0;
    for (int t2 = 0; t2 <= t; t2++) {
      const T e = std::exp(att[t * Tn + t2] - maxval);
      att[t * Tn + t2] = e;
      sum += e;
    }
    for (int t2 = 0; t2 < Tn; t2++) att[t * Tn + t2] = t2 <= t ? att[t * Tn + t2] / sum : T(0);
    for (int d = 0; d < D; d++) {
      T o = 0;
      for (int t2 = 0; t2 <= t; t2++) o += att[t * Tn + t2] * v[t2 * D + d];
      out[t * D + d] = o;
    }
  }
}

template <class T>
void attention_backward(T* dq, T* dk, T* dv, const T* dout, const T* att, const T* q, const T* k, const T* v, int Tn,
                        int D, AttentionBug bug) {
  const T scale = bug == AttentionBug::kLostScale ? T(1) : T(1) / std::sqrt(T(D));
  std::vector<T> datt(static_cast<size_t>(Tn)), dpre(static_cast<size_t>(Tn));
  for (int t = 0; t < Tn; t++) {
    // out[t] = sum_t2 att[t,t2] v[t2]
    for (int t2 = 0; t2 <= t; t2++) {
      T s = 0;
      for (int d = 0; d < D; d++) {
        s += dout[t * D + d] * v[t2 * D + d];
        dv[t2 * D + d] += att[t * Tn + t2] * dout[t * D + d];
      }
      datt[t2] = s;
    }
    // softmax backward: dpre = att * (datt - sum(att * datt))
    T dot = 0;
    for (int t2 = 0; t2 <= t; t2++) dot += att[t * Tn + t2] * datt[t2];
    for (int t2 = 0; t2 <= t; t2++) {
      const T a = att[t * Tn + t2];
      dpre[t2] = bug == AttentionBug::kSoftmaxNoSub ? a * datt[t2] : a * (datt[t2] - dot);
    }
    // pre[t,t2] = scale * q[t] . k[t2]
    for (int t2 = 0; t2 <= t; t2++) {
      for (int d = 0; d < D; d++) {
        dq[t * D + d] += dpre[t2] * k[t2 * D + d] * scale;
        dk[t2 * D + d] += dpre[t2] * q[t * D + d] * scale;
      }
    }
  }
}

// --- residual block ------------------------------------------------------------------------

template <class T>
void residual_forward(T* out, T* pre, T* act, const T* inp, const T* W, const T* b, int B, int C) {
  linear_forward(pre, inp, W, b, B, C, C);
  gelu_forward(act, pre, B * C);
  for (int i = 0; i < B * C; i++) out[i] = inp[i] + act[i];
}

template <class T>
void residual_backward(T* dinp, T* dW, T* db, const T* dout, const T* inp, const T* W, const T* pre, int B, int C,
                       ResidualBug bug) {
  const int N = B * C;
  // the residual path
  for (int i = 0; i < N; i++) dinp[i] += dout[i];
  // the branch: gelu, then the linear layer
  std::vector<T> dpre(static_cast<size_t>(N), T(0)), dbranch(static_cast<size_t>(N), T(0));
  gelu_backward(dpre.data(), pre, dout, N);
  linear_backward(dbranch.data(), dW, db, dpre.data(), inp, W, B, C, C);
  for (int i = 0; i < N; i++) {
    if (bug == ResidualBug::kLostResidual)
      dinp[i] = dbranch[i];
    else
      dinp[i] += dbranch[i];
  }
}

#define F32LAYERS_INSTANTIATE(T)                                                                               \
  template void linear_forward<T>(T*, const T*, const T*, const T*, int, int, int);                            \
  template void linear_backward<T>(T*, T*, T*, const T*, const T*, const T*, int, int, int, LinearBug);        \
  template void layernorm_forward<T>(T*, T*, T*, const T*, const T*, const T*, int, int);                      \
  template void layernorm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*, int, int,  \
                                      LayerNormBug);                                                           \
  template T softmax_crossentropy_forward<T>(T*, const T*, const int*, int, int);                              \
  template void softmax_crossentropy_backward<T>(T*, const T*, const int*, T, int, int, CrossEntropyBug);      \
  template void gelu_forward<T>(T*, const T*, int);                                                            \
  template void gelu_backward<T>(T*, const T*, const T*, int, GeluBug);                                        \
  template void attention_forward<T>(T*, T*, const T*, const T*, const T*, int, int);                          \
  template void attention_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, const T*, int, int,  \
                                      AttentionBug);                                                           \
  template void residual_forward<T>(T*, T*, T*, const T*, const T*, const T*, int, int);                       \
  template void residual_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*, int, int, ResidualBug);

F32LAYERS_INSTANTIATE(float)
F32LAYERS_INSTANTIATE(double)

}  // namespace f32layers
