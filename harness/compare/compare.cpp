// SPDX-License-Identifier: MIT
#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradcheck {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Entry k's figures, the same in both passes: a, r, e, a - r, |a - r|, |r|, tol = atol + rtol |r|.
struct EntryFigures {
  double a, r, e, diff, abs_err, abs_r, tol;
};
template <bool kBound, typename At>
inline EntryFigures figures_of(arma::uword k, const double* ap, const double* rp, const double* ep, const At& at,
                               double atol, double rtol) {
  const arma::uword j = at(k);
  const double a = ap[k], r = rp[j], e = kBound ? ep[j] : 0.0;
  const double diff = a - r, abs_r = std::abs(r);
  return {a, r, e, diff, std::abs(diff), abs_r, atol + rtol * abs_r};
}

// The comparison of entry k of `ap` against entry at(k) of `rp` / `ep` for k < count (rule in
// compare.hpp); `ep` is read only when kBound (else e = 0). The figures in blocks of kBlock
// entries, allocating nothing; the failing and undecided entries listed in a second pass only
// when there are any.
//
// A block first takes a branch-free pass (vectorised: `omp simd` reductions) that computes its
// figures from their definitions: the sums of squares, sum e, max e, max |a - r|, the count of
// entries not passing, min (tol + e) / |r| (r != 0), max |a - r| / max(|r|, atol) and max
// (|a - r| - e) / tol, each quotient the same operation on the same operands as below, so the
// same bits. When the sums are finite (so is every a, r and e of the block) and tol > 0 for
// every entry, those are the block's figures: the extremes move to them, and the worst entry is
// the block's first whose quotient is the maximum when it beats the extreme so far (the first
// over all entries, as one pass in order finds it). Otherwise (a non-finite entry, tol = 0) the
// block is taken again entry by entry, each figure from its definition with the non-finite
// entries' own rules (compare.hpp). Only the sums of squares (rel_error_norm) depend on the
// blocks: their order of addition.
template <bool kBound, typename At>
Comparison compare_entries(const double* ap, const double* rp, const double* ep, arma::uword count, const At& at,
                           const Tolerance& t) {
  // 64: small enough that a non-finite entry sends few others to the entry-by-entry pass.
  constexpr arma::uword kBlock = 64;
  Comparison c;
  double diff2 = 0.0, norm2 = 0.0, max_bound = 0.0;
  arma::uword not_passing = 0, nonfinite = 0, nan_bound = 0;
  double worst_ratio = -kInf, resolution = kInf, max_abs = 0.0, max_rel = 0.0;
  const double atol = t.atol, rtol = t.rtol;
  for (arma::uword k0 = 0; k0 < count; k0 += kBlock) {
    const arma::uword k1 = std::min(count, k0 + kBlock);
    {
      double block_diff2 = 0.0, block_norm2 = 0.0, block_e = 0.0, block_bound = 0.0, block_abs = 0.0;
      double block_not_passing = 0.0, tol_zero = 0.0;
      double block_resolution = kInf, block_max_rel = 0.0, block_worst = -kInf;
#pragma omp simd reduction(+ : block_diff2, block_norm2, block_e, block_not_passing, tol_zero) \
    reduction(max : block_bound, block_abs, block_max_rel, block_worst) reduction(min : block_resolution)
      for (arma::uword k = k0; k < k1; ++k) {
        const auto [a, r, e, diff, abs_err, abs_r, tol] = figures_of<kBound>(k, ap, rp, ep, at, atol, rtol);
        (void)a;
        block_diff2 += diff * diff;
        block_norm2 += r * r;
        block_e += e;
        block_bound = std::max(block_bound, e);
        block_abs = std::max(block_abs, abs_err);
        block_not_passing += abs_err + e <= tol ? 0.0 : 1.0;
        tol_zero += tol > 0.0 ? 0.0 : 1.0;
        // (Every quotient computed, then selected: no arithmetic under a branch.)
        const double resolution_of = (tol + e) / abs_r;
        block_resolution = std::min(block_resolution, r == 0.0 ? kInf : resolution_of);
        block_max_rel = std::max(block_max_rel, abs_err / std::max(abs_r, atol));
        block_worst = std::max(block_worst, (abs_err - e) / tol);
      }
      if (std::isfinite(block_diff2) && std::isfinite(block_norm2) && std::isfinite(block_e) && tol_zero == 0.0) {
        diff2 += block_diff2;
        norm2 += block_norm2;
        max_bound = std::max(max_bound, block_bound);
        max_abs = std::max(max_abs, block_abs);
        not_passing += static_cast<arma::uword>(block_not_passing);
        resolution = std::min(resolution, block_resolution);
        max_rel = std::max(max_rel, block_max_rel);
        if (block_worst > worst_ratio) {
          worst_ratio = block_worst;
          for (arma::uword k = k0; k < k1; ++k) {
            const auto [a, r, e, diff, abs_err, abs_r, tol] = figures_of<kBound>(k, ap, rp, ep, at, atol, rtol);
            (void)a, (void)r, (void)diff, (void)abs_r;
            if ((abs_err - e) / tol == block_worst) {
              c.worst = k;
              break;
            }
          }
        }
        continue;
      }
    }
    for (arma::uword k = k0; k < k1; ++k) {
      const auto [a, r, e, diff, abs_err, abs_r, tol] = figures_of<kBound>(k, ap, rp, ep, at, atol, rtol);
      diff2 += diff * diff;
      norm2 += r * r;
      max_bound = std::max(max_bound, e);  // (a NaN e is skipped here and counted below)
      nan_bound += std::isnan(e);
      max_abs = std::max(max_abs, abs_err);  // (a NaN is skipped; a non-finite entry sets inf below)
      const bool finite = std::isfinite(a) && std::isfinite(r);
      // decide(): passing is |a - r| + e <= tol with a and r finite (false for a NaN or infinite e).
      const bool passing = finite && abs_err + e <= tol;
      not_passing += !passing;
      // (A NaN or infinite e leaves the resolution where it is: std::min keeps its first argument.)
      if (r != 0.0 && std::isfinite(r)) resolution = std::min(resolution, (tol + e) / abs_r);
      if (!finite) {
        ++nonfinite;
        max_abs = max_rel = kInf;
        if (kInf > worst_ratio) {
          worst_ratio = kInf;
          c.worst = k;
        }
        continue;
      }
      if (abs_err > 0.0) max_rel = std::max(max_rel, abs_err / std::max(abs_r, atol));
      const double ratio = excess(a, r, e, t);
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        c.worst = k;
      }
    }
  }
  c.nonfinite = nonfinite > 0;
  c.max_abs_error = max_abs;
  c.max_rel_error = max_rel;
  c.max_bound = nan_bound ? kInf : max_bound;
  c.resolution = resolution == kInf ? std::numeric_limits<double>::quiet_NaN() : resolution;
  c.rel_error_norm = c.nonfinite ? kInf : std::sqrt(diff2) / std::max(std::sqrt(norm2), t.atol);
  if (!std::isfinite(c.rel_error_norm)) c.rel_error_norm = kInf;
  if (not_passing == 0) return c;

  std::vector<std::pair<double, arma::uword>> failing, undecided;
  for (arma::uword k = 0; k < count; ++k) {
    const arma::uword j = at(k);
    const double a = ap[k], r = rp[j], e = kBound ? ep[j] : 0.0;
    switch (decide(a, r, e, t)) {
      case EntryVerdict::kPass: break;
      case EntryVerdict::kFail: failing.emplace_back(excess(a, r, e, t), k); break;
      case EntryVerdict::kUndecided: {
        // Undecided entries are ranked by how far they are from passing: (|a-r| + e) / tol.
        const double tol = t.atol + t.rtol * std::abs(r);
        undecided.emplace_back(tol > 0 ? (std::abs(a - r) + e) / tol : kInf, k);
        break;
      }
    }
  }
  auto worst_first = [](const auto& x, const auto& y) { return x.first > y.first; };
  std::stable_sort(failing.begin(), failing.end(), worst_first);
  std::stable_sort(undecided.begin(), undecided.end(), worst_first);
  c.failing.set_size(failing.size());
  for (std::size_t i = 0; i < failing.size(); ++i) c.failing(i) = failing[i].second;
  c.undecided.set_size(undecided.size());
  for (std::size_t i = 0; i < undecided.size(); ++i) c.undecided(i) = undecided[i].second;
  c.fail = !failing.empty();
  c.pass = failing.empty() && undecided.empty();
  if (!c.fail && !undecided.empty()) c.worst = undecided.front().second;
  return c;
}

