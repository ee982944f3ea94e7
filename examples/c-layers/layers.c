/* SPDX-License-Identifier: MIT */
#include "layers.h"

#include <math.h>

void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C, int OC) {
  for (int b = 0; b < B; b++) {
    for (int o = 0; o < OC; o++) {
      float val = bias != 0 ? bias[o] : 0.0f;
      for (int c = 0; c < C; c++) val += inp[b * C + c] * weight[o * C + c];
      out[b * OC + o] = val;
    }
  }
}

void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int B, int C, int OC) {
  for (int b = 0; b < B; b++) {
    for (int o = 0; o < OC; o++) {
      float d = dout[b * OC + o];
      for (int c = 0; c < C; c++) {
        dinp[b * C + c] += weight[o * C + c] * d;
        dweight[o * C + c] += inp[b * C + c] * d;
      }
      dbias[o] += d;
    }
  }
}

void linear_backward_bug_bias_first_row(float* dinp, float* dweight, float* dbias, const float* dout,
                                        const float* inp, const float* weight, int B, int C, int OC) {
  for (int b = 0; b < B; b++) {
    for (int o = 0; o < OC; o++) {
      float d = dout[b * OC + o];
      for (int c = 0; c < C; c++) {
        dinp[b * C + c] += weight[o * C + c] * d;
        dweight[o * C + c] += inp[b * C + c] * d;
      }
      if (b == 0) dbias[o] += d;
    }
  }
}

void linear_backward_bug_weight_decay(float* dinp, float* dweight, float* dbias, const float* dout,
                                      const float* inp, const float* weight, int B, int C, int OC) {
  linear_backward(dinp, dweight, dbias, dout, inp, weight, B, C, OC);
  for (int i = 0; i < OC * C; i++) dweight[i] += 0.01f * weight[i];
}

void linear_backward_bug_static_scratch(float* dinp, float* dweight, float* dbias, const float* dout,
                                        const float* inp, const float* weight, int B, int C, int OC) {
  static float scratch[64];
  for (int b = 0; b < B; b++) {
    for (int o = 0; o < OC && o < 64; o++) {
      float d = dout[b * OC + o];
      for (int c = 0; c < C; c++) {
        dinp[b * C + c] += weight[o * C + c] * d;
        dweight[o * C + c] += inp[b * C + c] * d;
      }
      scratch[o] += d;
    }
  }
  for (int o = 0; o < OC && o < 64; o++) dbias[o] += scratch[o];
}

void relu_forward(float* out, const float* inp, int N) {
  for (int i = 0; i < N; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void relu_backward(float* dinp, const float* dout, const float* inp, int N) {
  for (int i = 0; i < N; i++) dinp[i] += inp[i] > 0.0f ? dout[i] : 0.0f;
}

void relu_backward_bug_no_mask(float* dinp, const float* dout, const float* inp, int N) {
  (void)inp;
  for (int i = 0; i < N; i++) dinp[i] += dout[i];
}

void softmax_xent_forward(float* loss, float* probs, const float* logits, const int* targets, int B, int V) {
  float total = 0.0f;
  for (int b = 0; b < B; b++) {
    const float* z = logits + b * V;
    float maxval = z[0];
    for (int v = 1; v < V; v++) maxval = z[v] > maxval ? z[v] : maxval;
    float sum = 0.0f;
    for (int v = 0; v < V; v++) {
      probs[b * V + v] = expf(z[v] - maxval);
      sum += probs[b * V + v];
    }
    for (int v = 0; v < V; v++) probs[b * V + v] /= sum;
    total += -logf(probs[b * V + targets[b]]);
  }
  loss[0] = total / B;
}

void softmax_xent_backward(float* dlogits, const float* dloss, const float* probs, const int* targets, int B, int V) {
  for (int b = 0; b < B; b++)
    for (int v = 0; v < V; v++) {
      float indicator = v == targets[b] ? 1.0f : 0.0f;
      dlogits[b * V + v] += (probs[b * V + v] - indicator) * dloss[0] / B;
    }
}

void softmax_xent_backward_bug_no_mean(float* dlogits, const float* dloss, const float* probs, const int* targets,
                                       int B, int V) {
  for (int b = 0; b < B; b++)
    for (int v = 0; v < V; v++) {
      float indicator = v == targets[b] ? 1.0f : 0.0f;
      dlogits[b * V + v] += (probs[b * V + v] - indicator) * dloss[0];
    }
}

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                       int B, int C) {
  const float eps = 1e-5f;
  for (int b = 0; b < B; b++) {
    const float* x = inp + b * C;
    float m = 0.0f;
    for (int c = 0; c < C; c++) m += x[c];
    m /= C;
    float v = 0.0f;
    for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
    v /= C;
    float s = 1.0f / sqrtf(v + eps);
    for (int c = 0; c < C; c++) out[b * C + c] = (x[c] - m) * s * weight[c] + bias[c];
    mean[b] = m;
    rstd[b] = s;
  }
}

static void layernorm_backward_impl(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                    const float* weight, const float* mean, const float* rstd, int B, int C,
                                    int keep_mean_term) {
  for (int b = 0; b < B; b++) {
    const float* x = inp + b * C;
    const float* dy = dout + b * C;
    float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
    for (int c = 0; c < C; c++) {
      float norm = (x[c] - mean[b]) * rstd[b];
      float dnorm = weight[c] * dy[c];
      dnorm_mean += dnorm;
      dnorm_norm_mean += dnorm * norm;
    }
    dnorm_mean /= C;
    dnorm_norm_mean /= C;
    for (int c = 0; c < C; c++) {
      float norm = (x[c] - mean[b]) * rstd[b];
      float dnorm = weight[c] * dy[c];
      dbias[c] += dy[c];
      dweight[c] += norm * dy[c];
      float dval = dnorm;
      if (keep_mean_term) dval -= dnorm_mean;
      dval -= norm * dnorm_norm_mean;
      dinp[b * C + c] += dval * rstd[b];
    }
  }
}

void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int B, int C) {
  layernorm_backward_impl(dinp, dweight, dbias, dout, inp, weight, mean, rstd, B, C, 1);
}

void layernorm_backward_bug_no_mean_term(float* dinp, float* dweight, float* dbias, const float* dout,
                                         const float* inp, const float* weight, const float* mean, const float* rstd,
                                         int B, int C) {
  layernorm_backward_impl(dinp, dweight, dbias, dout, inp, weight, mean, rstd, B, C, 0);
}
