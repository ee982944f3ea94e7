// SPDX-License-Identifier: MIT
// Helpers shared by the report formats (private to harness/report). Nothing here computes a
// derivative: these only name, label and print what the engine measured.
#pragma once

#include <string>
#include <vector>

#include "gradcheck/result.hpp"

namespace gradcheck::report::detail {

// "pass", "fail", "error", "xfail", "xpass" (the report's own spelling of a Status).
std::string status_name(Status status);  // gradcheck::to_string(Status)
// The inverse of status_name; false for any other word.
bool parse_status(const std::string& word, Status* out);

// The status of one check as the suite sees it, given its case's expectation:
//   error stays error;
//   in an `expect: "fail"` case a failing check is xfail, and a passing one is xpass when the
//   case as a whole passed (xpass), pass otherwise;
//   in an ordinary case the check's own status.
// Every format and the comparison use this one rule.
Status outcome(const CaseResult& c, const CheckResult& check);
// Failures of the suite: fail, error, xpass.
bool is_bad(Status status);

// The derivative a check is about, for people: "d f/d B (denominator, auto)",
// "d vec(f)/d vec(W) (numerator, vec, row-major)", "d Z[i,l]/d H[j,k] (index)".
std::string derivative(const CheckResult& check);
// The heading of check k of case c in every format (text, JSON "label", JUnit name, Markdown,
// HTML, compare): derivative(k), and when another check of the same case reads the same,
// " #N" with N the check's 1-based position in the case, so that no two headings of a case are
// equal. `check` must be an element of c.checks (else derivative(check) alone).
std::string check_label(const CaseResult& c, const CheckResult& check);

// What a check's verdict was decided against, in one line for every format: "reference fd
// (central differences), bound 8.6e-11, 68 evaluations; double precision (measured: ...);
// tolerance rtol 1e-05 atol 1e-07; resolution 1.0e-05".
std::string numerics(const CheckResult& check);
// A directional check: its probes and the chance that a wrong derivative escaped them; "" for an
// entry-wise check.
std::string directional(const CheckResult& check);

// The layout and form of a suggestion as every report words them: "denominator layout, form auto";
// "form vec" alone for a second-order check (layout does not apply).
std::string suggestion_form(const Suggestion& suggestion);

// Scientific notation with `digits` digits after the point ("1.20e-10"); "nan", "inf", "-inf"
// for non-finite values.
std::string sci(double value, int digits = 2);
// "(2,0)" from a 0-based index; "()" when empty.
std::string index_text(const std::vector<arma::uword>& index);
// The entry's label, or its index when the engine gave none.
std::string entry_label(const EntryError& entry);
// "4x3".
std::string shape_text(const arma::mat& m);
// Splits on '\n' (a trailing newline gives no empty last line).
std::vector<std::string> split_lines(const std::string& text);
// Every line of `text` prefixed by `indent`, each ended by '\n' (carets stay aligned).
std::string indent_lines(const std::string& text, const std::string& indent);

// Escapes for XML/HTML text and attribute values: & < > " ' become entities; characters that
// XML 1.0 forbids (C0 controls other than tab/newline/return, U+FFFE, U+FFFF) and malformed
// UTF-8 become U+FFFD, so any message from a user's file yields a well-formed document.
std::string xml_escape(const std::string& text);

}  // namespace gradcheck::report::detail
