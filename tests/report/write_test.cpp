// SPDX-License-Identifier: MIT
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"
#include "report/sample_run.hpp"

namespace gradcheck::report {
namespace {

namespace fs = std::filesystem;
using gradcheck::testing::sample_run;
using gradcheck::testing::slurp;


// A fresh folder per test.
class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gradcheck_write_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> entries(const fs::path& folder) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

TEST_F(WriteTest, CreatesFoldersAndLeavesNoTemporaryFile) {
  const fs::path path = dir_ / "a" / "b" / "report.json";
  write_atomically(path.string(), "{\"schema\": 1}\n");
  EXPECT_EQ(slurp(path), "{\"schema\": 1}\n");
  EXPECT_EQ(entries(path.parent_path()), std::vector<std::string>{"report.json"});
}

TEST_F(WriteTest, ReplacesAnExistingFile) {
  const fs::path path = dir_ / "report.txt";
  write_atomically(path.string(), std::string(10000, 'x'));
  write_atomically(path.string(), "short\n");
  EXPECT_EQ(slurp(path), "short\n");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.txt"});
}

TEST_F(WriteTest, FailureIsAReportIoErrorNamingThePath) {
  fs::create_directories(dir_);
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "not a folder";
  const fs::path path = blocker / "report.json";  // its folder is a file
  try {
    write_atomically(path.string(), "x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "report.io");
    EXPECT_NE(std::string(e.what()).find("cannot write \"" + path.string() + "\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Not a directory"), std::string::npos) << e.what();
  }
}

TEST_F(WriteTest, FailedRenameLeavesNoTemporaryFile) {
  // A folder where the file should go: the temporary file is written, the rename fails.
  fs::create_directories(dir_ / "report.json" / "inside");
  try {
    write_atomically((dir_ / "report.json").string(), "x");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "report.io");
    EXPECT_NE(std::string(e.what()).find("Is a directory"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"report.json"});
}

TEST_F(WriteTest, WritesEveryFormatUnderItsStandardName) {
  const RunResult run = sample_run();
  const auto written = write_reports(run, {"text", "json", "junit", "markdown", "html"}, dir_.string());
  ASSERT_EQ(written.size(), 5u);
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"gradcheck-report.html", "gradcheck-report.json",
                                                     "gradcheck-report.md", "gradcheck-report.txt",
                                                     "gradcheck-report.xml"}));
  EXPECT_EQ(written[0], (dir_ / "gradcheck-report.txt").string());
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.txt"), text(run));
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.json"), json(run));
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.xml"), junit(run));
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.md"), markdown(run));
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.html"), html(run));
}

TEST_F(WriteTest, TextFileHasNoColour) {
  TextOptions options;
  options.color = true;
  write_reports(sample_run(), {"text"}, dir_.string(), options);
  EXPECT_EQ(slurp(dir_ / "gradcheck-report.txt").find('\x1b'), std::string::npos);
}

TEST_F(WriteTest, UnknownFormatIsAnError) {
  try {
    write_reports(sample_run(), {"pdf"}, dir_.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.id(), "report.format");
    EXPECT_NE(std::string(e.what()).find("unknown report format \"pdf\""), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gradcheck::report
