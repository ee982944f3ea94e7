// SPDX-License-Identifier: MIT
// libFuzzer target: load_case_text + JsonLocator + run_loaded on arbitrary text.
// Sizes and trials are capped so that one input runs in milliseconds; a case whose result is
// the catch-all "internal" error (an exception that escaped as something other than
// gradcheck::Error) is a finding, as are crashes and sanitizer reports.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cases/json_locator.hpp"
#include "gradcheck/case.hpp"
#include "gradcheck/runner.hpp"

namespace {

constexpr double kMaxDim = 6;
constexpr std::size_t kMaxInstances = 4;

// Every pointer of a parsed document (bounded), to ask the locator about each.
void pointers(const nlohmann::json& v, const std::string& at, std::vector<std::string>& out) {
  if (out.size() > 200) return;
  out.push_back(at);
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it) pointers(*it, at + "/" + gradcheck::pointer_escape(it.key()), out);
  else if (v.is_array())
    for (std::size_t i = 0; i < v.size(); ++i) pointers(v[i], at + "/" + std::to_string(i), out);
}

bool small_size(const std::string& written, const gradcheck::CaseSpec& spec) {
  for (const auto& [name, values] : spec.dims)
    if (name == written) return true;  // dims are capped separately
  try {
    return std::stoull(written) <= kMaxDim;
  } catch (...) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);

  gradcheck::LoadedFile file = gradcheck::load_case_text(text, "fuzz.json");

  // The locator on text nlohmann accepts (that is its contract), shallow documents only: the
  // pointer walk above recurses.
  if (nlohmann::json::accept(text)) {
    const gradcheck::JsonLocator locator(text);
    std::vector<std::string> ps;
    try {
      pointers(nlohmann::json::parse(text), "", ps);
    } catch (...) {
    }
    for (const std::string& p : ps) {
      const gradcheck::TextPosition v = locator.value(p);
      const gradcheck::TextPosition k = locator.key(p);
      if (v.line == 0 || k.line == 0) std::abort();
    }
  }

  // Cap what would take long: sizes, instances, trials.
  std::vector<gradcheck::CaseSpec> kept;
  for (gradcheck::CaseSpec& spec : file.cases) {
    bool ok = true;
    std::size_t instances = 1;
    for (auto& [name, values] : spec.dims) {
      instances *= values.size();
      for (double v : values) ok = ok && v <= kMaxDim;
    }
    ok = ok && instances <= kMaxInstances;
    for (const gradcheck::VariableSpec& v : spec.variables) ok = ok && small_size(v.rows, spec) && small_size(v.cols, spec);
    if (!ok) continue;
    spec.trials = std::min(spec.trials, 2);
    spec.fd.ridders_max_iterations = std::min(spec.fd.ridders_max_iterations, 4);
    kept.push_back(std::move(spec));
  }
  file.cases = std::move(kept);

  gradcheck::RunOptions options;
  options.jobs = 1;
  const gradcheck::RunResult result = gradcheck::run_loaded({file}, options);
  for (const gradcheck::CaseResult& c : result.cases) {
    if (c.error_id == "internal") {
      std::fprintf(stderr, "internal error: %s\n", c.error.c_str());
      std::abort();
    }
  }
  return 0;
}
