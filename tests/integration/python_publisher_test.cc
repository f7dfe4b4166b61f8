// The Python publisher example (publishers/python) against the real daemon:
// another language, the same protocol, over real ZeroMQ.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/config/curve_certificate.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";
const std::string kAccepted = "pipelined_events_total{source=\"python-example\",result=\"accepted\",reason=\"\"}";
const std::string kDuplicate = "pipelined_events_total{source=\"python-example\",result=\"duplicate\",reason=\"\"}";
const std::string kRejected =
    "pipelined_events_total{source=\"python-example\",result=\"rejected\",reason=\"unknown_project\"}";
const std::string kInvestment = "pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}";
const std::string kLines = "pipelined_project_production_lines_launched{project=\"T-IND-1\"}";

// Runs publish_example.py with Debian's interpreter, the generated module and
// the example's own folder on PYTHONPATH.
ProcessResult RunExample(const std::string& endpoint, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "PYTHONPATH=" + std::string(PIPELINED_PYTHON_MODULES) + ":" +
                                       PIPELINED_SOURCE_DIR + "/publishers/python",
                                   "PYTHONDONTWRITEBYTECODE=1",
                                   "/usr/bin/python3",
                                   std::string(PIPELINED_SOURCE_DIR) + "/publishers/python/publish_example.py",
                                   "--endpoint",
                                   endpoint,
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

TEST(PythonPublisherTest, SendsRealEventsAndARerunIsAllDuplicatesWithTheSameTotals) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  ProcessResult first = RunExample(daemon.IngestEndpoint(), {"--expect", "accepted"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(Count(first.output, " accepted"), 4) << first.output;
  EXPECT_THAT(first.output, HasSubstr("rejected reason=unknown_project"));
  EXPECT_THAT(first.output, Not(HasSubstr("FAIL")));
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  // Two months of 1,250,000.50 yuan, exact to the fen.
  EXPECT_EQ(scrape->Value(kInvestment), 2500001);
  EXPECT_EQ(scrape->Value(kLines), 1);
  EXPECT_EQ(scrape->Value(kAccepted), 4);
  EXPECT_EQ(scrape->Value(kRejected), 1);
  // Numbered 1..4, the rejected fifth not tracked: no gap.
  EXPECT_EQ(scrape->Value("pipelined_source_last_sequence{source=\"python-example\"}"), 4);
  EXPECT_EQ(scrape->Value("pipelined_source_sequence_gaps_total{source=\"python-example\"}"), 0);

  // The ids are derived from the report: sent again, nothing counts twice.
  ProcessResult again = RunExample(daemon.IngestEndpoint(), {"--expect", "duplicate"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(Count(again.output, " duplicate"), 4) << again.output;
  EXPECT_THAT(again.output, Not(HasSubstr(" accepted")));
  scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value(kInvestment), 2500001);
  EXPECT_EQ(scrape->Value(kLines), 1);
  EXPECT_EQ(scrape->Value(kAccepted), 4);
  EXPECT_EQ(scrape->Value(kDuplicate), 4);
  EXPECT_EQ(scrape->Value(kRejected), 2);

  // The example's exit code checks the answers: a rerun is not "accepted".
  ProcessResult wrong = RunExample(daemon.IngestEndpoint(), {"--expect", "accepted"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_EQ(Count(wrong.output, "FAIL"), 4) << wrong.output;
}

TEST(PythonPublisherTest, ResendsTheSameEventsAfterATimeoutAndTheyCountOnce) {
  // The publisher starts first and gets no answer: no daemon listens yet.
  // ZeroMQ queues each try until the daemon is up, so the daemon receives the
  // batch more than once; the resent good events come back DUPLICATE.
  DaemonOptions options;
  options.ingest_port = FreePort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(options.ingest_port);
  auto publishing = std::async(std::launch::async, [&] {
    return RunExample(endpoint, {"--expect", "accepted", "--timeout-seconds", "2", "--retries", "3"});
  });
  // Well past the first try's timeout, even if Python starts slowly.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"}, options);
  ASSERT_TRUE(daemon.Started());
  ProcessResult published = publishing.get();
  ASSERT_EQ(published.exit_code, 0) << published.output << "\ndaemon log:\n" << daemon.Log();
  EXPECT_THAT(published.output, HasSubstr("sending it again (try 2 of 4)"));
  // Whichever copy was answered first, it is the one that was accepted.
  EXPECT_EQ(Count(published.output, " accepted"), 4) << published.output;

  // The example stops at its first answer; the other copies it sent may
  // still be on their way through the daemon.
  std::optional<Scrape> scrape;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    scrape = ScrapeMetrics(daemon.WebPort());
    ASSERT_TRUE(scrape);
  } while (scrape->Value(kDuplicate).value_or(0) < 4 && std::chrono::steady_clock::now() < deadline);
  EXPECT_GE(scrape->Value(kDuplicate).value_or(0), 4) << "the resent copy never arrived";
  EXPECT_GE(scrape->Value(kRejected).value_or(0), 2);
  EXPECT_EQ(scrape->Value(kAccepted), 4);
  EXPECT_EQ(scrape->Value(kInvestment), 2500001);
  EXPECT_EQ(scrape->Value(kLines), 1);
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

  // The certificate files `pipelined keygen` wrote, read by pyzmq.
  ProcessResult allowed =
      RunExample(daemon.IngestEndpoint(), {"--expect", "accepted", "--curve-server-certificate",
                                           keys.path() + "/daemon.key", "--curve-certificate",
                                           keys.path() + "/python.key_secret"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_EQ(Count(allowed.output, " accepted"), 4) << allowed.output;
  // The same as Z85 keys on the command line, for a key the daemon does not list.
  ProcessResult refused = RunExample(
      daemon.IngestEndpoint(), {"--curve-server-key", server->public_key, "--curve-public-key", stranger->public_key,
                                "--curve-secret-key", stranger->secret_key, "--timeout-seconds", "1"});
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("no answer"));
}

}  // namespace
}  // namespace pipelined::testing
