// SPDX-License-Identifier: MIT
// gradcheck-report.html: one self-contained page (inline CSS and SVG, no script, no network).
//
//   the summary (counts and the closing line)
//   a table of every check
//   for each failing check: the diagnoses, the worst entries, three heatmaps of the matrices as
//   `expected` is written (analytic, numeric, analytic - numeric; a diverging colour scale, white
//   at 0, hover a cell for its value) so a transpose or a wrong diagonal shows at a glance, and
//   a log-log plot of the error at the worst entry against the finite-difference step
//   errors of cases that could not run, with their caret excerpts
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "gradcheck/report.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

using detail::sci;
using detail::xml_escape;

constexpr arma::uword kMaxCells = 40;  // heatmaps show at most the first 40 rows and 40 columns

const char* kStyle = R"css(
:root { --pass:#1a7f37; --fail:#cf222e; --error:#8250df; --xfail:#9a6700; --xpass:#cf222e;
        --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: #fff; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0; display: inline; }
code, pre, .num { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.closing { font-size: 15px; font-weight: 600; margin: 4px 0 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; background: var(--soft); }
.card b { display: block; font-size: 24px; line-height: 1.2; }
.card span { color: var(--muted); font-size: 12.5px; }
.card.bad b { color: var(--fail); }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 12.5px; color: var(--muted); }
tr:hover td { background: #fbfcfd; }
.badge { display: inline-block; min-width: 46px; text-align: center; padding: 1px 7px; border-radius: 10px;
         font-size: 11.5px; font-weight: 600; color: #fff; text-transform: uppercase; letter-spacing: .03em; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.error { background: var(--error); } .badge.xfail { background: var(--xfail); }
.badge.xpass { background: var(--xpass); } .badge.inconclusive { background: #6e7781; }
details.check { border: 1px solid var(--line); border-radius: 8px; margin: 14px 0; background: #fff; }
details.check > summary { cursor: pointer; padding: 10px 14px; background: var(--soft); border-radius: 8px 8px 0 0; }
details.check > div { padding: 6px 16px 14px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
ul.diagnoses { padding-left: 18px; margin: 8px 0; } ul.diagnoses code { font-weight: 600; }
table.entries { width: auto; margin: 0; }
.plots { display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start; margin-top: 14px; }
figure { margin: 0; } figure svg { display: block; } figcaption { font-size: 12.5px; color: var(--muted); margin-top: 2px; }
figcaption b { color: var(--ink); font-weight: 600; }
svg text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 9.5px; fill: #59636e; }
svg rect.cell:hover { stroke: #1f2328; stroke-width: 1.5; }
pre.error { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; }
.note { font-size: 12.5px; color: var(--muted); margin: 6px 0 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
)css";

std::string badge(Status status) {
  const std::string name = detail::status_name(status);
  return fmt::format("<span class=\"badge {0}\">{0}</span>", name);
}

// Diverging scale: blue for negative, white at 0, red for positive; |v| >= vmax saturates.
std::string colour(double v, double vmax) {
  if (!std::isfinite(v)) return "#8c959f";
  static const double kStops[5][3] = {{33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}};
  double t = vmax > 0 ? std::clamp(v / vmax, -1.0, 1.0) : 0.0;
  double x = (t + 1.0) * 2.0;
  int i = std::min(static_cast<int>(x), 3);
  double f = x - i;
  auto mix = [&](int c) { return static_cast<int>(std::lround(kStops[i][c] * (1 - f) + kStops[i + 1][c] * f)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(0), mix(1), mix(2));
}

double max_abs(const arma::mat& m) {
  double v = 0.0;
  for (double x : m)
    if (std::isfinite(x)) v = std::max(v, std::abs(x));
  return v;
}

// Every k-th index gets a label, k from 1, 2, 5, 10, ... so labels stay `gap` pixels apart.
arma::uword label_step(int cell, int gap) {
  for (arma::uword k : {1, 2, 5, 10, 20, 50})
    if (static_cast<int>(k) * cell >= gap) return k;
  return 100;
}

// The colour scale from -vmax to vmax as a bar at (x, y), `width` wide, with its end values.
std::string legend(double vmax, int x, int y, int width) {
  const int steps = 60;
  std::string out;
  for (int s = 0; s < steps; ++s) {
    const double v = vmax * (-1.0 + 2.0 * (s + 0.5) / steps);
    out += fmt::format("<rect x=\"{:.2f}\" y=\"{}\" width=\"{:.2f}\" height=\"9\" fill=\"{}\"/>",
                       x + s * width / double(steps), y, width / double(steps) + 0.3, colour(v, vmax));
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text>", x, y + 21, sci(-vmax, 1));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">0</text>", x + width / 2, y + 21);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", x + width, y + 21, sci(vmax, 1));
  return out;
}

// One matrix as an SVG grid with its colour scale under it; `mark` outlines one cell (the worst
// entry) when it is shown.
std::string heatmap(const arma::mat& m, double vmax, const std::string& name, const std::vector<arma::uword>& mark) {
  const arma::uword rows = std::min(m.n_rows, kMaxCells), cols = std::min(m.n_cols, kMaxCells);
  const int cell = std::clamp(260 / static_cast<int>(std::max<arma::uword>({rows, cols, 1})), 6, 40);
  const int left = 26, top = 16;
  const int grid_w = static_cast<int>(cols) * cell, grid_h = static_cast<int>(rows) * cell;
  const int bar = std::max(grid_w, 150);
  const int width = left + bar + 4, height = top + grid_h + 36;
  std::string out = fmt::format(
      "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"{2}\">\n",
      width, height, xml_escape(name));
  const arma::uword rstep = label_step(cell, 11), cstep = label_step(cell, 16);
  for (arma::uword j = 0; j < cols; j += cstep)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", left + j * cell + cell / 2.0,
                       top - 5, j);
  for (arma::uword i = 0; i < rows; i += rstep)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"central\">{}</text>",
                       left - 4, top + i * cell + cell / 2.0, i);
  out += "\n";
  const char* stroke = cell >= 10 ? " stroke=\"#fff\" stroke-width=\"0.5\"" : "";
  for (arma::uword i = 0; i < rows; ++i) {
    for (arma::uword j = 0; j < cols; ++j) {
      out += fmt::format(
          "<rect class=\"cell\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}><title>{}({},{}) = {}</title></rect>",
          left + j * cell, top + i * cell, cell, cell, colour(m(i, j), vmax), stroke, xml_escape(name), i, j,
          sci(m(i, j), 6));
    }
    out += "\n";
  }
  if (mark.size() == 2 && mark[0] < rows && mark[1] < cols) {
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#1f2328\" stroke-width=\"2\" "
        "pointer-events=\"none\"/>\n",
        left + mark[1] * cell, top + mark[0] * cell, cell, cell);
  }
  return out + legend(vmax, left, top + grid_h + 8, bar) + "</svg>";
}

std::string figure(const std::string& content, const std::string& caption) {
  return "<figure>" + content + "<figcaption>" + caption + "</figcaption></figure>\n";
}

// "10" with a superscript exponent.
std::string decade(int e) { return fmt::format("10<tspan dy=\"-5\" font-size=\"8\">{}</tspan>", e); }

// Log-log plot of (h, error) pairs; non-positive or non-finite points cannot be drawn and are
// counted in the caption. `step` (the base step used) is drawn as a dashed line when in range.
std::string step_plot(const std::vector<std::pair<double, double>>& data, double step) {
  std::vector<std::pair<double, double>> pts;
  for (const auto& [h, e] : data)
    if (std::isfinite(h) && std::isfinite(e) && h > 0 && e > 0) pts.emplace_back(std::log10(h), std::log10(e));
  if (pts.empty()) return "<p class=\"note\">No error-against-step data to plot.</p>";
  std::sort(pts.begin(), pts.end());
  auto range = [&](auto get) {
    double lo = get(pts.front()), hi = lo;
    for (const auto& p : pts) lo = std::min(lo, get(p)), hi = std::max(hi, get(p));
    int a = static_cast<int>(std::floor(lo)), b = static_cast<int>(std::ceil(hi));
    return std::pair<int, int>(a, std::max(b, a + 1));
  };
  // Plain ints, not structured bindings: C++17 lambdas cannot capture those.
  const std::pair<int, int> xr = range([](const auto& p) { return p.first; });
  const std::pair<int, int> yr = range([](const auto& p) { return p.second; });
  const int x0 = xr.first, x1 = xr.second, y0 = yr.first, y1 = yr.second;
  const int W = 400, H = 260, L = 58, R = 14, T = 12, B = 44;
  auto px = [&](double lx) { return L + (lx - x0) / (x1 - x0) * (W - L - R); };
  auto py = [&](double ly) { return H - B - (ly - y0) / (y1 - y0) * (H - T - B); };
  std::string out = fmt::format(
      "<svg class=\"stepplot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"error against step, log-log\">\n",
      W, H);
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fbfcfd\" stroke=\"#d1d9e0\"/>\n", L, T,
                     W - L - R, H - T - B);
  const int xstride = (x1 - x0 + 7) / 8, ystride = (y1 - y0 + 6) / 7;  // at most ~8 labelled decades
  for (int e = x0; e <= x1; ++e) {
    out += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#e6eaef\"/>", px(e), T, H - B);
    if ((e - x0) % xstride == 0)
      out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>", px(e), H - B + 16, decade(e));
  }
  for (int e = y0; e <= y1; ++e) {
    out += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#e6eaef\"/>", L, W - R, py(e));
    if ((e - y0) % ystride == 0)
      out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" dominant-baseline=\"central\">{}</text>", L - 6,
                         py(e), decade(e));
  }
  out += "\n";
  if (step > 0 && std::log10(step) >= x0 && std::log10(step) <= x1) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#9a6700\" stroke-dasharray=\"4 3\"/>"
        "<text x=\"{3:.1f}\" y=\"{4}\" style=\"fill:#9a6700\">step used</text>\n",
        px(std::log10(step)), T, H - B, px(std::log10(step)) + 4, T + 12);
  }
  std::string line;
  for (const auto& [lx, ly] : pts) line += fmt::format("{:.1f},{:.1f} ", px(lx), py(ly));
  out += "<polyline fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.6\" points=\"" + line + "\"/>\n";
  for (const auto& [lx, ly] : pts)
    out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#0969da\"><title>h = {}, error = {}</title></circle>",
                       px(lx), py(ly), sci(std::pow(10.0, lx)), sci(std::pow(10.0, ly)));
  out += fmt::format("\n<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" style=\"font-size:11px\">step h</text>",
                     L + (W - L - R) / 2, H - 6);
  out += fmt::format(
      "<text transform=\"translate(13 {}) rotate(-90)\" text-anchor=\"middle\" style=\"font-size:11px\">"
      "|analytic &#8722; numeric(h)|</text>\n",
      T + (H - T - B) / 2);
  out += "</svg>";
  std::string caption = "<b>error against step</b> at the worst entry (log-log)";
  if (pts.size() < data.size()) caption += fmt::format("; {} points at 0 or non-finite not drawn", data.size() - pts.size());
  return figure(out, caption);
}

