// SPDX-License-Identifier: MIT
// Each diagnosis is triggered by a known-wrong derivation and absent from a correct one.
#include "diagnose/diagnose.hpp"

#include <gtest/gtest.h>

#include "gradcheck/gradcheck.hpp"

namespace gradcheck {
namespace {

std::string codes(const CheckResult& r) {
  std::string s;
  for (const Diagnosis& d : r.diagnoses) s += (s.empty() ? "" : ",") + d.code;
  return s;
}

std::string messages(const CheckResult& r) {
  std::string s;
  for (const Diagnosis& d : r.diagnoses) s += "[" + d.code + "] " + d.message + "\n";
  return s;
}

arma::mat fixed(arma::uword r, arma::uword c, double seed) {
  arma::mat m(r, c);
  for (arma::uword k = 0; k < m.n_elem; ++k) m(k) = std::sin(seed + 1.7 * k) + 0.1 * k;
  return m;
}

TEST(AsFraction, FindsSmallFractions) {
  EXPECT_EQ(as_fraction(0.0625), "1/16");
  EXPECT_EQ(as_fraction(2.0), "2");
  EXPECT_EQ(as_fraction(-0.75), "-3/4");
  EXPECT_EQ(as_fraction(1.0 / 3.0), "1/3");
  // Too large to be a named fraction (and, before, an overflowing conversion to long that UBSan
  // reported: the case fuzzer's finding-fraction-overflow).
  EXPECT_EQ(as_fraction(6.66667e70), "");
  EXPECT_EQ(as_fraction(-1e300), "");
  EXPECT_EQ(as_fraction(9.3e18), "");
  EXPECT_EQ(as_fraction(123456.0), "123456");
  EXPECT_EQ(as_fraction(M_PI), "");  // 355/113 is 8.5e-8 off: not within 1e-8
}

TEST(NameFactor, NamesTheDimItEquals) {
  EXPECT_EQ(name_factor(1.0 / 16, {{"m", 16}}), "1/16 = 1/m");
  EXPECT_EQ(name_factor(12.0, {{"N", 4}, {"D", 3}}), "12 = D*N");
  EXPECT_EQ(name_factor(0.5, {{"m", 16}}), "1/2");
  EXPECT_EQ(name_factor(-4.0, {{"n", 4}}), "-4 = -n");
}

TEST(Diagnose, CorrectGradientGetsNoDiagnosis) {
  const arma::mat w = fixed(3, 4, 0.2);
  const CheckResult r = check_gradient([](const arma::mat& x) { return arma::accu(x % x); }, w, arma::mat(2 * w));
  EXPECT_EQ(r.status, Status::kPass) << messages(r);
  EXPECT_TRUE(r.diagnoses.empty());
}

TEST(Diagnose, ScaleNamesTheFactor) {
  const arma::mat w = fixed(3, 4, 0.2);
  const CheckResult r = check_gradient([](const arma::mat& x) { return arma::accu(x % x) / 16.0; }, w, arma::mat(2 * w));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(codes(r), "scale");
  EXPECT_NE(r.diagnoses[0].message.find("expected is 16 times"), std::string::npos) << messages(r);
  EXPECT_NEAR(r.diagnoses[0].figures.at("factor"), 16.0, 1e-6);
}

TEST(Diagnose, Sign) {
  const arma::mat w = fixed(3, 4, 0.2);
  const CheckResult r = check_gradient([](const arma::mat& x) { return arma::accu(x % x); }, w, arma::mat(-2 * w));
  EXPECT_EQ(codes(r), "sign") << messages(r);
}

TEST(Diagnose, WrongShapeInTheOtherLayoutIsTransposed) {
  // q = a' B x with B 3x4: dq/dB = a x' (3x4). The numerator-layout x a' (4x3) is the transpose.
  const arma::mat a = fixed(3, 1, 0.1), x = fixed(4, 1, 0.7), b = fixed(3, 4, 0.3);
  auto q = [&](const arma::mat& B) { return arma::as_scalar(a.t() * B * x); };
  const CheckResult r = check_gradient(q, b, arma::mat(x * a.t()));
  EXPECT_EQ(codes(r), "shape-mismatch,layout-transposed") << messages(r);
  EXPECT_NE(r.diagnoses[0].message.find("expected is 4x3 but the check wants 3x4"), std::string::npos) << messages(r);
  EXPECT_EQ(check_gradient(q, b, arma::mat(x * a.t()), Layout::kNumerator).status, Status::kPass);
}

TEST(Diagnose, SquareTransposeIsLayoutTransposed) {
  // f = tr(A X): df/dX = A'. Writing A is the numerator layout.
  const arma::mat a = fixed(3, 3, 0.4), x = fixed(3, 3, 1.1);
  auto f = [&](const arma::mat& X) { return arma::trace(a * X); };
  const CheckResult r = check_gradient(f, x, a);
  EXPECT_EQ(codes(r), "layout-transposed") << messages(r);
}

TEST(Diagnose, SymmetricOnly) {
  // f = x' A x: df/dx = (A + A') x; 2 A x holds only for a symmetric A.
  const arma::mat a = fixed(3, 3, 0.4);
  std::vector<Input> inputs{{"x", fixed(3, 1, 0.9)}, {"A", a}};
  auto f = [](const std::vector<arma::mat>& v) { return arma::as_scalar(v[0].t() * v[1] * v[0]); };
  // Only the x check is of interest; give the right dA = x x'.
  const std::vector<MultiGradient> grads{
      [](const std::vector<arma::mat>& v) { return arma::mat(2 * v[1] * v[0]); },
      [](const std::vector<arma::mat>& v) { return arma::mat(v[0] * v[0].t()); }};
  const auto r = check_gradients(f, inputs, grads);
  ASSERT_EQ(codes(r[0]), "symmetric-only") << describe(r[0]);
  EXPECT_NE(r[0].diagnoses[0].message.find("when A is symmetric"), std::string::npos) << messages(r[0]);
  EXPECT_EQ(r[1].status, Status::kPass) << messages(r[1]);
}

TEST(Diagnose, PartialDiagonal) {
  // f = sum(X .* X) + tr(X): gradient 2X + I. Forgetting the identity: only the diagonal differs.
  const arma::mat x = fixed(4, 4, 0.5);
  auto f = [](const arma::mat& X) { return arma::accu(X % X) + arma::trace(X); };
  const CheckResult r = check_gradient(f, x, arma::mat(2 * x));
  EXPECT_EQ(codes(r), "partial") << messages(r);
  EXPECT_NE(r.diagnoses[0].message.find("only diagonal entries differ (4 of 4)"), std::string::npos) << messages(r);
}

TEST(Diagnose, PartialRows) {
  const arma::mat x = fixed(4, 3, 0.5);
  auto f = [](const arma::mat& X) { return arma::accu(X % X); };
  arma::mat g = 2 * x;
  g.row(2) *= 3.0;
  const CheckResult r = check_gradient(f, x, g);
  EXPECT_EQ(codes(r), "partial") << messages(r);
  EXPECT_NE(r.diagnoses[0].message.find("confined to row 2"), std::string::npos) << messages(r);
}

// A mismatch is confined to rows only where the other rows are right: with the rest undecided
// (its bound too wide to tell, as near a singular matrix) the failing rows say nothing about it,
// and `partial` is not claimed. The same numbers with the rest decided do claim it.
TEST(Diagnose, PartialIsNotClaimedBesideUndecidedEntries) {
  const FormMap map = make_form_map(FormSpec{}, Shape{1, 1}, Shape{4, 3}, "f", "X");
  const arma::mat truth = fixed(12, 1, 0.3).t() + 2.0;  // J: 1 x 12, entries 1..3.3
  arma::mat expected = arma::reshape(truth, 4, 3);
  expected.row(0) *= 1.37;  // row 0 wrong
  arma::mat bound(1, 12, arma::fill::value(1e-12));
  DiagnoseContext ctx;
  ctx.map = &map;
  ctx.jacobian = &truth;
  ctx.bound = &bound;
  ctx.analytic = &expected;
  ctx.tolerance = Tolerance{1e-5, 1e-7};
  const Comparison decided = compare(expected, map, truth, bound, ctx.tolerance);
  ASSERT_TRUE(decided.fail);
  ASSERT_EQ(decided.undecided.n_elem, 0u);
  std::vector<Diagnosis> d = diagnose_mismatch(ctx, decided);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].code, "partial");
  EXPECT_NE(d[0].message.find("confined to row 0"), std::string::npos) << d[0].message;
  for (arma::uword b : {1u, 5u, 9u}) bound(b) = 1e3;  // row 1 undecided
  const Comparison mixed = compare(expected, map, truth, bound, ctx.tolerance);
  ASSERT_TRUE(mixed.fail);
  ASSERT_EQ(mixed.undecided.n_elem, 3u);
  for (const Diagnosis& x : diagnose_mismatch(ctx, mixed)) EXPECT_NE(x.code, "partial") << x.message;
}

