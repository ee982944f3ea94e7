// SPDX-License-Identifier: MIT
// The harness's side of the program protocol (../shared/spec/program-protocol.md, docs/programs.md):
// one long-lived process answering line-delimited JSON requests, started on first use and
// reused. Every way a program can misbehave (cannot start, exits, answers malformed JSON, a
// wrong id, a wrong shape, non-numbers, nothing in time) is a gradcheck::Error "case.program"
// naming the command, the request and the last lines of its standard error; the process is then
// ended and the client stays failed (every later call throws the same) until reset().
#pragma once

#include <armadillo>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gradcheck/case.hpp"
#include "program/function_name.hpp"
#include "program/process.hpp"

namespace gradcheck::program {

class Client {
 public:
  // argv, the folder it runs in, the time it has for each request (and for starting).
  Client(std::vector<std::string> command, std::string folder, double timeout_s);
  ~Client();  // closes its standard input and gives it half a second to exit before ending it

  // The functions the program serves (its answer to __describe__, asked once per process).
  const std::vector<std::string>& functions();

  // f = NAME(inputs) at one point, and at many points in one request (`batch`). `names` label
  // the values (the case's variables, by slot).
  arma::mat call(const std::string& function, const std::vector<std::string>& names,
                 const std::vector<arma::mat>& values);
  std::vector<arma::mat> call_batch(const std::string& function, const std::vector<std::string>& names,
                                    const std::vector<std::vector<arma::mat>>& points);

  // Ends the process and fails the client with `what` (plus the command, `request` and its
  // standard error's tail); throws the resulting Error. For callers that find an answer wrong
  // (a shape that changed between calls).
  [[noreturn]] void fail(const std::string& what, const std::string& request = "");

  // The sentence of the last failure, or "" (the client is usable).
  const std::string& failure() const { return failure_; }
  // Forgets a failure: the next call starts a new process.
  void reset();

  // "python3 net.py", for messages.
  std::string command_text() const;
  std::uint64_t requests() const { return requests_; }

 private:
  void start();
  // Sends one request line, returns the answer line (the process started first if needed);
  // failures go through fail().
  std::string exchange(const std::string& request);

  std::vector<std::string> command_;
  std::string folder_;
  double timeout_s_;
  std::unique_ptr<Process> process_;
  std::optional<std::vector<std::string>> functions_;
  std::string failure_;
  std::uint64_t next_id_ = 1, requests_ = 0;
  std::recursive_mutex mutex_;  // one request at a time, should an engine stage evaluate f from threads
};

// The clients of one worker: one per case file and command, created on first use.
class Pool {
 public:
  Client& get(const ProgramSpec& program, const std::string& file);
  ~Pool();

 private:
  std::map<std::string, std::unique_ptr<Client>> clients_;
};

}  // namespace gradcheck::program
