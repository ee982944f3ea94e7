// SPDX-License-Identifier: MIT
#include "runner/programs.hpp"

#include <gtest/gtest.h>

#include "gradcheck/error.hpp"

namespace gradcheck::runner_programs {
namespace {

TEST(RunnerPrograms, UnknownFunctionListsTheNamesThereAre) {
  EXPECT_EQ(unknown_function("loss", {"loss", "grad_W"}, "python3 net.py"), "");
  EXPECT_EQ(unknown_function("grad_w", {"loss", "grad_W"}, "python3 net.py"),
            "\"grad_w\" is not a function of the program `python3 net.py`; it serves: loss, grad_W (did you mean "
            "\"grad_W\"?)");
  EXPECT_EQ(unknown_function("f", {}, "./p"), "\"f\" is not a function of the program `./p`; it serves: (none)");
}

TEST(RunnerPrograms, FKeepsTheShapeOfItsFirstAnswer) {
  // Answers 1x1, then 2x1: the second is a wrong shape, an error of the program.
  program::Client c({"sh", "-c",
                     "read l; echo '{\"id\": 0, \"functions\": [\"f\"]}'; read l; echo '{\"id\": 1, \"value\": 3}'; "
                     "read l; echo '{\"id\": 2, \"value\": {\"shape\": [2, 1], \"data\": [1, 2]}}'"},
                    "", 10);
  const ProgramF f = program_f(c, "f", {"x"}, {arma::mat(1, 1)});
  EXPECT_EQ(f.shape.str(), "1x1");
  arma::mat out;
  try {
    f.f({arma::mat(1, 1)}, out);
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "case.program");
    EXPECT_NE(e.message().find("wrong shape: \"f\" answered a 2x1 value here and a 1x1 one at the first point"),
              std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace gradcheck::runner_programs
