// SPDX-License-Identifier: MIT
// The directional check (Options::mode directional): random probes of the derivative instead of
// every entry, a few evaluations of f whatever the size of x.
//
// Notation (as in reference/reference.hpp): J is the p x q derivative, J[a,b] = d vec(f)[a] /
// d x_b; E_J is `expected` carried into J's positions by the check's form (FormMap::index:
// entry k of expected is E_J(a_k, b_k)); s_b = max(1, |x_b|) is the scale of x_b (the step rule's).
//
// A probe draws v (p entries) and w (q entries), independent Rademacher signs (+1 or -1 with
// probability 1/2 each), and compares
//
//     analytic   A = sum_k E(k) v[a_k] w[b_k] s[b_k]       = v' E_J (w .* s)
//     reference  R = g'(0),  g(t) = v' vec f(x + t U)       = v' J (w .* s)
//
// where U = w .* s shaped like x; for a symmetric x (one variable per pair (i,j), (j,i)),
// U = W + W' - diag(W) with W = w .* s, so that moving t moves each pair by the sum of its two
// weights and g'(0) is again v' J (w .* s) with J's columns (i,j) and (j,i) both the derivative by
// the pair. R comes from the reference seam (reference/) applied to g as a function of a 1 x 1
// variable t: central differences with their error bound e, tightened (complex step where f has a
// complex extension, other steps) while the probe is undecided. g's rounding noise is derived from
// f's measured noise: sigma_g = sqrt(sum_a v_a^2 sigma_a^2) + eps sum_a |f_a| (the sum's own rounding).
//
// Verdict of a probe: the rule of compare.hpp with an absolute tolerance
//
//     tol = sqrt( sum_k (v[a_k] w[b_k] s[b_k])^2 (atol + rtol |E(k)|)^2 ),
//
// the size A - R has when every entry of expected is off by its entry-wise tolerance (scaled by
// s_b like the probe) with independent signs, i.e. the root-sum-square of the entry-wise
// tolerances the probe adds up (a Rademacher sum of independent errors d_k has variance
// sum d_k^2). fail when |A - R| - e > tol, pass when |A - R| + e <= tol, undecided otherwise.
// A check passes when `probes` probes pass and none fails; fails when one fails; else it is
// inconclusive. An undecided probe (its reference too wide next to its tol, even tightened:
// along a dense direction a nearly singular f can hide a feature narrower than any step) whose
// bound is within 2 tol is replaced by a fresh probe, up to `probes` replacements a trial, so
// that a check passes on `probes` passing probes however many were undecided; an undecided
// probe with a wider bound leaves the check inconclusive. The bound below still holds, for the
// first `probes` draws alone (drawn whatever happens): on the big-error event below a probe
// cannot pass once the error delta exceeds tol (a pass needs |A - R| + e <= tol), and fails once
// delta > tol + 2e; so when delta exceeds the threshold T = max over every probe drawn of
// tol + 2e, a check that passed had none of its first k probes in that event: P(pass, delta >
// T) <= (3/4)^k. And for delta > 5 tol whatever the bounds: a probe in that event either fails
// (e <= 2 tol) or is undecided with e > 2 tol, not replaceable, and the check cannot pass. The
// probes counted (DirectionalInfo::probes) are the decided ones; the replaced ones are reported.
// An expected equal to the truth up to rounding passes (its |A - R| is rounding, far below tol);
// one whose every entry sits just inside the entry-wise tolerance with aligned errors can fail
// directionally although it passes entry-wise: the directional check is meant for derivations,
// not for tolerance-level accuracy claims.
//
// The chance of missing a wrong derivative. Let D = E_J - J and (a*, b*) an entry with the
// largest |D[a,b]| s_b =: delta. Then A - R = sum_ab v_a D_ab s_b w_b. Fix every sign but
// v_a* and w_b*; A - R = v_a* w_b* delta' + v_a* X + w_b* Y + Z with delta' = D[a*,b*] s_b* and
// X, Y, Z fixed. Its four values at (v_a*, w_b*) = (1,1), (-1,1), (1,-1), (-1,-1) combine as
// (1,1) - (-1,1) - (1,-1) + (-1,-1) = 4 delta', so one of the four has |A - R| >= |delta'| =
// delta. Each of the four has probability 1/4, so whatever D,
//
//     P(|A - R| >= delta) >= 1/4   for one probe,
//
// tight for D = delta * ones(2, 2) (A - R = delta (v1 + v2)(w1 + w2) is 0 with probability 3/4).
// On that event the probe fails as soon as delta > tol + 2e: the reference R is within e of
// v' J (w .* s), so |A - R| - e >= delta - 2e > tol. With k independent probes, a derivative with
// some entry off by more than (tol + 2e) / s_b therefore passes all of them with probability at most
//
//     P(miss) <= (3/4)^k;   (3/4)^k < 1e-6 needs k >= 49.
//
// Probes of different trials are independent too, so for a derivation that is wrong at every
// trial point the check's miss chance is (3/4)^(probes per trial x trials). (Gaussian probes give
// no such bound: |v_a w_b| is below any fixed level with positive probability, even for one wrong
// entry.) The bound is on what tol lets through: tol grows like the square root of the number of
// entries, so a single entry wrong by less than tol is not a failure of a directional check.
//
// A black box's Hessian (second order without a complex extension: Problem::gradient_of, f the
// scalar function and G = df/dx only estimated by central differences). The probe weights G's
// entries by x's scales too, V = v .* fs with fs_a = max(1, |x_a|), and compares
//
//     analytic   A = V' E_J (w .* s)       reference  R = d2 phi / ds dt (0, 0) = V' H (w .* s),
//     phi(s, t) = f(x + s V, y + t U)      (x = y for a pure Hessian: the moves add up),
//
// R by second differences of phi with their bound and tightening (reference/second_difference.cpp),
// tol as above with V for v. Everything above holds with v .* fs for v, so the threshold is
// times 1 / (max(1, |x_a|) max(1, |y_b|)) (DirectionalInfo::scaled_by_both). Differencing the
// estimate of G along the probe instead compounded the two differences' errors under the bound of
// the outer one alone (float32 code: a right Hessian failed at 19 seeds of 20).
//
// Narrowing. A failing probe (v, w) is bisected: the entries of x it weights are split in halves,
// the probe restricted to the first half is measured (one more reference), the second half's
// follows by difference (A2 = A - A1, R2 = R - R1, e2 = e + e1); the half with the larger excess
// (|A - R| - e) / tol is kept, down to one entry b of x; then the same over the entries of f, down
// to one entry a. The leaf (a, b) is then measured alone (v = e_a, w = e_b: the entry-wise
// derivative of f_a by x_b, moving the pair for a symmetric x) and decided by the entry-wise rule:
// about log2(q) + log2(p) + 1 further probes. Bisection follows the larger discrepancy, so the
// entry it finds is where the error concentrates; errors that cancel within a block can hide
// another wrong entry, and a leaf that passes alone is reported as such (not located).
#pragma once

