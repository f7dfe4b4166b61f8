// The web config file and basic-auth checks against bcrypt hashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "basic_auth.h"
#include "pipelined/config/web_config.h"

namespace pipelined {
namespace {

using ::testing::HasSubstr;

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
  EXPECT_THAT(config::JoinErrors(tls.errors), HasSubstr("web.yml:1:20: tls_server_config: pipelined does not serve TLS"));
  EXPECT_THAT(config::JoinErrors(tls.errors), HasSubstr("docs/security.md#tls"));
  auto unknown = config::LoadWebConfigFromString("basic_auth: {}\n", "web.yml");
  EXPECT_THAT(config::JoinErrors(unknown.errors), HasSubstr("web.yml:1:1: web config: unknown key \"basic_auth\""));
  auto md5 = config::LoadWebConfigFromString("basic_auth_users:\n  prom: $1$abc$def\n", "web.yml");
  EXPECT_THAT(config::JoinErrors(md5.errors), HasSubstr("web.yml:2:9: basic_auth_users.prom: expected a bcrypt hash"));
  auto missing = config::LoadWebConfigFile("/nonexistent/web.yml");
  EXPECT_THAT(config::JoinErrors(missing.errors), HasSubstr("cannot open web config file"));
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
