// SPDX-License-Identifier: MIT
// A parsed case file: the data of ../shared/spec/case-format.md, validated, not yet evaluated.
#pragma once

#include <armadillo>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/error.hpp"
#include "gradcheck/options.hpp"
#include "gradcheck/types.hpp"

namespace gradcheck {

enum class Init { kNormal, kUniform, kPositive, kSymmetric, kSpd, kOrthogonal, kOnehot, kProbability, kIdentity,
                  kOnes, kZeros };
std::string to_string(Init init);
bool parse_init(const std::string& name, Init* out);

struct VariableSpec {
  std::string name;
  std::string rows, cols;           // as written: a number or a dims name ("N")
  Init init = Init::kNormal;
  double range_lo = -1.0, range_hi = 1.0;  // init uniform
  std::optional<arma::mat> value;   // explicit entries
  Structure structure = Structure::kNone;
  Location location;                // of the variable's object
};

// The numerical settings a defaults object, a case and a check may each set (inner wins).
struct Numerics {
  ReferenceMethod reference = ReferenceMethod::kFd;
  Precision precision = Precision::kAuto;
  bool tolerance_stated = false;    // a "tolerance" was written (the precision's default otherwise)
  std::optional<Mode> mode;         // "mode"; unset: the run's (run --mode), else entrywise
};

struct CheckSpec {
  std::string wrt;
  // Second order: derivative_order 2, wrt2 the second name of wrt (== wrt for one name), direction
  // the variable V of form hvp.
  int derivative_order = 1;
  std::string wrt2;
  std::string direction;
  FormSpec form;                    // layout, form, order (indices parsed later, with the shapes)
  std::string indices;              // form index: "Z[i,l] / H[j,k]"
  bool explicit_summation = false;
  std::string expected;
  std::optional<Tolerance> tolerance;
  Numerics numerics;                // the case's, overridden by the check's own fields
  Location location;                // of the check's object
  Location expected_location;       // of the `expected` string's first character
  Location indices_location;
};

// "program": the process that answers the fields written "program:NAME" (docs/programs.md).
struct ProgramSpec {
  std::vector<std::string> command;  // argv, run without a shell
  double timeout_s = 30.0;           // seconds the program has to answer each request (and to start)
  std::string folder;                // where it runs: the case file's folder
  Location location;                 // of the "program" object
};

struct CaseSpec {
  std::string name;
  std::string description, source;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::vector<double>>> dims;  // in file order; lists expand
  std::vector<VariableSpec> variables;
  std::string expression;
  std::vector<CheckSpec> checks;
  Tolerance tolerance;
  Numerics numerics;
  FdOptions fd;
  int trials = 3;
  std::optional<std::uint64_t> seed;  // unset: derived from the run's seed and the case name
  std::string expect = "pass";
  std::string diagnosis;            // with expect "fail": the code the report must name
  Location location;                // of the case object
  Location expression_location;     // of the `expression` string's first character
  std::optional<ProgramSpec> program;  // set: `expression` or an `expected` may be "program:NAME"
};

// A file's cases, or the errors that stopped some of them. One bad case never stops the others:
// `errors` holds one entry per case that could not be loaded (and one for a malformed file).
struct LoadedFile {
  std::string path;
  std::vector<CaseSpec> cases;
  // Each problem is a gradcheck::Error with its place as data: file, line, column, the case's
  // name (empty when the whole file is unreadable, or for a problem of the suite's defaults) and
  // the field; what() is "cases/a.json:12:5: error [case.field] case \"x\", field \"checks[0].layout\": ...".
  using Problem = Error;
  std::vector<Error> errors;
};

// Reads and validates one case file (a case object or a suite {"defaults", "cases"}).
// Never throws for bad content: every problem is in `errors`, with file, case, field, line and
// column. `defaults` are applied before validation of each case.
LoadedFile load_case_file(const std::string& path);
LoadedFile load_case_text(const std::string& text, const std::string& path);

// Every *.json under each path (files taken as they are, directories walked), sorted.
// Throws gradcheck::Error "cli.path" for a path that does not exist.
std::vector<std::string> find_case_files(const std::vector<std::string>& paths);

}  // namespace gradcheck
