// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include "gradcheck/case.hpp"

namespace gradcheck {
namespace {

std::string all_errors(const LoadedFile& f) {
  std::string s;
  for (const auto& e : f.errors) s += std::string(e.what()) + "\n";
  return s;
}

const char* kGood = R"json({
  "name": "bilinear_wrt_B",
  "description": "q = wa' A B wb",
  "tags": ["seed"],
  "dims": {"N": [4, 6], "D": 3},
  "variables": {
    "A":  {"shape": ["N", "D"]},
    "B":  {"shape": ["D", "N"], "init": "uniform", "range": [-2, 2]},
    "wa": {"shape": ["N", 1], "init": "onehot"},
    "v":  {"shape": [2, 2], "value": [[1, 2], [3, 4]], "structure": "symmetric"}
  },
  "expression": "wa' * A * B * wa",
  "tolerance": {"rtol": 1e-4},
  "fd": {"method": "richardson", "step": "auto"},
  "trials": 5,
  "seed": 7,
  "checks": [
    {"wrt": "B", "layout": "denominator", "expected": "A' * wa * wa'"},
    {"wrt": "A", "layout": "numerator", "form": "vec", "order": "row-major", "expected": "x",
     "tolerance": {"atol": 1e-9}}
  ]
})json";

TEST(Loader, ReadsEveryField) {
  const LoadedFile f = load_case_text(kGood, "good.json");
  ASSERT_TRUE(f.errors.empty()) << all_errors(f);
  ASSERT_EQ(f.cases.size(), 1u);
  const CaseSpec& c = f.cases[0];
  EXPECT_EQ(c.name, "bilinear_wrt_B");
  ASSERT_EQ(c.dims.size(), 2u);
  EXPECT_EQ(c.dims[0].first, "N");
  EXPECT_EQ(c.dims[0].second, (std::vector<double>{4, 6}));
  ASSERT_EQ(c.variables.size(), 4u);
  EXPECT_EQ(c.variables[1].init, Init::kUniform);
  EXPECT_EQ(c.variables[1].range_lo, -2);
  EXPECT_EQ(c.variables[2].init, Init::kOnehot);
  ASSERT_TRUE(c.variables[3].value.has_value());
  EXPECT_EQ((*c.variables[3].value)(1, 0), 3);  // row by row
  EXPECT_EQ(c.variables[3].structure, Structure::kSymmetric);
  EXPECT_EQ(c.tolerance.rtol, 1e-4);
  EXPECT_EQ(c.tolerance.atol, Tolerance{}.atol);
  EXPECT_EQ(c.fd.method, FdMethod::kRichardson);
  EXPECT_EQ(c.trials, 5);
  EXPECT_EQ(*c.seed, 7u);
  ASSERT_EQ(c.checks.size(), 2u);
  EXPECT_EQ(c.checks[1].form.layout, Layout::kNumerator);
  EXPECT_EQ(c.checks[1].form.form, Form::kVec);
  EXPECT_EQ(c.checks[1].form.order, VecOrder::kRowMajor);
  EXPECT_EQ(c.checks[1].tolerance->atol, 1e-9);
  EXPECT_EQ(c.checks[1].tolerance->rtol, 1e-4);  // the case's rtol carries into the check
  EXPECT_EQ(c.expression_location.line, 12u);
  EXPECT_EQ(c.expression_location.column, 17u);
}

TEST(Loader, MalformedJsonSaysLineAndColumn) {
  const LoadedFile f = load_case_text("{\n  \"name\": \"x\",\n  \"variables\": {\n}", "bad.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.json");
  EXPECT_EQ(std::string(f.errors[0].what()).rfind("bad.json:4:2: error [case.json] not valid JSON: ", 0), 0u) << std::string(f.errors[0].what());
}

