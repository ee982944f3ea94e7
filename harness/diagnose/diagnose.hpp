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

// Every hypothesis is decided by the verdict rule of compare.hpp against the reference and its
// bound: a diagnosis is reported only when the numbers decide it beyond their error bounds.
struct DiagnoseContext {
  const FormMap* map = nullptr;          // the form the user asked for
  const arma::mat* jacobian = nullptr;   // reference J at the point
  const arma::mat* bound = nullptr;      // its error bound E (J's shape)
  const arma::mat* analytic = nullptr;   // expected as given (any shape)
  Tolerance tolerance;                   // as applied
  std::map<std::string, double> dims;    // to name factors: 1/16 = 1/m
  std::string expected_text;
  // Square (non-scalar) variables other hypotheses may symmetrise, by slot, with names.
  std::vector<std::size_t> square_slots;
  std::vector<std::string> names;        // by slot
  // Re-runs the whole check (f, reference, expected, verdict) with the given variables X replaced
  // by sym(X) + t skew(X) (t = 0: symmetric; t = 1: as given). Empty: the hypothesis is not tested.
  std::function<Status(const std::vector<std::size_t>& slots, double t)> status_symmetrised;
  // Who reads the advice: case-file fields or C++ names.
  Audience audience = Audience::kCaseFile;
};

// `expected` has the shape the form wants, and `comparison` failed.
std::vector<Diagnosis> diagnose_mismatch(const DiagnoseContext& context, const Comparison& comparison);
// `expected` has another shape than the form wants: shape-mismatch, and whether it is the
// other layout (layout-transposed, possibly with a scale or sign).
std::vector<Diagnosis> diagnose_shape(const DiagnoseContext& context);
// `expected` could not even be evaluated: its own sizes do not fit (an ExprError "expr.shape").
Diagnosis diagnose_expected_shape_error(const FormMap& map, const std::string& error_text);
// f has no derivative at the point along these entries (kinks decided by the reference).
std::vector<Diagnosis> diagnose_kinks(const DiagnoseContext& context, const std::vector<KinkInfo>& kinks);
// NaN or infinity in f, the numeric derivative or expected.
Diagnosis diagnose_nonfinite(const std::string& where, const std::string& detail);

// The arrangements of the derivative other than `map` that `expected` may have been written in
// (the other layout; for form vec the other vec order; for form index two letters swapped), each
// with its diagnosis code and what matching it means.
struct AlternativeMap {
  std::string code;      // "layout-transposed" or "vec-order"
  FormMap map;
  std::string sentence;
};
std::vector<AlternativeMap> alternative_maps(const FormMap& map, Audience audience);

// sign / scale: whether `analytic` equals c times `truth` for one c != 1, decided by the verdict
// rule against `bound` (c fitted by least squares). For quantities other than the entries of
// expected (the probes of a directional check); `what` names the truth in the message.
std::vector<Diagnosis> diagnose_factor(const arma::mat& analytic, const arma::mat& truth, const arma::mat& bound,
                                       const Tolerance& tolerance, const std::map<std::string, double>& dims,
                                       const std::string& what);

// The closest fraction p/q (q <= max_denominator) to x within relative `tolerance`, as "1/16",
// "2", "-3/4"; empty if none. Callers pass the relative uncertainty of the fitted factor (never
// below 1e-8: pi is not 355/113).
std::string as_fraction(double x, long max_denominator = 1000, double tolerance = 1e-8);
// Names a factor with dims when it equals one: "1/16 = 1/m", "12 = N*D", "2" (no dim).
std::string name_factor(double factor, const std::map<std::string, double>& dims, double tolerance = 1e-8);

}  // namespace gradcheck
