// A program the benchmark runs as a child process (the daemon, the
// Prometheus pushgateway): started with its output in a log file, killed
// when the benchmark dies, stopped with SIGTERM.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pipelined::bench {

class ChildProcess {
 public:
  // Starts args[0] with args, stdout and stderr going to `log_path`.
  // nullptr (and *error) when it cannot be started.
  static std::unique_ptr<ChildProcess> Spawn(const std::vector<std::string>& args, const std::string& log_path,
                                             std::string* error);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Polls `ready` every 20 ms until it is true. False (and *error, naming
  // `what` and quoting the log) when the process exits first or `timeout`
  // passes.
  bool WaitUntil(const std::function<bool()>& ready, std::chrono::seconds timeout, const std::string& what,
                 std::string* error);

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

  // SIGTERM, then waits (SIGKILL after 60 s). The exit code, -1 when it
  // died by a signal.
  int Stop();

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}

  pid_t pid_;
  std::string log_path_;
};

// Starts the pipelined daemon (`args` as for Spawn) and waits until it
// serves /metrics on `web_port`, which it does once it is ready.
std::unique_ptr<ChildProcess> StartDaemon(const std::vector<std::string>& args, int web_port,
                                          const std::string& log_path, std::string* error,
                                          std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace pipelined::bench
