// SPDX-License-Identifier: MIT
// gradcheck-report.json, schema 1 (docs: /work/shared/spec/runner-and-reports.md). Fields of
// the spec come first, in its order; the rest are additions a reader may ignore.
//
// Non-finite numbers: JSON has no NaN or infinity. A non-finite figure is written as null, and
// an object field gets a sibling string "<field>_nonfinite": "nan" | "inf" | "-inf", e.g.
//     "max_abs_error": null, "max_abs_error_nonfinite": "nan"
// Inside arrays (error_vs_step pairs) a non-finite number is null alone.
#include <nlohmann/json.hpp>

#include <cmath>

#include "gradcheck/report.hpp"
#include "report/common.hpp"

namespace gradcheck::report {
namespace {

using Json = nlohmann::ordered_json;

void put(Json& obj, const std::string& key, double value) {
  if (std::isfinite(value)) {
    obj[key] = value;
  } else {
    obj[key] = nullptr;
    obj[key + "_nonfinite"] = std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
  }
}

Json number(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

Json entry(const EntryError& e) {
  Json j;
  j["index"] = e.index;
  put(j, "analytic", e.analytic);
  put(j, "numeric", e.numeric);
  j["label"] = e.label;
  put(j, "abs_error", e.abs_error);
  put(j, "rel_error", e.rel_error);
  return j;
}

Json fd(const FdInfo& f) {
  Json j;
  j["method"] = f.method;
  put(j, "step", f.step);
  j["evaluations"] = f.evaluations;
  return j;
}

Json diagnoses(const std::vector<Diagnosis>& list) {
  Json out = Json::array();
  for (const auto& d : list) {
    Json j;
    j["code"] = d.code;
    j["message"] = d.message;
    if (!d.figures.empty()) {
      Json figures = Json::object();
      for (const auto& [name, value] : d.figures) put(figures, name, value);
      j["figures"] = figures;
    }
    out.push_back(j);
  }
  return out;
}

// Errors as data: [{"id", "message", "file", "line", "column", "case", "field", "expression",
// "expression_column"}, ...]; parts that are unknown are left out (line and column 0 mean unknown).
Json errors(const std::vector<Error>& list) {
  Json out = Json::array();
  for (const Error& e : list) {
    Json j;
    j["id"] = e.id();
    j["message"] = e.message();
    const ErrorPlace& at = e.place();
    if (!at.file.empty()) j["file"] = at.file;
    if (at.line > 0) j["line"] = at.line;
    if (at.line > 0) j["column"] = at.column;
    if (!at.case_name.empty()) j["case"] = at.case_name;
    if (!at.field.empty()) j["field"] = at.field;
    if (e.expression_length() > 0) {
      j["expression"] = e.expression();
      j["expression_column"] = e.expression_column();
    }
    out.push_back(j);
  }
  return out;
}

// The figures a check and a trial have in common.
void figures(Json& j, double max_abs, double max_rel, double norm, const EntryError& worst) {
  put(j, "max_abs_error", max_abs);
  put(j, "max_rel_error", max_rel);
  put(j, "rel_error_norm", norm);
  // No entry compared (shape mismatch, error): null, not a made-up entry of zeros.
  j["worst"] = worst.index.empty() && worst.label.empty() ? Json(nullptr) : entry(worst);
}

Json check_json(const CaseResult& c, const CheckResult& k) {
  Json j;
  j["wrt"] = k.wrt;
  j["layout"] = k.layout;
  j["form"] = k.form;
  if (k.derivative_order != 1) j["derivative_order"] = k.derivative_order;  // a Hessian (case-format.md)
  if (!k.direction.empty()) j["direction"] = k.direction;                    // form hvp
  j["status"] = detail::status_name(k.status);
  figures(j, k.max_abs_error, k.max_rel_error, k.rel_error_norm, k.worst);
  j["fd"] = fd(k.fd);
  j["diagnoses"] = diagnoses(k.diagnoses);
  if (!k.suggestion.expected.empty())
    j["suggestion"] = {{"expected", k.suggestion.expected}, {"layout", k.suggestion.layout}, {"form", k.suggestion.form}};
  put(j, "time_ms", k.time_ms);
  // Additions of the verdict (runner-and-reports.md): the reference and its bound, the precision,
  // the tolerance as applied, the resolution; the reason of an inconclusive check.
  {
    Json ref;
    ref["method"] = k.reference.method;
    put(ref, "max_error_bound", k.reference.max_error_bound);
    ref["evaluations"] = k.reference.evaluations;
    ref["detail"] = k.reference.detail;
    j["reference"] = ref;
  }
  if (!k.precision.empty()) {
    j["precision"] = k.precision;
    j["precision_evidence"] = k.precision_evidence;
    Json tol;
    tol["rtol"] = k.tolerance.rtol;
    tol["atol"] = k.tolerance.atol;
    j["tolerance"] = tol;
  }
  put(j, "resolution", k.resolution);
  j["mode"] = k.mode;
  if (k.mode == "directional") {
    Json d;
    d["probes"] = k.directional.probes;
    d["narrowing_probes"] = k.directional.narrowing_probes;
    d["replaced_probes"] = k.directional.replaced_probes;
    put(d, "miss_probability", k.directional.miss_probability);
    d["probes_for_one_in_a_million"] = k.directional.probes_for_one_in_a_million;
    put(d, "threshold", k.directional.threshold);
    d["located"] = k.directional.located;
    j["directional"] = d;
  }
  if (k.status == Status::kInconclusive) {
    j["reason"] = k.reason;
    j["reason_code"] = k.reason_code;
  }
  if (!k.kinks.empty()) {
    Json kinks = Json::array();
    for (const KinkInfo& kink : k.kinks) {
      Json kj;
      kj["entry"] = kink.label;
      put(kj, "forward", kink.forward);
      put(kj, "backward", kink.backward);
      kinks.push_back(kj);
    }
    j["kinks"] = kinks;
  }
  if (!k.notes.empty()) j["notes"] = k.notes;
  // Further additions.
  j["outcome"] = detail::status_name(detail::outcome(c, k));  // the status with the case's expectation
  j["derivative"] = detail::derivative(k);
  j["label"] = detail::check_label(c, k);  // the heading, unique within the case (#N when two read the same)
  if (!k.order.empty()) j["order"] = k.order;
  if (!k.indices.empty()) j["indices"] = k.indices;
  j["expected"] = k.expected;
  if (!k.convention.empty()) j["convention"] = k.convention;
  if (!k.wanted_shape.empty()) j["wanted_shape"] = k.wanted_shape;
  if (!k.error.empty()) j["error"] = k.error;
  if (!k.errors.empty()) j["errors"] = errors(k.errors);
  Json worst = Json::array();
  for (const auto& e : k.worst_entries) worst.push_back(entry(e));
  j["worst_entries"] = worst;
  j["worst_trial"] = k.worst_trial;
  if (std::isfinite(k.taylor_slope)) j["taylor_slope"] = k.taylor_slope;  // ~2 right gradient, ~1 wrong
  Json trials = Json::array();
  for (const auto& t : k.trials) {
    Json tj;
    tj["trial"] = t.trial;
    tj["status"] = detail::status_name(t.status);
    figures(tj, t.max_abs_error, t.max_rel_error, t.rel_error_norm, t.worst);
    if (!t.diagnoses.empty()) tj["diagnoses"] = diagnoses(t.diagnoses);
    if (!t.error.empty()) tj["error"] = t.error;
    if (t.status == Status::kInconclusive) tj["reason"] = t.reason;
    if (!t.precision.empty()) tj["precision"] = t.precision;
    put(tj, "max_error_bound", t.reference.max_error_bound);
    put(tj, "time_ms", t.time_ms);
    trials.push_back(tj);
  }
  j["trials"] = trials;
  if (k.worst_trial >= 0 && k.worst_trial < static_cast<int>(k.trials.size())) {
    const auto& steps = k.trials[k.worst_trial].error_vs_step;
    if (!steps.empty()) {
      Json pairs = Json::array();
      for (const auto& [h, err] : steps) pairs.push_back(Json::array({number(h), number(err)}));
      j["error_vs_step"] = pairs;  // [[h, |analytic - numeric(h)|], ...] at the worst entry
    }
  }
  return j;
}

Json case_json(const CaseResult& c) {
  Json j;
  j["name"] = c.name;
  j["file"] = c.file;
  j["status"] = detail::status_name(c.status);
  j["expect"] = c.expect;
  Json checks = Json::array();
  for (const auto& k : c.checks) checks.push_back(check_json(c, k));
  j["checks"] = checks;
  // Additions.
  if (!c.description.empty()) j["description"] = c.description;
  if (!c.source.empty()) j["source"] = c.source;
  j["tags"] = c.tags;
  Json dims = Json::object();
  for (const auto& [name, value] : c.dims) put(dims, name, value);
  j["dims"] = dims;
  j["seed"] = c.seed;
  if (!c.expected_diagnosis.empty()) j["expected_diagnosis"] = c.expected_diagnosis;
  if (!c.error.empty()) j["error"] = c.error;
  if (!c.error_id.empty()) j["error_id"] = c.error_id;
  if (!c.errors.empty()) j["errors"] = errors(c.errors);
  put(j, "time_ms", c.time_ms);
  return j;
}

}  // namespace

std::string json(const RunResult& run) {
  Json j;
  j["schema"] = 1;
  const Summary& s = run.summary;
  j["summary"] = {{"passed", s.passed},
                  {"failed", s.failed},
                  {"errors", s.errors},
                  {"expected_failures", s.expected_failures},
                  {"unexpected_passes", s.unexpected_passes},
                  {"inconclusive", s.inconclusive}};
  Json cases = Json::array();
  for (const auto& c : run.cases) cases.push_back(case_json(c));
  j["cases"] = cases;
  j["generator"] = "gradcheck";
  j["closing_line"] = closing_line(s);
  put(j, "time_ms", run.time_ms);
  j["seed"] = run.seed;
  // Strings from case files may hold malformed UTF-8: replace it rather than throw.
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace gradcheck::report