std::string shown_note(const arma::mat& m) {
  if (m.n_rows <= kMaxCells && m.n_cols <= kMaxCells) return "";
  return fmt::format(" &#8212; first {}x{} of {}", std::min(m.n_rows, kMaxCells), std::min(m.n_cols, kMaxCells),
                     detail::shape_text(m));
}

// The three heatmaps of one trial, each with its colour scale: analytic and numeric share one, so
// equal entries have equal colours; the difference has its own.
std::string heatmaps(const TrialResult& t, const EntryError& worst) {
  const arma::mat& a = t.analytic;
  const arma::mat& n = t.numeric;
  if (a.is_empty() && n.is_empty())
    return t.status == Status::kFail ? "<p class=\"note\">No matrices were recorded for this check.</p>\n" : "";
  std::vector<arma::uword> mark = worst.index;
  if (mark.size() == 1) mark.push_back(0);
  const double vmax = std::max(max_abs(a), max_abs(n));
  std::string out = "<div class=\"plots\">\n";
  out += figure(heatmap(a, vmax, "analytic", mark),
                fmt::format("<b>analytic</b> (expected) {}{}", detail::shape_text(a), shown_note(a)));
  out += figure(heatmap(n, vmax, "numeric", mark),
                fmt::format("<b>numeric</b> (finite differences) {}{}", detail::shape_text(n), shown_note(n)));
  if (a.n_rows == n.n_rows && a.n_cols == n.n_cols) {
    const arma::mat diff = a - n;
    const double dmax = max_abs(diff);
    out += figure(heatmap(diff, dmax, "difference", mark),
                  fmt::format("<b>analytic &#8722; numeric</b>{}", shown_note(diff)));
  } else {
    out += fmt::format("<p class=\"note\">No difference map: the shapes differ ({} against {}).</p>\n",
                       detail::shape_text(a), detail::shape_text(n));
  }
  return out + "</div>\n";
}

