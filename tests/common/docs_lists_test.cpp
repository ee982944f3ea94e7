// SPDX-License-Identifier: MIT
// The docs' lists of names are the tables' (common/types.cpp, cases/init.cpp,
// common/diagnosis_codes.cpp, reference::evaluations_per_entry): a name added to a table and not
// to the docs, or a cost changed in one place only, fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "cases/init.hpp"
#include "common/diagnosis_codes.hpp"
#include "gradcheck/types.hpp"
#include "reference/reference.hpp"

namespace gradcheck {
namespace {

std::string doc(const std::string& name) {
  std::ifstream in(std::string(GRADCHECK_SOURCE_DIR) + "/docs/" + name);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << name;
  return s.str();
}

// The rows `| \`a\` ... |` (or `| \`a\`, \`b\` | ...`) of the table whose header starts with
// `header`: the names in the first column and the text of column `column`.
std::vector<std::pair<std::string, std::string>> table(const std::string& text, const std::string& header,
                                                      std::size_t column) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t at = text.find(header);
  EXPECT_NE(at, std::string::npos) << header;
  if (at == std::string::npos) return out;
  std::istringstream lines(text.substr(at));
  std::string line;
  std::getline(lines, line);  // header
  std::getline(lines, line);  // | --- |
  const std::regex name("`([a-z-]+)`");
  while (std::getline(lines, line) && line.rfind("|", 0) == 0) {
    std::vector<std::string> cells;
    std::istringstream cs(line.substr(1));
    for (std::string cell; std::getline(cs, cell, '|');) cells.push_back(cell);
    for (std::sregex_iterator m(cells[0].begin(), cells[0].end(), name), end; m != end; ++m)
      out.emplace_back((*m)[1], column < cells.size() ? cells[column] : "");
  }
  return out;
}

std::vector<std::string> firsts(const std::vector<std::pair<std::string, std::string>>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.first);
  return out;
}

TEST(DocsLists, InitTableIsTheInitNames) {
  EXPECT_EQ(firsts(table(doc("case-files.md"), "| `init` | draws |", 1)), init_names());
}

TEST(DocsLists, FdTableIsTheMethodsAndTheirCost) {
  const auto rows = table(doc("case-files.md"), "| `method` | difference |", 3);
  EXPECT_EQ(firsts(rows), names<FdMethod>());
  for (const auto& [method, cost] : rows) {
    FdOptions fd;
    ASSERT_TRUE(parse(method, &fd.method));
    std::smatch m;
    ASSERT_TRUE(std::regex_search(cost, m, std::regex("[0-9]+"))) << method << ": " << cost;
    EXPECT_EQ(std::stoi(m[0]), reference::evaluations_per_entry(fd)) << method << ": " << cost;
  }
}

TEST(DocsLists, DiagnosisSectionsAndTheCaseFileListAreTheCodes) {
  const std::string diagnoses = doc("diagnoses.md");
  std::vector<std::string> sections;
  const std::regex heading("\n## ([a-z-]+)");
  for (std::sregex_iterator m(diagnoses.begin(), diagnoses.end(), heading), end; m != end; ++m)
    sections.push_back((*m)[1]);
  EXPECT_EQ(sections, diagnosis_codes());

  const std::string cases = doc("case-files.md");
  std::size_t from = cases.find("`diagnosis` is one of");
  if (from != std::string::npos) from += std::string("`diagnosis`").size();
  ASSERT_NE(from, std::string::npos);
  const std::string list = cases.substr(from, cases.find("and is only allowed", from) - from);
  std::vector<std::string> listed;
  const std::regex code("`([a-z-]+)`");
  for (std::sregex_iterator m(list.begin(), list.end(), code), end; m != end; ++m) listed.push_back((*m)[1]);
  EXPECT_EQ(listed, diagnosis_codes());
}

// The README and docs/ stand alone: every link points at a file of the repository, and none
// names a place outside it (the README pointed at ../shared/spec/case-format.md).
TEST(DocsLists, LinksStayInsideTheRepository) {
  namespace fs = std::filesystem;
  const fs::path root = fs::weakly_canonical(GRADCHECK_SOURCE_DIR);
  std::vector<fs::path> pages = {root / "README.md"};
  for (const auto& entry : fs::directory_iterator(root / "docs"))
    if (entry.path().extension() == ".md") pages.push_back(entry.path());
  const std::regex link(R"(\]\(([^)\s]+)\))");
  for (const fs::path& page : pages) {
    std::ifstream in(page);
    std::stringstream s;
    s << in.rdbuf();
    const std::string text = s.str();
    EXPECT_EQ(text.find("../shared"), std::string::npos) << page;
    for (std::sregex_iterator m(text.begin(), text.end(), link), end; m != end; ++m) {
      std::string target = (*m)[1];
      EXPECT_EQ(target.find("://"), std::string::npos) << page << ": " << target;
      target = target.substr(0, target.find('#'));
      if (target.empty()) continue;  // an anchor in the same page
      const fs::path resolved = fs::weakly_canonical(page.parent_path() / target);
      EXPECT_TRUE(fs::exists(resolved)) << page << ": " << target;
      EXPECT_EQ(resolved.string().rfind(root.string(), 0), 0u) << page << ": " << target << " leaves the repository";
    }
  }
}

}  // namespace
}  // namespace gradcheck
