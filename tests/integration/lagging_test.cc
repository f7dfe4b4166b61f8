// The daemon decides which projects are lagging as time passes on its clock
// and as events arrive, and says so in metrics and its log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/model/reporting_calendar.h"

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

// Moves the daemon's settable clock (--clock.settable).
void SetClock(const DaemonProcess& daemon, const std::string& to) {
  ProcessResult set = RunProcess({"/usr/bin/curl", "-s", "-f", "-X", "PUT",
                                  "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/-/clock?to=" + to});
  ASSERT_EQ(set.exit_code, 0) << set.output;
}

ProcessResult PublishInvestment(const DaemonProcess& daemon, const std::string& date, const std::string& period,
                                const std::string& yuan, const std::string& id, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {PIPELINED_PUBLISH_BINARY, "investment", "--endpoint", daemon.IngestEndpoint(),
                                   "--project", "T-IND-3", "--date", date, "--period", period, "--amount-yuan", yuan,
                                   "--event-id", id};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunProcess(args);
}

TEST(LaggingTest, AMissingReportIsNotReportedOnceItsDueDayHasPassedAndAReportedShortfallIsLagging) {
  // T-IND-3 is planned to start in 2024-02; its January-February report is
  // due by 10 March. The clock stands still until the test moves it.
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-03-10T12:00:00", "--clock.rate=0",
                        "--clock.settable", "--lagging.evaluation-interval=3600"});
  ASSERT_TRUE(daemon.Started());
  const std::string project = "pipelined_project_status{project=\"T-IND-3\",status=";
  EXPECT_EQ(ValueOf(daemon, project + "\"on_track\"}"), 1) << "nothing is due before the due day has passed";
  EXPECT_EQ(ValueOf(daemon, "pipelined_reporting_month_end_timestamp_seconds"),
            model::LastDay({2023, 12}).StartUnixSecondsShanghai() + 86400);

  SetClock(daemon, "2024-03-11");
  EXPECT_EQ(ValueOf(daemon, project + "\"not_reported\"}"), 1);
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_lagging_reason{project=\"T-IND-3\",reason=\"report_missing\","
                            "level=\"not_reported\"}"),
            1);
  EXPECT_EQ(ValueOf(daemon, "pipelined_group_reporting_timeliness_ratio{group_type=\"plan\",group=\"test-plan\"}"), 0);
  // The watcher saw it at once (moving the clock wakes it) and counted it in one line.
  EXPECT_TRUE(LogEventually(daemon, "projects are now not reported: no investment report for 2024-02 (due "
                                    "2024-03-10)"))
      << daemon.Log();

  // It reports that nothing was done in January and February: behind its
  // schedule, lagging; the watcher names it.
  ProcessResult sent = PublishInvestment(daemon, "2024-03-11", "2024-02", "0", "t3-2024-02");
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  EXPECT_EQ(ValueOf(daemon, project + "\"lagging\"}"), 1);
  EXPECT_TRUE(LogEventually(daemon, "project T-IND-3 is now lagging (was not_reported): behind_schedule (lagging)"))
      << daemon.Log();
  EXPECT_GE(ValueOf(daemon, "pipelined_project_status_changes_total{status=\"lagging\"}").value_or(0), 1);
}

TEST(LaggingTest, AnEventTriggersAnEvaluationAndCanPutAProjectBackOnTrack) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-03-11", "--clock.rate=0",
                        "--lagging.evaluation-interval=3600"});
  ASSERT_TRUE(daemon.Started());
  const std::string events = "pipelined_evaluations_total{trigger=\"events\"}";
  ASSERT_TRUE(Eventually(daemon, "pipelined_evaluations_total{trigger=\"schedule\"}", 1));
  EXPECT_EQ(ValueOf(daemon, events), 0);
  ProcessResult nothing = PublishInvestment(daemon, "2024-03-05", "2024-02", "0", "t3-feb");
  ASSERT_EQ(nothing.exit_code, 0) << nothing.output;
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_status{project=\"T-IND-3\",status=\"lagging\"}"), 1);
  ASSERT_TRUE(LogEventually(daemon, "project T-IND-3 is now lagging")) << daemon.Log();

  // Corrected: started on 2024-02-20 with 30 million yuan in January and
  // February, all of February's share of its 2024 plan (150 million over
  // eleven months) and more: on track.
  ProcessResult started = RunProcess({PIPELINED_PUBLISH_BINARY, "construction-started", "--endpoint",
                                      daemon.IngestEndpoint(), "--project", "T-IND-3", "--date", "2024-02-20"});
  ASSERT_EQ(started.exit_code, 0) << started.output;
  ProcessResult corrected =
      PublishInvestment(daemon, "2024-03-06", "2024-02", "30000000", "t3-feb-corrected", {"--supersedes", "t3-feb"});
  ASSERT_EQ(corrected.exit_code, 0) << corrected.output;
  EXPECT_EQ(ValueOf(daemon, "pipelined_project_status{project=\"T-IND-3\",status=\"on_track\"}"), 1);
  EXPECT_NEAR(*ValueOf(daemon, "pipelined_project_pro_rata_gap_percentage_points{project=\"T-IND-3\"}"),
              20.0 - 100.0 * 2 / 12, 1e-9);
  EXPECT_NEAR(*ValueOf(daemon, "pipelined_project_expected_progress_ratio{project=\"T-IND-3\"}"), 1.0 / 11, 1e-9);
  // The watcher re-evaluates after events without waiting for its hour.
  EXPECT_GE(ValueOf(daemon, events).value_or(0), 1);
  EXPECT_TRUE(LogEventually(daemon, "project T-IND-3 is on track again (was lagging)")) << daemon.Log();
}

