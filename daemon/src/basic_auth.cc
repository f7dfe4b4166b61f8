#include "basic_auth.h"

#include <crypt.h>
#include <spdlog/spdlog.h>

#include <memory>

namespace pipelined::daemon {
namespace {

// Compares without an early exit, so the time taken does not tell how many
// leading characters were right.
bool EqualInConstantTime(const std::string& a, const std::string& b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::string& longer = a.size() >= b.size() ? a : b;
  for (size_t i = 0; i < longer.size(); ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    difference |= static_cast<unsigned char>(x ^ y);
  }
  return difference == 0;
}

}  // namespace

bool PasswordMatches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();  // large (32 KiB): not on the stack
  const char* computed = crypt_r(password.c_str(), hash.c_str(), data.get());
  // crypt_r returns a string starting with '*' on failure.
  if (computed == nullptr || computed[0] == '*') return false;
  return EqualInConstantTime(computed, hash);
}

std::optional<std::string> HashPassword(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof salt) == nullptr) {
    return std::nullopt;
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_r(password.c_str(), salt, data.get());
  if (hash == nullptr || hash[0] == '*') return std::nullopt;
  return std::string(hash);
}

std::string QuotedForLog(const std::string& user) {
  constexpr std::size_t kMaxBytes = 64;
  std::string quoted = "\"";
  for (std::size_t i = 0; i < user.size() && i < kMaxBytes; ++i) {
    const auto c = static_cast<unsigned char>(user[i]);
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      static const char kHex[] = "0123456789abcdef";
      quoted += "\\x";
      quoted += kHex[c >> 4];
      quoted += kHex[c & 0xf];
    } else {
      quoted += static_cast<char>(c);
    }
  }
  quoted += '"';
  if (user.size() > kMaxBytes) quoted += "...";
  return quoted;
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users, std::atomic<std::uint64_t>& failures,
                     BasicAuthOptions options)
    : users_(std::move(users)), failures_(failures), options_(std::move(options)) {}

bool BasicAuth::Check(const std::string& user, const std::string& password) {
  auto hash = users_.find(user);
  bool ok = false;
  if (hash != users_.end()) {
    {
      std::lock_guard lock(mutex_);
      auto known = verified_.find(user);
      if (known != verified_.end() && EqualInConstantTime(known->second, password)) return true;
    }
    // Outside the lock: a slow bcrypt round must not hold up other checks.
    ok = options_.verify(password, hash->second);
    if (ok) {
      std::lock_guard lock(mutex_);
      verified_[user] = password;
    }
  } else if (!users_.empty()) {
    // Spend the same time on an unknown user as on a wrong password, so that
    // the answer's timing does not tell which user names exist.
    options_.verify(password, users_.begin()->second);
  }
  if (!ok) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    LogFailure(user);
  }
  return ok;
}

void BasicAuth::LogFailure(const std::string& user) {
  // Rate-limited like the daemon's other logs of outside input: with a cheap
  // hash cost a password-guessing client could otherwise write thousands of
  // lines a second. The counter still sees every attempt, and the summary
  // line says how many were left out.
  std::uint64_t suppressed = 0;
  bool log = false;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - log_window_start_ >= std::chrono::seconds(1)) {
      suppressed = suppressed_in_window_;
      log_window_start_ = now;
      logged_in_window_ = 0;
      suppressed_in_window_ = 0;
    }
    if (logged_in_window_ < options_.log_lines_per_second) {
      ++logged_in_window_;
      log = true;
    } else {
      ++suppressed_in_window_;
    }
  }
  if (suppressed > 0) {
    spdlog::warn("web: {} more failed basic-auth logins were not logged (log rate limit {}/s)", suppressed,
                 options_.log_lines_per_second);
  }
  if (log) spdlog::warn("web: failed basic-auth login for user {}", QuotedForLog(user));
}

}  // namespace pipelined::daemon
