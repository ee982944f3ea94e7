// SPDX-License-Identifier: MIT
// The verdict on float32 code: the C-style float layers of float32_layers.hpp, right and
// mutated, checked through the float buffer API (gradcheck.hpp) at its DEFAULTS (no tolerance
// set, precision left to the API, which states single for float code).
//
// Each layer is made a scalar the usual way, loss = sum(out % G) for fixed random weights G
// (computed in float, as the layer is), except softmax cross-entropy, which is a loss already.
// For every input of every layer:
//   the right backward            -> Status::kPass
//   each mutation, on the inputs whose gradient it changes -> Status::kFail
//   never a `nondifferentiable` diagnosis: all of this code is smooth.
//
// The suite proves its own premises (Float32LayerPremises): each right backward, in double,
// matches an independent double central difference at the same point; the float right
// backward matches the double one; each mutation changes exactly the inputs it is listed for.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "api/float32_layers.hpp"
#include "gradcheck/gradcheck.hpp"

namespace {

using namespace f32layers;
using gradcheck::ApiOptions;
using gradcheck::BufferView;
using gradcheck::CheckResult;
using gradcheck::Status;

struct Var {
  std::string name;
  int rows, cols;
  int numel() const { return rows * cols; }
};

template <class T>
using Buffers = std::vector<std::vector<T>>;
template <class T>
using Pointers = std::vector<const T*>;

struct Mutation {
  std::string name;
  int bug;
  std::set<int> affected;  // indices of the inputs whose gradient it changes
};

// One layer, in both precisions. Points and weights are float numbers (so both precisions see
// the same point).
struct Layer {
  std::string name;
  std::vector<Var> vars;
  Buffers<double> point;
  std::function<float(const Pointers<float>&)> loss_f;
  std::function<double(const Pointers<double>&)> loss_d;
  std::function<Buffers<float>(const Pointers<float>&, int bug)> backward_f;
  std::function<Buffers<double>(const Pointers<double>&, int bug)> backward_d;
  std::vector<Mutation> mutations;
};

std::vector<double> random_floats(int n, double mean, double sd, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal(mean, sd);
  std::vector<double> out(static_cast<size_t>(n));
  for (double& v : out) v = static_cast<double>(static_cast<float>(normal(gen)));
  return out;
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <class T>
T weighted_sum(const std::vector<T>& out, const std::vector<T>& G) {
  T s = 0;
  for (size_t i = 0; i < out.size(); ++i) s += out[i] * G[i];
  return s;
}

template <class T>
Buffers<T> zeros_like(const std::vector<Var>& vars) {
  Buffers<T> out;
  for (const Var& v : vars) out.emplace_back(static_cast<size_t>(v.numel()), T(0));
  return out;
}

// Builds a Layer from Impl, which gives vars(), point(), out_size(), mutations() and the
// templates loss<T>(in, G) and backward<T>(in, G, bug, grads).
template <class Impl>
Layer make_layer(unsigned seed) {
  Layer L;
  L.name = Impl::name();
  L.vars = Impl::vars();
  L.point = Impl::point(seed);
  L.mutations = Impl::mutations();
  const std::vector<double> G = random_floats(Impl::out_size(), 0.0, 1.0, seed + 100);
  const std::vector<Var> vars = L.vars;
  L.loss_f = [Gf = as<float>(G)](const Pointers<float>& in) { return Impl::template loss<float>(in, Gf); };
  L.loss_d = [Gd = G](const Pointers<double>& in) { return Impl::template loss<double>(in, Gd); };
  L.backward_f = [Gf = as<float>(G), vars](const Pointers<float>& in, int bug) {
    Buffers<float> grads = zeros_like<float>(vars);
    Impl::template backward<float>(in, Gf, bug, grads);
    return grads;
  };
  L.backward_d = [Gd = G, vars](const Pointers<double>& in, int bug) {
    Buffers<double> grads = zeros_like<double>(vars);
    Impl::template backward<double>(in, Gd, bug, grads);
    return grads;
  };
  return L;
}

// ---- the layers as scalar losses ----

struct LinearImpl {
  static constexpr int B = 4, C = 5, OC = 3;  // W is C x OC: not square
  static std::string name() { return "linear"; }
  static std::vector<Var> vars() { return {{"x", B, C}, {"W", C, OC}, {"b", 1, OC}}; }
  static Buffers<double> point(unsigned s) {
    return {random_floats(B * C, 0, 1, s), random_floats(C * OC, 0, 0.5, s + 1), random_floats(OC, 0, 0.5, s + 2)};
  }
  static int out_size() { return B * OC; }
  static std::vector<Mutation> mutations() {
    return {{"bias_assigned", int(LinearBug::kBiasAssigned), {2}},
            {"transposed_dW", int(LinearBug::kTransposedDW), {1}},
            {"wrong_sign_dx", int(LinearBug::kWrongSignDInp), {0}}};
  }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>& G) {
    std::vector<T> out(B * OC);
    linear_forward(out.data(), in[0], in[1], in[2], B, C, OC);
    return weighted_sum(out, G);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>& G, int bug, Buffers<T>& g) {
    linear_backward(g[0].data(), g[1].data(), g[2].data(), G.data(), in[0], in[1], B, C, OC, LinearBug(bug));
  }
};

struct LayerNormImpl {
  static constexpr int B = 3, C = 6;
  static std::string name() { return "layernorm"; }
  static std::vector<Var> vars() { return {{"x", B, C}, {"gain", 1, C}, {"bias", 1, C}}; }
  static Buffers<double> point(unsigned s) {
    return {random_floats(B * C, 0.3, 1, s), random_floats(C, 1, 0.3, s + 1), random_floats(C, 0, 0.3, s + 2)};
  }
  static int out_size() { return B * C; }
  static std::vector<Mutation> mutations() {
    return {{"missing_mean_term", int(LayerNormBug::kMissingMeanTerm), {0}},
            {"bias_assigned", int(LayerNormBug::kBiasAssigned), {2}},
            {"lost_1_over_C", int(LayerNormBug::kLostFactor), {0}}};
  }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>& G) {
    std::vector<T> out(B * C), mean(B), rstd(B);
    layernorm_forward(out.data(), mean.data(), rstd.data(), in[0], in[1], in[2], B, C);
    return weighted_sum(out, G);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>& G, int bug, Buffers<T>& g) {
    std::vector<T> out(B * C), mean(B), rstd(B);
    layernorm_forward(out.data(), mean.data(), rstd.data(), in[0], in[1], in[2], B, C);
    layernorm_backward(g[0].data(), g[1].data(), g[2].data(), G.data(), in[0], in[1], mean.data(), rstd.data(), B, C,
                       LayerNormBug(bug));
  }
};

