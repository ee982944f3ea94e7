// SPDX-License-Identifier: MIT
// check_vjp (gradcheck/vjp.hpp): a backward function over raw buffers -> one engine check per
// input and draw of the output gradient, plus the properties of repeated calls. No rule of its
// own beyond those written in vjp.hpp: the verdict is run_check's.
#include "gradcheck/vjp.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cctype>
#include <cmath>
#include <limits>

#include "common/random.hpp"
#include "gradcheck/report.hpp"

namespace gradcheck {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

template <class T>
arma::mat read(const BufferView<T>& view) {
  arma::mat m(view.rows, view.cols);
  for (arma::uword j = 0; j < view.cols; ++j)
    for (arma::uword i = 0; i < view.rows; ++i) m(i, j) = static_cast<double>(view.data[view.offset(i, j)]);
  return m;
}

template <class T>
void write(const arma::mat& m, const BufferView<T>& view) {
  for (arma::uword j = 0; j < view.cols; ++j)
    for (arma::uword i = 0; i < view.rows; ++i) view.data[view.offset(i, j)] = static_cast<T>(m(i, j));
}

template <class T>
void require_usable(const std::vector<VjpInput<T>>& inputs, const VjpOutput& output) {
  if (inputs.empty()) throw Error("api.usage", "check_vjp: no inputs");
  if (output.rows == 0 || output.cols == 0)
    throw Error("api.usage", fmt::format("check_vjp: the output {} has no entries ({}x{})", output.name, output.rows,
                                         output.cols));
  for (const VjpInput<T>& in : inputs) {
    if (in.value.data == nullptr || in.gradient.data == nullptr)
      throw Error("api.usage", fmt::format("check_vjp: input {} has a buffer view without data (nullptr)", in.name));
    if (in.value.rows != in.gradient.rows || in.value.cols != in.gradient.cols || in.value.order != in.gradient.order)
      throw Error("api.usage",
                  fmt::format("check_vjp: the gradient buffer of {} is {}x{} {} but the input is {}x{} {}; a gradient "
                              "is laid out like its input",
                              in.name, in.gradient.rows, in.gradient.cols, to_string(in.gradient.order), in.value.rows,
                              in.value.cols, to_string(in.value.order)));
  }
}

// The user's code, timed and counted; inputs moved in place and restored.
template <class T>
class Layer {
 public:
  Layer(const std::function<void(T*)>& forward, const std::function<void(const T*)>& backward,
        const std::vector<VjpInput<T>>& inputs, const VjpOutput& output, VjpResult& result)
      : forward_(forward), backward_(backward), inputs_(inputs), output_(output), result_(result) {
    y_.assign(output.rows * output.cols, T(0));
    for (const VjpInput<T>& in : inputs) original_.push_back(read(in.value));
  }
  ~Layer() { restore(); }

  void restore() {
    for (std::size_t i = 0; i < inputs_.size(); ++i) write(original_[i], inputs_[i].value);
  }
  const std::vector<arma::mat>& point() const { return original_; }

  // y = forward(x) at `values` (one matrix per input), as a matrix (i, j).
  arma::mat forward(const std::vector<arma::mat>& values) {
    for (std::size_t i = 0; i < inputs_.size(); ++i) write(values[i], inputs_[i].value);
    const auto start = Clock::now();
    forward_(y_.data());
    result_.forward_ms += ms_since(start);
    ++result_.forward_calls;
    return read(BufferView<T>(y_.data(), output_.rows, output_.cols, output_.order));
  }

  void zero_gradients() {
    for (const VjpInput<T>& in : inputs_) std::fill(in.gradient.data, in.gradient.data + in.gradient.numel(), T(0));
  }

  // backward(u) after a forward at the point; returns every gradient buffer as read after it.
  std::vector<arma::mat> backward(const arma::mat& u, bool zero_first, bool forward_first) {
    if (forward_first) {
      forward(original_);
      restore();
    }
    if (zero_first) zero_gradients();
    std::vector<T> dy(u.n_elem);
    write(u, BufferView<T>(dy.data(), output_.rows, output_.cols, output_.order));
    const auto start = Clock::now();
    backward_(dy.data());
    result_.backward_ms += ms_since(start);
    ++result_.backward_calls;
    std::vector<arma::mat> out;
    for (const VjpInput<T>& in : inputs_) out.push_back(read(in.gradient));
    return out;
  }

