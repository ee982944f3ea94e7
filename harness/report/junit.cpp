// SPDX-License-Identifier: MIT
// gradcheck-report.xml in the JUnit format CI servers read (Jenkins, GitLab, GitHub actions):
//
//   <testsuites>                       the run
//     <testsuite name=FILE>            the cases of one case file, in run order
//       <testcase classname=FILE name="CASE: d f/d B (denominator, auto)">   one per check
//         <failure>  check fail, or an xpass (a known-wrong case that passed)
//         <error>    the check or its case could not be evaluated
//         <system-out> an expected failure (xfail): a passing testcase that says so
//
// A case without checks (its file could not be loaded) is one testcase named after the case.
// Validated by tests/report/junit.xsd.
#include <fmt/format.h>

#include <map>

#include "gradcheck/report.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

using detail::xml_escape;

// Attribute values: also keep line breaks and tabs (a parser would turn them into spaces).
std::string attr(const std::string& value) {
  std::string out;
  for (char ch : xml_escape(value)) {
    if (ch == '\n') out += "&#10;";
    else if (ch == '\r') out += "&#13;";
    else if (ch == '\t') out += "&#9;";
    else out += ch;
  }
  return out;
}

std::string seconds(double ms) { return fmt::format("{:.6f}", ms > 0 ? ms / 1000.0 : 0.0); }

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double ms = 0.0;
};

// One <testcase>; `body` is the failure/error/system-out element or empty.
std::string testcase(const std::string& classname, const std::string& name, double ms, const std::string& body) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", attr(classname), attr(name),
                                seconds(ms));
  if (body.empty()) return out + "/>\n";
  return out + ">\n" + body + "    </testcase>\n";
}

std::string element(const char* tag, const std::string& message, const std::string& type, const std::string& body) {
  return fmt::format("      <{0} message=\"{1}\" type=\"{2}\">{3}</{0}>\n", tag, attr(message), attr(type),
                     xml_escape(body));
}

// The testcases of one case, counting them into `counts`.
std::string case_xml(const CaseResult& c, Counts& counts) {
  std::string out;
  const std::string classname = c.file.empty() ? c.name : c.file;
  if (c.checks.empty()) {
    counts.tests++;
    counts.ms += c.time_ms;
    std::string body;
    if (c.status == Status::kError) {
      counts.errors++;
      body = element("error", first_line(c.error), c.error_id.empty() ? "error" : c.error_id, c.error);
    } else if (detail::is_bad(c.status)) {
      counts.failures++;
      body = element("failure", detail::status_name(c.status), detail::status_name(c.status), c.error);
    }
    return testcase(classname, c.name, c.time_ms, body);
  }
  for (const auto& check : c.checks) {
    const Status status = detail::outcome(c, check);
    const std::string text = check_text(c, check);
    std::string body;
    counts.tests++;
    counts.ms += check.time_ms;
    switch (status) {
      case Status::kFail: {
        counts.failures++;
        std::string message = fmt::format("max rel error {} at {}", detail::sci(check.max_rel_error),
                                          detail::entry_label(check.worst));
        for (const auto& d : check.diagnoses) message += " [" + d.code + "]";
        body = element("failure", message, "fail", text);
        break;
      }
      case Status::kXpass:
        counts.failures++;
        body = element("failure", "expected to fail, but passed", "xpass", text);
        break;
      case Status::kError: {
        counts.errors++;
        const std::string& error = check.error.empty() ? c.error : check.error;
        body = element("error", first_line(error), c.error_id.empty() ? "error" : c.error_id, error);
        break;
      }
      case Status::kXfail:
        body = "      <system-out>" + xml_escape("expected failure (xfail)\n" + text) + "</system-out>\n";
        break;
      case Status::kInconclusive:
        // Neither passed nor failed: skipped, with the reason.
        counts.skipped++;
        body = fmt::format("      <skipped message=\"{}\">{}</skipped>\n", attr("inconclusive: " + check.reason),
                           xml_escape(text));
        break;
      case Status::kPass:
        break;
    }
    out += testcase(classname, c.name + ": " + detail::check_label(c, check), check.time_ms, body);
  }
  return out;
}

}  // namespace

std::string junit(const RunResult& run) {
  // One <testsuite> per case file, files in the order they first appear.
  std::vector<std::string> files;
  std::map<std::string, std::vector<const CaseResult*>> by_file;
  for (const auto& c : run.cases) {
    if (by_file.find(c.file) == by_file.end()) files.push_back(c.file);
    by_file[c.file].push_back(&c);
  }
  Counts total;
  std::string suites;
  int id = 0;
  for (const auto& file : files) {
    Counts counts;
    std::string cases;
    for (const CaseResult* c : by_file[file]) cases += case_xml(*c, counts);
    suites += fmt::format(
        "  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
        attr(file.empty() ? "gradcheck" : file), id++, counts.tests, counts.failures, counts.errors, counts.skipped,
        seconds(counts.ms));
    suites += cases + "  </testsuite>\n";
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
    total.skipped += counts.skipped;
  }
  return fmt::format(
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<testsuites name=\"gradcheck\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
             total.tests, total.failures, total.errors, total.skipped, seconds(run.time_ms)) +
         suites + "</testsuites>\n";
}

}  // namespace gradcheck::report
