// pipelined-loadgen against the real daemon: a short run is accepted in full
// and verified (and a second run adds to it without a duplicate), a run at a
// target rate stays near that rate and measures visibility, verification
// fails when the metrics are another daemon's, and the exit codes for a plan
// that is not the daemon's and for a daemon that is not there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>

#include <nlohmann/json.hpp>

#include "daemon_process.h"
#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;

constexpr int kPlanProjects = 1000;
// Inside the synthetic plan's period (2021-2025), as --clock.start.
constexpr char kClockStart[] = "--clock.start=2025-06-30";

ProcessResult Loadgen(std::vector<std::string> args) {
  args.insert(args.begin(), PIPELINED_LOADGEN_BINARY);
  return RunProcess(args, std::chrono::seconds(120));
}

// The JSON summary printed with --json (the output also holds stderr).
nlohmann::json Summary(const ProcessResult& result) {
  const size_t start = result.output.find("{\n");
  if (start == std::string::npos) return nullptr;
  return nlohmann::json::parse(result.output.substr(start, result.output.rfind("}\n") + 1 - start), nullptr, false);
}

class LoadgenTest : public ::testing::Test {
 protected:
  // One plan file for the suite, written by the load generator itself.
  static void SetUpTestSuite() {
    plan_dir_ = new TempDir();
    plan_file_ = plan_dir_->path() + "/plan.yaml";
    const ProcessResult written =
        Loadgen({"--write-plan", plan_file_, "--projects", std::to_string(kPlanProjects), "--seed", "3"});
    ASSERT_EQ(written.exit_code, 0) << written.output;
    ASSERT_THAT(written.output, HasSubstr("plan loadgen with 1000 projects"));
  }
  static void TearDownTestSuite() {
    delete plan_dir_;
    plan_dir_ = nullptr;
  }

  static std::vector<std::string> DaemonArgs() { return {"--plan.file=" + plan_file_, kClockStart}; }

