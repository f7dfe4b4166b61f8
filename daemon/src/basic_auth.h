// Checks HTTP basic-auth credentials against bcrypt hashes from the web
// config file. bcrypt is slow on purpose (tens of milliseconds); a scraper
// sends the same credentials every few seconds, so each user's last verified
// password is remembered and compared in constant time instead.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace pipelined::daemon {

class BasicAuth {
 public:
  // `users`: user name -> bcrypt hash. `failures` counts refused checks and
  // must outlive this.
  BasicAuth(std::map<std::string, std::string> users, std::atomic<std::uint64_t>& failures);

  bool Check(const std::string& user, const std::string& password);

 private:
  const std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::map<std::string, std::string> verified_;  // user -> password that matched its hash
  std::atomic<std::uint64_t>& failures_;
};

// A new bcrypt ($2b$) hash of `password` with 2^cost rounds; nullopt when
// the system's crypt library cannot make one.
std::optional<std::string> HashPassword(const std::string& password, int cost);

// True when `password` matches the crypt(3) `hash`.
bool PasswordMatches(const std::string& password, const std::string& hash);

}  // namespace pipelined::daemon
