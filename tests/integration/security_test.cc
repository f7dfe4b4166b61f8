// CURVE authentication over real sockets: only allowed publisher keys get in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <iterator>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/config/curve_certificate.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

class CurveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"daemon", "allowed", "stranger", "scoped"}) {
      ProcessResult made = RunProcess({PIPELINED_BINARY, "keygen", "--out", Key(name)});
      ASSERT_EQ(made.exit_code, 0) << made.output;
    }
    std::string error;
    auto allowed = config::ReadCurveCertificate(Key("allowed"), &error);
    ASSERT_TRUE(allowed) << error;
    auto scoped = config::ReadCurveCertificate(Key("scoped"), &error);
    ASSERT_TRUE(scoped) << error;
    std::ofstream(Config()) << "ingest:\n  curve:\n    secret_key_file: " << Key("daemon") << "_secret\n"
                            << "    publishers:\n      - {name: district-office, public_key: \""
                            << allowed->public_key << "\"}\n"
                            << "      - name: yinzhou-office\n        public_key: \"" << scoped->public_key << "\"\n"
                            << "        scope: {districts: [yinzhou], event_types: [investment_recorded]}\n";
  }

  std::string Key(const std::string& name) const { return keys_.path() + "/" + name + ".key"; }
  std::string Config() const { return keys_.path() + "/pipelined.yaml"; }

  ProcessResult Publish(const DaemonProcess& daemon, const std::string& id, std::vector<std::string> curve,
                        const std::string& project = "T-IND-1") {
    std::vector<std::string> args = {PIPELINED_PUBLISH_BINARY, "investment", "--endpoint", daemon.IngestEndpoint(),
                                     "--project", project, "--date", "2024-05-31", "--amount-yuan", "10",
                                     "--event-id", id, "--timeout", "2", "--source", "src-" + id};
    args.insert(args.end(), curve.begin(), curve.end());
    return RunProcess(args);
  }

  // Rewrites the settings file without district-office's allow-list entry.
  void RemoveDistrictOffice() {
    std::ifstream in(Config());
    std::string config((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t entry = config.find("      - {name: district-office");
    ASSERT_NE(entry, std::string::npos);
    config.erase(entry, config.find('\n', entry) - entry + 1);
    std::ofstream(Config()) << config;
  }

  TempDir keys_;
};

TEST_F(CurveTest, OnlyAllowedPublisherKeysGetIn) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + Config()});
  ASSERT_TRUE(daemon.Started());
  const std::string server = "--curve.server-key-file=" + Key("daemon");

  ProcessResult allowed = Publish(daemon, "from-allowed", {server, "--curve.key-file=" + Key("allowed") + "_secret"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;

  ProcessResult stranger = Publish(daemon, "from-stranger", {server, "--curve.key-file=" + Key("stranger") + "_secret"});
  EXPECT_EQ(stranger.exit_code, 4) << "an unknown key gets no answer: " << stranger.output;

  ProcessResult plain = Publish(daemon, "from-plain", {});
  EXPECT_EQ(plain.exit_code, 4) << "a plain publisher cannot reach a CURVE daemon: " << plain.output;

  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 10)
      << "only the allowed publisher's event counts";
  EXPECT_EQ(scrape->Value("pipelined_ingest_curve_enabled"), 1);
  EXPECT_GE(scrape->Value("pipelined_ingest_auth_failures_total").value_or(0), 1);

  std::string error;
  auto stranger_key = config::ReadCurveCertificate(Key("stranger"), &error);
  ASSERT_TRUE(stranger_key);
  EXPECT_THAT(daemon.Log(), HasSubstr(stranger_key->public_key)) << "the log says which key tried";
  EXPECT_THAT(daemon.Log(), Not(HasSubstr("PLAIN mode")));
}

TEST_F(CurveTest, KeyRemovedFromTheConfigStopsWorkingAfterARestart) {
  TempDir store;
  const std::string server = "--curve.server-key-file=" + Key("daemon");
  const std::string allowed = "--curve.key-file=" + Key("allowed") + "_secret";
  {
    DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + Config()},
                         {store.path()});
    ASSERT_TRUE(daemon.Started());
    EXPECT_EQ(Publish(daemon, "before", {server, allowed}).exit_code, 0);
    EXPECT_EQ(daemon.Stop(SIGTERM), 0);
  }
  RemoveDistrictOffice();

  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + Config()},
                       {store.path()});
  ASSERT_TRUE(daemon.Started());
  ProcessResult after = Publish(daemon, "after", {server, allowed});
  EXPECT_EQ(after.exit_code, 4) << "the removed key gets no answer: " << after.output;
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 10)
      << "what it sent before the removal is kept, nothing after";
}