struct CrossEntropyImpl {
  static constexpr int B = 4, V = 5;
  static constexpr int kTargets[B] = {2, 0, 4, 1};
  static std::string name() { return "softmax_ce"; }
  static std::vector<Var> vars() { return {{"logits", B, V}}; }
  static Buffers<double> point(unsigned s) { return {random_floats(B * V, 0, 1.5, s)}; }
  static int out_size() { return 1; }
  static std::vector<Mutation> mutations() {
    return {{"lost_1_over_B", int(CrossEntropyBug::kLostMean), {0}},
            {"wrong_sign", int(CrossEntropyBug::kWrongSign), {0}}};
  }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>&) {
    std::vector<T> probs(B * V);
    return softmax_crossentropy_forward(probs.data(), in[0], kTargets, B, V);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>&, int bug, Buffers<T>& g) {
    std::vector<T> probs(B * V);
    softmax_crossentropy_forward(probs.data(), in[0], kTargets, B, V);
    softmax_crossentropy_backward(g[0].data(), probs.data(), kTargets, T(1), B, V, CrossEntropyBug(bug));
  }
};

struct GeluImpl {
  static constexpr int R = 3, C = 4;
  static std::string name() { return "gelu"; }
  static std::vector<Var> vars() { return {{"x", R, C}}; }
  static Buffers<double> point(unsigned s) { return {random_floats(R * C, 0, 1.5, s)}; }
  static int out_size() { return R * C; }
  static std::vector<Mutation> mutations() {
    return {{"lost_half", int(GeluBug::kLostHalf), {0}},
            {"missing_sech2_term", int(GeluBug::kMissingSech2), {0}},
            {"missing_cubic_term", int(GeluBug::kMissingCubic), {0}}};
  }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>& G) {
    std::vector<T> out(R * C);
    gelu_forward(out.data(), in[0], R * C);
    return weighted_sum(out, G);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>& G, int bug, Buffers<T>& g) {
    gelu_backward(g[0].data(), in[0], G.data(), R * C, GeluBug(bug));
  }
};

