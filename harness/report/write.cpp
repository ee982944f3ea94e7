// SPDX-License-Identifier: MIT
// Writing reports: atomically (temporary file in the same folder, then rename), so a reader
// such as a CI step that polls the report directory never sees half a file.
#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "gradcheck/error.hpp"
#include "gradcheck/report.hpp"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define GRADCHECK_HAVE_FSYNC 1
#endif

namespace gradcheck::report {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw Error("report.io", fmt::format("cannot write \"{}\": {}", path, reason));
}

// A name no other writer uses at the same time: process id and a counter.
std::string temp_name(const fs::path& target) {
  static std::atomic<unsigned> counter{0};
#ifdef GRADCHECK_HAVE_FSYNC
  const long pid = static_cast<long>(::getpid());
#else
  const long pid = 0;
#endif
  return fmt::format(".{}.tmp-{}-{}", target.filename().string(), pid, counter++);
}

}  // namespace

void write_atomically(const std::string& path, const std::string& content) {
  const fs::path target(path);
  if (target.filename().empty()) fail(path, "not a file name");
  const fs::path folder = target.parent_path();
  if (!folder.empty()) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) fail(path, fmt::format("cannot create folder \"{}\": {}", folder.string(), ec.message()));
  }
  const fs::path temp = folder / temp_name(target);
  std::FILE* f = std::fopen(temp.string().c_str(), "wb");
  if (f == nullptr) fail(path, std::strerror(errno));
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size() && std::fflush(f) == 0;
#ifdef GRADCHECK_HAVE_FSYNC
  ok = ok && ::fsync(::fileno(f)) == 0;  // the data is on disk before the name points at it
#endif
  int saved = errno;
  if (std::fclose(f) != 0 && ok) ok = false, saved = errno;
  if (ok && std::rename(temp.string().c_str(), path.c_str()) != 0) ok = false, saved = errno;
  if (!ok) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    fail(path, std::strerror(saved));
  }
}

std::vector<std::string> write_reports(const RunResult& run, const std::vector<std::string>& formats,
                                       const std::string& dir, const TextOptions& text_options) {
  std::vector<std::string> written;
  for (const auto& format : formats) {
    std::string name, content;
    if (format == "text") {
      TextOptions plain = text_options;
      plain.color = false;  // a file is not a terminal
      name = "gradcheck-report.txt", content = text(run, plain);
    } else if (format == "json") {
      name = "gradcheck-report.json", content = json(run);
    } else if (format == "junit") {
      name = "gradcheck-report.xml", content = junit(run);
    } else if (format == "markdown") {
      name = "gradcheck-report.md", content = markdown(run);
    } else if (format == "html") {
      name = "gradcheck-report.html", content = html(run);
    } else {
      throw Error("report.format",
                  fmt::format("unknown report format \"{}\": use text, json, junit, markdown or html", format));
    }
    const std::string path = (fs::path(dir) / name).string();
    write_atomically(path, content);
    written.push_back(path);
  }
  return written;
}

}  // namespace gradcheck::report
