// SPDX-License-Identifier: MIT
// The vocabulary of gradcheck: the small types every stage speaks (shapes, layouts, forms, vec
// orders, structures, statuses, precisions, storage orders, locations). No stage needs the
// engine's header to name them.
//
// Every enumeration has one table of names (harness/common/types.cpp): to_string, parse and
// names<E>() read it, and so do the case loader, the command line, the reports and the test that
// keeps the docs' lists in step. A name is written once.
#pragma once

#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

namespace gradcheck {

// Rows x columns. A column vector is n x 1, a scalar 1 x 1.
struct Shape {
  arma::uword rows = 1;
  arma::uword cols = 1;

  bool is_scalar() const { return rows == 1 && cols == 1; }
  bool is_vector() const { return rows == 1 || cols == 1; }
  bool is_square() const { return rows == cols; }
  arma::uword numel() const { return rows * cols; }
  std::string str() const { return std::to_string(rows) + "x" + std::to_string(cols); }  // "4x3"
  friend bool operator==(const Shape& a, const Shape& b) { return a.rows == b.rows && a.cols == b.cols; }
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }
};

// How the entries of expected E relate to the derivative (see check.hpp for the full table).
enum class Layout { kDenominator, kNumerator };          // "denominator", "numerator"
enum class Form { kAuto, kVec, kIndex, kHvp };          // "auto", "vec", "index", "hvp" (second order only)
enum class VecOrder { kColumnMajor, kRowMajor };         // "column-major", "row-major"
// kSymmetric: x is a symmetric matrix whose entries (i,j) and (j,i) are one variable, moved
// together (the Matrix Cookbook's convention): the derivative is G + G' - diag(diag(G)) in
// terms of the unconstrained gradient G.
enum class Structure { kNone, kSymmetric };              // "none", "symmetric"
// How a raw buffer holds a matrix: column by column (Armadillo, Fortran, LAPACK) or row by row
// (C, NumPy's default, most C ML code).
enum class StorageOrder { kColumnMajor, kRowMajor };     // "column-major", "row-major"
// The working precision of f: measured (kAuto) or stated.
enum class Precision { kAuto, kDouble, kSingle };        // "auto", "double", "single"
// What a check compares: every entry of the derivative against its reference, or random
// probes v' J u against v' E u (engine/directional.hpp).
enum class Mode { kEntrywise, kDirectional };            // "entrywise", "directional"

// How finite differences are taken.
enum class FdMethod {
  kCentral,     // (f(x+h) - f(x-h)) / 2h; error O(h^2)
  kForward,     // (f(x+h) - f(x)) / h; error O(h)
  kBackward,    // (f(x) - f(x-h)) / h; error O(h)
  kRichardson,  // (4 D(h/2) - D(h)) / 3 of central D; error O(h^4)
  kRidders,     // Ridders' extrapolation (Neville tableau over shrinking h), error estimated
};                                                       // "central", "forward", "backward", "richardson", "ridders"
// How the reference derivative (the "truth" expected is compared with) is computed.
enum class ReferenceMethod {
  kFd,           // finite differences per FdOptions, tightened where undecided (default)
  kComplexStep,  // Im f(x + i h) / h: no cancellation; needs a complex evaluation of f
  kSymbolic,     // the derivative of the expression, derived symbolically
};                                                       // "fd", "complex-step", "symbolic"

// pass/fail/error/inconclusive for a check; a case adds xfail (expected to fail and did) and
// xpass (expected to fail but passed: a failure of the suite). kInconclusive: the reference could
// not be made accurate enough to decide at the requested tolerance (neither passed nor failed).
enum class Status { kPass, kFail, kError, kXfail, kXpass, kInconclusive };

std::string to_string(Layout value);
std::string to_string(Form value);
std::string to_string(VecOrder value);
std::string to_string(Structure value);
std::string to_string(StorageOrder value);
std::string to_string(Precision value);
std::string to_string(Mode value);
std::string to_string(FdMethod value);
std::string to_string(ReferenceMethod value);
std::string to_string(Status value);  // "pass", "fail", "error", "xfail", "xpass", "inconclusive"

// The value named `name` in E's table; false (and *out untouched) for an unknown name.
bool parse(const std::string& name, Layout* out);
bool parse(const std::string& name, Form* out);
bool parse(const std::string& name, VecOrder* out);
bool parse(const std::string& name, Structure* out);
bool parse(const std::string& name, StorageOrder* out);
bool parse(const std::string& name, Precision* out);
bool parse(const std::string& name, Mode* out);
bool parse(const std::string& name, FdMethod* out);
bool parse(const std::string& name, ReferenceMethod* out);
bool parse(const std::string& name, Status* out);

// Every name of E, in the table's order: for "expected one of ..." messages, CLI choices, docs.
template <class E>
std::vector<std::string> names();

// Where something is in a file: 1-based line and column (0 when unknown).
struct Location {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  // For a string field with escape sequences: raw column offset of each decoded byte (see
  // JsonLocator::string_columns), so a caret inside an expression lands on the right column.
  std::vector<std::size_t> string_columns = {};
  std::string str() const;  // "cases/a.json:12:5" (or "cases/a.json" without a position)
};

}  // namespace gradcheck
