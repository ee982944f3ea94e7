// SPDX-License-Identifier: MIT
// Client: requests and answers of the program protocol over a Process, each answer validated.
//
// Matrices travel as {"shape": [rows, cols], "data": [...]} with data in column-major order (the
// order of Armadillo's memory). JSON has no NaN or infinity: both sides write a non-finite entry
// as the string "NaN", "Infinity" or "-Infinity" (docs/programs.md).
#include "program/client.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "gradcheck/error.hpp"

namespace gradcheck::program {
namespace {

using json = nlohmann::json;

constexpr std::size_t kExcerpt = 240;  // characters of a request or answer quoted in a message

std::string excerpt(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, kExcerpt)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  return s.size() > kExcerpt ? out + "..." : out;
}

json encode_number(double v) {
  if (std::isfinite(v)) return v;
  if (std::isnan(v)) return "NaN";
  return v > 0 ? "Infinity" : "-Infinity";
}

json encode_matrix(const arma::mat& m) {
  json data = json::array();
  for (arma::uword k = 0; k < m.n_elem; ++k) data.push_back(encode_number(m(k)));
  return {{"shape", {m.n_rows, m.n_cols}}, {"data", std::move(data)}};
}

json encode_inputs(const std::vector<std::string>& names, const std::vector<arma::mat>& values) {
  json inputs = json::object();
  for (std::size_t v = 0; v < names.size() && v < values.size(); ++v) inputs[names[v]] = encode_matrix(values[v]);
  return inputs;
}

// An entry of "data": a number, or one of the strings for non-finite numbers.
std::optional<double> decode_number(const json& x) {
  if (x.is_number()) return x.get<double>();
  if (x.is_string()) {
    const std::string s = x.get<std::string>();
    if (s == "NaN" || s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity" || s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity" || s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

// A matrix M (or a bare number, read as 1 x 1: a non-finite one as its string, "Infinity").
// `what` names it in messages ("value", "values[2]"); *why says what is wrong when it returns
// nullopt.
std::optional<arma::mat> decode_matrix(const json& m, const std::string& what, std::string* why) {
  if (const auto bare = m.is_number() || m.is_string() ? decode_number(m) : std::nullopt)
    return arma::mat(1, 1, arma::fill::value(*bare));
  if (!m.is_object() || !m.contains("shape") || !m.contains("data")) {
    *why = fmt::format("its {} is {}, not a matrix {{\"shape\": [rows, cols], \"data\": [...]}}", what,
                       excerpt(m.dump()));
    return std::nullopt;
  }
  const json& shape = m.at("shape");
  const json& data = m.at("data");
  auto size_ok = [](const json& s) { return s.is_number_integer() && s.get<long long>() >= 0 && s.get<long long>() <= 100000000; };
  if (!shape.is_array() || shape.size() != 2 || !size_ok(shape[0]) || !size_ok(shape[1])) {
    *why = fmt::format("its {}.shape is {}, not [rows, cols] (two non-negative integers)", what, excerpt(shape.dump()));
    return std::nullopt;
  }
  const auto rows = shape[0].get<arma::uword>(), cols = shape[1].get<arma::uword>();
  if (!data.is_array() || data.size() != rows * cols) {
    *why = data.is_array() ? fmt::format("wrong shape: its {} has shape [{}, {}] but {} number{} in data", what, rows,
                                         cols, data.size(), data.size() == 1 ? "" : "s")
                           : fmt::format("its {}.data is {}, not a list of numbers", what, excerpt(data.dump()));
    return std::nullopt;
  }
  arma::mat out(rows, cols);
  for (arma::uword k = 0; k < out.n_elem; ++k) {
    const auto v = decode_number(data[k]);
    if (!v) {
      *why = fmt::format("its {}.data[{}] is {}, not a number (non-finite numbers are written \"NaN\", \"Infinity\", "
                         "\"-Infinity\")",
                         what, k, excerpt(data[k].dump()));
      return std::nullopt;
    }
    out(k) = *v;
  }
  return out;
}

}  // namespace

Client::Client(std::vector<std::string> command, std::string folder, double timeout_s)
    : command_(std::move(command)), folder_(std::move(folder)), timeout_s_(timeout_s) {}

Client::~Client() {
  if (process_) process_->end(std::chrono::milliseconds(500));
}

std::string Client::command_text() const {
  std::string s;
  for (const std::string& a : command_) {
    const bool quote = a.empty() || a.find_first_of(" \t\"'") != std::string::npos;
    s += (s.empty() ? "" : " ") + (quote ? "'" + a + "'" : a);
  }
  return s;
}

void Client::fail(const std::string& what, const std::string& request) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  std::string tail;
  if (process_) {
    tail = process_->stderr_tail();
    process_->end();
    process_.reset();
  }
  functions_.reset();
  std::string message = fmt::format("the program `{}`{} {}", command_text(),
                                    folder_.empty() ? std::string() : " (run in " + folder_ + ")", what);
  if (!request.empty()) message += fmt::format("; the request was {}", excerpt(request));
  if (tail.empty()) {
    message += "; its standard error was empty";
  } else {
    message += "; its standard error ended with:";
    std::size_t start = 0;
    while (start <= tail.size()) {
      const std::size_t nl = tail.find('\n', start);
      message += "\n    | " + tail.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  failure_ = message;
  throw Error("case.program", message);
}

void Client::reset() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  failure_.clear();
}

void Client::start() {
  try {
    process_ = std::make_unique<Process>(command_, folder_);
  } catch (const ProcessError& e) {
    fail(e.what());
  }
  const std::string request = R"({"id": 0, "call": "__describe__"})";
  const std::string line = exchange(request);
  json answer;
  try {
    answer = json::parse(line);
  } catch (const json::exception&) {
    fail(fmt::format("answered __describe__ with a line that is not JSON: {}", excerpt(line)), request);
  }
  if (!answer.is_object() || !answer.contains("id") || answer.at("id") != 0)
    fail(fmt::format("answered __describe__ with {}, not {{\"id\": 0, \"functions\": [...]}}", excerpt(line)), request);
  if (!answer.contains("functions") || !answer.at("functions").is_array())
    fail(fmt::format("answered __describe__ without a list of \"functions\": {}", excerpt(line)), request);
  std::vector<std::string> names;
  for (const json& f : answer.at("functions")) {
    if (!f.is_string()) fail(fmt::format("listed a function that is not a string: {}", excerpt(f.dump())), request);
    names.push_back(f.get<std::string>());
  }
  functions_ = std::move(names);
}

std::string Client::exchange(const std::string& request) {
  if (!process_) start();
  ++requests_;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s_));
  try {
    return process_->exchange(request, deadline);
  } catch (const ProcessError& e) {
    switch (e.kind()) {
      case ProcessError::Kind::kTimeout:
        fail(fmt::format("did not answer within {} s (\"timeout_s\" of \"program\")", timeout_s_), request);
      case ProcessError::Kind::kExited:
        fail(fmt::format("{} before answering", e.what()), request);
      default:
        fail(e.what(), request);
    }
  }
}

const std::vector<std::string>& Client::functions() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (!failure_.empty()) throw Error("case.program", failure_);
  if (!functions_) start();
  return *functions_;
}