TEST(Loader, UnknownFieldIsReportedWithASuggestion) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)",
  "checks": [{"wrt": "x", "expected": "ones(2, 1)"}], "tolerence": {"rtol": 1}})json", "u.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(std::string(f.errors[0].what()),
            "u.json:2:55: error [case.unknown-field] case \"a\", field \"tolerence\": unknown field (did you mean "
            "\"tolerance\"?); known fields: name, description, source, tags, dims, variables, expression, checks, "
            "tolerance, fd, trials, seed, expect, diagnosis, reference, precision, mode, program");
}

TEST(Loader, EveryProblemOfACaseIsListed) {
  const LoadedFile f = load_case_text(R"json({"name": "a",
  "variables": {"x": {"shape": ["n", 1], "init": "gaussian"}},
  "checks": [{"wrt": "y", "layout": "both", "expected": "x"}]})json", "p.json");
  const std::string e = all_errors(f);
  EXPECT_TRUE(f.cases.empty());
  EXPECT_NE(e.find("p.json:2:33: error [case.field] case \"a\", field \"variables.x.shape\": \"n\" is not a dim of this case (it has no dims)"), std::string::npos) << e;
  EXPECT_NE(e.find("field \"variables.x.init\": expected one of \"normal\""), std::string::npos) << e;
  EXPECT_NE(e.find("field \"expression\": required field is missing"), std::string::npos) << e;
  EXPECT_NE(e.find("field \"checks[0].wrt\": \"y\" is not a variable of this case"), std::string::npos) << e;
  EXPECT_NE(e.find("p.json:3:37: error [case.field] case \"a\", field \"checks[0].layout\""), std::string::npos) << e;
}

TEST(Loader, SuiteDefaultsApplyAndTheCaseWins) {
  const LoadedFile f = load_case_text(R"json({"defaults": {"dims": {"n": 3, "m": 2}, "trials": 2, "tolerance": {"rtol": 0.1}},
  "cases": [
    {"name": "a", "variables": {"x": {"shape": ["n", "m"]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(n, m)"}]},
    {"name": "b", "dims": {"n": 5}, "trials": 4, "variables": {"x": {"shape": ["n", 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(n, 1)"}]}
  ]})json", "s.json");
  ASSERT_TRUE(f.errors.empty()) << all_errors(f);
  ASSERT_EQ(f.cases.size(), 2u);
  EXPECT_EQ(f.cases[0].trials, 2);
  EXPECT_EQ(f.cases[0].tolerance.rtol, 0.1);
  EXPECT_EQ(f.cases[1].trials, 4);
  EXPECT_EQ(f.cases[1].dims[0].second[0], 5);
  EXPECT_EQ(f.cases[1].dims[1].first, "m");
}

TEST(Loader, OneBadCaseLeavesTheOthers) {
  const LoadedFile f = load_case_text(R"json({"cases": [
    {"name": "bad", "variables": {"x": {"shape": [0, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "x"}]},
    {"name": "good", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "x"}]},
    {"name": "good", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "x"}]}
  ]})json", "m.json");
  ASSERT_EQ(f.cases.size(), 1u);
  EXPECT_EQ(f.cases[0].name, "good");
  ASSERT_EQ(f.errors.size(), 2u) << all_errors(f);
  EXPECT_EQ(f.errors[0].place().case_name, "bad");
  EXPECT_NE(std::string(f.errors[0].what()).find("expected a positive integer or a dims name, got 0"), std::string::npos);
  EXPECT_EQ(f.errors[1].id(), "case.duplicate-name");
}

TEST(Loader, DuplicateKeysAreReported) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)",
  "expression": "sum(x .^ 2)", "checks": [{"wrt": "x", "expected": "x"}]})json", "d.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].id(), "case.duplicate-key");
  EXPECT_NE(std::string(f.errors[0].what()).find("d.json:2:3:"), std::string::npos) << all_errors(f);
}

