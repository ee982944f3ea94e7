// SPDX-License-Identifier: MIT
#include "program/client.hpp"

#include <gtest/gtest.h>

#include "gradcheck/error.hpp"

namespace gradcheck::program {
namespace {

// A program in sh: answers __describe__ with f and g, then runs `then` for the requests.
Client sh_program(const std::string& then, double timeout_s = 10) {
  return Client({"sh", "-c", "read l; echo '{\"id\": 0, \"functions\": [\"f\", \"g\"]}'; " + then}, "", timeout_s);
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "case.program");
    return e.message();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Client, DescribeListsTheFunctions) {
  Client c = sh_program("cat >/dev/null");
  EXPECT_EQ(c.functions(), (std::vector<std::string>{"f", "g"}));
}

TEST(Client, MatricesTravelColumnMajorAndExactly) {
  // The program answers with the x it was sent: the round trip must give x back bit for bit.
  Client c = sh_program(
      R"(while read l; do echo "$l" | sed 's/.*"x":\({[^}]*}\).*/{"id": 1, "value": \1}/'; done)");
  arma::mat x = {{1.0 / 3.0, -2e-300, 5.0}, {1e300, 0.1, -7.25}};
  const arma::mat back = c.call("f", {"x"}, {x});
  ASSERT_EQ(back.n_rows, 2u);
  ASSERT_EQ(back.n_cols, 3u);
  for (arma::uword k = 0; k < x.n_elem; ++k) EXPECT_EQ(back(k), x(k)) << k;
}

TEST(Client, NonFiniteNumbersAreStrings) {
  Client c = sh_program(R"(read l; echo '{"id": 1, "value": {"shape": [1, 3], "data": [1.5, "NaN", "-Infinity"]}}')");
  const arma::mat v = c.call("f", {}, {});
  EXPECT_EQ(v(0), 1.5);
  EXPECT_TRUE(std::isnan(v(1)));
  EXPECT_EQ(v(2), -arma::datum::inf);
}

// A bare number may answer for a 1 x 1 M, a non-finite one as its string (review finding: a bare
// "Infinity" was "not a matrix"); another string still is not one.
TEST(Client, ABareNonFiniteNumberIsItsString) {
  Client c = sh_program(R"(read l; echo '{"id": 1, "value": "Infinity"}'; read l; echo '{"id": 2, "values": ["NaN", 4]}')");
  const arma::mat v = c.call("f", {}, {});
  ASSERT_EQ(v.n_elem, 1u);
  EXPECT_EQ(v(0), arma::datum::inf);
  const std::vector<arma::mat> b = c.call_batch("f", {"x"}, {{arma::mat(1, 1)}, {arma::mat(1, 1)}});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_TRUE(std::isnan(b[0](0)));
  EXPECT_EQ(b[1](0), 4);
  Client other = sh_program(R"(read l; echo '{"id": 1, "value": "lots"}')");
  EXPECT_NE(error_of([&] { other.call("f", {}, {}); }).find("not a matrix"), std::string::npos);
}

TEST(Client, BatchAnswersOneValuePerPoint) {
  Client c = sh_program(R"(read l; echo '{"id": 1, "values": [2, {"shape": [1, 1], "data": [3]}]}')");
  const std::vector<arma::mat> v = c.call_batch("f", {"x"}, {{arma::mat(1, 1)}, {arma::mat(1, 1)}});
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0](0), 2);
  EXPECT_EQ(v[1](0), 3);
}

