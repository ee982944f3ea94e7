// SPDX-License-Identifier: MIT
// The symbolic reference and its finite-difference cross-check; see reference.hpp.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "common/random.hpp"
#include "gradcheck/error.hpp"
#include "reference/reference.hpp"

namespace gradcheck::reference {

Reference symbolic(const Target& target, std::vector<arma::mat>& values, const arma::mat& f0, const Noise& noise,
                   std::uint64_t seed, int checks) {
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  Reference r;
  r.method = ReferenceMethod::kSymbolic;
  r.detail = "symbolic derivative";
  const arma::mat& x = values[target.wrt];
  r.values = target.jacobian(values);
  if (r.values.n_rows != f0.n_elem || r.values.n_cols != x.n_elem)
    throw Error("reference.symbolic", fmt::format("the symbolic Jacobian is {}x{}, expected {}x{}", r.values.n_rows,
                                                  r.values.n_cols, f0.n_elem, x.n_elem));
  r.steps.zeros(x.n_elem);
  r.step_notes.assign(x.n_elem, "");
  const double rho = std::max(kEps, noise.relative);
  // E[a,b] = 64 rho (|J[a,b]| + max_b' |J[a,b']|) (see reference.hpp).
  r.bound.set_size(r.values.n_rows, r.values.n_cols);
  for (arma::uword a = 0; a < r.values.n_rows; ++a) {
    const arma::rowvec row = arma::abs(r.values.row(a));
    const double m = row.is_finite() ? row.max() : std::numeric_limits<double>::infinity();
    for (arma::uword b = 0; b < r.values.n_cols; ++b)
      r.bound(a, b) = std::isfinite(r.values(a, b)) ? 64 * rho * (std::abs(r.values(a, b)) + m)
                                                    : std::numeric_limits<double>::infinity();
  }

  // The cross-check: central differences D(h), D(2h) of a few random coordinates; none where the
  // noise is unresolved (within rounding of a singularity no difference holds, Noise::unresolved).
  if (noise.unresolved) checks = 0;
  const std::vector<Coordinate> all = coordinates(x, target.structure);
  Random random(seed);
  arma::mat fp, fm;
  for (int k = 0; k < checks && !all.empty(); ++k) {
    const Coordinate co = all[random.index(all.size())];
    const double h0 = std::cbrt(rho) * std::max(1.0, std::abs(x(co.first)));
    arma::vec d[2];
    double steps[2];
    for (int s = 0; s < 2; ++s) {
      const double h = (s + 1) * h0;
      arma::mat& xv = values[target.wrt];
      const double x1 = xv(co.first), x2 = xv(co.second);
      auto move = [&](double t) {
        xv(co.first) = x1 + t;
        if (co.second != co.first) xv(co.second) = x2 + t;
      };
      move(h);
      const double taken = xv(co.first) - x1;
      target.f(values, fp);
      move(-h);
      target.f(values, fm);
      move(0);
      xv(co.first) = x1;
      xv(co.second) = x2;
      r.evaluations += 2;
      d[s] = arma::vectorise(fp - fm) / (2 * taken);
      steps[s] = taken;
    }
    for (arma::uword a = 0; a < r.values.n_rows; ++a) {
      const double j = r.values(a, co.first);
      if (!std::isfinite(d[0](a)) || !std::isfinite(d[1](a)) || !std::isfinite(j)) continue;
      // Differences that disagree with each other by a quarter of their size (beyond rounding) are
      // outside their asymptotic regime (a singularity within the step: D(h) = 4 D(2h) in the far
      // field of a pole) and vouch for nothing, so they accuse no rule either.
      if (std::abs(d[0](a) - d[1](a)) > 0.25 * std::max(std::abs(d[0](a)), std::abs(d[1](a))) +
                                            4 * noise.sigma(a) / steps[0])
        continue;
      // (1e-8: what neither bound covers, the conditioning of the rule's own evaluation.)
      const double slack = 1e-8 * (std::abs(j) + 1);
      const double allowed =
          10 * (std::abs(d[0](a) - d[1](a)) + 4 * noise.sigma(a) / steps[0] + r.bound(a, co.first)) + slack;
      if (std::abs(j - d[0](a)) <= allowed) continue;
      // The accusation stands only where the complex step, when f has one, is as far from the
      // rule (within 10 times both bounds and the slack): a difference can be wrong within its
      // own regime test (the inputs' rounding of S + 1e-6 B moves its step by ~1e-4 of itself).
      if (target.f_complex) {
        const Reference cs = complex_step(target, values, noise, {co.first});
        r.evaluations += cs.evaluations;
        if (std::abs(j - cs.values(a, co.first)) <= 10 * (cs.bound(a, co.first) + r.bound(a, co.first)) + slack)
          continue;
      }
      throw Error("reference.symbolic",
                    fmt::format("the symbolic derivative disagrees with finite differences at entry ({}, {}) of the "
                                "Jacobian: {:.6e} against {:.6e}; a derivative rule is wrong (please report it), use "
                                "\"reference\": \"fd\"",
                                a, co.first, j, d[0](a)));
    }
  }
  return r;
}

}  // namespace gradcheck::reference