// Found when the check verb's flags became a case: a duplicate key below the top level was named
// by its JSON pointer ("checks/0/layout"), not as a field.
TEST(Loader, ADuplicateKeyDeeperDownIsNamedAsAField) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)",
  "checks": [{"wrt": "x", "layout": "numerator", "layout": "denominator", "expected": "ones(2, 1)"}]})json", "d.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].place().field, "checks[0].layout");
}

TEST(Loader, DiagnosisNeedsExpectFailAndAKnownCode) {
  const LoadedFile f = load_case_text(R"json({"cases": [
    {"name": "a", "diagnosis": "scale", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "x"}]},
    {"name": "b", "expect": "fail", "diagnosis": "scaled", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "x"}]}
  ]})json", "g.json");
  const std::string e = all_errors(f);
  EXPECT_NE(e.find("a diagnosis is only checked with \"expect\": \"fail\""), std::string::npos) << e;
  EXPECT_NE(e.find("unknown diagnosis code \"scaled\"; did you mean \"scale\"?"), std::string::npos) << e;
}

TEST(Loader, IndexFormNeedsIndices) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}}, "expression": "x",
  "checks": [{"wrt": "x", "form": "index", "expected": "delta(i,j)"}]})json", "i.json");
  EXPECT_NE(all_errors(f).find("field \"checks[0].indices\": required field is missing"), std::string::npos) << all_errors(f);
}

TEST(Loader, MissingFileIsAnError) {
  const LoadedFile f = load_case_file("/no/such/file.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.io");
}

// Found by hand (gradcheck run and lint on a 200 kB file of 100000 '['): JSON nested that deep
// overflowed the stack (SIGSEGV) in the scanner that locates values. It is a case.json error at
// the bracket that goes too deep.
TEST(Loader, DeeplyNestedJsonIsAnErrorNotACrash) {
  LoadedFile f = load_case_text(std::string(100000, '[') + std::string(100000, ']'), "deep.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.json");
  EXPECT_EQ(std::string(f.errors[0].what()),
            "deep.json:1:65: error [case.json] nested more than 64 levels deep: a case file needs only a few levels");
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":\n";
  objects += "1" + std::string(50000, '}');
  f = load_case_text(objects, "deep.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(std::string(f.errors[0].what()).rfind("deep.json:65:1: error [case.json] nested more than 64 levels deep", 0), 0u)
      << std::string(f.errors[0].what());
  // Brackets inside strings do not count; 64 levels are fine.
  f = load_case_text(R"json({"name": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "comment": )json" + std::string(63, '[') + std::string(63, ']') + "}", "ok.json");
  ASSERT_FALSE(f.errors.empty());
  for (const LoadedFile::Problem& p : f.errors) EXPECT_NE(p.id(), "case.json") << std::string(p.what());
}

// Found by hand (gradcheck run on a file with the bytes FF FE in a name): the reason was cut at the
// last ": " of nlohmann's message, so it read only "not valid JSON: '\"<FF>'", a raw invalid byte
// and nothing else. The whole reason is kept, and bytes that are not UTF-8 are written as \xFF.
TEST(Loader, MalformedJsonKeepsTheWholeReasonAndEscapesBadBytes) {
  LoadedFile f = load_case_text("{\"name\": \"\xff\xfe\"}", "bytes.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(std::string(f.errors[0].what()),
            "bytes.json:1:11: error [case.json] not valid JSON: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte; last read: '\"\\xFF'");
  f = load_case_text("{\"a\": tru}", "literal.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(std::string(f.errors[0].what()),
            "literal.json:1:10: error [case.json] not valid JSON: syntax error while parsing value - invalid literal; "
            "last read: '\"a\": tru}'");
  // Valid UTF-8 stays as it is.
  f = load_case_text("{\"n\u00e9\": \"\xc3\xa9\" x}", "utf8.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_NE(std::string(f.errors[0].what()).find("\xc3\xa9"), std::string::npos) << std::string(f.errors[0].what());
}

// Found by hand: an 11 kB case with 8 lists of 300 dims asks for 300^8 (about 6.6e19, past
// size_t) combinations; gradcheck run grew to 5 GB and never finished. More than 1000
// combinations in one case is a case.size error at "dims".
TEST(Loader, TooManyCombinationsOfDimsAreRefused) {
  std::string dims;
  for (int d = 0; d < 8; ++d) {
    dims += std::string(d ? ", " : "") + "\"d" + std::to_string(d) + "\": [";
    for (int v = 1; v <= 300; ++v) dims += (v > 1 ? "," : "") + std::to_string(v);
    dims += "]";
  }
  LoadedFile f = load_case_text(R"json({"name": "lists",
  "dims": {)json" + dims + R"json(},
  "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(2, 1)"}]})json",
                                "lists.json");
  EXPECT_TRUE(f.cases.empty());
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.size");
  EXPECT_EQ(std::string(f.errors[0].what()),
            "lists.json:2:11: error [case.size] case \"lists\", field \"dims\": the lists of dims make more than 1000 "
            "combinations (each one a full run of the case): give fewer sizes");
  // 1000 combinations are fine.
  f = load_case_text(R"json({"name": "ok", "dims": {"a": [1,2,3,4,5,6,7,8,9,10], "b": [1,2,3,4,5,6,7,8,9,10],
  "c": [1,2,3,4,5,6,7,8,9,10]}, "variables": {"x": {"shape": ["a", 1]}}, "expression": "sum(x)",
  "checks": [{"wrt": "x", "expected": "ones(a, 1)"}]})json", "ok.json");
  EXPECT_TRUE(f.errors.empty()) << all_errors(f);
}

