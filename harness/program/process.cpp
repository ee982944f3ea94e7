// SPDX-License-Identifier: MIT
// Process: posix_spawnp with file actions (dup2 of the pipes, chdir), poll() under a deadline.
// Its standard input is one end of a socket pair rather than a pipe so that writing to a
// process that died is an EPIPE error of send(MSG_NOSIGNAL), never a SIGPIPE that would end the
// harness; its standard output and error are pipes. Our ends are close-on-exec (other children
// started meanwhile by other workers must not hold them open) and non-blocking.
#include "program/process.hpp"

#include "common/interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace gradcheck::program {
namespace {

constexpr std::size_t kStderrKeep = 64 * 1024;  // bytes of its standard error kept for reports

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "ended";
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::string& cwd) {
  if (argv.empty() || argv[0].empty()) throw ProcessError(ProcessError::Kind::kStart, "cannot start: empty command");
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&]() {
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      if (fd >= 0) close(fd);
  };
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
      pipe2(err, O_CLOEXEC) != 0) {
    const std::string why = std::strerror(errno);
    close_all();
    throw ProcessError(ProcessError::Kind::kStart, "cannot start: " + why);
  }
  // Child side: in[1] -> 0, out[1] -> 1, err[1] -> 2 (dup2 clears close-on-exec on the copies).
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[1], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  // Its own process group (ended as one); default signal dispositions and an empty mask, whatever
  // the harness's own.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in[1]);
  close(out[1]);
  close(err[1]);
  in[1] = out[1] = err[1] = -1;
  if (rc != 0) {
    close_all();
    throw ProcessError(ProcessError::Kind::kStart, "cannot start: " + std::string(std::strerror(rc)));
  }
  pid_ = pid;
  interrupt::watch(pid);  // killed and reaped if the run is interrupted (common/interrupt.hpp)
  in_ = in[0];
  out_ = out[0];
  err_ = err[0];
  set_nonblocking(in_);
  set_nonblocking(out_);
  set_nonblocking(err_);
}

Process::~Process() { end(); }

void Process::close_fds() {
  for (int* fd : {&in_, &out_, &err_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
}

std::string Process::exchange(const std::string& line, Clock::time_point deadline) {
  if (pid_ <= 0 && exit_.empty()) throw ProcessError(ProcessError::Kind::kExited, "is not running");
  const std::string message = line + "\n";
  std::size_t written = 0;
  for (;;) {
    if (written == message.size()) {
      const std::size_t nl = out_buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string answer = out_buffer_.substr(0, nl);
        out_buffer_.erase(0, nl + 1);
        if (!answer.empty() && answer.back() == '\r') answer.pop_back();
        return answer;
      }
      if (out_buffer_.size() > max_line)
        throw ProcessError(ProcessError::Kind::kTooLong, "wrote more than 256 MiB without a newline");
    }
    if (out_ < 0) {
      const std::string how = exit_description();
      throw ProcessError(ProcessError::Kind::kExited, how.empty() ? "closed its standard output" : how);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) throw ProcessError(ProcessError::Kind::kTimeout, "did not answer in time");
    pollfd fds[3];
    nfds_t n = 0;
    const bool writing = written < message.size() && in_ >= 0;
    if (writing) fds[n++] = {in_, POLLOUT, 0};
    const nfds_t out_at = n;
    fds[n++] = {out_, POLLIN, 0};
    const nfds_t err_at = err_ >= 0 ? n : n + 1;
    if (err_ >= 0) fds[n++] = {err_, POLLIN, 0};
    const int ready = poll(fds, n, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw ProcessError(ProcessError::Kind::kExited, std::string("poll failed: ") + std::strerror(errno));
    }
    if (ready == 0) continue;
    if (writing && fds[0].revents) {
      const ssize_t k = send(in_, message.data() + written, message.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (k > 0) {
        written += static_cast<std::size_t>(k);
      } else if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        // It closed its standard input or died: what it wrote before still counts.
        close(in_);
        in_ = -1;
        const std::string how = exit_description();
        throw ProcessError(ProcessError::Kind::kExited,
                           how.empty() ? "closed its standard input before reading the request" : how);
      }
    }
    if (err_at < n && fds[err_at].revents) drain_stderr();
    if (fds[out_at].revents) {
      char buffer[65536];
      const ssize_t k = read(out_, buffer, sizeof buffer);
      if (k > 0) {
        out_buffer_.append(buffer, static_cast<std::size_t>(k));
      } else if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close(out_);
        out_ = -1;
      }
    }
  }
}

void Process::drain_stderr() {
  char buffer[65536];
  while (err_ >= 0) {
    const ssize_t k = read(err_, buffer, sizeof buffer);
    if (k > 0) {
      err_buffer_.append(buffer, static_cast<std::size_t>(k));
      if (err_buffer_.size() > 2 * kStderrKeep) err_buffer_.erase(0, err_buffer_.size() - kStderrKeep);
      continue;
    }
    if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      close(err_);
      err_ = -1;
    }
    break;
  }
}

std::string Process::stderr_tail(std::size_t lines) {
  drain_stderr();
  std::string text = err_buffer_;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::size_t start = text.size(), count = 0;
  while (start > 0 && count < lines) {
    const std::size_t nl = text.rfind('\n', start - 1);
    ++count;
    if (nl == std::string::npos) {
      start = 0;
      break;
    }
    if (count == lines) {
      start = nl + 1;
      break;
    }
    start = nl;
  }
  return text.substr(start);
}

std::string Process::exit_description() {
  if (pid_ > 0) {
    // It may be closing down: give it a moment to be reaped, so the report can say how it ended.
    for (int i = 0; i < 40; ++i) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exit_ = describe_status(status);
        kill(-pid_, SIGKILL);  // what it started, if anything is left of its group
        interrupt::unwatch(pid_);
        pid_ = -1;
        break;
      }
      if (r < 0) {
        exit_ = "ended";
        interrupt::unwatch(pid_);
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return exit_;
}

void Process::end(std::chrono::milliseconds grace) {
  if (in_ >= 0) {
    close(in_);
    in_ = -1;
  }
  if (pid_ > 0) {
    const auto until = Clock::now() + grace;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    while (r == 0 && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      r = waitpid(pid_, &status, WNOHANG);
    }
    kill(-pid_, SIGKILL);  // its whole group (the leader is unreaped, so the id is still ours)
    if (r == 0) {
      kill(pid_, SIGKILL);
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (exit_.empty()) exit_ = r == 0 ? "was ended by gradcheck" : describe_status(status);
    interrupt::unwatch(pid_);
    pid_ = -1;
  }
  close_fds();
}

}  // namespace gradcheck::program