TEST_F(CurveTest, KeyRemovedFromTheConfigStopsWorkingAfterAReload) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + Config()});
  ASSERT_TRUE(daemon.Started());
  std::string error;
  auto server = config::ReadCurveCertificate(Key("daemon"), &error);
  auto allowed = config::ReadCurveCertificate(Key("allowed") + "_secret", &error);
  ASSERT_TRUE(server && allowed) << error;
  // One connection that stays open across the reload.
  publisher::PublisherOptions options;
  options.endpoint = daemon.IngestEndpoint();
  options.curve_server_key = server->public_key;
  options.curve_public_key = allowed->public_key;
  options.curve_secret_key = allowed->secret_key;
  publisher::Publisher held(options);
  auto send = [&held](const std::string& id) {
    v1::EventBatch batch;
    *batch.add_events() = publisher::InvestmentEvent({id, "held", 0, "T-IND-1", model::Date{2024, 5, 31}}, 1000,
                                                     model::YearMonth{2024, 5});
    return held.Publish(batch);
  };
  auto before = send("held-before");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->results(0).status(), v1::ACCEPTED);

  RemoveDistrictOffice();
  ASSERT_EQ(kill(daemon.Pid(), SIGHUP), 0);
  for (int i = 0; i < 100 && daemon.Log().find("reloaded: plan") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_THAT(daemon.Log(), HasSubstr("reloaded: plan"));

  auto after = send("held-after");
  ASSERT_TRUE(after) << "the open connection still gets answers";
  EXPECT_EQ(after->results(0).status(), v1::REJECTED);
  EXPECT_EQ(after->results(0).reason(), "publisher_not_allowed");
  ProcessResult fresh = Publish(daemon, "fresh", {"--curve.server-key-file=" + Key("daemon"),
                                                  "--curve.key-file=" + Key("allowed") + "_secret"});
  EXPECT_EQ(fresh.exit_code, 4) << "a new connection with the removed key is refused: " << fresh.output;
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 10)
      << "what it sent before the removal is kept, nothing after";
  EXPECT_EQ(scrape->Value("pipelined_config_reloads_total{result=\"success\"}"), 1);
}

TEST_F(CurveTest, KnownKeyOutsideItsScopeIsRejectedWithTheScopeReason) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + Config()});
  ASSERT_TRUE(daemon.Started());
  const std::vector<std::string> curve = {"--curve.server-key-file=" + Key("daemon"),
                                          "--curve.key-file=" + Key("scoped") + "_secret"};
  // T-IND-2 is in Yinzhou, T-IND-1 in Beilun.
  ProcessResult inside = Publish(daemon, "inside", curve, "T-IND-2");
  EXPECT_EQ(inside.exit_code, 0) << inside.output;
  ProcessResult outside = Publish(daemon, "outside", curve, "T-IND-1");
  EXPECT_EQ(outside.exit_code, 1) << outside.output;
  EXPECT_THAT(outside.output, HasSubstr("reason=out_of_scope"));
  EXPECT_THAT(outside.output, HasSubstr("publisher yinzhou-office may write districts yinzhou"));
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_events_total{source=\"src-outside\",result=\"rejected\",reason=\"out_of_scope\"}"),
            1);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 0);
}

TEST_F(CurveTest, ScopeNamingAnUnknownDistrictIsAConfigError) {
  std::ofstream(Config(), std::ios::app) << "      - name: nowhere-office\n        public_key: \""
                                         << config::GenerateCurveKeyPair().public_key << "\"\n"
                                         << "        scope: {districts: [atlantis]}\n";
  ProcessResult result =
      RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--config.file=" + Config(), "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("names district \"atlantis\""));
}

TEST_F(CurveTest, ShippedExampleConfigPassesCheckConfig) {
  // The example's key path is for a real host; point it at a key made here.
  ProcessResult result = RunProcess({PIPELINED_BINARY, "--check-config",
                                     "--config.file=" + std::string(PIPELINED_SOURCE_DIR) +
                                         "/deploy/pipelined-curve.example.yaml",
                                     "--ingest.curve.secret-key-file=" + Key("daemon") + "_secret"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  ProcessResult missing = RunProcess({PIPELINED_BINARY, "--check-config",
                                      "--config.file=" + std::string(PIPELINED_SOURCE_DIR) +
                                          "/deploy/pipelined-curve.example.yaml"});
  EXPECT_EQ(missing.exit_code, 2) << "--check-config reads the daemon's certificate too";
}

TEST_F(CurveTest, PlainModeSaysSoAtStart) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  EXPECT_THAT(daemon.Log(), HasSubstr("PLAIN mode"));
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_ingest_curve_enabled"), 0);
}

TEST_F(CurveTest, PublisherKeysWithoutTheDaemonsSecretKeyAreAConfigError) {
  std::ofstream(Config()) << "ingest:\n  curve:\n    publishers:\n      - {name: x, public_key: \""
                          << config::GenerateCurveKeyPair().public_key << "\"}\n";
  ProcessResult result = RunProcess({PIPELINED_BINARY, "--config.file=" + Config(), "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, HasSubstr("CURVE needs both"));
}

}  // namespace
}  // namespace pipelined::testing
