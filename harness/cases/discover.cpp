// SPDX-License-Identifier: MIT
#include "cases/discover.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace gradcheck {
namespace {

namespace fs = std::filesystem;

// The report file names of `run --format json` (report/write.cpp): never a case.
bool is_own_report(const fs::path& p) { return p.filename() == "gradcheck-report.json"; }

Error path_error(const std::string& message) { return Error("cli.path", message); }

// A symbolic link that cannot be followed: a loop, or a link to nothing. Empty when it can.
std::string broken_link(const fs::path& p) {
  std::error_code ec;
  const fs::file_status followed = fs::status(p, ec);  // follows the link; ec says why it could not
  if (ec == std::errc::too_many_symbolic_link_levels) return fmt::format("symbolic-link loop at {}", p.string());
  if (ec || !fs::exists(followed)) {
    std::error_code read;
    const fs::path target = fs::read_symlink(p, read);
    return fmt::format("dangling link {} (it points to {}, which does not exist)", p.string(),
                       read ? "?" : target.string());
  }
  return "";
}

}  // namespace

FoundFiles discover_case_files(const std::vector<std::string>& paths) {
  FoundFiles out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(p, ec);
    if (!ec && fs::is_symlink(link)) {
      if (const std::string broken = broken_link(p); !broken.empty()) {
        out.problems.push_back(path_error(broken));
        continue;
      }
    }
    if (fs::is_regular_file(p, ec)) {
      out.files.push_back(p);
      continue;
    }
    if (!fs::is_directory(p, ec)) {
      // (A path that exists but is neither, /dev/null or a FIFO, is not "missing".)
      std::error_code exists_ec;
      out.problems.push_back(path_error(
          fs::exists(p, exists_ec) ? fmt::format("{}: not a regular file or a directory (a case file or a folder of them)", p)
                                   : fmt::format("{}: no such file or directory", p)));
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      const fs::path& entry = it->path();
      std::error_code e;
      if (it->is_symlink(e)) {
        if (const std::string broken = broken_link(entry); !broken.empty()) {
          out.problems.push_back(path_error(broken));
          continue;
        }
      }
      if (entry.extension() != ".json" || !it->is_regular_file(e)) continue;
      if (is_own_report(entry)) {
        out.skipped.push_back(entry.string());
        continue;
      }
      found.push_back(entry.string());
    }
    if (ec) out.problems.push_back(path_error(fmt::format("{}: cannot read the folder: {}", p, ec.message())));
    std::sort(found.begin(), found.end());
    if (found.empty() && !ec) out.problems.push_back(path_error(fmt::format("no case files under {}", p)));
    out.files.insert(out.files.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace gradcheck
