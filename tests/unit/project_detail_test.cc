// One project's detail (its page and API document) and what a reload keeps:
// the monthly cumulative series, the recent events, inherited counters and
// statuses tracked by project code.
#include <gtest/gtest.h>

#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"
#include "test_plan.h"

namespace pipelined::model {
namespace {

std::int64_t At(Date date) { return date.StartUnixSecondsShanghai() + 12 * 3600; }

Event Investment(const std::string& id, Date on, Fen fen, YearMonth period) {
  Event event;
  event.event_id = id;
  event.source = "src";
  event.project_code = "P-1";
  event.occurred_at_unix = At(on);
  event.payload = InvestmentRecorded{fen, period.ToString()};
  return event;
}

const MonthlyProgress& Month(const ProjectDetail& detail, YearMonth month) {
  for (const MonthlyProgress& point : detail.months) {
    if (point.month == month) return point;
  }
  ADD_FAILURE() << "no month " << month.ToString();
  return detail.months.front();
}

class ProjectDetailTest : public ::testing::Test {
 protected:
  // Today 2024-07-15: reporting month 2024-06.
  ManualClock clock_{At({2024, 7, 15})};
  Programme programme_{testing::SmallPlan(), clock_};
};

TEST_F(ProjectDetailTest, UnknownProjectHasNoDetail) { EXPECT_FALSE(programme_.Detail("P-9")); }

TEST_F(ProjectDetailTest, MonthsRunFromThePlansFirstYearToItsEndWithCumulativeFigures) {
  // P-1: 100,000 fen a year for 2023-2025, linear; start 2023-03.
  testing::Submit(programme_, Investment("a", {2023, 5, 20}, 10'000, {2023, 5}));
  testing::Submit(programme_, Investment("b", {2024, 2, 20}, 20'000, {2024, 2}));
  auto detail = programme_.Detail("P-1");
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->months.size(), 36u);
  EXPECT_EQ(detail->months.front().month, (YearMonth{2023, 1}));
  EXPECT_EQ(detail->months.back().month, (YearMonth{2025, 12}));

  EXPECT_EQ(Month(*detail, {2023, 4}).completed_cumulative_fen, 0);
  EXPECT_EQ(Month(*detail, {2023, 5}).completed_cumulative_fen, 10'000);
  const MonthlyProgress& december = Month(*detail, {2023, 12});
  EXPECT_EQ(december.planned_cumulative_fen, 100'000);
  EXPECT_EQ(december.pro_rata_cumulative_fen, 100'000);
  // Planned by its schedule: nothing before its start in March 2023.
  EXPECT_EQ(Month(*detail, {2023, 2}).planned_cumulative_fen, 0);
  EXPECT_EQ(Month(*detail, {2023, 3}).planned_cumulative_fen, 10'000);
  const MonthlyProgress& june = Month(*detail, {2024, 6});
  EXPECT_EQ(june.pro_rata_cumulative_fen, 150'000) << "2023's plan and 6/12 of 2024's";
  EXPECT_EQ(june.planned_cumulative_fen, 150'000);
  EXPECT_EQ(Month(*detail, {2024, 2}).completed_cumulative_fen, 30'000);
  EXPECT_FALSE(Month(*detail, {2024, 3}).completed_cumulative_fen)
      << "months after the last report are not drawn as nothing done";
  EXPECT_EQ(Month(*detail, {2025, 12}).pro_rata_cumulative_fen, 300'000);
}

TEST_F(ProjectDetailTest, RecentEventsAreTheLastTenNewestFirst) {
  for (int i = 1; i <= 12; ++i) {
    testing::Submit(programme_, Investment("e" + std::to_string(i), {2024, 6, 20}, i, {2024, 6}));
  }
  auto detail = programme_.Detail("P-1");
  ASSERT_TRUE(detail);
  ASSERT_EQ(detail->recent_events.size(), kRecentEvents);
  EXPECT_EQ(detail->recent_events.front().event_id, "e12");
  EXPECT_EQ(detail->recent_events.back().event_id, "e3");
  EXPECT_STREQ(detail->recent_events.front().type, "investment_recorded");
  EXPECT_EQ(detail->recent_events.front().amount_fen, 12);
  EXPECT_EQ(detail->recent_events.front().period, "2024-06");
  EXPECT_EQ(detail->figures.investment_completed_fen, 78) << "1 + 2 + ... + 12: the list is bounded, not the sums";
}

TEST_F(ProjectDetailTest, AReloadedProgrammeInheritsTheEventCounters) {
  testing::Submit(programme_, Investment("a", {2024, 6, 20}, 5, {2024, 6}));
  Event bad = Investment("b", {2024, 6, 20}, 5, {2024, 6});
  bad.project_code = "P-9";
  testing::Submit(programme_, bad);
  Programme reloaded(testing::SmallPlan(), clock_);
  reloaded.Apply(Investment("a", {2024, 6, 20}, 5, {2024, 6}), nullptr);  // as a replay would
  reloaded.InheritCounters(programme_);
  std::uint64_t accepted = 0, rejected = 0;
  for (const EventCount& count : reloaded.EventCounts()) {
    (count.status == EventStatus::kAccepted ? accepted : rejected) += count.count;
  }
  EXPECT_EQ(accepted, 1u);
  EXPECT_EQ(rejected, 1u);
  EXPECT_EQ(reloaded.Detail("P-1")->figures.investment_completed_fen, 5);
}

TEST(StatusTrackerTest, StatusesFollowProjectCodesAcrossAReorderedPlan) {
  ManualClock clock(At({2024, 7, 15}));
  Plan plan = testing::SmallPlan();
  Programme before(plan, clock);
  StatusTracker tracker;
  const auto first = tracker.Update(before.BuildReport(), EvaluationTrigger::kSchedule);
  // Reversed order, same projects, same facts: nothing changed.
  std::reverse(plan.projects.begin(), plan.projects.end());
  Programme after(plan, clock);
  EXPECT_TRUE(tracker.Update(after.BuildReport(), EvaluationTrigger::kSchedule).empty());
  // A project that leaves the plan and comes back starts from on_track.
  Plan smaller = testing::SmallPlan();
  smaller.projects.pop_back();
  Programme without(smaller, clock);
  tracker.Update(without.BuildReport(), EvaluationTrigger::kSchedule);
  const auto back = tracker.Update(before.BuildReport(), EvaluationTrigger::kSchedule);
  size_t p3_changes = 0;
  for (const StatusChange& change : back) p3_changes += change.project == "P-3" ? 1 : 0;
  size_t p3_first = 0;
  for (const StatusChange& change : first) p3_first += change.project == "P-3" ? 1 : 0;
  EXPECT_EQ(p3_changes, p3_first);
}

}  // namespace
}  // namespace pipelined::model