std::vector<arma::mat> Client::call_batch(const std::string& function, const std::vector<std::string>& names,
                                          const std::vector<std::vector<arma::mat>>& points) {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  if (!failure_.empty()) throw Error("case.program", failure_);
  if (points.empty()) return {};
  if (!functions_) start();
  const std::uint64_t id = next_id_++;
  const bool batch = points.size() != 1;
  json request = {{"id", id}, {"call", function}};
  if (batch) {
    json list = json::array();
    for (const auto& p : points) list.push_back(encode_inputs(names, p));
    request["batch"] = std::move(list);
  } else {
    request["inputs"] = encode_inputs(names, points[0]);
  }
  const std::string text = request.dump();
  const std::string line = exchange(text);
  json answer;
  try {
    answer = json::parse(line);
  } catch (const json::parse_error&) {
    fail(fmt::format("answered a line that is not JSON: {}", line.empty() ? "(an empty line)" : excerpt(line)), text);
  }
  if (!answer.is_object()) fail(fmt::format("answered {}, not a JSON object", excerpt(line)), text);
  if (!answer.contains("id")) fail(fmt::format("answered without an \"id\": {}", excerpt(line)), text);
  if (answer.at("id") != id) fail(fmt::format("answered id {} to request id {}", excerpt(answer.at("id").dump()), id), text);
  if (answer.contains("error")) {
    const json& e = answer.at("error");
    // A program that reports an error is well behaved: it keeps running for other cases.
    failure_ = fmt::format("the program `{}` reported an error in \"{}\": {}; the request was {}", command_text(),
                           function, e.is_string() ? e.get<std::string>() : e.dump(), excerpt(text));
    throw Error("case.program", failure_);
  }
  std::vector<arma::mat> out;
  std::string why;
  if (batch) {
    if (!answer.contains("values") || !answer.at("values").is_array())
      fail(fmt::format("answered a batch of {} without a list \"values\": {}", points.size(), excerpt(line)), text);
    const json& values = answer.at("values");
    if (values.size() != points.size())
      fail(fmt::format("wrong shape: answered {} values to a batch of {}", values.size(), points.size()), text);
    for (std::size_t k = 0; k < values.size(); ++k) {
      auto m = decode_matrix(values[k], fmt::format("values[{}]", k), &why);
      if (!m) fail("gave a bad answer: " + why, text);
      out.push_back(std::move(*m));
    }
  } else {
    if (!answer.contains("value")) fail(fmt::format("answered without a \"value\": {}", excerpt(line)), text);
    auto m = decode_matrix(answer.at("value"), "value", &why);
    if (!m) fail("gave a bad answer: " + why, text);
    out.push_back(std::move(*m));
  }
  return out;
}

arma::mat Client::call(const std::string& function, const std::vector<std::string>& names,
                       const std::vector<arma::mat>& values) {
  return std::move(call_batch(function, names, {values}).front());
}

Client& Pool::get(const ProgramSpec& program, const std::string& file) {
  std::string key = file + '\0' + fmt::format("{}", program.timeout_s);
  for (const std::string& a : program.command) key += '\0' + a;
  auto it = clients_.find(key);
  if (it == clients_.end())
    it = clients_.emplace(key, std::make_unique<Client>(program.command, program.folder, program.timeout_s)).first;
  return *it->second;
}

Pool::~Pool() = default;

}  // namespace gradcheck::program