struct AttentionImpl {
  static constexpr int Tn = 4, D = 3;
  static std::string name() { return "attention"; }
  static std::vector<Var> vars() { return {{"q", Tn, D}, {"k", Tn, D}, {"v", Tn, D}}; }
  static Buffers<double> point(unsigned s) {
    return {random_floats(Tn * D, 0, 1, s), random_floats(Tn * D, 0, 1, s + 1), random_floats(Tn * D, 0, 1, s + 2)};
  }
  static int out_size() { return Tn * D; }
  static std::vector<Mutation> mutations() {
    return {{"lost_scale", int(AttentionBug::kLostScale), {0, 1}},
            {"softmax_no_subtraction", int(AttentionBug::kSoftmaxNoSub), {0, 1}}};
  }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>& G) {
    std::vector<T> out(Tn * D), att(Tn * Tn);
    attention_forward(out.data(), att.data(), in[0], in[1], in[2], Tn, D);
    return weighted_sum(out, G);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>& G, int bug, Buffers<T>& g) {
    std::vector<T> out(Tn * D), att(Tn * Tn);
    attention_forward(out.data(), att.data(), in[0], in[1], in[2], Tn, D);
    attention_backward(g[0].data(), g[1].data(), g[2].data(), G.data(), att.data(), in[0], in[1], in[2], Tn, D,
                       AttentionBug(bug));
  }
};

struct ResidualImpl {
  static constexpr int B = 3, C = 4;
  static std::string name() { return "residual"; }
  static std::vector<Var> vars() { return {{"x", B, C}, {"W", C, C}, {"b", 1, C}}; }
  static Buffers<double> point(unsigned s) {
    return {random_floats(B * C, 0, 1, s), random_floats(C * C, 0, 0.5, s + 1), random_floats(C, 0, 0.5, s + 2)};
  }
  static int out_size() { return B * C; }
  static std::vector<Mutation> mutations() { return {{"lost_residual", int(ResidualBug::kLostResidual), {0}}}; }
  template <class T>
  static T loss(const Pointers<T>& in, const std::vector<T>& G) {
    std::vector<T> out(B * C), pre(B * C), act(B * C);
    residual_forward(out.data(), pre.data(), act.data(), in[0], in[1], in[2], B, C);
    return weighted_sum(out, G);
  }
  template <class T>
  static void backward(const Pointers<T>& in, const std::vector<T>& G, int bug, Buffers<T>& g) {
    std::vector<T> out(B * C), pre(B * C), act(B * C);
    residual_forward(out.data(), pre.data(), act.data(), in[0], in[1], in[2], B, C);
    residual_backward(g[0].data(), g[1].data(), g[2].data(), G.data(), in[0], in[1], pre.data(), B, C,
                      ResidualBug(bug));
  }
};

const std::vector<Layer>& layers() {
  static const std::vector<Layer> all{make_layer<LinearImpl>(11),    make_layer<LayerNormImpl>(21),
                                      make_layer<CrossEntropyImpl>(31), make_layer<GeluImpl>(41),
                                      make_layer<AttentionImpl>(51), make_layer<ResidualImpl>(61)};
  return all;
}

template <class T>
Pointers<T> pointers(const Buffers<T>& b) {
  Pointers<T> out;
  for (const auto& v : b) out.push_back(v.data());
  return out;
}

// ---- the premises, proven independently of gradcheck ----

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

