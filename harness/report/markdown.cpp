// SPDX-License-Identifier: MIT
// gradcheck-report.md: GitHub-flavoured Markdown for a CI job summary ($GITHUB_STEP_SUMMARY):
// the status counts, one table row per check, then details of every check that failed.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "gradcheck/report.hpp"
#include "common/printable.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

// A table cell: one line, with the characters Markdown would act on escaped.
std::string cell(const std::string& raw) {
  const std::string text = printable(raw);
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n') out += "<br>";
    else if (ch == '\r') continue;
    else if (ch == '<') out += "&lt;";
    else if (ch == '>') out += "&gt;";
    else out += ch;
  }
  return out;
}

// Inline code that survives backticks in the text (a fence longer than any run inside) and
// table cells (GitHub reads \| inside code in a table as a literal bar).
std::string code(const std::string& raw) {
  if (raw.empty()) return "";
  const std::string text = printable(raw);
  std::string body;
  std::size_t run = 0, longest = 0;
  for (char ch : text) {
    longest = std::max(longest, run = ch == '`' ? run + 1 : 0);
    body += ch == '|' ? std::string("\\|") : ch == '\n' ? std::string(" ") : std::string(1, ch);
  }
  std::string fence(longest + 1, '`');
  std::string pad = text.front() == '`' || text.back() == '`' ? " " : "";
  return fence + pad + body + pad + fence;
}

std::string block(const std::string& text) {
  std::size_t run = 0, longest = 2;
  for (char ch : text) longest = std::max(longest, run = ch == '`' ? run + 1 : 0);
  std::string fence(longest + 1, '`');
  return fence + "text\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + fence + "\n";
}

// The status as a word; what the suite counts as a failure in bold.
std::string word(Status status) {
  std::string w = detail::status_name(status);
  return detail::is_bad(status) ? "**" + w + "**" : w;
}

}  // namespace

std::string markdown(const RunResult& run) {
  const Summary& s = run.summary;
  std::string out = "## gradcheck report\n\n";
  out += fmt::format("**{}**\n\n", closing_line(s));
  out += "| status | count |\n| --- | ---: |\n";
  out += fmt::format("| passed | {} |\n| failed | {} |\n| errors | {} |\n", s.passed, s.failed, s.errors);
  out += fmt::format("| expected failures | {} |\n| unexpected passes | {} |\n| inconclusive | {} |\n\n",
                     s.expected_failures, s.unexpected_passes, s.inconclusive);

  out += "### Checks\n\n";
  out += "| status | case | file | derivative | max abs error | max rel error | worst entry |\n";
  out += "| --- | --- | --- | --- | ---: | ---: | --- |\n";
  std::string details;
  for (const auto& c : run.cases) {
    if (c.checks.empty()) {
      out += fmt::format("| {} | {} | {} | {} | | | |\n", word(c.status), code(c.name), cell(c.file),
                         cell(detail::split_lines(c.error).empty() ? "" : detail::split_lines(c.error).front()));
    }
    for (const auto& k : c.checks) {
      const Status status = detail::outcome(c, k);
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", word(status), code(c.name), cell(c.file),
                         cell(detail::check_label(c, k)), detail::sci(k.max_abs_error), detail::sci(k.max_rel_error),
                         status == Status::kError ? "" : code(detail::entry_label(k.worst)));
    }
    // Details for what the suite counts as a failure, and for what could not be decided.
    if (!detail::is_bad(c.status) && c.status != Status::kInconclusive) continue;
    if (c.status == Status::kError && !c.error.empty()) {
      details += fmt::format("#### error: {} ({})\n\n", code(c.name), cell(c.file));
      if (!c.error_id.empty()) details += fmt::format("Error id {}.\n\n", code(c.error_id));
      details += block(c.error) + "\n";
    }
    for (const auto& k : c.checks) {
      const Status status = detail::outcome(c, k);
      if ((!detail::is_bad(status) && status != Status::kInconclusive) || (status == Status::kError && k.error.empty()))
        continue;
      details += fmt::format("#### {}: {} {}\n\n", detail::status_name(status), code(c.name),
                             cell(detail::check_label(c, k)));
      if (status == Status::kError) {
        details += block(k.error) + "\n";
        continue;
      }
      if (status == Status::kXpass) {
        details += "Expected to fail";
        if (!c.expected_diagnosis.empty()) details += fmt::format(" (diagnosis {})", code(c.expected_diagnosis));
        details += ", but every check passed.\n\n";
      }
      if (!c.description.empty()) details += fmt::format("- about: {}\n", cell(c.description));
      if (!c.source.empty()) details += fmt::format("- source: {}\n", cell(c.source));
      if (!c.tags.empty()) details += fmt::format("- tags: {}\n", cell(fmt::format("{}", fmt::join(c.tags, ", "))));
      const EntryError& w = k.worst;
      details += fmt::format("- worst entry {}: analytic {}, numeric {} (abs error {}, rel error {})\n",
                             code(detail::entry_label(w)), detail::sci(w.analytic, 6), detail::sci(w.numeric, 6),
                             detail::sci(w.abs_error), detail::sci(w.rel_error));
      if (!k.expected.empty()) details += fmt::format("- expected {}", code(k.expected));
      if (!k.wanted_shape.empty()) details += fmt::format(" (the layout wants {})", k.wanted_shape);
      if (!k.expected.empty()) details += "\n";
      if (status == Status::kInconclusive) details += fmt::format("- inconclusive: {}\n", cell(k.reason));
      details += fmt::format("- {}\n", cell(detail::numerics(k)));
      for (const auto& note : k.notes) details += fmt::format("- note: {}\n", cell(note));
      for (const auto& d : k.diagnoses) details += fmt::format("- {}: {}\n", code(d.code), cell(d.message));
      if (!k.suggestion.expected.empty())
        details += fmt::format("- suggestion: {} ({}; verified by this check)\n", code(k.suggestion.expected),
                               detail::suggestion_form(k.suggestion));
      details += "\n";
    }
  }
  if (!details.empty()) out += "\n### Failures and inconclusive checks\n\n" + details;
  return out;
}

}  // namespace gradcheck::report
