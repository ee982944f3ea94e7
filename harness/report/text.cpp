// SPDX-License-Identifier: MIT
// The text report: one line per check, a block under each failing check, the closing line.
//
//   cases/seeds/bilinear.json
//   PASS   bilinear_wrt_B  d f/d B (denominator, auto)  max abs 1.20e-10  max rel 3.40e-09  worst B(2,0)
//   FAIL   bilinear_wrong  d f/d B (denominator, auto)  max abs 9.00e-01  max rel 1.00e+00  worst B(2,1)
//       entry      analytic       numeric  abs error  rel error
//       B(2,1)  1.000000e+00  5.000000e-01   5.00e-01   1.00e+00
//     [layout-transposed] expected matches the finite differences once transposed
//
//   1 expected failures, 0 unexpected passes
//   1 passed, 1 failed, 0 errors
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <cmath>

#include <algorithm>
#include <array>

#include "gradcheck/report.hpp"
#include "common/printable.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

using detail::outcome;
using detail::sci;

std::string paint(const std::string& s, const char* ansi, bool color) {
  return color ? fmt::format("\x1b[{}m{}\x1b[0m", ansi, s) : s;
}

// The status word, padded to one width so that the case names line up.
std::string status_word(Status status, bool color) {
  static const char* const kAnsi[] = {"32", "31;1", "35;1", "33", "31;1", "36"};  // by Status order
  std::string word = detail::status_name(status);
  for (auto& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return paint(fmt::format("{:<5}", word), kAnsi[static_cast<int>(status)], color);
}

// Right-aligned columns, widths from the widest cell (header included).
std::string entries_table(const std::vector<EntryError>& entries, int limit, const std::string& indent) {
  std::vector<std::array<std::string, 5>> rows = {{"entry", "analytic", "numeric", "abs error", "rel error"}};
  for (const auto& e : entries) {
    if (static_cast<int>(rows.size()) > limit) break;
    rows.push_back({detail::entry_label(e), sci(e.analytic, 6), sci(e.numeric, 6), sci(e.abs_error), sci(e.rel_error)});
  }
  std::array<std::size_t, 5> width{};
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent + fmt::format("{:>{}}", row[0], width[0]);
    for (std::size_t c = 1; c < row.size(); ++c) line += fmt::format("  {:>{}}", row[c], width[c]);
    out += line + "\n";
  }
  if (static_cast<int>(entries.size()) > limit)
    out += indent + fmt::format("({} more entries not shown)\n", static_cast<int>(entries.size()) - limit);
  return out;
}

std::string figures(double max_abs, double max_rel, const EntryError& worst) {
  // No entry was compared (expected has the wrong shape, or f is not finite): no figures to show.
  if (worst.label.empty() && worst.index.empty()) return "not compared entry by entry";
  return fmt::format("max abs {}  max rel {}  worst {}", sci(max_abs), sci(max_rel), detail::entry_label(worst));
}

}  // namespace

std::string closing_line(const Summary& s) {
  return fmt::format("{} passed, {} failed, {} errors, {} inconclusive", s.passed, s.failed, s.errors, s.inconclusive);
}