TEST(Client, EveryMisbehaviourIsACaseProgramError) {
  struct Bad {
    std::string program, says;
  } cases[] = {
      {"read l; echo 'not json'", "answered a line that is not JSON: not json"},
      {"read l; echo '[1, 2]'", "answered [1, 2], not a JSON object"},
      {"read l; echo '{\"value\": 1}'", "answered without an \"id\""},
      {"read l; echo '{\"id\": 7, \"value\": 1}'", "answered id 7 to request id 1"},
      {"read l; echo '{\"id\": 1}'", "answered without a \"value\""},
      {"read l; echo '{\"id\": 1, \"value\": {\"shape\": [2, 2], \"data\": [1]}}'",
       "gave a bad answer: wrong shape: its value has shape [2, 2] but 1 number in data"},
      {"read l; echo '{\"id\": 1, \"value\": {\"shape\": [2], \"data\": [1, 2]}}'",
       "gave a bad answer: its value.shape is [2], not [rows, cols]"},
      {"read l; echo '{\"id\": 1, \"value\": {\"shape\": [1, 1], \"data\": [true]}}'",
       "gave a bad answer: its value.data[0] is true, not a number"},
      {"read l; echo 'dying' >&2; exit 2", "exited with status 2 before answering"},
  };
  for (const Bad& b : cases) {
    Client c = sh_program(b.program);
    const std::string e = error_of([&] { c.call("f", {"x"}, {arma::mat(1, 1, arma::fill::ones)}); });
    EXPECT_NE(e.find(b.says), std::string::npos) << b.program << "\n" << e;
    EXPECT_NE(e.find("the request was {\"call\":\"f\",\"id\":1,\"inputs\":{\"x\":{\"data\":[1.0],\"shape\":[1,1]}}}"),
              std::string::npos) << e;
    EXPECT_EQ(c.failure(), e);
  }
}

TEST(Client, MessageNamesTheCommandAndQuotesStandardError) {
  Client c = sh_program("read l; echo 'Traceback (most recent call last):' >&2; echo 'KeyError: W' >&2; exit 1");
  const std::string e = error_of([&] { c.call("f", {}, {}); });
  EXPECT_EQ(e.substr(0, e.find(" exited")), "the program `sh -c 'read l; echo '{\"id\": 0, \"functions\": [\"f\", \"g\"]}'; "
                                             "read l; echo 'Traceback (most recent call last):' >&2; echo 'KeyError: W' "
                                             ">&2; exit 1'`");
  EXPECT_NE(e.find("; its standard error ended with:\n    | Traceback (most recent call last):\n    | KeyError: W"),
            std::string::npos) << e;
}

TEST(Client, TimeoutEndsTheProgramAndTheClientStaysFailedUntilReset) {
  Client c = sh_program("read l; echo 'thinking' >&2; sleep 60", 0.3);
  const std::string e = error_of([&] { c.call("f", {}, {}); });
  EXPECT_NE(e.find("did not answer within 0.3 s (\"timeout_s\" of \"program\")"), std::string::npos) << e;
  EXPECT_NE(e.find("    | thinking"), std::string::npos) << e;
  EXPECT_EQ(error_of([&] { c.call("f", {}, {}); }), e);  // at once, no second wait
  c.reset();
  EXPECT_EQ(c.failure(), "");
  EXPECT_EQ(c.functions(), (std::vector<std::string>{"f", "g"}));  // a new process
}

TEST(Client, AReportedErrorKeepsTheProgram) {
  Client c = sh_program(R"(read l; echo '{"id": 1, "error": "no such thing"}'; read l; echo '{"id": 2, "value": 4}')");
  const std::string e = error_of([&] { c.call("g", {}, {}); });
  EXPECT_NE(e.find("reported an error in \"g\": no such thing"), std::string::npos) << e;
  c.reset();
  EXPECT_EQ(c.call("f", {}, {})(0), 4);  // the same process answers the next request
}

TEST(Client, DescribeMustListFunctions) {
  Client c({"sh", "-c", "read l; echo '{\"id\": 0}'"}, "", 10);
  EXPECT_NE(error_of([&] { c.functions(); }).find("answered __describe__ without a list of \"functions\""),
            std::string::npos);
}

TEST(Pool, OneClientPerFileAndCommand) {
  Pool pool;
  ProgramSpec a{{"cat"}, 30, ".", {}}, b{{"cat", "-u"}, 30, ".", {}};
  EXPECT_EQ(&pool.get(a, "x.json"), &pool.get(a, "x.json"));
  EXPECT_NE(&pool.get(a, "x.json"), &pool.get(a, "y.json"));
  EXPECT_NE(&pool.get(a, "x.json"), &pool.get(b, "x.json"));
}

}  // namespace
}  // namespace gradcheck::program