 private:
  const std::function<void(T*)>& forward_;
  const std::function<void(const T*)>& backward_;
  const std::vector<VjpInput<T>>& inputs_;
  const VjpOutput& output_;
  VjpResult& result_;
  std::vector<arma::mat> original_;
  std::vector<T> y_;
};

// Rounding of a gradient computed in T: a few ulps of its largest entry (two runs of the same
// code in another order differ by that much; identical code gives 0).
template <class T>
double ulps(const arma::mat& g, double n) {
  return n * static_cast<double>(std::numeric_limits<T>::epsilon()) * std::max(1.0, arma::abs(g).max());
}

}  // namespace

template <class T>
VjpResult check_vjp(const std::function<void(T*)>& forward, const std::function<void(const T*)>& backward,
                    const std::vector<VjpInput<T>>& inputs, const VjpOutput& output, const ApiOptions& options) {
  const auto start = Clock::now();
  require_usable(inputs, output);
  VjpResult result;
  result.output = output.name;
  result.seed = options.seed;
  result.draws = options.trials > 1 ? options.trials : 3;
  ApiOptions opts = std::is_same_v<T, float> ? detail::float_code_options(options) : options;
  if (opts.f_name == ApiOptions{}.f_name) opts.f_name = "<d" + output.name + ", " + output.name + ">";
  Layer<T> layer(forward, backward, inputs, output, result);
  for (const VjpInput<T>& in : inputs) {
    VjpInputResult r;
    r.name = in.name;
    result.inputs.push_back(r);
  }
  std::vector<Input> engine_inputs;
  for (std::size_t i = 0; i < inputs.size(); ++i) engine_inputs.push_back({inputs[i].name, layer.point()[i]});

  for (int draw = 0; draw < result.draws; ++draw) {
    Random random(mix_seed(opts.seed, 0x7a900 + static_cast<std::uint64_t>(draw)));
    arma::mat u(output.rows, output.cols);
    for (arma::uword k = 0; k < u.n_elem; ++k) u(k) = random.normal();
    // Steps 1-3 of vjp.hpp.
    const std::vector<arma::mat> g = layer.backward(u, true, true);
    const std::vector<arma::mat> again = layer.backward(u, true, true);
    const std::vector<arma::mat> twice = layer.backward(u, false, true);
    // Step 4: the engine's check of each G_i against the gradient of <u, forward(x)>.
    const MultiScalarFunction loss = [&layer, u](const std::vector<arma::mat>& values) {
      const double l = arma::accu(layer.forward(values) % u);
      return l;
    };
    const std::vector<CheckResult> checks = check_gradients(loss, engine_inputs, g, Layout::kDenominator, opts);
    layer.restore();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      VjpInputResult& r = result.inputs[i];
      r.draws.push_back(checks[i]);
      const double noise = ulps<T>(g[i], 4);
      const double repeat = arma::abs(again[i] - g[i]).max();
      r.repeat_difference = std::max(r.repeat_difference, repeat);
      if (repeat > noise && r.repeatable) {
        r.repeatable = false;
        r.problems.push_back(fmt::format(
            "backward is not repeatable: from zeroed buffers, two calls with the same dy gave {} differing by up to "
            "{:.3g} (it keeps state between calls, such as a scratch buffer it never clears, or it races)",
            "d" + inputs[i].name, repeat));
      }
      const double add = arma::abs(twice[i] - 2 * g[i]).max(), overwrite = arma::abs(twice[i] - g[i]).max();
      const bool adds = add <= ulps<T>(twice[i], 8), overwrites = overwrite <= ulps<T>(twice[i], 8);
      if (adds && !overwrites) r.accumulates = true;
      if (!adds && !overwrites && r.repeatable && draw == 0)
        r.problems.push_back(fmt::format(
            "a second backward without zeroing {} neither added to it (+=) nor overwrote it (=): it differs from "
            "2 G by up to {:.3g} and from G by {:.3g}",
            "d" + inputs[i].name, add, overwrite));
    }
  }
  // Zero output gradient: zero input gradients.
  const std::vector<arma::mat> zero = layer.backward(arma::zeros(output.rows, output.cols), true, true);
  layer.restore();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    VjpInputResult& r = result.inputs[i];
    r.zero_response = arma::abs(zero[i]).max();
    if (r.zero_response != 0.0) {
      r.zero_for_zero = false;
      r.problems.push_back(fmt::format("with dy = 0, backward still writes up to {:.3g} into {}: a term that does not "
                                       "scale with dy (a regularizer, a stale buffer, a constant)",
                                       r.zero_response, "d" + inputs[i].name));
    }
  }
  bool any_fail = false, any_inconclusive = false;
  for (VjpInputResult& r : result.inputs) {
    r.max_abs_error = r.max_rel_error = 0.0;
    bool fail = !r.problems.empty(), inconclusive = false;
    for (const CheckResult& c : r.draws) {
      fail = fail || c.status == Status::kFail || c.status == Status::kError;
      inconclusive = inconclusive || c.status == Status::kInconclusive;
      if (std::isfinite(c.max_abs_error)) r.max_abs_error = std::max(r.max_abs_error, c.max_abs_error);
      if (std::isfinite(c.max_rel_error)) r.max_rel_error = std::max(r.max_rel_error, c.max_rel_error);
    }
    r.status = fail ? Status::kFail : inconclusive ? Status::kInconclusive : Status::kPass;
    any_fail = any_fail || fail;
    any_inconclusive = any_inconclusive || inconclusive;
  }
  result.status = any_fail ? Status::kFail : any_inconclusive ? Status::kInconclusive : Status::kPass;
  result.time_ms = ms_since(start);
  return result;
}

