// SPDX-License-Identifier: MIT
#include "program/process.hpp"

#include <gtest/gtest.h>

namespace gradcheck::program {
namespace {

Clock::time_point in_seconds(double s) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

TEST(Process, ExchangesLines) {
  Process p({"cat"}, "");
  EXPECT_EQ(p.exchange("hello", in_seconds(10)), "hello");
  EXPECT_EQ(p.exchange("{\"id\": 2}", in_seconds(10)), "{\"id\": 2}");
  p.end(std::chrono::milliseconds(500));
  EXPECT_FALSE(p.running());
}

TEST(Process, RunsInItsFolderWithoutAShell) {
  Process p({"sh", "-c", "read l; pwd; read l; echo \"$1\"", "sh", "a b; echo c"}, "/tmp");
  EXPECT_EQ(p.exchange("", in_seconds(10)), "/tmp");
  EXPECT_EQ(p.exchange("", in_seconds(10)), "a b; echo c");  // one argument, never split or run
}

TEST(Process, MissingProgramCannotStart) {
  try {
    Process p({"./no-such-program-here"}, "/tmp");
    FAIL() << "started";
  } catch (const ProcessError& e) {
    EXPECT_EQ(e.kind(), ProcessError::Kind::kStart);
    EXPECT_STREQ(e.what(), "cannot start: No such file or directory");
  }
}

TEST(Process, ExitBeforeAnsweringSaysHow) {
  Process p({"sh", "-c", "echo 'first words' >&2; echo 'last words' >&2; exit 5"}, "");
  try {
    p.exchange("request", in_seconds(10));
    FAIL() << "answered";
  } catch (const ProcessError& e) {
    EXPECT_EQ(e.kind(), ProcessError::Kind::kExited);
    EXPECT_STREQ(e.what(), "exited with status 5");
  }
  EXPECT_EQ(p.stderr_tail(), "first words\nlast words");
  EXPECT_EQ(p.stderr_tail(1), "last words");
}

TEST(Process, KilledBySignalSaysWhich) {
  Process p({"sh", "-c", "kill -SEGV $$"}, "");
  try {
    p.exchange("request", in_seconds(10));
    FAIL() << "answered";
  } catch (const ProcessError& e) {
    EXPECT_EQ(e.kind(), ProcessError::Kind::kExited);
    EXPECT_NE(std::string(e.what()).find("was killed by signal 11"), std::string::npos) << e.what();
  }
}

TEST(Process, SilenceIsATimeoutAndTheProcessIsEnded) {
  Process p({"sh", "-c", "read l; sleep 60"}, "");
  try {
    p.exchange("request", in_seconds(0.2));
    FAIL() << "answered";
  } catch (const ProcessError& e) {
    EXPECT_EQ(e.kind(), ProcessError::Kind::kTimeout);
  }
  p.end();
  EXPECT_FALSE(p.running());
  EXPECT_EQ(p.exit_description(), "was ended by gradcheck");
}

TEST(Process, LargeRequestsAndAnswersDoNotDeadlock) {
  // 4 MiB each way: more than any pipe buffer, so writing and reading must interleave.
  const std::string big(4 << 20, 'x');
  Process p({"cat"}, "");
  EXPECT_EQ(p.exchange(big, in_seconds(30)).size(), big.size());
}

}  // namespace
}  // namespace gradcheck::program
