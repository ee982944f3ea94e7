// SPDX-License-Identifier: MIT
// Tests of harness/common/interrupt.cpp: the exit status of an interrupting signal, and the
// deferral while reports are written. (Killing the programs: tests/cli/interrupt.sh.)
#include "common/interrupt.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

using namespace gradcheck;

TEST(InterruptDeathTest, SigintExits130AndSigtermExits143) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        interrupt::install();
        ::raise(SIGINT);
        std::fprintf(stderr, "not interrupted\n");
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(130), "^$");
  EXPECT_EXIT(
      {
        interrupt::install();
        ::raise(SIGTERM);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(143), "^$");
}

TEST(InterruptDeathTest, ADeferralFinishesItsWorkFirst) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        interrupt::install();
        {
          const interrupt::Deferral outer;
          {
            const interrupt::Deferral inner;
            ::raise(SIGTERM);
            std::fprintf(stderr, "first report written\n");
          }
          std::fprintf(stderr, "second report written\n");  // still inside the outer one
        }
        std::fprintf(stderr, "after the reports\n");
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(143), "first report written\nsecond report written\n$");
}
