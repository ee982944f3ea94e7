// SPDX-License-Identifier: MIT
// run_check with hand-built Problems: the engine's own behaviour, whatever the front end.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "gradcheck/check.hpp"
#include "gradcheck/expression.hpp"

namespace gradcheck {
namespace {

// f(x) = sum(exp(x)) over a 3x2 x, with a configurable "expected".
Problem exp_problem(std::function<arma::mat(const arma::mat&)> expected) {
  Problem p;
  p.names = {"x"};
  p.shapes = {Shape{3, 2}};
  p.f_shape = Shape{1, 1};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::exp(v[0])))); };
  p.expected = [expected](const std::vector<arma::mat>& v) { return expected(v[0]); };
  return p;
}

std::vector<std::vector<arma::mat>> points(int n) {
  std::vector<std::vector<arma::mat>> out;
  for (int t = 0; t < n; ++t) {
    arma::mat x(3, 2);
    for (arma::uword k = 0; k < 6; ++k) x(k) = std::sin(1.0 + t + 0.7 * k);
    out.push_back({x});
  }
  return out;
}

TEST(RunCheck, TaylorSlopeIsTwoForTheGradientAndOneOtherwise) {
  const CheckResult right = run_check(exp_problem([](const arma::mat& x) { return arma::mat(arma::exp(x)); }), points(1), Options{});
  EXPECT_EQ(right.status, Status::kPass);
  EXPECT_NEAR(right.taylor_slope, 2.0, 0.1);
  const CheckResult wrong = run_check(exp_problem([](const arma::mat& x) { return arma::mat(x); }), points(1), Options{});
  EXPECT_EQ(wrong.status, Status::kFail);
  EXPECT_NEAR(wrong.taylor_slope, 1.0, 0.1);
}

// A pass whose every entry sits inside atol could not have failed: it says so (review finding:
// f = 1e-9 sum(exp(x)) passed with expected zero and said nothing).
TEST(RunCheck, APassInsideAtolSaysItTestsLittle) {
  auto has_note = [](const CheckResult& r) {
    for (const std::string& n : r.notes)
      if (n.find("this pass tests little") != std::string::npos) return true;
    return false;
  };
  Problem tiny = exp_problem([](const arma::mat& x) { return arma::mat(arma::zeros(x.n_rows, x.n_cols)); });
  tiny.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(1e-9 * arma::accu(arma::exp(v[0]))));
  };
  const CheckResult vacuous = run_check(tiny, points(1), Options{});
  EXPECT_EQ(vacuous.status, Status::kPass);
  EXPECT_GT(vacuous.resolution, 1.0);
  EXPECT_TRUE(has_note(vacuous));
  const CheckResult real = run_check(exp_problem([](const arma::mat& x) { return arma::mat(arma::exp(x)); }), points(1), Options{});
  EXPECT_EQ(real.status, Status::kPass);
  EXPECT_FALSE(has_note(real));
}

TEST(RunCheck, FiguresAreThoseOfTheFirstFailingTrial) {
  // Right at trial 0 only (x = exp(x) nowhere; use a formula right only where x(0) < 0).
  auto expected = [](const arma::mat& x) { return x(0) > 0 ? arma::mat(2 * arma::exp(x)) : arma::mat(arma::exp(x)); };
  const auto pts = points(3);  // x(0) = sin(1), sin(2), sin(3): all > 0 -> every trial fails
  const CheckResult r = run_check(exp_problem(expected), pts, Options{});
  ASSERT_EQ(r.trials.size(), 3u);
  EXPECT_EQ(r.worst_trial, 0);
  EXPECT_EQ(r.max_abs_error, r.trials[0].max_abs_error);
  EXPECT_FALSE(r.trials[0].error_vs_step.empty());
  // The error against h is flat for a wrong formula: far above the tolerance at every step.
  for (const auto& [h, err] : r.trials[0].error_vs_step) EXPECT_GT(err, 0.1) << "h = " << h;
}