TEST(LaggingTest, AFreshDaemonWithNoReportsFlagsNothingAndSaysNothingIsReported) {
  // An office's first day: the embedded plan, mid-period, no event yet.
  DaemonProcess daemon({"--clock.start=2025-06-30", "--clock.rate=0"});
  ASSERT_TRUE(daemon.Started());
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  const std::string plan = "pipelined_group_projects_by_status{group_type=\"plan\",group=\"ningbo-14th-fyp\",status=";
  EXPECT_EQ(scrape->Value(plan + "\"lagging\"}"), 0);
  EXPECT_EQ(scrape->Value(plan + "\"at_risk\"}"), 0);
  EXPECT_GT(scrape->Value(plan + "\"not_reported\"}").value_or(0), 700);
  EXPECT_EQ(scrape->Value("pipelined_group_status{group_type=\"plan\",group=\"ningbo-14th-fyp\",status=\"not_reported\"}"),
            1);
  for (const auto& [series, value] : scrape->series) {
    if (series.rfind("pipelined_group_status{", 0) == 0 && series.find("status=\"lagging\"") != std::string::npos) {
      EXPECT_EQ(value, 0) << series;
    }
    if (series.rfind("pipelined_group_investment_completion_rate{", 0) == 0) {
      ADD_FAILURE() << "no data is not 0% done: " << series;
    }
  }
  ProcessResult page = RunProcess({"/usr/bin/curl", "-s", "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/"});
  EXPECT_THAT(page.output, ::testing::HasSubstr("No reports yet:"));
}

TEST(LaggingTest, HistoryInBulkHoldsTheStatusesAndLogsOneSummaryWhenItStops) {
  // The demo's whole history at once into a daemon at 2025-06-30: events
  // years behind its clock. Statuses are held until three seconds of the
  // clock pass without history, then evaluated once.
  DaemonProcess daemon({"--clock.start=2025-06-30", "--lagging.catch-up-settle=3", "--lagging.evaluation-interval=1"});
  ASSERT_TRUE(daemon.Started());
  ProcessResult demo = RunProcess({PIPELINED_DEMO_BINARY, "--endpoint", daemon.IngestEndpoint(), "--until",
                                   "2025-06-30", "--speed", "1000000", "--once"});
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  ASSERT_TRUE(LogEventually(daemon, "caught up on history")) << daemon.Log();
  const std::string log = daemon.Log();
  const size_t caught_up = log.find("caught up on history");
  EXPECT_NE(log.find("catching up: history is arriving in bulk"), std::string::npos) << log;
  EXPECT_NE(caught_up, std::string::npos);
  // Neither while catching up nor after it, one by one: the summary stands
  // for them.
  EXPECT_EQ(log.find("is now lagging"), std::string::npos) << "a status change was logged one by one:\n" << log;
  // Each lagging project changed status once: from not reported to lagging.
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  const double lagging =
      scrape->Value("pipelined_group_projects_by_status{group_type=\"plan\",group=\"ningbo-14th-fyp\",status=\"lagging\"}")
          .value_or(0);
  EXPECT_GT(lagging, 100);
  EXPECT_EQ(scrape->Value("pipelined_project_status_changes_total{status=\"lagging\"}"), lagging);
  EXPECT_EQ(scrape->Value("pipelined_catching_up"), 0);
  EXPECT_GT(scrape->Value("pipelined_history_events_total").value_or(0), 10000);
}

}  // namespace
}  // namespace pipelined::testing