// Found by fuzzing (tests/fuzz, fuzz_case): the file "666e666D" made nlohmann throw out_of_range
// (number overflow), not parse_error, and it escaped load_case_text: gradcheck run stopped at
// that file with "[internal] ... number overflow", the other files unrun.
TEST(Loader, NumberOverflowIsACaseJsonError) {
  LoadedFile f = load_case_text("666e666D", "fuzz.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.json");
  f = load_case_text("{\"name\": \"a\",\n \"trials\": 1e999}", "overflow.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].id(), "case.json");
  EXPECT_EQ(std::string(f.errors[0].what()), "overflow.json:2:12: error [case.json] not valid JSON: number overflow parsing '1e999'");
}

// Second order (case-format.md, "Second order").
std::string second_order_case(const std::string& check) {
  return R"json({"name": "h", "variables": {"x": {"shape": [3, 1]}, "y": {"shape": [2, 1]}, "v": {"shape": [3, 1]}},
                 "expression": "x' * x", "checks": [)json" +
         check + "]}";
}

TEST(Loader, ReadsSecondOrderChecks) {
  const LoadedFile f = load_case_text(
      second_order_case(R"c({"wrt": "x", "derivative_order": 2, "expected": "2 * eye(3)"},
                         {"wrt": ["x", "y"], "derivative_order": 2, "expected": "zeros(3, 2)"},
                         {"wrt": "x", "derivative_order": 2, "form": "hvp", "direction": "v", "expected": "2 * v"})c"),
      "h.json");
  ASSERT_TRUE(f.errors.empty()) << all_errors(f);
  const auto& checks = f.cases.at(0).checks;
  EXPECT_EQ(checks[0].derivative_order, 2);
  EXPECT_EQ(checks[0].wrt2, "x");
  EXPECT_EQ(checks[1].wrt, "x");
  EXPECT_EQ(checks[1].wrt2, "y");
  EXPECT_EQ(checks[2].form.form, Form::kHvp);
  EXPECT_EQ(checks[2].direction, "v");
}

TEST(Loader, SecondOrderMistakesAreLocatedFieldErrors) {
  struct Bad {
    const char* check;
    const char* says;
  };
  for (const Bad& b : std::vector<Bad>{
           {R"c({"wrt": "x", "derivative_order": 3, "expected": "x"})c", "checks[0].derivative_order\": expected 1"},
           {R"c({"wrt": ["x", "y"], "expected": "x"})c", "needs \"derivative_order\": 2"},
           {R"c({"wrt": ["x", "z"], "derivative_order": 2, "expected": "x"})c", "\"z\" is not a variable"},
           {R"c({"wrt": "x", "derivative_order": 2, "layout": "numerator", "expected": "x"})c", "layout does not apply"},
           {R"c({"wrt": "x", "form": "hvp", "direction": "v", "expected": "x"})c", "it needs \"derivative_order\": 2"},
           {R"c({"wrt": "x", "derivative_order": 2, "form": "hvp", "expected": "x"})c", "checks[0].direction"},
           {R"c({"wrt": "x", "derivative_order": 2, "direction": "v", "expected": "x"})c", "direction applies to"},
       }) {
    const LoadedFile f = load_case_text(second_order_case(b.check), "h.json");
    EXPECT_NE(all_errors(f).find(b.says), std::string::npos) << b.check << "\n" << all_errors(f);
  }
}

// Found by hostile input: a 5 MiB string value was echoed whole into the error message.
TEST(Loader, LongValuesAreCutInMessagesSayingHowLongTheyWere) {
  const std::string layout(5 << 20, 'q');
  const LoadedFile f = load_case_text(R"json({"name": "a", "variables": {"x": {"shape": [2, 1]}}, "expression": "sum(x)",
  "checks": [{"wrt": "x", "layout": ")json" + layout + R"json(", "expected": "ones(2, 1)"}]})json", "l.json");
  ASSERT_EQ(f.errors.size(), 1u);
  const std::string what = f.errors[0].what();
  EXPECT_LT(what.size(), 400u);
  EXPECT_NE(what.find("got \"qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq... (5242880 bytes in all)\""), std::string::npos) << what;
}

