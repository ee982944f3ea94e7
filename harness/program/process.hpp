// SPDX-License-Identifier: MIT
// A child process with pipes: argv (no shell) started in a folder, lines written to its standard
// input and read from its standard output under a deadline, its standard error kept (the last
// lines, for reports). The process runs in its own process group, so that ending it ends what it
// started too; it is always reaped (no zombie).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace gradcheck::program {

using Clock = std::chrono::steady_clock;

// Why talking to the process failed. `what()` is a sentence for the report ("exited with status
// 1", "did not answer within 30 s").
class ProcessError : public std::runtime_error {
 public:
  enum class Kind { kStart, kExited, kTimeout, kTooLong };
  ProcessError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

class Process {
 public:
  // Starts argv[0] (searched in PATH when it has no '/') with arguments argv[1..] in folder `cwd`
  // (empty: the current one). Throws ProcessError kStart when it cannot be started.
  Process(const std::vector<std::string>& argv, const std::string& cwd);
  ~Process();  // ends the process (see end())
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Writes `line` and a newline, then reads one line of standard output (without its newline),
  // all before `deadline`; standard error is drained meanwhile. Throws ProcessError: kExited when
  // the process closed its output or died, kTimeout at the deadline, kTooLong for a line past
  // `max_line` bytes.
  std::string exchange(const std::string& line, Clock::time_point deadline);

  // The last `lines` lines of what the process wrote to standard error (after draining what is
  // pending, without waiting).
  std::string stderr_tail(std::size_t lines = 8);

  // Closes its standard input, gives it `grace` to exit, then kills its process group; reaps it.
  // Idempotent.
  void end(std::chrono::milliseconds grace = std::chrono::milliseconds(0));

  bool running() const { return pid_ > 0; }
  // "exited with status 1", "killed by signal 9 (Killed)", or "" while it runs (reaps if it ended).
  std::string exit_description();

  static constexpr std::size_t max_line = std::size_t(256) << 20;  // 256 MiB

 private:
  void drain_stderr();
  void close_fds();

  pid_t pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;  // our ends: its stdin (a socket), stdout, stderr
  std::string out_buffer_;               // read past the last line
  std::string err_buffer_;               // the tail of its standard error
  std::string exit_;                     // once reaped
};

}  // namespace gradcheck::program
