// SPDX-License-Identifier: MIT
// Diagnoses: why a check failed, each found by testing a hypothesis numerically.
#pragma once

#include <armadillo>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "compare/form_map.hpp"
#include "gradcheck/result.hpp"

namespace gradcheck {

struct DiagnoseContext {
  const FormMap* map = nullptr;          // the form the user asked for
  const arma::mat* jacobian = nullptr;   // numeric J at the point
  const arma::mat* analytic = nullptr;   // expected as given (any shape)
  Tolerance tolerance;
  std::map<std::string, double> dims;    // to name factors: 1/16 = 1/m
  std::string expected_text;
  double f_magnitude = 0.0;  // max |f| at the point, for the rounding noise of the differences
  double step = 0.0;         // the smallest step h taken (c * max(1, min |x_b|)), for that noise
  // Square (non-scalar) variables other hypotheses may symmetrise, by slot, with names.
  std::vector<std::size_t> square_slots;
  std::vector<std::string> names;        // by slot
  // Re-runs the whole check (f, differences, expected) with the given variables replaced by
  // (X + X')/2; true when it then passes. Empty: the hypothesis is not tested.
  std::function<bool(const std::vector<std::size_t>& slots)> passes_symmetrised;
  // Forward and backward differences of column b of J (one-sided, step sqrt(eps) scaled).
  std::function<std::pair<arma::vec, arma::vec>(arma::uword b)> one_sided;
};

// `expected` has the shape the form wants, and `comparison` failed.
std::vector<Diagnosis> diagnose_mismatch(const DiagnoseContext& context, const Comparison& comparison);
// `expected` has another shape than the form wants: shape-mismatch, and whether it is the
// other layout (layout-transposed, possibly with a scale or sign).
std::vector<Diagnosis> diagnose_shape(const DiagnoseContext& context);
// `expected` could not even be evaluated: its own sizes do not fit (an ExprError "expr.shape").
Diagnosis diagnose_expected_shape_error(const FormMap& map, const std::string& error_text);
// NaN or infinity in f, the numeric derivative or expected.
Diagnosis diagnose_nonfinite(const std::string& where, const std::string& detail);

// The closest fraction p/q (q <= max_denominator) to x within relative `tolerance` (1e-8: a fitted factor is that accurate, and pi is not 355/113), as
// "1/16", "2", "-3/4"; empty if none.
std::string as_fraction(double x, long max_denominator = 1000, double tolerance = 1e-8);
// Names a factor with dims when it equals one: "1/16 = 1/m", "12 = N*D", "2" (no dim).
std::string name_factor(double factor, const std::map<std::string, double>& dims);

}  // namespace gradcheck