std::string check_text(const CaseResult& c, const CheckResult& check, const TextOptions& options) {
  const Status status = outcome(c, check);
  const bool color = options.color;
  std::string out = fmt::format("{}  {}  {}", status_word(status, color), printable(c.name), detail::check_label(c, check));
  if (check.status == Status::kError) {
    out += "\n" + detail::indent_lines(check.error.empty() ? c.error : check.error, "    ");
    return out;
  }
  out += "  " + figures(check.max_abs_error, check.max_rel_error, check.worst) + "\n";

  const bool failed = check.status == Status::kFail;
  const bool inconclusive = check.status == Status::kInconclusive;
  if (inconclusive) out += detail::indent_lines("inconclusive: " + check.reason, "    ");
  if (const std::string d = detail::directional(check); !d.empty()) out += "    " + d + "\n";
  for (const auto& note : check.notes) out += "    note: " + note + "\n";
  if (!check.kinks.empty() && !failed) {
    for (const KinkInfo& k : check.kinks)
      out += fmt::format("    kink at {}: forward slope {:.6g}, backward slope {:.6g}\n", k.label, k.forward, k.backward);
  }
  if ((failed && (status == Status::kFail || options.verbose)) || inconclusive || options.verbose)
    out += "    " + detail::numerics(check) + "\n";
  if (failed && (status == Status::kFail || options.verbose)) {
    std::string trial = check.trials.size() > 1
                            ? fmt::format("trial {} of {}, ", check.worst_trial + 1, check.trials.size())
                            : std::string();
    if (check.fd.evaluations > 0)
      out += fmt::format("    {}{} differences, step {}, {} evaluations\n", trial, check.fd.method, sci(check.fd.step),
                         check.fd.evaluations);
    // The case's own words: what the derivation is and where it comes from.
    if (!c.description.empty()) out += fmt::format("    about: {}\n", c.description);
    if (!c.source.empty()) out += fmt::format("    source: {}\n", c.source);
    if (!c.tags.empty()) out += fmt::format("    tags: {}\n", fmt::join(c.tags, ", "));
    if (!check.expected.empty()) {
      out += fmt::format("    expected {}", check.expected);
      if (!check.wanted_shape.empty()) out += fmt::format("  (the layout wants {})", check.wanted_shape);
      out += "\n";
    }
    if (!check.convention.empty()) out += fmt::format("    convention: {}\n", check.convention);
    if (std::isfinite(check.taylor_slope))
      out += fmt::format("    Taylor remainder slope {:.2f} ({})\n", check.taylor_slope,
                         check.derivative_order == 2 ? "3 for a Hessian, 2 for a wrong one"
                                                     : "2 for a gradient, 1 for a wrong one");
  }
  const bool table = (failed && status == Status::kFail) || (options.verbose && !check.worst_entries.empty());
  if (table && options.worst_entries > 0 && !check.worst_entries.empty()) out += entries_table(check.worst_entries, options.worst_entries, "    ");
  if (failed) {
    for (const auto& d : check.diagnoses) {
      // A message may carry a caret excerpt on further lines: keep them under the message.
      const std::string head = fmt::format("  [{}] ", paint(d.code, "1", color));
      const std::string body = detail::indent_lines(d.message, "      ");
      out += head + body.substr(std::min<std::size_t>(6, body.size()));
      if (out.back() != '\n') out += "\n";
    }
    if (!check.suggestion.expected.empty())
      out += fmt::format("  suggestion: {}  (derived symbolically, {}; passes this check)\n", check.suggestion.expected,
                         detail::suggestion_form(check.suggestion));
  }
  if (status == Status::kXpass) {
    out += "    expected to fail";
    if (!c.expected_diagnosis.empty()) out += fmt::format(" (diagnosis {})", c.expected_diagnosis);
    out += ", but every check passed\n";
  }
  if (!check.error.empty()) out += detail::indent_lines(check.error, "    ");
  if (options.verbose) {
    for (const auto& t : check.trials) {
      out += fmt::format("    trial {}: {}  {}  time {:.3f} ms\n", t.trial + 1, detail::status_name(t.status),
                         figures(t.max_abs_error, t.max_rel_error, t.worst), t.time_ms);
      if (!t.error.empty()) out += detail::indent_lines(t.error, "      ");
    }
  }
  return out;
}

std::string text(const RunResult& run, const TextOptions& options) {
  std::string out;
  std::string file;
  for (const auto& c : run.cases) {
    // quiet: only what the suite counts as a failure (fail, error, xpass).
    if (options.quiet && !detail::is_bad(c.status) && c.status != Status::kInconclusive) continue;
    if (c.file != file && !options.quiet) {
      file = c.file;
      out += (out.empty() ? "" : "\n") + paint(file, "1", options.color) + "\n";
    }
    // The case's own error, unless a check already carries the same text (said once, there).
    const bool said_by_a_check = std::any_of(c.checks.begin(), c.checks.end(),
                                             [&](const CheckResult& k) { return !k.error.empty() && k.error == c.error; });
    if (c.checks.empty() || (c.status == Status::kError && !c.error.empty() && !said_by_a_check)) {
      // The case itself could not be run: its error, caret excerpt kept as written.
      out += fmt::format("{}  {}", status_word(c.status, options.color), printable(c.name));
      if (options.quiet && !c.file.empty()) out += "  (" + c.file + ")";
      out += "\n" + detail::indent_lines(c.error.empty() ? "(no checks)" : c.error, "    ");
    }
    for (const auto& check : c.checks) {
      if (options.quiet && !detail::is_bad(outcome(c, check)) && check.status != Status::kInconclusive) continue;
      if (c.status == Status::kError && !c.error.empty() && check.status == Status::kError && check.error.empty())
        continue;  // already said above
      out += check_text(c, check, options);
    }
    // A case that failed for a reason of its own (an expect-fail case that did not name its
    // promised diagnosis): say why under its checks.
    if (c.status == Status::kFail && !c.error.empty() && !c.checks.empty())
      out += detail::indent_lines(c.error, "    ");
  }
  const Summary& s = run.summary;
  if (!options.quiet || s.expected_failures > 0 || s.unexpected_passes > 0) {
    out += fmt::format("{}{} expected failures, {} unexpected passes\n", out.empty() ? "" : "\n", s.expected_failures,
                       s.unexpected_passes);
  }
  return out + closing_line(s) + "\n";
}

}  // namespace gradcheck::report
