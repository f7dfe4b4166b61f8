// The Python publisher example (publishers/python) against the real daemon:
// another language, the same protocol, over real ZeroMQ.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/config/curve_certificate.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

ProcessResult RunExample(const DaemonProcess& daemon, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "PYTHONPATH=" + std::string(PIPELINED_PYTHON_MODULES) + ":" +
                                       PIPELINED_SOURCE_DIR + "/publishers/python",
                                   "/usr/bin/python3",
                                   std::string(PIPELINED_SOURCE_DIR) + "/publishers/python/publish_example.py",
                                   "--endpoint",
                                   daemon.IngestEndpoint(),
                                   "--project",
                                   "T-IND-1",
                                   "--line",
                                   "line-1",
                                   "--year",
                                   "2024"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(argv);
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(PythonPublisherTest, SendsRealEventsAndChecksEveryReply) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  ProcessResult first = RunExample(daemon);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(Count(first.output, " accepted"), 4) << first.output;
  EXPECT_THAT(first.output, HasSubstr("rejected reason=unknown_project"));
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  // Two months of 1,250,000.50 yuan, exact to the fen.
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 2500001);
  EXPECT_EQ(scrape->Value("pipelined_project_production_lines_launched{project=\"T-IND-1\"}"), 1);
  EXPECT_EQ(scrape->Value("pipelined_events_total{source=\"python-example\",result=\"accepted\",reason=\"\"}"), 4);
  EXPECT_EQ(scrape->Value(
                "pipelined_events_total{source=\"python-example\",result=\"rejected\",reason=\"unknown_project\"}"),
            1);

  // The ids are derived from the report: sent again, nothing counts twice.
  ProcessResult again = RunExample(daemon);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(Count(again.output, " duplicate"), 4) << again.output;
  EXPECT_THAT(again.output, Not(HasSubstr(" accepted")));
  scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 2500001);
}

TEST(PythonPublisherTest, PublishesWithCurveKeysAndAnUnknownKeyGetsNoAnswer) {
  TempDir keys;
  for (const char* name : {"daemon", "python", "stranger"}) {
    ASSERT_EQ(RunProcess({PIPELINED_BINARY, "keygen", "--out", keys.path() + "/" + name + ".key"}).exit_code, 0);
  }
  std::string error;
  auto server = config::ReadCurveCertificate(keys.path() + "/daemon.key", &error);
  auto python = config::ReadCurveCertificate(keys.path() + "/python.key_secret", &error);
  auto stranger = config::ReadCurveCertificate(keys.path() + "/stranger.key_secret", &error);
  ASSERT_TRUE(server && python && stranger) << error;
  const std::string settings = keys.path() + "/pipelined.yaml";
  std::ofstream(settings) << "ingest:\n  curve:\n    secret_key_file: " << keys.path() << "/daemon.key_secret\n"
                          << "    publishers:\n      - {name: python-office, public_key: \"" << python->public_key
                          << "\"}\n";
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30", "--config.file=" + settings});
  ASSERT_TRUE(daemon.Started());

  ProcessResult allowed = RunExample(daemon, {"--curve-server-key", server->public_key, "--curve-public-key",
                                              python->public_key, "--curve-secret-key", python->secret_key});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_EQ(Count(allowed.output, " accepted"), 4) << allowed.output;
  ProcessResult refused =
      RunExample(daemon, {"--curve-server-key", server->public_key, "--curve-public-key", stranger->public_key,
                          "--curve-secret-key", stranger->secret_key, "--timeout-seconds", "1"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("no answer"));
}

}  // namespace
}  // namespace pipelined::testing
