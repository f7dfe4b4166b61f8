// Formulas of progress against plan, against values worked out by hand.
#include "pipelined/model/progress.h"

#include <gtest/gtest.h>

namespace pipelined::model {
namespace {

ProjectPlan PlanWithYears(std::map<int, Fen> years) {
  ProjectPlan p;
  p.code = "X";
  p.investment_by_year_fen = std::move(years);
  for (const auto& [year, fen] : p.investment_by_year_fen) p.investment_total_fen += fen;
  p.construction_start = {2023, 1};
  p.completion = {2024, 12};
  return p;
}

TEST(ReportingPeriodTest, IsTheLastCompleteMonth) {
  const ReportingPeriod june = ReportingPeriodOn({2024, 7, 15});
  EXPECT_EQ(june.month, (YearMonth{2024, 6}));
  EXPECT_DOUBLE_EQ(june.pro_rata(), 0.5);
  EXPECT_EQ(ReportingPeriodOn({2024, 12, 31}).month, (YearMonth{2024, 11}));
}

TEST(ReportingPeriodTest, JanuaryIsReportedWithFebruary) {
  // In March the first report of the year, January-February, is due: 2/12.
  EXPECT_EQ(ReportingPeriodOn({2024, 3, 1}).month, (YearMonth{2024, 2}));
  EXPECT_DOUBLE_EQ(ReportingPeriodOn({2024, 3, 1}).pro_rata(), 2.0 / 12);
  // In February there is no January report: still December of the year before.
  EXPECT_EQ(ReportingPeriodOn({2024, 2, 29}).month, (YearMonth{2023, 12}));
  EXPECT_EQ(ReportingPeriodOn({2024, 2, 1}).year(), 2023);
  EXPECT_DOUBLE_EQ(ReportingPeriodOn({2024, 2, 1}).pro_rata(), 1.0);
}

TEST(ReportingPeriodTest, CrossesTheYearBoundaryInJanuary) {
  const ReportingPeriod january = ReportingPeriodOn({2025, 1, 1});
  EXPECT_EQ(january.month, (YearMonth{2024, 12}));
  EXPECT_EQ(january.year(), 2024);
  EXPECT_DOUBLE_EQ(january.pro_rata(), 1.0);
}

TEST(MonthDaysTest, KnowsLeapYears) {
  EXPECT_EQ(LastDay({2024, 2}), (Date{2024, 2, 29}));
  EXPECT_EQ(LastDay({2023, 2}), (Date{2023, 2, 28}));
  EXPECT_EQ(LastDay({2100, 2}), (Date{2100, 2, 28}));
  EXPECT_EQ(LastDay({2000, 2}), (Date{2000, 2, 29}));
}

TEST(PlannedValueTest, LinearSpreadsEachYearOverItsMonths) {
  const ProjectPlan p = PlanWithYears({{2023, 120'000}, {2024, 240'000}});
  EXPECT_EQ(PlannedValueThrough(p, {2022, 12}), 0);
  EXPECT_EQ(PlannedValueThrough(p, {2023, 1}), 10'000);
  EXPECT_EQ(PlannedValueThrough(p, {2023, 12}), 120'000);
  EXPECT_EQ(PlannedValueThrough(p, {2024, 5}), 120'000 + 100'000);
  EXPECT_EQ(PlannedValueThrough(p, {2030, 1}), 360'000);
}

TEST(PlannedValueTest, ProjectWithoutYearlyPlanHasNoPlannedValue) {
  const ProjectPlan p = PlanWithYears({});
  EXPECT_EQ(PlannedValueThrough(p, {2024, 6}), 0);
}

TEST(PlannedValueTest, MonthlyUsesTheGivenMonths) {
  ProjectPlan p = PlanWithYears({{2024, 600}});
  p.spending_profile = SpendingProfile::kMonthly;
  p.investment_by_month_fen = {{{2024, 1}, 100}, {{2024, 3}, 200}, {{2024, 12}, 300}};
  EXPECT_EQ(PlannedValueThrough(p, {2024, 2}), 100);
  EXPECT_EQ(PlannedValueThrough(p, {2024, 3}), 300);
  EXPECT_EQ(PlannedValueThrough(p, {2024, 11}), 300);
  EXPECT_EQ(PlannedValueThrough(p, {2024, 12}), 600);
}

TEST(PlannedValueTest, SCurveIsSlowFastSlowOverTheConstructionSpan) {
  ProjectPlan p = PlanWithYears({{2023, 500'000}, {2024, 500'000}});
  p.spending_profile = SpendingProfile::kSCurve;  // 2023-01..2024-12: 24 months
  EXPECT_EQ(PlannedValueThrough(p, {2022, 12}), 0);
  // t = 6/24 = 0.25: 3t^2 - 2t^3 = 0.1875 - 0.03125 = 0.15625.
  EXPECT_EQ(PlannedValueThrough(p, {2023, 6}), 156'250);
  // Halfway is half, by symmetry.
  EXPECT_EQ(PlannedValueThrough(p, {2023, 12}), 500'000);
  // t = 18/24 = 0.75: 1 - 0.15625.
  EXPECT_EQ(PlannedValueThrough(p, {2024, 6}), 843'750);
  EXPECT_EQ(PlannedValueThrough(p, {2025, 6}), 1'000'000);
}

TEST(MilestoneTest, StatesAroundThePlannedMonth) {
  const YearMonth march{2024, 3};
  EXPECT_EQ(EvaluateMilestone(MilestoneKind::kConstructionStart, "", march, std::nullopt, {2024, 2, 29}).state,
            MilestoneState::kNotDue);
  EXPECT_EQ(EvaluateMilestone(MilestoneKind::kConstructionStart, "", march, std::nullopt, {2024, 3, 1}).state,
            MilestoneState::kDue);
  EXPECT_EQ(EvaluateMilestone(MilestoneKind::kConstructionStart, "", march, std::nullopt, {2024, 3, 31}).state,
            MilestoneState::kDue);
  const Milestone overdue =
      EvaluateMilestone(MilestoneKind::kConstructionStart, "", march, std::nullopt, {2024, 4, 10});
  EXPECT_EQ(overdue.state, MilestoneState::kOverdue);
  EXPECT_EQ(overdue.slip_days, 10);
  EXPECT_EQ(overdue.slip_months, 1);
}

TEST(MilestoneTest, DoneOnTimeOrLateWithTheDaysOfSlip) {
  const YearMonth february{2024, 2};
  const Milestone on_time =
      EvaluateMilestone(MilestoneKind::kCompletion, "", february, Date{2024, 2, 29}, {2024, 6, 1});
  EXPECT_EQ(on_time.state, MilestoneState::kDoneOnTime);
  EXPECT_EQ(on_time.slip_days, 0);
  // Early counts as on time.
  EXPECT_EQ(EvaluateMilestone(MilestoneKind::kCompletion, "", february, Date{2023, 11, 2}, {2024, 6, 1}).state,
            MilestoneState::kDoneOnTime);
  // Leap year: 2024-02-29 is the deadline, 2024-03-02 is 2 days late.
  const Milestone late =
      EvaluateMilestone(MilestoneKind::kProductionLine, "L1", february, Date{2024, 3, 2}, {2024, 6, 1});
  EXPECT_EQ(late.state, MilestoneState::kDoneLate);
  EXPECT_EQ(late.slip_days, 2);
  EXPECT_EQ(late.slip_months, 1);
  EXPECT_EQ(late.line, "L1");
}

TEST(MilestoneTest, OverdueAcrossTheYearBoundary) {
  const Milestone m = EvaluateMilestone(MilestoneKind::kConstructionStart, "", {2023, 11}, std::nullopt,
                                        {2024, 2, 1});
  EXPECT_EQ(m.state, MilestoneState::kOverdue);
  EXPECT_EQ(m.slip_days, 31 + 31 + 1);  // December, January, 1 February
  EXPECT_EQ(m.slip_months, 3);
}

TEST(ForecastTest, StretchesThePlannedDurationByOneOverSpi) {
  const ProjectPlan p = PlanWithYears({{2023, 1}, {2024, 1}});  // 24 months from 2023-01
  EXPECT_EQ(ForecastCompletion(p, 1.0), (Date{2024, 12, 31}));
  EXPECT_EQ(ForecastCompletion(p, 0.8), (Date{2025, 6, 30}));  // 24 / 0.8 = 30 months
  EXPECT_EQ(ForecastCompletion(p, 2.0), (Date{2023, 12, 31}));
  EXPECT_EQ(ForecastCompletion(p, 0.0), std::nullopt);
  // Capped at ten times the planned duration.
  EXPECT_EQ(ForecastCompletion(p, 0.001), LastDay(YearMonth{2023, 1}.AddMonths(239)));
}

}  // namespace
}  // namespace pipelined::model
