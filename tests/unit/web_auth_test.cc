// The web config file and basic-auth checks against bcrypt hashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <thread>

#include "basic_auth.h"
#include "pipelined/config/web_config.h"

namespace pipelined {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A hash of the right shape; only the counting verifiers below look at it.
const std::string kShapedHash = "$2b$04$" + std::string(53, 'a');

std::string Errors(const std::string& yaml) {
  return config::JoinErrors(config::LoadWebConfigFromString(yaml, "web.yml").errors);
}

// Routes spdlog's default logger into memory for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    sink_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
    sink_->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v", spdlog::pattern_time_type::utc, ""));
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink_));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> Lines() const { return sink_->last_formatted(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

// A verifier that accepts `password` only and counts how often it ran.
daemon::BasicAuthOptions CountingVerifier(const std::string& password, int* calls) {
  daemon::BasicAuthOptions options;
  options.verify = [password, calls](const std::string& given, const std::string&) {
    ++*calls;
    return given == password;
  };
  return options;
}

// Cost 4, the cheapest bcrypt, keeps the tests fast.
std::string Hash(const std::string& password) { return daemon::HashPassword(password, 4).value(); }

TEST(WebConfigTest, ReadsBasicAuthUsers) {
  const std::string hash = Hash("pw");
  auto result = config::LoadWebConfigFromString("basic_auth_users:\n  prom: " + hash + "\n", "web.yml");
  ASSERT_TRUE(result.errors.empty()) << config::JoinErrors(result.errors);
  EXPECT_EQ(result.config.basic_auth_users.at("prom"), hash);
}

TEST(WebConfigTest, RefusesTlsUnknownKeysAndHashesThatAreNotBcrypt) {
  auto tls = config::LoadWebConfigFromString("tls_server_config: {cert_file: a}\n", "web.yml");
  EXPECT_THAT(config::JoinErrors(tls.errors),
              HasSubstr("web.yml:1:20: tls_server_config: TLS is not supported by pipelined's HTTP server"));
  EXPECT_THAT(config::JoinErrors(tls.errors), HasSubstr("docs/security.md#tls"));
  auto unknown = config::LoadWebConfigFromString("basic_auth: {}\n", "web.yml");
  EXPECT_THAT(config::JoinErrors(unknown.errors), HasSubstr("web.yml:1:1: web config: unknown key \"basic_auth\""));
  auto md5 = config::LoadWebConfigFromString("basic_auth_users:\n  prom: $1$abc$def\n", "web.yml");
  EXPECT_THAT(config::JoinErrors(md5.errors), HasSubstr("web.yml:2:9: basic_auth_users.prom: expected a bcrypt hash"));
  auto missing = config::LoadWebConfigFile("/nonexistent/web.yml");
  EXPECT_THAT(config::JoinErrors(missing.errors), HasSubstr("cannot open web config file"));
}

TEST(WebConfigTest, NoFileContentMeansNoUsers) {
  auto result = config::LoadWebConfigFromString("", "web.yml");
  EXPECT_THAT(result.errors, IsEmpty());
  EXPECT_THAT(result.config.basic_auth_users, IsEmpty());
}

TEST(WebConfigTest, RefusesDuplicateUsersAndDuplicateKeys) {
  EXPECT_THAT(Errors("basic_auth_users:\n  prom: " + kShapedHash + "\n  prom: " + kShapedHash + "\n"),
              HasSubstr("web.yml:3:3: basic_auth_users: duplicate user \"prom\""));
  EXPECT_THAT(Errors("basic_auth_users: {}\nbasic_auth_users: {}\n"),
              HasSubstr("web.yml:2:1: web config: duplicate key \"basic_auth_users\""));
}

TEST(WebConfigTest, RefusesWrongTypes) {
  EXPECT_THAT(Errors("- prom\n"), HasSubstr("web.yml:1:1: web config: expected a mapping"));
  EXPECT_THAT(Errors("basic_auth_users: [prom]\n"),
              HasSubstr("web.yml:1:19: basic_auth_users: expected a mapping of user name to bcrypt hash"));
  EXPECT_THAT(Errors("basic_auth_users:\n"), HasSubstr("web.yml:2:1: basic_auth_users: expected a mapping"));
  EXPECT_THAT(Errors("basic_auth_users:\n  prom: {hash: x}\n"),
              HasSubstr("web.yml:2:9: basic_auth_users.prom: expected a string"));
  EXPECT_THAT(Errors("basic_auth_users:\n  prom:\n"), HasSubstr("basic_auth_users.prom: expected a string"));
  EXPECT_THAT(Errors("basic_auth_users:\n  [a]: " + kShapedHash + "\n"),
              HasSubstr("web.yml:2:3: basic_auth_users user name: expected a string"));
  EXPECT_THAT(Errors("basic_auth_users:\n  \"a:b\": " + kShapedHash + "\n"), HasSubstr("contains ':'"));
}

TEST(WebConfigTest, RefusesHashesOfTheWrongShape) {
  const std::string good = Hash("pw");
  for (const std::string& bad : {good.substr(0, 59),                      // cut short
                                 "$2x$" + good.substr(4),                 // unknown variant
                                 "$2b$03$" + good.substr(7),              // cost below 4
                                 "$2b$32$" + good.substr(7),              // cost above 31
                                 "$2b$1a$" + good.substr(7),              // cost not a number
                                 good.substr(0, 59) + "!",                // outside bcrypt's alphabet
                                 "$6$salt$" + std::string(52, 'a')}) {  // SHA-512 crypt
    EXPECT_THAT(Errors("basic_auth_users:\n  prom: '" + bad + "'\n"),
                HasSubstr("web.yml:2:9: basic_auth_users.prom: expected a bcrypt hash"))
        << bad;
  }
  for (const char* variant : {"$2a$", "$2y$"}) {
    EXPECT_EQ(Errors(std::string("basic_auth_users:\n  prom: '") + variant + good.substr(4) + "'\n"), "") << variant;
  }
}

TEST(BasicAuthTest, AcceptsTheRightPasswordOnly) {
  std::atomic<std::uint64_t> failures{0};
  daemon::BasicAuth auth({{"prom", Hash("right")}}, failures);
  EXPECT_TRUE(auth.Check("prom", "right"));
  EXPECT_FALSE(auth.Check("prom", "wrong"));
  EXPECT_FALSE(auth.Check("prom", "righ"));
  EXPECT_FALSE(auth.Check("prom", "right "));
  EXPECT_FALSE(auth.Check("nobody", "right"));
  EXPECT_EQ(failures.load(), 4u);
}

TEST(BasicAuthTest, RemembersAVerifiedPasswordButNotAWrongOne) {
  std::atomic<std::uint64_t> failures{0};
  daemon::BasicAuth auth({{"prom", Hash("right")}, {"ops", Hash("other")}}, failures);
  EXPECT_TRUE(auth.Check("prom", "right"));
  EXPECT_TRUE(auth.Check("prom", "right")) << "from the cache";
  EXPECT_FALSE(auth.Check("prom", "other")) << "the cache is per user";
  EXPECT_FALSE(auth.Check("ops", "right"));
  EXPECT_TRUE(auth.Check("ops", "other"));
}

TEST(BasicAuthTest, ACachedPasswordSkipsBcryptAndAWrongOneNeverEntersTheCache) {
  std::atomic<std::uint64_t> failures{0};
  int calls = 0;
  daemon::BasicAuth auth({{"prom", kShapedHash}}, failures, CountingVerifier("right", &calls));
  EXPECT_FALSE(auth.Check("prom", "wrong"));
  EXPECT_FALSE(auth.Check("prom", "wrong"));
  EXPECT_EQ(calls, 2) << "a failed attempt is verified again every time";
  EXPECT_TRUE(auth.Check("prom", "right"));
  EXPECT_EQ(calls, 3);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(auth.Check("prom", "right"));
  EXPECT_EQ(calls, 3) << "later checks of the verified password hit the cache";
  EXPECT_FALSE(auth.Check("prom", "wrong"));
  EXPECT_EQ(calls, 4) << "a cached password does not let a different one through";
  EXPECT_EQ(failures.load(), 3u);
}

TEST(BasicAuthTest, AnUnknownUserCostsABcryptRoundLikeAWrongPassword) {
  std::atomic<std::uint64_t> failures{0};
  int calls = 0;
  daemon::BasicAuth auth({{"prom", kShapedHash}}, failures, CountingVerifier("right", &calls));
  EXPECT_FALSE(auth.Check("nobody", "right"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(failures.load(), 1u);
}

TEST(BasicAuthTest, FailedLoginsAreLoggedWithTheUserAtMostTenASecond) {
  CapturedLog log;
  std::atomic<std::uint64_t> failures{0};
  int calls = 0;
  daemon::BasicAuth auth({{"prom", kShapedHash}}, failures, CountingVerifier("right", &calls));
  for (int i = 0; i < 25; ++i) auth.Check("prom", "wrong");
  EXPECT_EQ(failures.load(), 25u) << "every failure is counted";
  const std::vector<std::string> lines = log.Lines();
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines[0], "web: failed basic-auth login for user \"prom\"");

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the next one-second window
  auth.Check("prom", "wrong");
  const std::vector<std::string> later = log.Lines();
  ASSERT_EQ(later.size(), 12u);
  EXPECT_EQ(later[10], "web: 15 more failed basic-auth logins were not logged (log rate limit 10/s)");
  EXPECT_EQ(later[11], "web: failed basic-auth login for user \"prom\"");
}

TEST(BasicAuthTest, UserNamesInTheLogCannotForgeLines) {
  EXPECT_EQ(daemon::QuotedForLog("prom"), "\"prom\"");
  EXPECT_EQ(daemon::QuotedForLog("a\nFAKE \"x\"\\"), "\"a\\x0aFAKE \\x22x\\x22\\x5c\"");
  EXPECT_EQ(daemon::QuotedForLog("\xe4\xb8\xad"), "\"\\xe4\\xb8\\xad\"");
  EXPECT_EQ(daemon::QuotedForLog(std::string(100, 'u')), "\"" + std::string(64, 'u') + "\"...");
}

TEST(BasicAuthTest, HashesAreSaltedBcrypt) {
  const std::string a = Hash("same");
  const std::string b = Hash("same");
  EXPECT_EQ(a.rfind("$2b$04$", 0), 0u) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(daemon::PasswordMatches("same", a));
  EXPECT_TRUE(daemon::PasswordMatches("same", b));
  EXPECT_FALSE(daemon::PasswordMatches("same", "not a hash"));
}

}  // namespace
}  // namespace pipelined