// A name in a shape that is not a dims name: the message says where it must be declared.
TEST(Loader, AnUndeclaredDimInAShapeIsToldToGoIntoDims) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "dims": {"m": 3}, "variables": {"x": {"shape": ["zz", 1]}},
  "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(3, 1)"}]})json", "u.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].message(), "\"zz\" is not a dim of this case: add it to \"dims\", e.g. \"dims\": {\"zz\": 4}");
}

// A size in quotes is no name at all: the message says to write it as a number, and suggests no dim.
TEST(Loader, ASizeInQuotesIsToldToBeANumber) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "dims": {"n": 3}, "variables": {"x": {"shape": ["3", 1]}},
  "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(3, 1)"}]})json", "q.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].message(),
            "expected a positive integer or a dims name, got the string \"3\": write a size as a number, 3, without quotes");
  EXPECT_EQ(f.errors[0].place().field, "variables.x.shape");
}

// A variable rejected where it is declared has its error there, once: a check's wrt naming it
// is not also told that it is "not a variable of this case".
TEST(Loader, ARejectedVariableHasNoFollowOnErrorInItsChecks) {
  const LoadedFile f = load_case_text(R"json({"name": "a", "dims": {"x": 3}, "variables": {"x": {"shape": [3, 1]}},
  "expression": "sum(x)", "checks": [{"wrt": "x", "expected": "ones(3, 1)"}, {"wrt": "y", "expected": "ones(3, 1)"}]})json", "b.json");
  ASSERT_EQ(f.errors.size(), 2u) << all_errors(f);
  EXPECT_EQ(f.errors[0].message(), "\"x\" is both a dim and a variable");
  EXPECT_EQ(f.errors[1].place().field, "checks[1].wrt");  // an undeclared name is still reported
}

