// Test harness: runs the real pipelined binary (and the CLIs) as child
// processes on free loopback ports.
#pragma once

#include <signal.h>

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loopback.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::testing {

// Publisher options for a plain (non-CURVE) connection.
inline publisher::PublisherOptions PlainPublisher(const std::string& endpoint, int reply_timeout_ms) {
  publisher::PublisherOptions options;
  options.endpoint = endpoint;
  options.reply_timeout = std::chrono::milliseconds(reply_timeout_ms);
  return options;
}


struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs a program to completion and captures its output.
ProcessResult RunProcess(const std::vector<std::string>& argv, std::chrono::seconds timeout = std::chrono::seconds(60));

// A fresh temporary directory, removed with its contents when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A helper server for a test (Prometheus, nginx), its output in `log_path`;
// stopped with `stop_signal`, then SIGKILL, when it goes away.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, std::string log_path, int stop_signal = SIGTERM);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
  int stop_signal_;
};

struct DaemonOptions {
  std::string storage_path;  // empty: a fresh directory for this process
  int ingest_port = 0;       // 0: a free port
  int web_port = 0;
};

class DaemonProcess {
 public:
  // Starts pipelined with `extra_args` and waits until it serves /metrics.
  // Fails the test (ADD_FAILURE) if it does not start.
  explicit DaemonProcess(std::vector<std::string> extra_args, DaemonOptions options = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool Started() const { return started_; }
  pid_t Pid() const { return pid_; }
  bool Running() const;
  std::string IngestEndpoint() const { return "tcp://127.0.0.1:" + std::to_string(ingest_port_); }
  int WebPort() const { return web_port_; }
  const std::string& StoragePath() const { return storage_path_; }
  std::string Log() const;  // what the daemon wrote to stderr so far

  // Sends `signal` and waits for the exit; returns the exit code (-1 if it
  // died by a signal or did not exit within the timeout).
  int Stop(int signal_number);

 private:
  pid_t pid_ = -1;
  mutable std::optional<int> exit_status_;  // set once the child was reaped
  int ingest_port_ = 0;
  int web_port_ = 0;
  std::string log_path_;
  std::string storage_path_;
  std::unique_ptr<TempDir> own_storage_;
  bool started_ = false;
};

}  // namespace pipelined::testing