TEST(Diagnose, Nondifferentiable) {
  // sum(relu(x)) at a point with x(1) = 0: the one-sided slopes are 0 and 1, the central
  // difference 1/2, and the usual convention relu'(0) = 0 cannot match it.
  const arma::mat x = arma::mat(arma::vec{0.5, 0.0, -2.0});
  auto f = [](const arma::mat& X) { return arma::accu(arma::clamp(X, 0.0, arma::datum::inf)); };
  const CheckResult r = check_gradient(f, x, arma::mat(arma::conv_to<arma::mat>::from(x > 0.0)));
  ASSERT_EQ(codes(r), "nondifferentiable") << messages(r) << describe(r);
  EXPECT_NE(r.diagnoses[0].message.find("x(1)"), std::string::npos) << messages(r);
}

TEST(Diagnose, Nonfinite) {
  const arma::mat x = arma::mat(arma::vec{1.0, -1.0});
  auto f = [](const arma::mat& X) { return arma::accu(arma::log(X)); };
  const CheckResult r = check_gradient(f, x, arma::mat(1.0 / x));
  EXPECT_EQ(r.status, Status::kFail);
  EXPECT_EQ(codes(r), "nonfinite") << messages(r);
}

TEST(Diagnose, VecOrderOfAKroneckerProduct) {
  // Z = A H W: d vec(Z)/d vec(H) = kron(W', A); kron(A, W') is the row-major (NumPy) form.
  const arma::mat a = fixed(3, 3, 0.1), w = fixed(2, 4, 0.6), h = fixed(3, 2, 1.3);
  auto z = [&](const arma::mat& H) { return arma::mat(a * H * w); };
  EXPECT_EQ(check_jacobian(z, h, arma::mat(arma::kron(w.t(), a))).status, Status::kPass);
  const CheckResult r = check_jacobian(z, h, arma::mat(arma::kron(a, w.t())));
  EXPECT_EQ(codes(r), "vec-order") << messages(r);
  EXPECT_EQ(check_jacobian(z, h, arma::mat(arma::kron(a, w.t())), Layout::kNumerator, VecOrder::kRowMajor).status,
            Status::kPass);
}

