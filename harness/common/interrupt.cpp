// SPDX-License-Identifier: MIT
// Interrupting a run; the rule is written in interrupt.hpp. Everything the handler does is
// async-signal-safe: atomics without locks, kill, waitpid, _exit.
#include "common/interrupt.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace gradcheck::interrupt {
namespace {

std::atomic<pid_t> watched[kMaxWatched];  // 0: a free slot
std::atomic<int> deferrals{0};            // Deferrals alive
std::atomic<int> pending{0};              // a signal that arrived inside one, or 0
static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

// Kills and reaps every watched program, then exits 128 + sig.
[[noreturn]] void end_now(int sig) {
  for (auto& slot : watched) {
    const pid_t pid = slot.exchange(0);
    if (pid <= 0) continue;
    ::kill(-pid, SIGKILL);  // its group: what it started too
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  ::_exit(128 + sig);
}

void on_signal(int sig) {
  if (deferrals.load() > 0) {
    int none = 0;
    pending.compare_exchange_strong(none, sig);
    return;
  }
  end_now(sig);
}

}  // namespace

void install() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaddset(&action.sa_mask, SIGINT);
  sigaddset(&action.sa_mask, SIGTERM);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

void watch(pid_t pid) {
  for (auto& slot : watched) {
    pid_t free = 0;
    if (slot.compare_exchange_strong(free, pid)) return;
  }
}

void unwatch(pid_t pid) {
  for (auto& slot : watched) {
    pid_t mine = pid;
    if (slot.compare_exchange_strong(mine, 0)) return;
  }
}

Deferral::Deferral() { deferrals.fetch_add(1); }

Deferral::~Deferral() {
  if (deferrals.fetch_sub(1) == 1)
    if (const int sig = pending.exchange(0); sig != 0) end_now(sig);
}

}  // namespace gradcheck::interrupt