TEST(RunCheck, ARightFormulaAtAToleranceBelowTheReferenceIsInconclusiveNotFailed) {
  Options o;
  o.tolerance.rtol = 1e-15;  // far below what central differences of exp can resolve
  o.tolerance.atol = 1e-17;
  const CheckResult r = run_check(exp_problem([](const arma::mat& x) { return arma::mat(arma::exp(x)); }), points(1), o);
  EXPECT_EQ(r.status, Status::kInconclusive);
  EXPECT_FALSE(r.reason.empty());
  EXPECT_FALSE(r.reason_code.empty());
  EXPECT_TRUE(r.diagnoses.empty());
  // The same formula 1e-6 off is decided at a tolerance the reference can resolve.
  Options strict;
  strict.tolerance.rtol = 1e-8;
  const CheckResult wrong =
      run_check(exp_problem([](const arma::mat& x) { return arma::mat(arma::exp(x) * (1 + 1e-6)); }), points(1), strict);
  EXPECT_EQ(wrong.status, Status::kFail);
}

// f = a' inv(X) b, a callable, at a 2 x 2 X within d of singular; expected = -inv(X)' a b' inv(X)'
// times `factor`.
Problem bilinear_inverse(double factor) {
  Problem p;
  p.names = {"X"};
  p.shapes = {Shape{2, 2}};
  p.f_shape = Shape{1, 1};
  static const arma::vec a = {1.0, 2.0}, b = {0.3, -0.7};
  // (The 2 x 2 inverse by its formula: arma::inv throws where a step lands on a singular X.)
  static const auto inverse = [](const arma::mat& x) {
    const double det = x(0, 0) * x(1, 1) - x(0, 1) * x(1, 0);
    return arma::mat{{x(1, 1) / det, -x(0, 1) / det}, {-x(1, 0) / det, x(0, 0) / det}};
  };
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::as_scalar(a.t() * inverse(v[0]) * b)));
  };
  p.expected = [factor](const std::vector<arma::mat>& v) {
    const arma::mat inv = inverse(v[0]);
    return arma::mat(-factor * inv.t() * a * b.t() * inv.t());
  };
  return p;
}

// Within 1e-12 and 1e-13 of singular, the right formula never fails (the noise line there samples
// the singularity: read as noise it gave a bound that held nothing, and a right gradient of 1e24
// failed); a stray factor 1.01 at det 1e-10 never passes, and f stays double precision (frozen
// along one noise direction, f was read as float32 code: a tolerance 1000 times looser passed it).
TEST(RunCheck, NearASingularMatrixNoVerdictIsFalse) {
  int inconclusive = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    SCOPED_TRACE(seed);
    Options o;
    o.seed = seed;
    o.trials = 1;
    o.mode = seed % 2 ? Mode::kEntrywise : Mode::kDirectional;  // (both modes, the same noise rule)
    for (double d : {1e-12, 1e-13}) {
      const CheckResult right = run_check(bilinear_inverse(1.0), {{arma::mat{{1.0, 1.0}, {1.0, 1.0 + d}}}}, o);
      EXPECT_NE(right.status, Status::kFail) << d << " " << right.max_rel_error;
      if (right.status == Status::kInconclusive) {
        ++inconclusive;
        EXPECT_TRUE(right.reason_code == "ill-conditioned" || right.reason_code == "fd-noise") << right.reason_code;
      }
    }
    const CheckResult wrong = run_check(bilinear_inverse(1.01), {{arma::mat{{1.0, 2.0}, {1.0, 2.0 + 1e-10}}}}, o);
    EXPECT_NE(wrong.status, Status::kPass);  // (a callable has no complex step: it may stay undecided)
    EXPECT_EQ(wrong.trials.at(0).precision, "double");
  }
  EXPECT_GT(inconclusive, 0);
}

TEST(RunCheck, FunctionOfTheWrongShapeIsAnErrorOfTheTrial) {
  Problem p = exp_problem([](const arma::mat& x) { return x; });
  p.f = [](const std::vector<arma::mat>&, arma::mat& out) { out = arma::ones(2, 1); };
  const CheckResult r = run_check(p, points(1), Options{});
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_NE(r.error.find("f returned a 2x1 result, declared 1x1"), std::string::npos) << r.error;
}

TEST(RunCheck, MatrixValuedFunctionNeedsVecOrIndex) {
  Problem p = exp_problem([](const arma::mat& x) { return x; });
  p.f_shape = Shape{3, 2};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::exp(v[0]); };
  EXPECT_THROW(run_check(p, points(1), Options{}), Error);
  // In vec form, d vec(exp(X))/d vec(X) = diag(vec(exp(X))).
  p.form.form = Form::kVec;
  p.form.layout = Layout::kNumerator;
  p.expected = [](const std::vector<arma::mat>& v) { return arma::mat(arma::diagmat(arma::vectorise(arma::exp(v[0])))); };
  EXPECT_EQ(run_check(p, points(2), Options{}).status, Status::kPass);
}