TEST(Diagnose, LayoutTransposedWithScale) {
  // Both mistakes at once: the numerator layout and a missing 1/m.
  const arma::mat w = fixed(3, 5, 0.2);
  auto f = [](const arma::mat& X) { return arma::accu(X % X) / 5.0; };
  const CheckResult r = check_gradient(f, w, arma::mat(2 * w.t()));
  EXPECT_EQ(codes(r), "shape-mismatch,layout-transposed,scale") << messages(r);
}

}  // namespace
}  // namespace gradcheck

namespace gradcheck {
namespace {

TEST(Diagnose, LargeOffsetIsNoiseNotAKinkOrAFactor) {
  // f = sum(x.^3) + 1e7: the right gradient fails on rounding alone; say so, blame nothing else.
  const arma::mat x = fixed(4, 1, 0.3);
  auto f = [](const arma::mat& X) { return arma::accu(arma::pow(X, 3)) + 1e7; };
  const CheckResult r = check_gradient(f, x, arma::mat(3 * arma::square(x)));
  if (r.status == Status::kFail) EXPECT_EQ(codes(r), "fd-noise") << messages(r);
  ApiOptions ridders;
  ridders.fd.method = FdMethod::kRidders;
  EXPECT_EQ(check_gradient(f, x, arma::mat(3 * arma::square(x)), Layout::kDenominator, ridders).status, Status::kPass);
}

TEST(NameFactor, SmallDimsAreNotNamed) {
  // The 2 of d x'Ax = 2Ax is not "n" because n happens to be 2.
  EXPECT_EQ(name_factor(0.5, {{"n", 2}}), "1/2");
  EXPECT_EQ(name_factor(3.0, {{"n", 3}}), "3 = n");
}

}  // namespace
}  // namespace gradcheck
