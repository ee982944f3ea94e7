// SPDX-License-Identifier: MIT
#include "report/common.hpp"

#include <fmt/format.h>

#include <cmath>

namespace gradcheck::report::detail {

std::string status_name(Status status) { return to_string(status); }

bool parse_status(const std::string& word, Status* out) {
  return parse(word, out);
}

Status outcome(const CaseResult& c, const CheckResult& check) {
  if (check.status == Status::kError) return Status::kError;
  if (c.expect != "fail") return check.status;
  // A failing check of an expect-fail case is an expected failure, unless the case as a whole
  // failed (it did not name the diagnosis it promised).
  if (check.status == Status::kInconclusive) return Status::kInconclusive;
  if (check.status == Status::kFail || check.status == Status::kXfail)
    return c.status == Status::kFail ? Status::kFail : Status::kXfail;
  return c.status == Status::kXpass ? Status::kXpass : Status::kPass;
}

bool is_bad(Status status) {
  return status == Status::kFail || status == Status::kError || status == Status::kXpass;
}

std::string check_label(const CaseResult& c, const CheckResult& check) {
  const std::string name = derivative(check);
  const CheckResult* first = c.checks.data();
  if (&check < first || &check >= first + c.checks.size()) return name;
  for (const CheckResult& other : c.checks)
    if (&other != &check && derivative(other) == name) return fmt::format("{} #{}", name, &check - first + 1);
  return name;
}

std::string derivative(const CheckResult& check) {
  if (check.derivative_order == 2) {
    // Second order: "d2 f/d x d x (Hessian, vec)", "d2 f/d X d Y (mixed block, vec)",
    // "d2 f/d X[i,j] d X[k,l] (Hessian, index)", "d2 f/d x d x * v (Hessian-vector product)".
    const auto comma = check.wrt.find(", ");
    const std::string x = check.wrt.substr(0, comma), y = comma == std::string::npos ? x : check.wrt.substr(comma + 2);
    const std::string kind = x == y ? "Hessian" : "mixed block";
    if (check.form == "hvp")
      return fmt::format("d2 {}/d {} d {} * {} (Hessian-vector product, derivative order 2)", check.function, x, x,
                         check.direction);
    if (check.form == "index" && check.indices.find(',') != std::string::npos) {
      std::string ix = check.indices;
      int depth = 0;
      for (std::size_t i = 0; i < ix.size(); ++i) {
        depth += ix[i] == '[' ? 1 : ix[i] == ']' ? -1 : 0;
        if (ix[i] == ',' && depth == 0) {
          auto trim = [](std::string s) {
            auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
            return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
          };
          return fmt::format("d2 {}/d {} d {} ({}, index, derivative order 2)", check.function, trim(ix.substr(0, i)),
                             trim(ix.substr(i + 1)), kind);
        }
      }
    }
    return fmt::format("d2 {}/d vec({}) d vec({}) ({}, vec{}, derivative order 2)", check.function, x, y, kind,
                       check.order == "row-major" ? " row-major" : "");
  }
  if (check.form == "index") {
    // "Z[i,l] / H[j,k]" reads "d Z[i,l]/d H[j,k]".
    std::string indices = check.indices.empty() ? "f / " + check.wrt : check.indices;
    auto slash = indices.find('/');
    auto trim = [](std::string s) {
      auto b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    std::string top = trim(indices.substr(0, slash));
    std::string bottom = slash == std::string::npos ? check.wrt : trim(indices.substr(slash + 1));
    return fmt::format("d {}/d {} (index)", top.empty() ? "f" : top, bottom);
  }
  if (check.form == "vec") {
    std::string order = check.order == "row-major" ? ", row-major" : "";
    return fmt::format("d vec({})/d vec({}) ({}, vec{})", check.function, check.wrt, check.layout, order);
  }
  return fmt::format("d {}/d {} ({}, {})", check.function, check.wrt, check.layout,
                     check.form.empty() ? "auto" : check.form);
}

std::string numerics(const CheckResult& check) {
  // No evaluation and no bound: nothing was differenced (f is not finite at the point, say).
  const bool none = check.reference.evaluations == 0 && !std::isfinite(check.reference.max_error_bound);
  std::string out = none ? fmt::format("reference {}: not computed", check.reference.method)
                         : fmt::format("reference {} ({}), bound {}, {} evaluations", check.reference.method,
                                       check.reference.detail, sci(check.reference.max_error_bound),
                                       check.reference.evaluations);
  if (!check.precision.empty())
    out += fmt::format("; {} precision ({}); tolerance rtol {:g} atol {:g}", check.precision,
                       check.precision_evidence, check.tolerance.rtol, check.tolerance.atol);
  if (std::isfinite(check.resolution)) out += fmt::format("; resolution {}", sci(check.resolution));
  return out;
}

std::string directional(const CheckResult& check) {
  if (check.mode != "directional") return "";
  const DirectionalInfo& d = check.directional;
  std::string out = fmt::format("directional: {} random probes v' E u against v' J u", d.probes);
  if (std::isfinite(d.threshold) && std::isfinite(d.miss_probability))
    out += fmt::format("; a derivative with an entry off by more than {} (times {}) passes them all with "
                       "probability <= {}; {} probes bring it below 1e-6",
                       sci(d.threshold), d.scaled_by_both ? "1/(max(1,|x_a|) max(1,|y_b|))" : "1/max(1,|x|)",
                       sci(d.miss_probability), d.probes_for_one_in_a_million);
  if (d.replaced_probes > 0)
    out += fmt::format("; {} more probes replaced undecided ones (a reference too wide to decide them)",
                       d.replaced_probes);
  if (d.narrowing_probes > 0)
    out += fmt::format("; {} more probes narrowed the failure down{}", d.narrowing_probes,
                       d.located ? " to the worst entry" : "");
  return out;
}

std::string sci(double value, int digits) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}e}", value, digits);
}

std::string index_text(const std::vector<arma::uword>& index) {
  return "(" + fmt::format("{}", fmt::join(index, ",")) + ")";
}

std::string entry_label(const EntryError& entry) {
  // No entry at all: the check was not compared entry by entry (wrong shape, f not finite).
  if (entry.label.empty() && entry.index.empty()) return "-";
  return entry.label.empty() ? index_text(entry.index) : entry.label;
}

std::string shape_text(const arma::mat& m) { return fmt::format("{}x{}", m.n_rows, m.n_cols); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string indent_lines(const std::string& text, const std::string& indent) {
  std::string out;
  for (const auto& line : split_lines(text)) out += indent + line + "\n";
  return out;
}

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (and its code point), or 0 if malformed.
std::size_t utf8_sequence(const std::string& s, std::size_t i, char32_t* cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  char32_t c = n == 1 ? b : b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static const char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;  // overlong, surrogate
  *cp = c;
  return n;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  static const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_sequence(text, i, &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF) {
          out += kReplacement;
        } else {
          out.append(text, i, n);
        }
    }
    i += n;
  }
  return out;
}

std::string suggestion_form(const Suggestion& suggestion) {
  if (suggestion.layout.empty()) return "form " + suggestion.form;
  return suggestion.layout + " layout, form " + suggestion.form;
}

}  // namespace gradcheck::report::detail
