#include "pipelined/publisher/demo_history.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "pipelined/config/plan_loader.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/programme.h"
#include "test_plan.h"

namespace pipelined::publisher {
namespace {

class DemoHistoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { plan_ = new model::Plan(*config::LoadEmbeddedPlan().plan); }
  static void TearDownTestSuite() { delete plan_; }
  static model::Plan* plan_;
  const model::Date until_{2025, 6, 30};

  DemoHistory Build(std::uint64_t seed = 1) const {
    DemoOptions options;
    options.until = until_;
    options.seed = seed;
    return BuildDemoHistory(*plan_, options);
  }
};
model::Plan* DemoHistoryTest::plan_ = nullptr;

TEST_F(DemoHistoryTest, IsDeterministicForASeed) {
  auto a = Build(1).events;
  auto b = Build(1).events;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i += 97) {
    EXPECT_EQ(a[i].event.SerializeAsString(), b[i].event.SerializeAsString());
  }
  EXPECT_NE(Build(2).events.size(), a.size());
}

TEST_F(DemoHistoryTest, IsOrderedUniqueAndNeverAfterUntil) {
  auto history = Build().events;
  ASSERT_GT(history.size(), 10000u);
  std::set<std::string> ids;
  for (size_t i = 0; i < history.size(); ++i) {
    EXPECT_TRUE(history[i].publish_on <= until_);
    if (i > 0) {
      EXPECT_TRUE(history[i - 1].publish_on <= history[i].publish_on);
    }
    EXPECT_TRUE(ids.insert(history[i].event.event_id()).second) << history[i].event.event_id();
  }
}

TEST_F(DemoHistoryTest, MixesOnTrackLateStalledAndSlowProjects) {
  std::map<DemoBehaviour, int> counts;
  for (const auto& project : plan_->projects) ++counts[BehaviourFor(project, 1)];
  EXPECT_GT(counts[DemoBehaviour::kOnTrack], static_cast<int>(plan_->projects.size()) / 2) << "most are on track";
  EXPECT_GT(counts[DemoBehaviour::kLateStart], 20);
  EXPECT_GT(counts[DemoBehaviour::kStalled], 20);
  EXPECT_GT(counts[DemoBehaviour::kSlow], 20);
}

TEST_F(DemoHistoryTest, EveryEventPassesTheDaemonsValidation) {
  model::ManualClock clock(until_.StartUnixSecondsShanghai());
  model::Programme programme(*plan_, clock);
  std::map<std::string, int> rejected;
  for (const auto& scheduled : Build().events) {
    v1::Event event = scheduled.event;
    event.set_source("demo");
    clock.Set(scheduled.publish_on.StartUnixSecondsShanghai() + 86399);
    model::Outcome outcome = testing::Submit(programme, ingest::FromProto(event));
    if (outcome.status != model::EventStatus::kAccepted) ++rejected[outcome.reason + ": " + outcome.message];
  }
  EXPECT_TRUE(rejected.empty()) << rejected.begin()->first;
}

TEST_F(DemoHistoryTest, ContinuingProjectsNeverStartLate) {
  int continuing = 0;
  for (const auto& project : plan_->projects) {
    if (!project.continuing) continue;
    ++continuing;
    EXPECT_NE(BehaviourFor(project, 1), DemoBehaviour::kLateStart) << project.code;
  }
  EXPECT_GT(continuing, 100) << "the embedded plan is largely continuing projects";
}

TEST_F(DemoHistoryTest, ReportsArriveBetweenTheFirstAndTheDueDayOfTheNextMonthAFewLate) {
  const DemoHistory history = Build();
  int reports = 0;
  int late = 0;
  const model::ReportingCalendar calendar;
  for (const ScheduledEvent& scheduled : history.events) {
    if (!scheduled.event.has_investment_recorded()) continue;
    ++reports;
    const model::YearMonth period = *model::YearMonth::Parse(scheduled.event.investment_recorded().period());
    // January's report comes with February's, in March.
    const model::YearMonth arrives_in = model::ReportingCalendar::ReportOf(period).AddMonths(1);
    EXPECT_EQ(scheduled.publish_on.Month(), arrives_in) << scheduled.event.event_id();
    EXPECT_EQ(model::Date::FromUnixSecondsShanghai(scheduled.event.occurred_at().seconds()), scheduled.publish_on)
        << "a report is dated the day it is made";
    if (calendar.DueDate(period) < scheduled.publish_on) ++late;
  }
  ASSERT_GT(reports, 10000);
  EXPECT_GT(late, 0);
  EXPECT_LT(late, reports / 10) << "a few, not many, are late";
}

TEST_F(DemoHistoryTest, GroundTruthSaysWhenEachScriptedProjectFallsBehind) {
  const DemoHistory history = Build();
  ASSERT_EQ(history.truth.size(), plan_->projects.size());
  for (size_t i = 0; i < history.truth.size(); ++i) {
    const DemoTruth& truth = history.truth[i];
    const model::ProjectPlan& project = plan_->projects[i];
    ASSERT_EQ(truth.project, project.code);
    switch (truth.behaviour) {
      case DemoBehaviour::kOnTrack:
        EXPECT_FALSE(truth.falls_behind_on) << truth.project;
        break;
      case DemoBehaviour::kLateStart:
        EXPECT_GE(truth.start_delay_months, 3);
        if (truth.falls_behind_on) {
          EXPECT_EQ(*truth.falls_behind_on, model::LastDay(project.construction_start));
        }
        break;
      case DemoBehaviour::kSlow:
        EXPECT_LT(truth.pace, 0.66);
        break;
      case DemoBehaviour::kStalled:
        ASSERT_TRUE(truth.stalled_from);
        if (truth.falls_behind_on) {
          EXPECT_EQ(*truth.falls_behind_on, model::LastDay(*truth.stalled_from));
        }
        break;
    }
    if (truth.falls_behind_on) {
      EXPECT_TRUE(*truth.falls_behind_on <= until_);
    }
  }
}

TEST_F(DemoHistoryTest, AStalledProjectKeepsReportingNothingDone) {
  const DemoHistory history = Build();
  const DemoTruth* stalled = nullptr;
  for (const DemoTruth& truth : history.truth) {
    if (truth.behaviour == DemoBehaviour::kStalled && truth.stalled_from &&
        truth.stalled_from->AddMonths(3) < until_.Month()) {
      stalled = &truth;
      break;
    }
  }
  ASSERT_NE(stalled, nullptr);
  int after_stall = 0;
  for (const ScheduledEvent& scheduled : history.events) {
    if (scheduled.event.project_code() != stalled->project || !scheduled.event.has_investment_recorded()) continue;
    const model::YearMonth period = *model::YearMonth::Parse(scheduled.event.investment_recorded().period());
    if (period < *stalled->stalled_from) continue;
    ++after_stall;
    EXPECT_EQ(scheduled.event.investment_recorded().amount_fen(), 0) << period.ToString();
  }
  EXPECT_GE(after_stall, 2) << "reports go on after the stall";
}

}  // namespace
}  // namespace pipelined::publisher