// Programs (docs/programs.md): the "program" field and "program:NAME" fields.
TEST(LoaderPrograms, ReadsProgramAndItsFolder) {
  const LoadedFile f = load_case_text(R"json({"name": "p", "variables": {"x": {"shape": [3, 1]}},
    "expression": "program:loss", "program": {"command": ["python3", "net.py", "--fast"], "timeout_s": 2.5},
    "checks": [{"wrt": "x", "expected": "program:grad"}]})json", "examples/net/p.json");
  ASSERT_TRUE(f.errors.empty()) << all_errors(f);
  ASSERT_TRUE(f.cases[0].program);
  const ProgramSpec& p = *f.cases[0].program;
  EXPECT_EQ(p.command, (std::vector<std::string>{"python3", "net.py", "--fast"}));
  EXPECT_EQ(p.timeout_s, 2.5);
  EXPECT_EQ(p.folder, "examples/net");
  EXPECT_EQ(p.location.line, 2u);
}

TEST(LoaderPrograms, SuiteDefaultsGiveEveryCaseTheProgram) {
  const LoadedFile f = load_case_text(R"json({"defaults": {"program": {"command": ["./serve"]}}, "cases": [
    {"name": "a", "variables": {"x": {"shape": [3, 1]}}, "expression": "program:f",
     "checks": [{"wrt": "x", "expected": "2 * x"}]}]})json", "s.json");
  ASSERT_TRUE(f.errors.empty()) << all_errors(f);
  ASSERT_TRUE(f.cases[0].program);
  EXPECT_EQ(f.cases[0].program->timeout_s, 30.0);  // the default
  EXPECT_EQ(f.cases[0].program->folder, ".");
}

TEST(LoaderPrograms, ProgramFunctionWithoutProgramIsLocated) {
  const LoadedFile f = load_case_text(R"json({"name": "p", "variables": {"x": {"shape": [3, 1]}},
 "expression": "sum(x.^2)", "checks": [{"wrt": "x", "expected": "program:grad"}]})json", "p.json");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(std::string(f.errors[0].what()),
            "p.json:2:65: error [case.field] case \"p\", field \"checks[0].expected\": \"program:grad\" names a function "
            "of a program, but the case has no \"program\": add \"program\": {\"command\": [\"python3\", "
            "\"your_program.py\"]}");
}

TEST(LoaderPrograms, BadProgramFieldsAreLocated) {
  const LoadedFile f = load_case_text(R"json({"name": "p", "variables": {"x": {"shape": [3, 1]}},
 "expression": "program:", "program": {"command": "python3 f.py", "timeout_s": -1, "timeout": 3},
 "checks": [{"wrt": "x", "expected": "2 * x"}]})json", "p.json");
  const std::string e = all_errors(f);
  EXPECT_NE(e.find("p.json:2:51: error [case.field] case \"p\", field \"program.command\": expected a non-empty list of "
                   "strings, the program and its arguments (no shell), got a string \"python3 f.py\""),
            std::string::npos) << e;
  EXPECT_NE(e.find("field \"program.timeout_s\": expected seconds, a number in (0, 86400], got -1"), std::string::npos) << e;
  EXPECT_NE(e.find("field \"program.timeout\": unknown field (did you mean \"timeout_s\"?)"), std::string::npos) << e;
  EXPECT_NE(e.find("p.json:2:16: error [case.field] case \"p\", field \"expression\": \"program:\" needs the name of one "
                   "of the program's functions after it"),
            std::string::npos) << e;
}

TEST(LoaderPrograms, ProgramWithoutCommandIsAMissingField) {
  const LoadedFile f = load_case_text(R"json({"name": "p", "variables": {"x": {"shape": [3, 1]}},
 "expression": "program:f", "program": {}, "checks": [{"wrt": "x", "expected": "2 * x"}]})json", "p.json");
  ASSERT_EQ(f.errors.size(), 1u) << all_errors(f);
  EXPECT_EQ(f.errors[0].id(), "case.missing-field");
  EXPECT_NE(std::string(f.errors[0].what()).find("field \"program.command\": required field is missing"), std::string::npos);
}

}  // namespace
}  // namespace gradcheck