std::string entries_table(const std::vector<EntryError>& entries) {
  if (entries.empty()) return "";
  std::string out =
      "<table class=\"entries\"><tr><th>entry</th><th>analytic</th><th>numeric</th><th>abs error</th>"
      "<th>rel error</th></tr>\n";
  for (const auto& e : entries)
    out += fmt::format(
        "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td></tr>\n",
        xml_escape(detail::entry_label(e)), sci(e.analytic, 6), sci(e.numeric, 6), sci(e.abs_error), sci(e.rel_error));
  return out + "</table>\n";
}

std::string details(const CaseResult& c, const CheckResult& k, Status status, const std::string& id) {
  std::string out = fmt::format("<details class=\"check\" id=\"{}\"{}>\n<summary>{} <h3>{}</h3> <code>{}</code></summary>\n<div>\n",
                                id, status == Status::kXfail ? "" : " open", badge(status), xml_escape(c.name),
                                xml_escape(detail::check_label(c, k)));
  out += "<dl class=\"facts\">";
  auto fact = [&](const char* name, const std::string& value) {
    if (!value.empty()) out += fmt::format("<dt>{}</dt><dd>{}</dd>", name, value);
  };
  fact("file", "<code>" + xml_escape(c.file) + "</code>");
  if (!c.description.empty()) fact("about", xml_escape(c.description));
  if (!c.source.empty()) fact("source", xml_escape(c.source));
  if (!c.tags.empty()) fact("tags", xml_escape(fmt::format("{}", fmt::join(c.tags, ", "))));
  if (!k.expected.empty()) fact("expected", "<code>" + xml_escape(k.expected) + "</code>");
  fact("wanted shape", xml_escape(k.wanted_shape));
  fact("convention", xml_escape(k.convention));
  fact("figures", fmt::format("max abs error {}, max rel error {}, norm-wise rel error {}", sci(k.max_abs_error),
                              sci(k.max_rel_error), sci(k.rel_error_norm)));
  fact("differences", xml_escape(fmt::format("{}, step {}, {} evaluations{}", k.fd.method, sci(k.fd.step),
                                             k.fd.evaluations,
                                             k.trials.size() > 1 ? fmt::format(", trial {} of {}", k.worst_trial + 1,
                                                                               k.trials.size())
                                                                 : "")));
  fact("verdict", xml_escape(detail::numerics(k)));
  if (status == Status::kInconclusive) fact("inconclusive", xml_escape(k.reason));
  for (const auto& note : k.notes) fact("note", xml_escape(note));
  if (status == Status::kXfail || status == Status::kXpass)
    fact("expected to", "fail" + (c.expected_diagnosis.empty() ? "" : ", with diagnosis <code>" +
                                                                          xml_escape(c.expected_diagnosis) + "</code>"));
  out += "</dl>\n";
  if (!k.diagnoses.empty()) {
    out += "<ul class=\"diagnoses\">\n";
    for (const auto& d : k.diagnoses)
      out += fmt::format("<li><code>{}</code> {}</li>\n", xml_escape(d.code), xml_escape(d.message));
    out += "</ul>\n";
  }
  if (!k.suggestion.expected.empty())
    out += fmt::format("<p class=\"suggestion\">suggestion: <code>{}</code> ({}; verified by this check)</p>\n",
                       xml_escape(k.suggestion.expected), detail::suggestion_form(k.suggestion));
  if (!k.error.empty()) out += "<pre class=\"error\">" + xml_escape(k.error) + "</pre>\n";
  if (k.worst_trial < 0 || k.worst_trial >= static_cast<int>(k.trials.size())) {
    out += entries_table(k.worst_entries);
  } else {
    const TrialResult& t = k.trials[k.worst_trial];
    out += heatmaps(t, k.worst);
    out += "<div class=\"plots\">\n" + entries_table(k.worst_entries);
    if (!t.error_vs_step.empty()) out += step_plot(t.error_vs_step, t.fd.step);
    out += "</div>\n";
  }
  return out + "</div>\n</details>\n";
}

}  // namespace

