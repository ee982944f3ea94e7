// SPDX-License-Identifier: MIT
// Interrupting a run (SIGINT, SIGTERM): no partial report, no program left running.
//
// The rule: on SIGINT or SIGTERM the process kills every program the runner started (each in its
// own process group, so a terminal's Ctrl-C does not reach it: the group is killed, then the
// leader is reaped) and exits with status 128 + the signal's number (130 for SIGINT, 143 for
// SIGTERM), writing nothing more. Inside a Deferral (the writing of report files) the signal is
// only recorded; it takes effect when the last Deferral ends, so the reports are written
// completely or not at all (each file is also written to a temporary name and renamed).
#pragma once

#include <sys/types.h>

namespace gradcheck::interrupt {

// Installs the handlers of SIGINT and SIGTERM (the command line does, before it runs cases).
void install();

// Programs started by the runner (harness/program/process.cpp): watched from after their start
// until they are reaped. At most kMaxWatched at once; more are not watched (they are still
// ended by their own Process when the run ends normally).
constexpr int kMaxWatched = 1024;
void watch(pid_t pid);
void unwatch(pid_t pid);

// While one exists, an interrupting signal waits (see the rule above).
class Deferral {
 public:
  Deferral();
  ~Deferral();
  Deferral(const Deferral&) = delete;
  Deferral& operator=(const Deferral&) = delete;
};

}  // namespace gradcheck::interrupt
