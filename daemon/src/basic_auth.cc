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

BasicAuth::BasicAuth(std::map<std::string, std::string> users, std::atomic<std::uint64_t>& failures)
    : users_(std::move(users)), failures_(failures) {}

bool BasicAuth::Check(const std::string& user, const std::string& password) {
  auto hash = users_.find(user);
  bool ok = false;
  if (hash != users_.end()) {
    {
      std::lock_guard lock(mutex_);
      auto known = verified_.find(user);
      if (known != verified_.end() && EqualInConstantTime(known->second, password)) return true;
    }
    ok = PasswordMatches(password, hash->second);
    if (ok) {
      std::lock_guard lock(mutex_);
      verified_[user] = password;  // bounded: one entry per configured user
    }
  } else {
    // Spend the same time on an unknown user as on a wrong password.
    PasswordMatches(password, users_.empty() ? std::string() : users_.begin()->second);
  }
  if (!ok) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    // Failed logins are rare in normal operation and bcrypt already limits
    // how fast they can come, so each is logged.
    spdlog::warn("web: failed basic-auth login for user \"{}\"", user.substr(0, 64));
  }
  return ok;
}

}  // namespace pipelined::daemon
