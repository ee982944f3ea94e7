/* SPDX-License-Identifier: MIT */
/* A small layer library in the style of hand-written C ML code: row-major float buffers, the
 * forward pass saving what the backward needs, the backward ADDING into gradient buffers (+=),
 * which the caller zeroes. Shapes: B rows (samples), C input channels, OC output channels. The
 * functions named *_bug_* are deliberate mistakes, kept so that layers_test.cpp can show how
 * check_vjp reports each one. */
#ifndef GRADCHECK_EXAMPLE_LAYERS_H
#define GRADCHECK_EXAMPLE_LAYERS_H

#ifdef __cplusplus
extern "C" {
#endif

/* out[B,OC] = inp[B,C] weight[OC,C]^T + bias[OC] */
void linear_forward(float* out, const float* inp, const float* weight, const float* bias, int B, int C, int OC);
void linear_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                     const float* weight, int B, int C, int OC);
/* bug: the bias gradient takes the first sample only (the sum over B is missing) */
void linear_backward_bug_bias_first_row(float* dinp, float* dweight, float* dbias, const float* dout,
                                        const float* inp, const float* weight, int B, int C, int OC);
/* bug: weight decay folded into the backward (dweight += 0.01 weight): it does not scale with dout */
void linear_backward_bug_weight_decay(float* dinp, float* dweight, float* dbias, const float* dout,
                                      const float* inp, const float* weight, int B, int C, int OC);
/* bug: the bias gradient is summed into a static scratch row that is never cleared */
void linear_backward_bug_static_scratch(float* dinp, float* dweight, float* dbias, const float* dout,
                                        const float* inp, const float* weight, int B, int C, int OC);

/* out[N] = max(inp, 0) */
void relu_forward(float* out, const float* inp, int N);
void relu_backward(float* dinp, const float* dout, const float* inp, int N);
/* bug: the gradient passes through where the input is negative too */
void relu_backward_bug_no_mask(float* dinp, const float* dout, const float* inp, int N);

/* loss[1] = mean over b of -log softmax(logits[b,:])[targets[b]]; probs[B,V] saved */
void softmax_xent_forward(float* loss, float* probs, const float* logits, const int* targets, int B, int V);
void softmax_xent_backward(float* dlogits, const float* dloss, const float* probs, const int* targets, int B, int V);
/* bug: the 1/B of the mean is missing */
void softmax_xent_backward_bug_no_mean(float* dlogits, const float* dloss, const float* probs, const int* targets,
                                       int B, int V);

/* out[B,C] = (inp - mean) * rstd * weight + bias per row; mean[B], rstd[B] saved */
void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight, const float* bias,
                       int B, int C);
void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int B, int C);
/* bug: the term through the mean is dropped (only that through the variance is kept) */
void layernorm_backward_bug_no_mean_term(float* dinp, float* dweight, float* dbias, const float* dout,
                                         const float* inp, const float* weight, const float* mean, const float* rstd,
                                         int B, int C);

#ifdef __cplusplus
}
#endif

#endif