#include <string>
#include <vector>

#include "compare/form_map.hpp"
#include "gradcheck/check.hpp"

namespace gradcheck {

// (3/4)^probes: the most a wrong derivative escapes that many probes with (see above).
double directional_miss_probability(int probes);
// Probes per trial of a check of `trials` trials: Options::probes when set, else
// max(8, ceil(kDirectionalProbesPerCheck / trials)), so that a check with one trial (a fixed
// point, where more trials would repeat it) is probed as much as one with three, and a trial is
// never probed less than 8 times (a derivation wrong at one trial point alone: (3/4)^8 = 0.1).
inline constexpr int kDirectionalProbesPerCheck = 24;
inline constexpr int kDirectionalProbesPerTrial = 8;
int directional_probes_per_trial(const Options& options, std::size_t trials);
// The fewest probes with (3/4)^k < chance (49 for 1e-6).
int directional_probes_for(double chance);

// Whether a directional check can name this diagnosis code from its probes (shape-mismatch,
// nonfinite, nondifferentiable, scale, sign, layout-transposed, vec-order); the others
// (partial, symmetric-only, storage-order) need every entry of the reference.
bool directional_decides(const std::string& code);

// Whether probes compare the whole derivative: every entry of J is exactly one entry of expected.
// Index form with a letter shared by f and x covers only part of J; such a check is run entry-wise
// instead, with *why_not as a note of the report.
bool directional_applies(const FormMap& map, std::string* why_not);

// One trial of a directional check at `point`, moved (like an entry-wise trial) off a kink when
// the problem can resample. Never throws: an exception of f or expected becomes status error.
TrialResult run_directional_trial(const Problem& problem, const FormMap& map, const Options& options, int trial,
                                  const std::vector<arma::mat>& point);

// The check-level DirectionalInfo from its trials: probes and narrowing probes of all trials, the
// miss probability (3/4)^(all probes), the largest threshold.
void summarize_directional(CheckResult& result);

}  // namespace gradcheck
