// SPDX-License-Identifier: MIT
#include "common/printable.hpp"

#include <gtest/gtest.h>

namespace gradcheck {
namespace {

TEST(Printable, ControlCharactersAreEscapedAndTheRestKept) {
  EXPECT_EQ(printable("softmax_ce"), "softmax_ce");
  EXPECT_EQ(printable("bad\x07name\x1b[31m"), "bad\\x07name\\x1b[31m");
  EXPECT_EQ(printable(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(printable("tab\there\x7f"), "tab\\x09here\\x7f");
  EXPECT_EQ(printable("d\xc3\xa9j\xc3\xa0"), "d\xc3\xa9j\xc3\xa0");  // UTF-8 is text, not control
}

}  // namespace
}  // namespace gradcheck
