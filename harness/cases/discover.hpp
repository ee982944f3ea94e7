// SPDX-License-Identifier: MIT
// Which files under the paths given to `run` and `lint` are case files, and what is wrong with
// the rest: every problem named, the good files still run.
#pragma once

#include <string>
#include <vector>

#include "gradcheck/error.hpp"

namespace gradcheck {

struct FoundFiles {
  std::vector<std::string> files;    // case files: each path's *.json, sorted within a folder
  // "cli.path" errors, each naming its path: a path that does not exist, a folder with no case
  // files, a symbolic-link loop, a dangling link.
  std::vector<Error> problems;
  std::vector<std::string> skipped;  // gradcheck's own reports (gradcheck-report.json) met in a folder
};

// A file given by name is taken as it is. A folder is walked (symbolic links to folders are
// not followed, so a walk always ends); in it, every regular *.json file (or link to one) is
// a case file, except gradcheck-report.json, which `run --format json` writes.
FoundFiles discover_case_files(const std::vector<std::string>& paths);

}  // namespace gradcheck