TEST(Float32LayerPremises, RightBackwardsAreRightAndMutationsAreWrong) {
  for (const Layer& L : layers()) {
    SCOPED_TRACE(L.name);
    const Buffers<double>& point = L.point;
    const Pointers<double> in = pointers(point);
    const Buffers<double> right = L.backward_d(in, 0);
    // 1. The double right backward against a double central difference at the same point.
    for (size_t k = 0; k < L.vars.size(); ++k) {
      std::vector<double> x = point[k];
      Pointers<double> moved = in;
      moved[k] = x.data();
      for (size_t e = 0; e < x.size(); ++e) {
        const double x0 = x[e], h = 1e-6 * std::max(1.0, std::abs(x0));
        x[e] = x0 + h;
        const double up = L.loss_d(moved);
        x[e] = x0 - h;
        const double down = L.loss_d(moved);
        x[e] = x0;
        const double numeric = (up - down) / (2 * h);
        EXPECT_NEAR(right[k][e], numeric, 1e-6 * (1 + std::abs(numeric))) << L.vars[k].name << "[" << e << "]";
      }
    }
    // 2. The float right backward against the double one, at the same (float) point.
    Buffers<float> point_f;
    for (const auto& v : point) point_f.push_back(as<float>(v));
    const Buffers<float> right_f = L.backward_f(pointers(point_f), 0);
    for (size_t k = 0; k < L.vars.size(); ++k)
      for (size_t e = 0; e < right[k].size(); ++e)
        EXPECT_NEAR(right_f[k][e], right[k][e], 1e-4 * (1 + std::abs(right[k][e]))) << L.vars[k].name << "[" << e << "]";
    // 3. Each mutation changes exactly the inputs it is listed for, and by far more than any
    //    tolerance (1e-2 of the gradient's size).
    for (const Mutation& m : L.mutations) {
      SCOPED_TRACE(m.name);
      const Buffers<double> wrong = L.backward_d(in, m.bug);
      for (size_t k = 0; k < L.vars.size(); ++k) {
        std::vector<double> diff(right[k].size());
        for (size_t e = 0; e < diff.size(); ++e) diff[e] = wrong[k][e] - right[k][e];
        if (m.affected.count(static_cast<int>(k)))
          EXPECT_GT(max_abs(diff), 1e-2 * max_abs(right[k])) << L.vars[k].name;
        else
          EXPECT_EQ(max_abs(diff), 0.0) << L.vars[k].name;
      }
    }
  }
}

// ---- the verdicts through the float API ----

struct Verdict {
  size_t layer;
  std::string variant;  // "right" or a mutation's name
  int bug;
  size_t input;
  Status expected;
};

// Checks that fail today, with the engine's double-precision defaults applied to float code:
// they are disabled (DISABLED_ prefix) so the branch's run stays green, and enabled once the
// single-precision verdict lands. Names as printed by the test: <layer>_<variant>_<input>.
//
// Measured on the engine of 839f386 (precision stated but not yet read): every right check
// fails (float rounding of f over a double-sized step: max rel 7.6e-3 .. 6.3e4), and four
// mutated checks fail for the right reason but with a `nondifferentiable` diagnosis.
const std::set<std::string>& failing_today() {
  // Empty since the engine measures precision and bounds its reference: every verdict runs.
  static const std::set<std::string> names{};
  return names;
}
// The same float code wrapped by hand in a double callable: precision auto detects it.
const std::set<std::string>& failing_today_double_wrapped() { return failing_today(); }

// GoogleTest prints a failing parameter with this (not as bytes).
void PrintTo(const Verdict& v, std::ostream* os);

std::vector<Verdict> verdicts() {
  std::vector<Verdict> out;
  for (size_t l = 0; l < layers().size(); ++l) {
    const Layer& L = layers()[l];
    for (size_t k = 0; k < L.vars.size(); ++k) out.push_back({l, "right", 0, k, Status::kPass});
    for (const Mutation& m : L.mutations)
      for (int k : m.affected) out.push_back({l, m.name, m.bug, static_cast<size_t>(k), Status::kFail});
  }
  return out;
}

std::string verdict_name(const Verdict& v) {
  const Layer& L = layers()[v.layer];
  return L.name + "_" + v.variant + "_" + L.vars[v.input].name;
}

void PrintTo(const Verdict& v, std::ostream* os) {
  *os << verdict_name(v) << " (expected " << gradcheck::to_string(v.expected) << ")";
}

std::string codes(const CheckResult& r) {
  std::string out;
  for (const auto& d : r.diagnoses) out += (out.empty() ? "" : ",") + d.code;
  return out.empty() ? "-" : out;
}

