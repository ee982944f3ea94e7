// SPDX-License-Identifier: MIT
#include "cases/discover.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace gradcheck {
namespace {

namespace fs = std::filesystem;

class Discover : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gradcheck_discover_" + std::string(
        ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string write(const std::string& name) {
    const fs::path p = root_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "{}";
    return p.string();
  }
  std::string path(const std::string& name) const { return (root_ / name).string(); }
  fs::path root_;
};

TEST_F(Discover, CaseFilesAreSortedAndReportsSkipped) {
  write("b.json");
  write("a/c.json");
  write("gradcheck-report.json");
  write("notes.txt");
  const FoundFiles found = discover_case_files({root_.string()});
  EXPECT_TRUE(found.problems.empty());
  EXPECT_EQ(found.files, (std::vector<std::string>{path("a/c.json"), path("b.json")}));
  EXPECT_EQ(found.skipped, std::vector<std::string>{path("gradcheck-report.json")});
}

TEST_F(Discover, LinksThatCannotBeFollowedAreNamedAndTheRestIsFound) {
  write("good.json");
  fs::create_symlink("loop.json", root_ / "loop.json");
  fs::create_symlink("nowhere.json", root_ / "gone.json");
  const FoundFiles found = discover_case_files({root_.string()});
  EXPECT_EQ(found.files, std::vector<std::string>{path("good.json")});
  ASSERT_EQ(found.problems.size(), 2u);
  std::string all;
  for (const Error& e : found.problems) {
    EXPECT_EQ(e.id(), "cli.path");
    all += e.message() + "\n";
  }
  EXPECT_NE(all.find("symbolic-link loop at " + path("loop.json")), std::string::npos) << all;
  EXPECT_NE(all.find("dangling link " + path("gone.json") + " (it points to nowhere.json"), std::string::npos) << all;
}

TEST_F(Discover, AFolderWithoutCaseFilesAndAMissingPathAreProblems) {
  write("empty/readme.txt");
  const FoundFiles found = discover_case_files({path("empty"), path("nosuch")});
  EXPECT_TRUE(found.files.empty());
  ASSERT_EQ(found.problems.size(), 2u);
  EXPECT_EQ(found.problems[0].message(), "no case files under " + path("empty"));
  EXPECT_EQ(found.problems[1].message(), path("nosuch") + ": no such file or directory");
}

TEST_F(Discover, AFileGivenByNameIsTakenAsItIs) {
  const std::string p = write("x.json");
  EXPECT_EQ(discover_case_files({p}).files, std::vector<std::string>{p});
}

}  // namespace
}  // namespace gradcheck