std::string html(const RunResult& run) {
  const Summary& s = run.summary;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>gradcheck report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<main>\n<h1>gradcheck report</h1>\n";
  out += fmt::format("<p class=\"closing\">{}</p>\n", closing_line(s));
  out += fmt::format("<p class=\"muted\">{} cases, run in {:.1f} ms, seed {}. Indices are 0-based (row, column).</p>\n",
                     run.cases.size(), run.time_ms, run.seed);
  out += "<div class=\"cards\">\n";
  const std::array<std::pair<const char*, int>, 5> cards = {{{"passed", s.passed},
                                                             {"failed", s.failed},
                                                             {"errors", s.errors},
                                                             {"expected failures", s.expected_failures},
                                                             {"unexpected passes", s.unexpected_passes}}};
  for (std::size_t i = 0; i < cards.size(); ++i) {
    const bool bad = (i == 1 || i == 2 || i == 4) && cards[i].second > 0;
    out += fmt::format("<div class=\"card{}\"><b>{}</b><span>{}</span></div>\n", bad ? " bad" : "", cards[i].second,
                       cards[i].first);
  }
  out += "</div>\n";

  out += "<h2>Checks</h2>\n<table class=\"checks\">\n<tr><th>status</th><th>case</th><th>derivative</th>"
         "<th class=\"num\">max abs error</th><th class=\"num\">max rel error</th><th class=\"num\">norm rel error</th>"
         "<th>worst entry</th><th class=\"num\">time ms</th></tr>\n";
  std::string failures, errors;
  for (std::size_t ci = 0; ci < run.cases.size(); ++ci) {
    const CaseResult& c = run.cases[ci];
    const std::string name = fmt::format("{}<br><span class=\"muted\">{}</span>", xml_escape(c.name), xml_escape(c.file));
    if (c.status == Status::kError && !c.error.empty()) {
      const std::string id = fmt::format("case-{}", ci);
      errors += fmt::format("<h3 id=\"{}\">{} {}</h3> <span class=\"muted\">{}</span>\n", id, badge(c.status),
                            xml_escape(c.name), xml_escape(c.file));
      errors += "<pre class=\"error\">" + xml_escape(c.error) + "</pre>\n";
      if (c.checks.empty()) {
        auto lines = detail::split_lines(c.error);
        out += fmt::format("<tr><td>{}</td><td>{}</td><td colspan=\"6\"><a href=\"#{}\">{}</a></td></tr>\n",
                           badge(c.status), name, id, xml_escape(lines.empty() ? "error" : lines.front()));
      }
    }
    for (std::size_t ki = 0; ki < c.checks.size(); ++ki) {
      const CheckResult& k = c.checks[ki];
      const Status status = detail::outcome(c, k);
      const std::string id = fmt::format("check-{}-{}", ci, ki);
      std::string what = "<code>" + xml_escape(detail::check_label(c, k)) + "</code>";
      if (k.status == Status::kFail || (status != Status::kPass && status != Status::kError)) {
        what = fmt::format("<a href=\"#{}\">{}</a>", id, what);
        failures += details(c, k, status, id);
      }
      if (k.status == Status::kError) {
        const std::string& error = k.error.empty() ? c.error : k.error;
        auto lines = detail::split_lines(error);
        out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td colspan=\"5\">{}</td></tr>\n", badge(status), name,
                           what, xml_escape(lines.empty() ? "error" : lines.front()));
        if (!k.error.empty())
          errors += fmt::format("<h3>{} {}</h3> <code>{}</code>\n<pre class=\"error\">{}</pre>\n", badge(status),
                                xml_escape(c.name), xml_escape(detail::check_label(c, k)), xml_escape(k.error));
        continue;
      }
      out += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td><code>{}</code></td><td class=\"num\">{:.2f}</td></tr>\n",
          badge(status), name, what, sci(k.max_abs_error), sci(k.max_rel_error), sci(k.rel_error_norm),
          xml_escape(detail::entry_label(k.worst)), k.time_ms);
    }
  }
  out += "</table>\n";
  if (!failures.empty()) out += "<h2>Failing checks</h2>\n" + failures;
  if (!errors.empty()) out += "<h2>Errors</h2>\n" + errors;
  out += "<footer>Generated by gradcheck. Heatmaps show the derivative arranged as <code>expected</code> is written; "
         "blue is negative, red positive, white 0; the outlined cell is the worst entry. Hover a cell for its "
         "value.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace gradcheck::report
