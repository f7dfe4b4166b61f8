#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "bench_util.h"
#include "loopback.h"

namespace pipelined::bench {

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const std::vector<std::string>& args, const std::string& log_path,
                                                  std::string* error) {
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork failed: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    // The child must not outlive an interrupted benchmark.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(127);
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    std::vector<char*> argv;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, log_path));
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Stop();
}

bool ChildProcess::WaitUntil(const std::function<bool()>& ready, std::chrono::seconds timeout,
                             const std::string& what, std::string* error) {
  const auto deadline = SteadyClock::now() + timeout;
  while (SteadyClock::now() < deadline) {
    if (ready()) return true;
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *error = what + ": the process exited first; its log:\n" + Tail(log_path_, 20);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *error = what + ": not within " + std::to_string(timeout.count()) + " s; its log:\n" + Tail(log_path_, 20);
  return false;
}

int ChildProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto deadline = SteadyClock::now() + std::chrono::seconds(60);
  int status = 0;
  for (;;) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;
    if (SteadyClock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::unique_ptr<ChildProcess> StartDaemon(const std::vector<std::string>& args, int web_port,
                                          const std::string& log_path, std::string* error,
                                          std::chrono::seconds timeout) {
  std::unique_ptr<ChildProcess> daemon = ChildProcess::Spawn(args, log_path, error);
  if (!daemon) return nullptr;
  const bool ready = daemon->WaitUntil([web_port] { return testing::HttpGet(web_port, "/metrics").has_value(); },
                                       timeout, "pipelined serving /metrics", error);
  return ready ? std::move(daemon) : nullptr;
}

}  // namespace pipelined::bench
