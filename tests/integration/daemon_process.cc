#include "daemon_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Waits for `pid` up to `timeout`; returns the raw status or nullopt.
std::optional<int> WaitFor(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 || std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

// Starts `args` with stdout and stderr going to `output_path`.
pid_t Spawn(const std::vector<std::string>& args, const std::string& output_path) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(output_path.c_str(), O_WRONLY | O_TRUNC);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    auto argv = Argv(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

std::string TempPath(const std::string& stem) {
  std::string pattern = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/") + stem + "XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd >= 0) close(fd);
  return pattern;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ProcessResult RunProcess(const std::vector<std::string>& args, std::chrono::seconds timeout) {
  ProcessResult result;
  const std::string output_path = TempPath("pipelined-run-");
  pid_t pid = Spawn(args, output_path);
  std::optional<int> status = WaitFor(pid, timeout);
  if (!status) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    ADD_FAILURE() << args[0] << " did not finish within " << timeout.count() << " s";
  } else {
    result.exit_code = ExitCode(*status);
  }
  result.output = ReadFile(output_path);
  unlink(output_path.c_str());
  return result;
}

TempDir::TempDir() {
  std::string pattern = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/pipelined-XXXXXX");
  path_ = mkdtemp(pattern.data()) ? pattern : "";
}

TempDir::~TempDir() {
  if (!path_.empty()) RunProcess({"/bin/rm", "-rf", path_});
}

DaemonProcess::DaemonProcess(std::vector<std::string> extra_args, DaemonOptions options) {
  ingest_port_ = options.ingest_port != 0 ? options.ingest_port : FreePort();
  web_port_ = options.web_port != 0 ? options.web_port : FreePort();
  if (options.storage_path.empty()) {
    own_storage_ = std::make_unique<TempDir>();
    storage_path_ = own_storage_->path();
  } else {
    storage_path_ = options.storage_path;
  }
  log_path_ = TempPath("pipelined-daemon-");
  std::vector<std::string> args = {PIPELINED_BINARY, "--ingest.endpoint=" + IngestEndpoint(),
                                   "--web.listen-address=127.0.0.1:" + std::to_string(web_port_),
                                   "--storage.path=" + storage_path_};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = Spawn(args, log_path_);
  // Sanitizer builds start slowly; allow generous time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && Running()) {
    // With basic auth /metrics answers 401 to us: the log line says it is up.
    if (HttpGet(web_port_, "/metrics") || Log().find(" ready: ingest on ") != std::string::npos) {
      started_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "pipelined did not start; its log:\n" << Log();
}

bool DaemonProcess::Running() const {
  if (pid_ <= 0 || exit_status_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    exit_status_ = status;
    return false;
  }
  return true;
}

std::string DaemonProcess::Log() const { return ReadFile(log_path_); }

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv, std::string log_path, int stop_signal)
    : log_path_(std::move(log_path)), stop_signal_(stop_signal) {
  std::ofstream(log_path_).flush();  // Spawn() writes into an existing file
  pid_ = Spawn(argv, log_path_);
}

BackgroundProcess::~BackgroundProcess() {
  if (pid_ <= 0) return;
  kill(pid_, stop_signal_);
  if (!WaitFor(pid_, std::chrono::seconds(10))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

std::string BackgroundProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int DaemonProcess::Stop(int signal_number) {
  if (pid_ <= 0) return -1;
  if (!Running()) {
    pid_ = -1;
    return ExitCode(*exit_status_);
  }
  kill(pid_, signal_number);
  std::optional<int> status = WaitFor(pid_, std::chrono::seconds(20));
  if (!status) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  return status ? ExitCode(*status) : -1;
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Stop(SIGTERM);
  unlink(log_path_.c_str());
}

}  // namespace pipelined::testing
