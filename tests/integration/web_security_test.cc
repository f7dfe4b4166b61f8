// The web side: basic auth with bcrypt hashes from --web.config.file, the
// hash-password subcommand, and the shipped TLS proxy example (deploy/tls)
// with the real nginx and curl.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon_process.h"
#include "loopback.h"

namespace pipelined::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

std::string HashPassword(const std::string& password) {
  ProcessResult result =
      RunProcess({"/bin/sh", "-c", "echo '" + password + "' | " + PIPELINED_BINARY + " hash-password --cost 4"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::string hash = result.output.substr(0, result.output.find('\n'));
  return hash;
}

// A web config file admitting user "prometheus" with password "scrape-me".
std::string WriteWebConfig(const fs::path& dir) {
  const fs::path path = dir / "web.yml";
  std::ofstream(path) << "basic_auth_users:\n  prometheus: " << HashPassword("scrape-me") << "\n";
  return path.string();
}

// The HTTP status curl got for `url`, with extra curl arguments.
std::string Status(const std::string& url, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(url);
  return RunProcess(argv).output;
}

TEST(WebSecurityTest, HashPasswordPrintsASaltedBcryptHash) {
  const std::string a = HashPassword("secret");
  EXPECT_EQ(a.rfind("$2b$04$", 0), 0u) << a;
  EXPECT_EQ(a.size(), 60u);
  EXPECT_NE(a, HashPassword("secret"));
}

TEST(WebSecurityTest, HashPasswordRefusesEmptyAndOverlongPasswords) {
  ProcessResult empty = RunProcess({"/bin/sh", "-c", std::string(PIPELINED_BINARY) + " hash-password </dev/null"});
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  ProcessResult long_one = RunProcess(
      {"/bin/sh", "-c", "echo '" + std::string(73, 'p') + "' | " + PIPELINED_BINARY + " hash-password --cost 4"});
  EXPECT_EQ(long_one.exit_code, 2);
  EXPECT_THAT(long_one.output, HasSubstr("longer than 72 bytes"));
  EXPECT_EQ(HashPassword(std::string(72, 'p')).size(), 60u);
}

TEST(WebSecurityTest, MetricsNeedTheRightCredentials) {
  TempDir dir;
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30",
                        "--web.config.file=" + WriteWebConfig(dir.path())});
  ASSERT_TRUE(daemon.Started());
  const std::string url = "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/metrics";
  EXPECT_EQ(Status(url), "401");
  EXPECT_EQ(Status(url, {"-u", "prometheus:wrong"}), "401");
  EXPECT_EQ(Status(url, {"-u", "someone:scrape-me"}), "401");
  EXPECT_EQ(Status(url, {"-u", "prometheus:scrape-me"}), "200");
  ProcessResult body = RunProcess({"/usr/bin/curl", "-s", "-u", "prometheus:scrape-me", url});
  EXPECT_THAT(body.output, HasSubstr("pipelined_web_auth_failures_total 2"));
  EXPECT_THAT(daemon.Log(), HasSubstr("failed basic-auth login for user \"someone\""));
}

TEST(WebSecurityTest, PagesAndApiNeedCredentialsButHealthChecksDoNot) {
  TempDir dir;
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--web.enable-lifecycle",
                        "--web.config.file=" + WriteWebConfig(dir.path())});
  ASSERT_TRUE(daemon.Started());
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon.WebPort());
  for (const char* path : {"/", "/projects/T-IND-1", "/api/v1/projects", "/api/v1/groups"}) {
    EXPECT_EQ(Status(base + path), "401") << path;
    EXPECT_EQ(Status(base + path, {"-u", "prometheus:scrape-me"}), "200") << path;
  }
  EXPECT_EQ(Status(base + "/-/reload", {"-X", "POST"}), "401") << "a reload needs credentials too";
  EXPECT_EQ(Status(base + "/-/healthy"), "200");
  EXPECT_EQ(Status(base + "/-/ready"), "200");
}

TEST(WebSecurityTest, BadWebConfigIsAConfigError) {
  TempDir dir;
  const fs::path web = fs::path(dir.path()) / "web.yml";
  std::ofstream(web) << "basic_auth_users:\n  prometheus: plaintext\n";
  ProcessResult result = RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--check-config",
                                     "--web.config.file=" + web.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("web.yml:2:15: basic_auth_users.prometheus: expected a bcrypt hash"));
  std::ofstream(web) << "tls_server_config:\n  cert_file: x\n";
  result = RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--check-config",
                       "--web.config.file=" + web.string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("docs/security.md#tls"));
}

