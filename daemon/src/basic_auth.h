// Checks HTTP basic-auth credentials against bcrypt hashes from the web
// config file. bcrypt is slow on purpose (tens of milliseconds at cost 10); a
// scraper sends the same credentials every few seconds, so each user's last
// verified password is remembered and compared in constant time instead.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace pipelined::daemon {

// True when `password` matches the crypt(3) `hash` (bcrypt or any other
// method libxcrypt knows); false for a malformed hash.
bool PasswordMatches(const std::string& password, const std::string& hash);

// bcrypt reads only the first 72 bytes of a password.
inline constexpr std::size_t kBcryptMaxPasswordBytes = 72;

// A new bcrypt ($2b$) hash of `password` with 2^cost rounds; nullopt when
// the system's crypt library cannot make one.
std::optional<std::string> HashPassword(const std::string& password, int cost);

// `user` as it may go into a log line: at most 64 bytes, quoted, with
// control characters, quotes, backslashes and non-ASCII bytes as \xNN, so
// that a user name sent by anyone cannot forge or break log lines.
std::string QuotedForLog(const std::string& user);

struct BasicAuthOptions {
  // Failed logins logged per second; the rest are summed up in one line once
  // the second is over. All of them are counted.
  int log_lines_per_second = 10;
  // Replaceable so that tests can count bcrypt computations.
  std::function<bool(const std::string& password, const std::string& hash)> verify = PasswordMatches;
};

// Safe for concurrent use (civetweb calls Check from its worker threads).
class BasicAuth {
 public:
  // `users`: user name -> bcrypt hash. `failures` counts refused checks and
  // must outlive this.
  BasicAuth(std::map<std::string, std::string> users, std::atomic<std::uint64_t>& failures,
            BasicAuthOptions options = {});

  bool Check(const std::string& user, const std::string& password);

 private:
  void LogFailure(const std::string& user);

  const std::map<std::string, std::string> users_;
  std::atomic<std::uint64_t>& failures_;
  const BasicAuthOptions options_;

  std::mutex mutex_;
  // user -> the password that last matched its hash: at most one entry per
  // configured user. Failed attempts never enter.
  std::map<std::string, std::string> verified_;
  std::chrono::steady_clock::time_point log_window_start_{};
  int logged_in_window_ = 0;
  std::uint64_t suppressed_in_window_ = 0;
};

}  // namespace pipelined::daemon