template VjpResult check_vjp<float>(const std::function<void(float*)>&, const std::function<void(const float*)>&,
                                    const std::vector<VjpInput<float>>&, const VjpOutput&, const ApiOptions&);
template VjpResult check_vjp<double>(const std::function<void(double*)>&, const std::function<void(const double*)>&,
                                     const std::vector<VjpInput<double>>&, const VjpOutput&, const ApiOptions&);

std::string describe(const VjpResult& result) {
  std::string status = to_string(result.status);
  for (char& ch : status) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string out = fmt::format("{} vjp of {} over {} input{}: {} draws of d{}, seed {}; forward {} calls {:.3g} ms, "
                                "backward {} calls {:.3g} ms, total {:.3g} ms\n",
                                status, result.output, result.inputs.size(),
                                result.inputs.size() == 1 ? "" : "s", result.draws, result.output, result.seed,
                                result.forward_calls, result.forward_ms, result.backward_calls, result.backward_ms,
                                result.time_ms);
  for (const VjpInputResult& r : result.inputs) {
    std::string word = to_string(r.status);
    for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out += fmt::format("  {:<5} d{}: max abs {:.3g}  max rel {:.3g}  ({}, {}repeatable)\n",
                       word, r.name, r.max_abs_error, r.max_rel_error, r.accumulates ? "accumulates +=" : "overwrites =",
                       r.repeatable ? "" : "not ");
    for (const std::string& p : r.problems) out += "    " + p + "\n";
    for (std::size_t d = 0; d < r.draws.size(); ++d) {
      if (r.draws[d].status == Status::kPass) continue;
      std::string text = describe(r.draws[d], fmt::format("d{} (draw {} of d{})", r.name, d + 1, result.output));
      std::string indented;
      for (std::size_t a = 0, b; a < text.size(); a = b + 1) {
        b = text.find('\n', a);
        if (b == std::string::npos) b = text.size();
        indented += "    " + text.substr(a, b - a) + "\n";
      }
      out += indented;
      break;  // the first failing draw says it
    }
  }
  return out;
}

}  // namespace gradcheck