TEST(WebSecurityTest, SettingsFileKeyNamesTheWebConfigAndTheFlagOverridesIt) {
  TempDir dir;
  const fs::path root = dir.path();
  const std::string good = WriteWebConfig(root);
  const fs::path bad = root / "bad-web.yml";
  std::ofstream(bad) << "basic_auth_users:\n  prometheus: plaintext\n";
  auto settings = [&root](const std::string& web_config) {
    const fs::path path = root / "pipelined.yaml";
    std::ofstream(path) << "web: {config_file: \"" << web_config << "\"}\n";
    return path.string();
  };

  ProcessResult checked = RunProcess(
      {PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--config.file=" + settings(bad.string()), "--check-config"});
  EXPECT_EQ(checked.exit_code, 2) << "--check-config reads the web config named in the settings file";
  EXPECT_THAT(checked.output, HasSubstr("bad-web.yml:2:15: basic_auth_users.prometheus: expected a bcrypt hash"));
  checked = RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--config.file=" + settings(bad.string()),
                        "--web.config.file=" + good, "--check-config"});
  EXPECT_EQ(checked.exit_code, 0) << checked.output;

  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + settings(good)});
  ASSERT_TRUE(daemon.Started());
  const std::string url = "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/metrics";
  EXPECT_EQ(Status(url), "401");
  EXPECT_EQ(Status(url, {"-u", "prometheus:scrape-me"}), "200");
}

// nginx in the foreground, from the shipped deploy/tls/nginx.conf.
class Nginx {
 public:
  Nginx(const fs::path& dir, int tls_port, int daemon_port) {
    std::ifstream in(std::string(PIPELINED_SOURCE_DIR) + "/deploy/tls/nginx.conf");
    std::stringstream text;
    text << in.rdbuf();
    std::string conf = text.str();
    auto replace = [&conf](const std::string& from, const std::string& to) {
      for (size_t at; (at = conf.find(from)) != std::string::npos;) conf.replace(at, from.size(), to);
    };
    replace("@RUN_DIR@", dir.string());
    replace("@TLS_LISTEN@", "127.0.0.1:" + std::to_string(tls_port));
    replace("@SERVER_NAME@", "localhost");
    replace("@CERT_FILE@", (dir / "cert.pem").string());
    replace("@KEY_FILE@", (dir / "key.pem").string());
    replace("@PIPELINED_WEB@", "127.0.0.1:" + std::to_string(daemon_port));
    const fs::path conf_path = dir / "nginx.conf";
    std::ofstream(conf_path) << conf;
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{NGINX_BINARY, "-e", (dir / "startup.log").string(), "-c", conf_path.string(), "-g",
                                 "daemon off;"},
        (dir / "nginx.out").string(), SIGQUIT);
  }
  std::string Output() const { return process_->Log(); }

 private:
  std::unique_ptr<BackgroundProcess> process_;
};

TEST(WebSecurityTest, ShippedTlsProxyServesMetricsOverHttpsWithBasicAuth) {
  ASSERT_TRUE(fs::exists(NGINX_BINARY)) << NGINX_BINARY << " is missing: run scripts/install-deps";
  TempDir dir;
  const fs::path root = dir.path();
  ProcessResult cert = RunProcess({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                   "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout",
                                   (root / "key.pem").string(), "-out", (root / "cert.pem").string()});
  ASSERT_EQ(cert.exit_code, 0) << cert.output;
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30",
                        "--web.config.file=" + WriteWebConfig(root)});
  ASSERT_TRUE(daemon.Started());
  const int tls_port = FreePort();
  Nginx nginx(root, tls_port, daemon.WebPort());

  const std::string url = "https://localhost:" + std::to_string(tls_port) + "/metrics";
  const std::vector<std::string> tls = {"--cacert", (root / "cert.pem").string(), "--resolve",
                                        "localhost:" + std::to_string(tls_port) + ":127.0.0.1"};
  std::string status;
  for (int i = 0; i < 100 && (status = Status(url, tls)) == "000"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // nginx starting
  }
  EXPECT_EQ(status, "401") << nginx.Output();
  std::vector<std::string> wrong = tls;
  wrong.insert(wrong.end(), {"-u", "prometheus:wrong"});
  EXPECT_EQ(Status(url, wrong), "401");
  std::vector<std::string> right = tls;
  right.insert(right.end(), {"-u", "prometheus:scrape-me"});
  EXPECT_EQ(Status(url, right), "200");
  std::vector<std::string> argv = {"/usr/bin/curl", "-s"};
  argv.insert(argv.end(), right.begin(), right.end());
  argv.push_back(url);
  EXPECT_THAT(RunProcess(argv).output, HasSubstr("pipelined_build_info"));
  // Plain HTTP to the proxy's TLS port is refused; only TLS gets through.
  EXPECT_EQ(Status("http://127.0.0.1:" + std::to_string(tls_port) + "/metrics"), "400");
  // Behind the proxy the daemon's own plain port still wants the password.
  const std::string plain = "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/metrics";
  EXPECT_EQ(Status(plain), "401");
  EXPECT_EQ(Status(plain, {"-u", "prometheus:wrong"}), "401");
  EXPECT_EQ(Status(plain, {"-u", "prometheus:scrape-me"}), "200");
}

}  // namespace
}  // namespace pipelined::testing