void expect_verdict(const Verdict& v, const CheckResult& r, const char* form) {
  std::printf("[float32-verdict] %-8s %-40s expected %-4s got %-12s max_rel %.3g  max_abs %.3g  diagnoses %s\n", form,
              verdict_name(v).c_str(), gradcheck::to_string(v.expected).c_str(),
              gradcheck::to_string(r.status).c_str(), r.max_rel_error, r.max_abs_error, codes(r).c_str());
  EXPECT_EQ(gradcheck::to_string(r.status), gradcheck::to_string(v.expected)) << gradcheck::describe(r, verdict_name(v));
  for (const auto& d : r.diagnoses) EXPECT_NE(d.code, "nondifferentiable") << d.message;
}

class Float32LayerBuffer : public ::testing::TestWithParam<Verdict> {};
class Float32LayerWrapped : public ::testing::TestWithParam<Verdict> {};

// Through the float buffer API: f reads the input from a row-major float buffer.
TEST_P(Float32LayerBuffer, AtDefaults) {
  const Verdict& v = GetParam();
  const Layer& L = layers()[v.layer];
  Buffers<float> point;
  for (const auto& b : L.point) point.push_back(as<float>(b));
  const Pointers<float> in = pointers(point);
  const Buffers<float> grads = L.backward_f(in, v.bug);
  const Var& var = L.vars[v.input];
  auto f = [&](const float* p) {
    Pointers<float> moved = in;
    moved[v.input] = p;
    return L.loss_f(moved);
  };
  ApiOptions options;
  options.name = var.name;
  options.f_name = L.name;
  const CheckResult r = gradcheck::check_gradient(f, {point[v.input].data(), arma::uword(var.rows), arma::uword(var.cols)},
                                                  {grads[v.input].data(), arma::uword(var.rows), arma::uword(var.cols)},
                                                  options);
  expect_verdict(v, r, "buffer");
}

// The same float code wrapped by hand in a double callable (arma::mat -> double, converting to
// float buffers inside) through the double API: precision auto, the engine must find out.
TEST_P(Float32LayerWrapped, AtDefaults) {
  const Verdict& v = GetParam();
  const Layer& L = layers()[v.layer];
  Buffers<float> point;
  for (const auto& b : L.point) point.push_back(as<float>(b));
  const Pointers<float> in = pointers(point);
  const Buffers<float> grads = L.backward_f(in, v.bug);
  const Var& var = L.vars[v.input];
  auto f = [&](const arma::mat& X) -> double {
    std::vector<float> buffer(static_cast<size_t>(var.numel()));
    for (int i = 0; i < var.rows; ++i)
      for (int j = 0; j < var.cols; ++j) buffer[i * var.cols + j] = static_cast<float>(X(i, j));
    Pointers<float> moved = in;
    moved[v.input] = buffer.data();
    return L.loss_f(moved);
  };
  arma::mat x(var.rows, var.cols), g(var.rows, var.cols);
  for (int i = 0; i < var.rows; ++i)
    for (int j = 0; j < var.cols; ++j) {
      x(i, j) = point[v.input][i * var.cols + j];
      g(i, j) = grads[v.input][i * var.cols + j];
    }
  gradcheck::ApiOptions options;
  options.name = var.name;
  options.f_name = L.name;
  const CheckResult r = gradcheck::check_gradient(f, x, g, gradcheck::Layout::kDenominator, options);
  expect_verdict(v, r, "wrapped");
}

// A test's name; DISABLED_ for those listed as failing today (the test name then reads
// "AtDefaults/DISABLED_...", which GoogleTest skips unless --gtest_also_run_disabled_tests).
std::string buffer_name(const ::testing::TestParamInfo<Verdict>& info) {
  const std::string name = verdict_name(info.param);
  return failing_today().count(name) ? "DISABLED_" + name : name;
}
std::string wrapped_name(const ::testing::TestParamInfo<Verdict>& info) {
  const std::string name = verdict_name(info.param);
  return failing_today_double_wrapped().count(name) ? "DISABLED_" + name : name;
}

INSTANTIATE_TEST_SUITE_P(Layers, Float32LayerBuffer, ::testing::ValuesIn(verdicts()), buffer_name);
INSTANTIATE_TEST_SUITE_P(Layers, Float32LayerWrapped, ::testing::ValuesIn(verdicts()), wrapped_name);

}  // namespace
