// The daemon decides which projects are lagging as time passes on its clock
// and as events arrive, and says so in metrics and its log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "daemon_process.h"
#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

std::optional<double> ValueOf(const DaemonProcess& daemon, const std::string& series) {
  auto scrape = ScrapeMetrics(daemon.WebPort());
  return scrape ? scrape->Value(series) : std::nullopt;
}

// Polls until the series has the value or the time is up.
bool Eventually(const DaemonProcess& daemon, const std::string& series, double value, double seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ValueOf(daemon, series) == value) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool LogEventually(const DaemonProcess& daemon, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (daemon.Log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(LaggingTest, ProjectTurnsAtRiskWhenItsStartMonthEndsWithoutAnEvent) {
  // T-IND-3 is planned to start in 2024-02. The clock starts two seconds
  // before March and no event is ever sent for it.
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-02-29T23:59:57",
                        "--lagging.evaluation-interval=1"});
  ASSERT_TRUE(daemon.Started());
  const std::string on_track = "pipelined_project_status{project=\"T-IND-3\",status=\"on_track\"}";
  const std::string at_risk = "pipelined_project_status{project=\"T-IND-3\",status=\"at_risk\"}";
  EXPECT_EQ(ValueOf(daemon, on_track), 1);
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_milestone_state{project=\"T-IND-3\",milestone=\"construction_start\","
                            "line=\"\",state=\"due\"}"),
            1);

  ASSERT_TRUE(Eventually(daemon, at_risk, 1)) << "no status change after the deadline passed";
  EXPECT_EQ(ValueOf(daemon, on_track), 0);
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_lagging_reason{project=\"T-IND-3\",reason=\"start_overdue\","
                            "level=\"at_risk\"}"),
            1);
  // The watcher noticed it on its schedule and logged it.
  EXPECT_TRUE(LogEventually(daemon, "project T-IND-3 is now at_risk (was on_track): start_overdue")) << daemon.Log();
  EXPECT_GE(ValueOf(daemon, "pipelined_project_status_changes_total{status=\"at_risk\"}").value_or(0), 1);
}

TEST(LaggingTest, AnEventTriggersAnEvaluationAndCanPutAProjectBackOnTrack) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-03-10", "--lagging.evaluation-interval=3600"});
  ASSERT_TRUE(daemon.Started());
  const std::string events = "pipelined_evaluations_total{trigger=\"events\"}";
  ASSERT_TRUE(Eventually(daemon, "pipelined_evaluations_total{trigger=\"schedule\"}", 1));
  EXPECT_EQ(ValueOf(daemon, events), 0);
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_status{project=\"T-IND-3\",status=\"at_risk\"}"), 1);

  // Started on 2024-02-20 with 30 million yuan in Jan-Feb: 20% of the 2024
  // plan against 2/12 pro-rata, on track.
  ProcessResult started = RunProcess({PIPELINED_PUBLISH_BINARY, "construction-started", "--endpoint",
                                      daemon.IngestEndpoint(), "--project", "T-IND-3", "--date", "2024-02-20"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  ProcessResult invested = RunProcess({PIPELINED_PUBLISH_BINARY, "investment", "--endpoint", daemon.IngestEndpoint(),
                                       "--project", "T-IND-3", "--date", "2024-02-29", "--amount-yuan", "30000000"});
  ASSERT_EQ(invested.exit_code, 0) << invested.output;
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_status{project=\"T-IND-3\",status=\"on_track\"}"), 1);
  EXPECT_NEAR(*ValueOf(daemon, "pipelined_project_pro_rata_gap_percentage_points{project=\"T-IND-3\"}"),
              20.0 - 100.0 * 2 / 12, 1e-9);
  // The watcher re-evaluates after events without waiting for its hour.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ValueOf(daemon, events).value_or(0) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(ValueOf(daemon, events).value_or(0), 1);
  EXPECT_TRUE(LogEventually(daemon, "project T-IND-3 is on track again (was at_risk)")) << daemon.Log();
}

}  // namespace
}  // namespace pipelined::testing