// compare_entries with or without a bound (ep nullptr: e = 0).
template <typename At>
Comparison compare_any(const double* ap, const double* rp, const double* ep, arma::uword count, const At& at,
                       const Tolerance& t) {
  return ep ? compare_entries<true>(ap, rp, ep, count, at, t) : compare_entries<false>(ap, rp, ep, count, at, t);
}

}  // namespace

Comparison compare(const arma::mat& analytic, const arma::mat& reference, const arma::mat& bound,
                   const Tolerance& t) {
  return compare_any(analytic.memptr(), reference.memptr(), bound.is_empty() ? nullptr : bound.memptr(),
                         reference.n_elem, [](arma::uword k) { return k; }, t);
}

Comparison compare(const arma::mat& analytic, const FormMap& map, const arma::mat& jacobian, const arma::mat& bound,
                   const Tolerance& t) {
  const double* ep = bound.is_empty() ? nullptr : bound.memptr();
  if (map.identity)
    return compare_any(analytic.memptr(), jacobian.memptr(), ep, analytic.n_elem, [](arma::uword k) { return k; }, t);
  const arma::uword* index = map.to_jacobian.memptr();  // (not the identity: filled)
  return compare_any(analytic.memptr(), jacobian.memptr(), ep, analytic.n_elem,
                         [index](arma::uword k) { return index[k]; }, t);
}

}  // namespace gradcheck