  // The flags that send to `daemon` and read `metrics_from`'s /metrics, with
  // the suite's plan and a JSON summary (unless `json` is false).
  static std::vector<std::string> Target(const DaemonProcess& daemon, std::vector<std::string> more,
                                         const DaemonProcess* metrics_from = nullptr, bool json = true) {
    const int web_port = (metrics_from ? metrics_from : &daemon)->WebPort();
    std::vector<std::string> args = {"--endpoint", daemon.IngestEndpoint(), "--metrics-url",
                                     "http://127.0.0.1:" + std::to_string(web_port) + "/metrics",
                                     "--plan", plan_file_};
    if (json) args.push_back("--json");
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  static double StoreEvents(const DaemonProcess& daemon) {
    std::optional<Scrape> scrape = ScrapeMetrics(daemon.WebPort());
    EXPECT_TRUE(scrape) << "no /metrics";
    return scrape ? scrape->Value("pipelined_store_events").value_or(-1) : -1;
  }

  static TempDir* plan_dir_;
  static std::string plan_file_;
};

TempDir* LoadgenTest::plan_dir_ = nullptr;
std::string LoadgenTest::plan_file_;

TEST_F(LoadgenTest, ShortRunIsAcceptedInFullAndVerifiedAndASecondRunAddsNoDuplicate) {
  DaemonProcess daemon(DaemonArgs());
  ASSERT_TRUE(daemon.Started());
  const std::vector<std::string> run = {"--duration", "1", "--publishers", "2", "--batch-size", "100"};

  const ProcessResult first = Loadgen(Target(daemon, run));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const nlohmann::json summary = Summary(first);
  ASSERT_TRUE(summary.is_object()) << first.output;
  const std::uint64_t accepted = summary["accepted"];
  EXPECT_GT(accepted, 0u);
  EXPECT_EQ(accepted, summary["sent_events"].get<std::uint64_t>());
  std::uint64_t by_type = 0;
  for (const auto& [type, count] : summary["sent_by_type"].items()) by_type += count.get<std::uint64_t>();
  EXPECT_EQ(by_type, accepted) << summary["sent_by_type"].dump();
  EXPECT_GT(summary["sent_by_type"]["started"].get<int>(), 0) << "the default mix has all but completed";
  EXPECT_GT(summary["sent_by_type"]["launched"].get<int>(), 0);
  EXPECT_GT(summary["sent_by_type"]["output"].get<int>(), 0);
  EXPECT_EQ(summary["rejected"], 0) << summary["rejected_by_reason"].dump();
  EXPECT_EQ(summary["duplicates"], 0);
  EXPECT_EQ(summary["verification"]["status"], "ok") << summary["verification"].dump(2);
  EXPECT_EQ(summary["plan"]["projects"], kPlanProjects);
  EXPECT_GT(summary["accepted_events_per_second"].get<double>(), 0);
  EXPECT_GT(summary["ack_latency_ms"]["count"].get<int>(), 0);
  EXPECT_LE(summary["ack_latency_ms"]["p50"].get<double>(), summary["ack_latency_ms"]["p99"].get<double>());
  EXPECT_LE(summary["ack_latency_ms"]["p99"].get<double>(), summary["ack_latency_ms"]["p999"].get<double>());
  EXPECT_TRUE(summary["visibility"].is_null()) << "no probes flat out unless asked";
  // Not only the loadgen's own verification: the daemon stored them all.
  EXPECT_EQ(StoreEvents(daemon), static_cast<double>(accepted));

  // Event ids carry a run id: a second run against the same daemon is new
  // events, none a duplicate of the first run's.
  const ProcessResult second = Loadgen(Target(daemon, run));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const nlohmann::json again = Summary(second);
  EXPECT_EQ(again["duplicates"], 0);
  EXPECT_NE(again["run_id"], summary["run_id"]);
  EXPECT_EQ(StoreEvents(daemon), static_cast<double>(accepted + again["accepted"].get<std::uint64_t>()));
}

TEST_F(LoadgenTest, RunAtATargetRateStaysNearItAndMeasuresVisibility) {
  DaemonProcess daemon(DaemonArgs());
  ASSERT_TRUE(daemon.Started());
  const double rate = 2000;
  const ProcessResult result = Loadgen(Target(
      daemon, {"--duration", "3", "--rate", "2000", "--batch-size", "20", "--probe-via", "api"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json summary = Summary(result);
  ASSERT_TRUE(summary.is_object()) << result.output;
  // Paced by the clock: never much faster than asked, and on a loaded
  // machine not much slower either.
  const double achieved = summary["accepted_events_per_second"];
  EXPECT_LT(achieved, rate * 1.15) << result.output;
  EXPECT_GT(achieved, rate * 0.5) << result.output;
  EXPECT_LE(summary["sent_events"].get<double>(), rate * 3 + 20);
  EXPECT_EQ(summary["ack_latency_measured_from"], "due");
  // Probes are on at a target rate.
  ASSERT_TRUE(summary["visibility"].is_object()) << result.output;
  EXPECT_GT(summary["visibility"]["probes"].get<int>(), 0);
  EXPECT_GT(summary["visibility"]["latency_ms"]["count"].get<int>(), 0) << summary["visibility"].dump(2);
  EXPECT_EQ(summary["verification"]["status"], "ok") << summary["verification"].dump(2);
}

TEST_F(LoadgenTest, VisibilityProbesReadMetricsByDefault) {
  DaemonProcess daemon(DaemonArgs());
  ASSERT_TRUE(daemon.Started());
  const ProcessResult result = Loadgen(Target(daemon, {"--duration", "1", "--rate", "500", "--batch-size", "10",
                                                       "--probe-interval", "100"}));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json summary = Summary(result);
  ASSERT_TRUE(summary.is_object()) << result.output;
  EXPECT_EQ(summary["visibility"]["via"], "metrics");
  EXPECT_GT(summary["visibility"]["latency_ms"]["count"].get<int>(), 0) << summary["visibility"].dump(2);
  EXPECT_EQ(summary["visibility"]["not_visible"], 0);
  EXPECT_GT(summary["visibility"]["scrape_ms"]["count"].get<int>(), 0);
  EXPECT_EQ(summary["verification"]["status"], "ok") << summary["verification"].dump(2);
}

TEST_F(LoadgenTest, VerificationFailsWhenTheMetricsAreAnotherDaemons) {
  DaemonProcess loaded(DaemonArgs());
  DaemonProcess other(DaemonArgs());
  ASSERT_TRUE(loaded.Started() && other.Started());
  // Same plan, so the check of the plan at start passes; but the events go
  // to `loaded` and the totals are read from `other`.
  const std::vector<std::string> run = {"--duration", "1", "--publishers", "1", "--batch-size", "50"};
  const ProcessResult result = Loadgen(Target(loaded, run, &other));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  const nlohmann::json summary = Summary(result);
  ASSERT_TRUE(summary.is_object()) << result.output;
  EXPECT_GT(summary["accepted"].get<int>(), 0);
  EXPECT_EQ(summary["verification"]["status"], "failed");
  EXPECT_EQ(summary["exit_code"], 1);
  EXPECT_EQ(StoreEvents(other), 0);

  // The text summary says which checks failed.
  const ProcessResult text = Loadgen(Target(loaded, run, &other, /*json=*/false));
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_THAT(text.output, HasSubstr("verification: FAILED"));
  EXPECT_THAT(text.output, HasSubstr("FAILED  pipelined_store_events increase"));
  EXPECT_THAT(text.output, ::testing::ContainsRegex("accepted [1-9][0-9]* events in [0-9.]+ s: [0-9]+ events/s\n"));
}

TEST_F(LoadgenTest, APlanOtherThanTheDaemonsIsAUsageError) {
  DaemonProcess daemon(DaemonArgs());
  ASSERT_TRUE(daemon.Started());
  const ProcessResult result = Loadgen(
      {"--endpoint", daemon.IngestEndpoint(), "--metrics-url",
       "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/metrics", "--plan",
       std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml", "--duration", "1"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_THAT(result.output, HasSubstr("the daemon runs plan loadgen, not test-plan"));
  EXPECT_EQ(StoreEvents(daemon), 0);
}

TEST_F(LoadgenTest, NoDaemonIsExitCodeThree) {
  const std::string nowhere = "127.0.0.1:" + std::to_string(FreePort());
  // Without metrics (nothing listens) the run stops before sending.
  ProcessResult result = Loadgen({"--endpoint", "tcp://" + nowhere, "--metrics-url", "http://" + nowhere + "/metrics",
                                  "--plan", plan_file_, "--duration", "1"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("cannot read the daemon's metrics"));
  // Without verification, the connection check finds no daemon.
  result = Loadgen({"--endpoint", "tcp://" + nowhere, "--no-verify", "--until", "2025-06-30", "--plan", plan_file_,
                    "--duration", "1", "--timeout", "1"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_THAT(result.output, HasSubstr("is pipelined running there?"));
}

TEST_F(LoadgenTest, BadFlagsAreUsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--mix", "investment=1,bogus=2"}, {"--publishers", "0"}, {"--rate", "-5"},
        {"--until", "2025-13-01"}, {"--metrics-url", "https://127.0.0.1/metrics"}, {"--no-such-flag"}}) {
    const ProcessResult result = Loadgen(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.output;
  }
}

TEST_F(LoadgenTest, EveryFlagOfTheHelpIsDocumented) {
  const ProcessResult help = Loadgen({"--help"});
  ASSERT_EQ(help.exit_code, 0) << help.output;
  std::ifstream in(std::string(PIPELINED_SOURCE_DIR) + "/docs/loadgen.md");
  const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_FALSE(doc.empty()) << "docs/loadgen.md is missing";
  const std::regex flag("--[a-z][a-z.-]*");
  int flags = 0;
  for (std::sregex_iterator it(help.output.begin(), help.output.end(), flag), end; it != end; ++it, ++flags) {
    EXPECT_NE(doc.find("`" + it->str() + "`"), std::string::npos) << it->str() << " is not in docs/loadgen.md";
  }
  EXPECT_GT(flags, 20);
}

}  // namespace
}  // namespace pipelined::testing