TEST(RunCheck, ExpectedThatThrowsAnotherErrorIsAnError) {
  Problem p = exp_problem([](const arma::mat&) -> arma::mat { throw std::runtime_error("boom"); });
  const CheckResult r = run_check(p, points(1), Options{});
  EXPECT_EQ(r.status, Status::kError);
  EXPECT_EQ(r.error, "boom");
}

TEST(RunCheck, NonFiniteFunctionIsAFailureNamedNonfinite) {
  Problem p = exp_problem([](const arma::mat& x) { return x; });
  p.f = [](const std::vector<arma::mat>&, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(std::nan(""))); };
  const CheckResult r = run_check(p, points(1), Options{});
  EXPECT_EQ(r.status, Status::kFail);
  ASSERT_EQ(r.diagnoses.size(), 1u);
  EXPECT_EQ(r.diagnoses[0].code, "nonfinite");
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(RunCheck, TaylorSlopeCountsSymmetricPairsOnce) {
  // f = x' S x + tr(S S) with S symmetric (pairs moved together): G + G' - diag(diag(G)) with
  // G = x x' + 2 S; a right derivative must give slope 2, not the 1 of a doubled pair.
  Problem p;
  p.names = {"S", "x"};
  p.shapes = {Shape{3, 3}, Shape{3, 1}};
  p.structure = Structure::kSymmetric;
  p.f_shape = Shape{1, 1};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::as_scalar(v[1].t() * v[0] * v[1]) + arma::trace(v[0] * v[0])));
  };
  p.expected = [](const std::vector<arma::mat>& v) {
    const arma::mat g = v[1] * v[1].t() + 2 * v[0];
    return arma::mat(g + g.t() - arma::diagmat(g));
  };
  const arma::mat s{{1.0, 0.2, -0.3}, {0.2, 0.5, 0.1}, {-0.3, 0.1, 2.0}};
  const CheckResult r = run_check(p, {{s, arma::mat(arma::vec{0.4, -1.0, 0.7})}}, Options{});
  EXPECT_EQ(r.status, Status::kPass);
  EXPECT_NEAR(r.taylor_slope, 2.0, 0.1);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(RunCheck, InvalidOptionsAreRefused) {
  Options o;
  o.tolerance.rtol = 0;
  o.tolerance.atol = 0;
  try {
    run_check(exp_problem([](const arma::mat& x) { return x; }), points(1), o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "check.options");
    EXPECT_NE(std::string(e.what()).find("rtol and atol cannot both be 0"), std::string::npos) << e.what();
  }
  // probes: 0 is the default (24 a check), a negative count is refused.
  Options negative;
  negative.probes = -1;
  std::string why;
  EXPECT_FALSE(negative.is_valid(&why));
  EXPECT_NE(why.find("probes must be 0"), std::string::npos) << why;
  EXPECT_TRUE(Options{}.is_valid(nullptr));
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(RunCheckReference, ComplexStepOfACallableIsACheckReferenceError) {
  Problem p;
  p.names = {"x"};
  p.shapes = {Shape{2, 1}};
  p.f_shape = Shape{1, 1};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat(1, 1, arma::fill::value(arma::accu(v[0]))); };
  p.expected = [](const std::vector<arma::mat>&) { return arma::mat(2, 1, arma::fill::ones); };
  Options o;
  o.reference = ReferenceMethod::kComplexStep;
  const CheckResult r = run_check(p, {{arma::mat(2, 1, arma::fill::ones)}}, o);
  ASSERT_EQ(r.status, Status::kError);
  EXPECT_NE(r.error.find("[check.reference]"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

// A C++ callable with a large f and small derivative entries: f(W) = sum((W X + b).^2) / 16 at
// n = 64 (|f| ~ 4e3, its rounding ~ 1e-12), no complex extension, no propagation. The rounding
// term 3 sigma / h of the rule's step is above atol for entries with |g| < ~0.05, so they
// are decided only at larger steps (tighten level 4): the right gradient passes instead of
// ending inconclusive, and a wrong one still fails.
Problem large_sum_of_squares(const arma::mat& X, const arma::mat& b, double factor) {
  Problem p;
  p.names = {"W"};
  p.shapes = {Shape{X.n_rows, X.n_rows}};
  p.f_shape = Shape{1, 1};
  p.audience = Audience::kCpp;
  p.f = [X, b](const std::vector<arma::mat>& v, arma::mat& out) {
    out = arma::mat(1, 1, arma::fill::value(arma::accu(arma::square(v[0] * X + arma::repmat(b, 1, X.n_cols))) / 16));
  };
  p.expected = [X, b, factor](const std::vector<arma::mat>& v) {
    arma::mat g = (2.0 / 16) * (v[0] * X + arma::repmat(b, 1, X.n_cols)) * X.t();
    g(3, 5) *= factor;
    return g;
  };
  return p;
}

TEST(RunCheck, ALargeFWithSmallDerivativeEntriesIsDecidedAtLargerSteps) {
  arma::arma_rng::set_seed(42);
  const arma::uword n = 64;
  const arma::mat X = arma::randn(n, 16), b = arma::randn(n, 1), W = arma::randn(n, n);
  Options options;
  options.trials = 1;
  const CheckResult right = run_check(large_sum_of_squares(X, b, 1.0), {{W}}, options);
  EXPECT_EQ(right.status, Status::kPass) << right.reason;
  EXPECT_NE(right.reference.detail.find("larger steps"), std::string::npos) << right.reference.detail;
  const CheckResult wrong = run_check(large_sum_of_squares(X, b, 1.0 + 1e-3), {{W}}, options);
  EXPECT_EQ(wrong.status, Status::kFail);
}

// f and expected compiled from expressions over the variables `names` (shapes `shapes`), as the
// case runner builds a check.
Problem compiled(const std::vector<std::string>& names, const std::vector<Shape>& shapes, const std::string& f,
                 const std::string& expected, std::size_t wrt) {
  Symbols symbols;
  for (std::size_t i = 0; i < names.size(); ++i) symbols.add_variable(names[i], shapes[i]);
  Problem p;
  p.names = names;
  p.shapes = shapes;
  p.wrt = wrt;
  set_f(p, Expression::compile(f, symbols));
  auto e = std::make_shared<Expression>(Expression::compile(expected, symbols));
  p.expected = [e](const std::vector<arma::mat>& v) { return arma::mat(e->evaluate(v)); };
  return p;
}

// f = 1e-6 sum(sin(k x)) with k h = 2 pi at the central step h = 6.06e-6: D(h) and D(2h) are
// both ~0 and agree, with a bound of 1e-11, so without the complex step's confirmation the right
// derivative failed and 0 passed (review finding, at every seed).
TEST(RunCheck, TheComplexStepConfirmsADifferenceThatItsStepAliases) {
  const std::string f = "1e-6 * sum(sin(1037607.5580415332 * x))";
  const std::vector<std::vector<arma::mat>> at{{arma::mat(arma::vec{0.3125, -0.6875, 0.5625})}};
  auto status = [&](const std::string& expected) {
    return run_check(compiled({"x"}, {Shape{3, 1}}, f, expected, 0), at, Options{}).status;
  };
  EXPECT_EQ(status("1.0376075580415332 * cos(1037607.5580415332 * x)"), Status::kPass);
  EXPECT_EQ(status("0 * x"), Status::kFail) << "a pass is spot-checked by the complex step";
  EXPECT_EQ(status("-1.0376075580415332 * cos(1037607.5580415332 * x)"), Status::kFail);
  // The reference says what confirmed it.
  const CheckResult r = run_check(compiled({"x"}, {Shape{3, 1}}, f, "0 * x", 0), at, Options{});
  EXPECT_NE(r.reference.detail.find("complex step"), std::string::npos) << r.reference.detail;
}

// The same f as a black box (a C++ callable or a program: no complex extension, no structure):
// the second opinion is a difference at a 10^1.5 times smaller step, which does not alias
// there. Without it the right derivative failed and 0 passed.
TEST(RunCheck, ASmallerStepConfirmsADifferenceThatItsStepAliases) {
  const std::string f = "1e-6 * sum(sin(1037607.5580415332 * x))";
  const std::vector<std::vector<arma::mat>> at{{arma::mat(arma::vec{0.3125, -0.6875, 0.5625})}};
  auto check = [&](const std::string& expected) {
    Problem p = compiled({"x"}, {Shape{3, 1}}, f, expected, 0);
    p.f_complex = nullptr;
    p.perturbed = nullptr;
    p.jacobian = nullptr;
    p.polynomial_degree = -1;
    return run_check(p, at, Options{});
  };
  EXPECT_EQ(check("1.0376075580415332 * cos(1037607.5580415332 * x)").status, Status::kPass);
  const CheckResult zero = check("0 * x");
  EXPECT_EQ(zero.status, Status::kFail) << "a pass is spot-checked at the smaller step";
  EXPECT_NE(zero.reference.detail.find("smaller step"), std::string::npos) << zero.reference.detail;
  EXPECT_EQ(check("-1.0376075580415332 * cos(1037607.5580415332 * x)").status, Status::kFail);
}

// f = 1e-300 sum(exp(x)): the complex step's imaginary part, 1e-320, is subnormal, precise to
// its spacing and not to eps; its bound says so, or the pass's spot check contradicted a right
// difference and left it undecided (review of this session's change).
TEST(RunCheck, ASubnormalComplexStepDoesNotOverruleADifference) {
  Options o;
  o.tolerance.atol = 1e-310;
  const std::vector<std::vector<arma::mat>> at{{arma::mat(arma::vec{0.5, -1.0, 1.5})}};
  auto status = [&](const std::string& expected) {
    return run_check(compiled({"x"}, {Shape{3, 1}}, "1e-300 * sum(exp(x))", expected, 0), at, o).status;
  };
  EXPECT_EQ(status("1e-300 * exp(x)"), Status::kPass);
  EXPECT_EQ(status("2e-300 * exp(x)"), Status::kFail);
}

// a' inv(S + 1e-6 B) b at a fixed point: a step of B moves S + 1e-6 B by a few thousand ulps of
// S, whose rounding moves the difference by ~2e-5 of itself, outside its bound: the right
// derivative failed (review finding). The complex step contradicts the difference there, so the
// entries are undecided; a wrong one still fails.
TEST(RunCheck, ADifferenceMovedByTheInputsRoundingDoesNotFailARightDerivative) {
  const std::vector<std::vector<arma::mat>> at{{
      arma::mat{{1, 2, 3, 4}, {2, 4, 6, 8}, {1, 0, 1, 0}, {0, 1, 0, 1}},
      arma::mat{{0.46042285261661486, 0.371919861366132, 0.49418920482661904, -1.2935850523500367},
                {1.4163162857403704, -1.5320491810616255, 0.4637661253953357, -0.31252788985076163},
                {-1.540571310734075, -0.3904061612874987, 0.2129770920837829, -0.13018510170213704},
                {0.063692485812125, 1.1715304215980136, 1.6133224443482452, 0.5262346764630957}},
      arma::mat(arma::vec{-0.3491744056105854, -0.7453993872295915, -1.0285237639995952, -1.7284212619767172}),
      arma::mat(arma::vec{-0.9569521979349749, -0.8917639262644961, 1.212308835532056, -0.14165064106931413})}};
  auto check = [&](const std::string& expected, ReferenceMethod method) {
    Options o;
    o.reference = method;
    o.trials = 1;
    return run_check(compiled({"S", "B", "a", "b"}, {Shape{4, 4}, Shape{4, 4}, Shape{4, 1}, Shape{4, 1}},
                              "a' * inv(S + 1e-6 * B) * b", expected, 1),
                     at, o);
  };
  const std::string right = "-1e-6 * inv(S + 1e-6 * B)' * a * b' * inv(S + 1e-6 * B)'";
  const CheckResult fd = check(right, ReferenceMethod::kFd);
  EXPECT_NE(fd.status, Status::kFail) << fd.reference.detail;
  // Undecided where the two contradict each other; on a machine whose rounding of the point
  // leaves the first difference undecided rather than wrong, the complex step decides it.
  EXPECT_TRUE(fd.status == Status::kPass || fd.reference.detail.find("disagree") != std::string::npos)
      << fd.reference.detail;
  EXPECT_EQ(check(right, ReferenceMethod::kComplexStep).status, Status::kPass);
  EXPECT_EQ(check("-1e-6 * inv(S + 1e-6 * B) * a * b' * inv(S + 1e-6 * B)", ReferenceMethod::kFd).status,
            Status::kFail);
}

// A float32 black box's Hessian that its second differences cannot decide at a tolerance ten
// times tighter than single precision's: the reason reads f's own noise (single precision),
// not that of the central-difference estimate of its gradient (~1e-2 of |G|), which made it say
// "f amplifies rounding inside" of a plain log-sum-exp.
TEST(RunCheck, AnUndecidedFloat32HessianBlamesSinglePrecisionNotAmplification) {
  Problem p;
  p.names = {"z"};
  p.shapes = {Shape{6, 1}};
  p.f_shape = Shape{1, 1};
  p.derivative_order = 2;
  p.form = FormSpec{Layout::kNumerator, Form::kVec, VecOrder::kColumnMajor, std::nullopt};
  p.f = [](const std::vector<arma::mat>& v, arma::mat& out) {
    const arma::fvec z = arma::conv_to<arma::fvec>::from(v[0]);
    out = arma::mat{static_cast<double>(std::log(arma::accu(arma::exp(z))))};
  };
  p.expected = [](const std::vector<arma::mat>& v) {
    const arma::vec e = arma::exp(v[0]) / arma::accu(arma::exp(v[0]));
    return arma::mat(arma::diagmat(e) - e * e.t());
  };
  Options o;
  o.tolerance.rtol = 1e-3;
  o.tolerance.atol = 1e-4;
  o.tolerance_stated = true;
  arma::mat z(6, 1);
  for (arma::uword i = 0; i < 6; ++i) z(i) = std::sin(1.0 + 1.1 * i);
  const CheckResult r = run_check(p, {{z}}, o);
  ASSERT_EQ(r.status, Status::kInconclusive) << r.reason;
  EXPECT_EQ(r.precision, "single");
  EXPECT_EQ(r.reason.find("amplifies"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("single precision"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason.find("complex-step"), std::string::npos) << r.reason;  // f has no complex extension
}

// One aliased column among 20 (x_0 = 1037607.558, where the rule's step is ~2 pi) of a black box:
// the pass's spot check reads three columns (the worst entry's, here x_1's, and two random ones)
// and passed a derivative with 0 there at 16 seeds of 20 (review finding). Its probe of every column at once sees it, at every seed; the right
// derivative is never failed.
TEST(RunCheck, OneAliasedColumnAmongManyIsSeenByTheProbeOfEveryColumn) {
  arma::vec x(20);
  x(0) = 1037607.5580415338;
  for (arma::uword i = 1; i < 20; ++i) x(i) = 0.1 * static_cast<double>(i);
  auto check = [&](bool right, std::uint64_t seed) {
    Problem p;
    p.names = {"x"};
    p.shapes = {Shape{20, 1}};
    p.f_shape = Shape{1, 1};
    p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat{arma::accu(arma::sin(v[0]))}; };
    p.expected = [right](const std::vector<arma::mat>& v) {
      arma::mat g = arma::cos(v[0]);
      if (!right) g(0) = 0.0;
      if (!right) g(1) += 5e-8;  // within the tolerance, and the worst entry: the spot check reads it
      return g;
    };
    Options o;
    o.seed = seed;
    return run_check(p, {{arma::mat(x)}}, o).status;
  };
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    EXPECT_EQ(check(false, seed), Status::kFail) << "seed " << seed;
    EXPECT_NE(check(true, seed), Status::kFail) << "seed " << seed;
  }
}

// sum(sin(x)) as a black box at x in [1e9, 2e9] (the review's point, seed 9), where every
// relative step spans thousands of periods and f's measured noise is that of x's own rounding:
// x_2's entry was rough after level 0, and the re-chosen step 88 = 14 periods + 0.03 gave
// 7.9e-7 +- 3.9e-9 for cos x_2 = 7.5e-4, failing the right gradient. A rough entry is narrowed
// only by a difference that its own second opinion confirms: the right gradient is not failed,
// and a wrong one (1.001 cos x) does not pass.
TEST(RunCheck, ARoughEntrysSmallerStepIsConfirmedBeforeItDecides) {
  const arma::vec x{1958463543.8497553, 1941850103.2038097, 1454198630.301085};
  auto check = [&](double factor) {
    Problem p;
    p.names = {"x"};
    p.shapes = {Shape{3, 1}};
    p.f_shape = Shape{1, 1};
    p.f = [](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat{arma::accu(arma::sin(v[0]))}; };
    p.expected = [factor](const std::vector<arma::mat>& v) { return arma::mat(factor * arma::cos(v[0])); };
    return run_check(p, {{arma::mat(x)}}, Options{}).status;
  };
  EXPECT_NE(check(1.0), Status::kFail);
  EXPECT_NE(check(1.001), Status::kPass);
}

// A black box that rounds its inputs internally (review4 g1_off1e6: f = sum(cos(x + c)) with
// c_19 = 1e6, x ~ 1): below h = 1.2e-10, x + c + h is x + c itself and the difference is
// exactly 0. The frozen-step rule discounted the first such 0 but stored it, so the next one
// (step 1.9e-13) read as a measurement, 0 +- 0.023, and failed the right -sin(x_19 + 1e6) at
// every seed. The known value now stays: the right gradient is never failed over 10 points, and
// one with that entry 0 never passes.
TEST(RunCheck, ADifferenceBelowTheProgramsOwnRoundingStaysFrozen) {
  auto check = [](bool right, int t) {
    Problem p;
    p.names = {"x"};
    p.shapes = {Shape{20, 1}};
    p.f_shape = Shape{1, 1};
    arma::vec c(20, arma::fill::zeros);
    c(19) = 1e6;
    p.f = [c](const std::vector<arma::mat>& v, arma::mat& out) { out = arma::mat{arma::accu(arma::cos(v[0] + c))}; };
    p.expected = [c, right](const std::vector<arma::mat>& v) {
      arma::mat g = -arma::sin(v[0] + c);
      if (!right) g(19) = 0.0;
      return g;
    };
    arma::vec x(20);
    for (arma::uword i = 0; i < 20; ++i) x(i) = std::sin(1.3 * t + 0.7 * double(i));
    Options o;
    o.seed = static_cast<std::uint64_t>(t + 1);
    return run_check(p, {{arma::mat(x)}}, o).status;
  };
  for (int t = 0; t < 10; ++t) {
    EXPECT_NE(check(true, t), Status::kFail) << "point " << t;
    EXPECT_NE(check(false, t), Status::kPass) << "point " << t;
  }
}

}  // namespace
}  // namespace gradcheck

// set_f: everything of a compiled expression the engine uses, for the runner and other callers
// alike: its value, the propagated evaluator, the polynomial degree in the wrt variable, and the
// complex extension or why there is none.
TEST(SetF, GivesTheEngineEveryUseOfTheExpression) {
  using namespace gradcheck;
  Symbols symbols;
  symbols.add_variable("W", Shape{2, 3});
  symbols.add_variable("x", Shape{3, 1});
  Problem p;
  p.wrt = 0;
  set_f(p, Expression::compile("sum((W * x).^2)", symbols));
  EXPECT_EQ(p.f_shape, (Shape{1, 1}));
  EXPECT_EQ(p.polynomial_degree, 2);
  EXPECT_TRUE(p.computed_in_double);
  EXPECT_TRUE(p.smooth);
  ASSERT_TRUE(p.f && p.f_complex && p.perturbed);
  EXPECT_TRUE(p.complex_obstacle.empty());
  const std::vector<arma::mat> v{arma::mat{{1, 2, 3}, {0, -1, 1}}, arma::mat(arma::vec{1, 1, 2})};
  arma::mat out;
  p.f(v, out);
  EXPECT_DOUBLE_EQ(out(0), 9.0 * 9.0 + 1.0);
  std::unique_ptr<PerturbedFunction> moved = p.perturbed();
  moved->prepare(v);
  EXPECT_DOUBLE_EQ(moved->at(0, 0, 1.0)(0), 10.0 * 10.0 + 1.0);  // W(0,0) + 1: row 0 of W x grows by x(0)
  p.wrt = 1;
  set_f(p, Expression::compile("sum(exp(W * x))", symbols));
  EXPECT_EQ(p.polynomial_degree, -1);
  set_f(p, Expression::compile("sum(pinv(W) * W * x)", symbols));
  EXPECT_FALSE(p.f_complex);
  EXPECT_EQ(p.complex_obstacle, "pinv has no complex extension");
  EXPECT_FALSE(p.smooth);  // pinv can kink (where the rank changes)
  EXPECT_EQ(p.polynomial_degree, 1);
}
