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

ReportingPeriod On(const Date& today, int due_day = 10) {
  return ReportingPeriodOn(today, ReportingCalendar(due_day));
}

TEST(ReportingPeriodTest, AMonthIsTheReportingMonthOnceItsReportsDueDayHasPassed) {
  // June's report is due by 10 July: until then May stays the reporting month.
  EXPECT_EQ(On({2024, 7, 1}).month, (YearMonth{2024, 5}));
  EXPECT_EQ(On({2024, 7, 10}).month, (YearMonth{2024, 5}));
  const ReportingPeriod june = On({2024, 7, 11});
  EXPECT_EQ(june.month, (YearMonth{2024, 6}));
  EXPECT_EQ(june.due, (Date{2024, 7, 10}));
  EXPECT_EQ(june.collecting, (YearMonth{2024, 7}));
  EXPECT_EQ(june.collecting_due, (Date{2024, 8, 10}));
  EXPECT_DOUBLE_EQ(june.pro_rata(), 0.5);
  EXPECT_EQ(On({2024, 12, 31}).month, (YearMonth{2024, 11}));
}

TEST(ReportingPeriodTest, TheDueDayIsConfigurable) {
  EXPECT_EQ(On({2024, 7, 5}, 5).month, (YearMonth{2024, 5}));
  EXPECT_EQ(On({2024, 7, 6}, 5).month, (YearMonth{2024, 6}));
  EXPECT_EQ(On({2024, 7, 28}, 28).month, (YearMonth{2024, 5}));
  EXPECT_EQ(On({2024, 7, 29}, 28).month, (YearMonth{2024, 6}));
  EXPECT_EQ(On({2024, 7, 2}, 1).month, (YearMonth{2024, 6}));
}

TEST(ReportingPeriodTest, JanuaryIsReportedWithFebruaryDueInMarch) {
  // The first report of the year, January-February, is due by 10 March: 2/12.
  EXPECT_EQ(On({2024, 3, 10}).month, (YearMonth{2023, 12}));
  EXPECT_EQ(On({2024, 3, 11}).month, (YearMonth{2024, 2}));
  EXPECT_EQ(On({2024, 3, 11}).due, (Date{2024, 3, 10}));
  EXPECT_DOUBLE_EQ(On({2024, 3, 11}).pro_rata(), 2.0 / 12);
  // In February there is no January report: still December of the year before.
  EXPECT_EQ(On({2024, 2, 29}).month, (YearMonth{2023, 12}));
  EXPECT_EQ(On({2024, 2, 1}).year(), 2023);
  EXPECT_DOUBLE_EQ(On({2024, 2, 1}).pro_rata(), 1.0);
  // ... and what is being collected then is January-February.
  EXPECT_EQ(On({2024, 2, 1}).collecting, (YearMonth{2024, 2}));
  EXPECT_EQ(On({2024, 2, 1}).collecting_due, (Date{2024, 3, 10}));
  EXPECT_EQ(ReportingCalendar().DueDate({2024, 1}), (Date{2024, 3, 10}));
}

TEST(ReportingPeriodTest, CrossesTheYearBoundaryInJanuary) {
  EXPECT_EQ(On({2025, 1, 10}).month, (YearMonth{2024, 11}));
  const ReportingPeriod december = On({2025, 1, 11});
  EXPECT_EQ(december.month, (YearMonth{2024, 12}));
  EXPECT_EQ(december.year(), 2024);
  EXPECT_DOUBLE_EQ(december.pro_rata(), 1.0);
  EXPECT_EQ(december.collecting, (YearMonth{2025, 2}));
}

TEST(ReportingCalendarTest, StepsThroughReportingMonths) {
  EXPECT_EQ(ReportingCalendar::Next({2024, 12}), (YearMonth{2025, 2}));
  EXPECT_EQ(ReportingCalendar::Next({2024, 2}), (YearMonth{2024, 3}));
  EXPECT_EQ(ReportingCalendar::Previous({2025, 2}), (YearMonth{2024, 12}));
  EXPECT_EQ(ReportingCalendar::Previous({2025, 3}), (YearMonth{2025, 2}));
  EXPECT_EQ(ReportingCalendar::ReportOf({2025, 1}), (YearMonth{2025, 2}));
  EXPECT_EQ(ReportingCalendar::FirstMonthOf({2025, 2}), (YearMonth{2025, 1}));
  EXPECT_EQ(ReportingCalendar::FirstMonthOf({2025, 3}), (YearMonth{2025, 3}));
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

TEST(ExpectedProgressTest, FollowsTheMonthsTheProjectIsUnderConstruction) {
  // 120,000 in 2024 for a project starting in June: seven months, not twelve.
  ProjectPlan p = PlanWithYears({{2024, 70'000}, {2025, 120'000}});
  p.construction_start = {2024, 6};
  p.completion = {2025, 12};
  EXPECT_EQ(ActiveMonths(p, 2024), 7);
  EXPECT_EQ(ActiveMonths(p, 2024, 5), 0);
  EXPECT_EQ(ExpectedYearToDate(p, {2024, 5}), 0);
  EXPECT_EQ(ExpectedYearToDate(p, {2024, 6}), 10'000);  // 1/7, not 6/12
  EXPECT_EQ(ExpectedYearToDate(p, {2024, 12}), 70'000);
  EXPECT_EQ(ExpectedYearToDate(p, {2025, 3}), 30'000);
  // Planned value adds the earlier years to it.
  EXPECT_EQ(PlannedValueThrough(p, {2024, 9}), 40'000);
  EXPECT_EQ(PlannedValueThrough(p, {2025, 3}), 100'000);
}

TEST(ExpectedProgressTest, AYearOutsideTheConstructionMonthsFallsBackToTheCalendar) {
  ProjectPlan p = PlanWithYears({{2025, 120'000}});
  p.construction_start = {2023, 1};
  p.completion = {2024, 12};  // a plan for 2025 past the completion
  EXPECT_EQ(ExpectedYearToDate(p, {2025, 3}), 30'000);
}

TEST(ExpectedProgressTest, MonthlyAndSCurveFollowTheirOwnCourse) {
  ProjectPlan monthly = PlanWithYears({{2024, 600}});
  monthly.spending_profile = SpendingProfile::kMonthly;
  monthly.investment_by_month_fen = {{{2024, 1}, 100}, {{2024, 3}, 200}, {{2024, 12}, 300}};
  EXPECT_EQ(ExpectedYearToDate(monthly, {2024, 3}), 300);
  ProjectPlan s_curve = PlanWithYears({{2023, 500'000}, {2024, 500'000}});
  s_curve.spending_profile = SpendingProfile::kSCurve;
  // The S-curve gives 156,250 by 2023-06 of the 500,000 of 2023.
  EXPECT_EQ(ExpectedYearToDate(s_curve, {2023, 6}), 156'250);
  EXPECT_EQ(ExpectedYearToDate(s_curve, {2024, 6}), 343'750);
}

TEST(PlannedValueTest, AContinuingProjectStartsThePeriodWithWhatItHadDone) {
  ProjectPlan p = PlanWithYears({{2021, 120'000}, {2022, 120'000}});
  p.construction_start = {2019, 6};
  p.completion = {2022, 12};
  p.continuing = ContinuingProject{{2019, 6, 15}, 300'000, {2021, 1}};
  EXPECT_EQ(PlannedValueThrough(p, {2020, 12}), 300'000);
  EXPECT_EQ(PlannedValueThrough(p, {2021, 1}), 310'000);
  EXPECT_EQ(PlannedValueThrough(p, {2022, 12}), 540'000);
}

TEST(EarnedScheduleTest, MonthsBehindThePlannedValue) {
  const ProjectPlan p = PlanWithYears({{2023, 120'000}, {2024, 240'000}});  // 10,000 then 20,000 a month
  const PlannedValueCurve curve(p);
  EXPECT_EQ(curve.At({2023, 6}), 60'000);
  EXPECT_EQ(curve.DelayMonths(60'000, {2023, 6}), 0.0);
  // 45,000 was planned by the middle of May: 1.5 months behind at the end of June.
  EXPECT_DOUBLE_EQ(*curve.DelayMonths(45'000, {2023, 6}), 1.5);
  // Ahead: 130,000 was planned by the middle of January 2024.
  EXPECT_DOUBLE_EQ(*curve.DelayMonths(130'000, {2023, 12}), -0.5);
  // Nothing earned: behind by every month planned so far.
  EXPECT_DOUBLE_EQ(*curve.DelayMonths(0, {2023, 3}), 3.0);
  // Nothing planned yet: no delay to speak of.
  EXPECT_EQ(curve.DelayMonths(0, {2022, 12}), std::nullopt);
}

TEST(EarnedScheduleTest, APlannedPauseCountsToItsEnd) {
  ProjectPlan p = PlanWithYears({{2024, 600}});
  p.spending_profile = SpendingProfile::kMonthly;
  p.investment_by_month_fen = {{{2024, 1}, 100}, {{2024, 3}, 200}, {{2024, 12}, 300}};
  const PlannedValueCurve curve(p);
  // 300 was planned by the end of March and nothing more until December: at
  // the end of November a project with 300 is on schedule.
  EXPECT_DOUBLE_EQ(*curve.DelayMonths(300, {2024, 11}), 0.0);
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
  EXPECT_EQ(overdue.slip_months, 0) << "ten days late is not a month late";
}

TEST(MilestoneTest, SlipCountsWholeMonthsAfterTheDeadline) {
  const YearMonth march{2024, 3};
  auto months_on = [&](const Date& today) {
    return EvaluateMilestone(MilestoneKind::kCompletion, "", march, std::nullopt, today).slip_months;
  };
  EXPECT_EQ(months_on({2024, 4, 1}), 0);   // one day late
  EXPECT_EQ(months_on({2024, 4, 30}), 0);  // April not yet over
  EXPECT_EQ(months_on({2024, 5, 1}), 1);   // all of April late
  EXPECT_EQ(months_on({2024, 7, 31}), 3);
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
  EXPECT_EQ(late.slip_months, 0);
  EXPECT_EQ(late.line, "L1");
  EXPECT_EQ(EvaluateMilestone(MilestoneKind::kProductionLine, "L1", february, Date{2024, 4, 2}, {2024, 6, 1})
                .slip_months,
            1);
}

TEST(MilestoneTest, OverdueAcrossTheYearBoundary) {
  const Milestone m = EvaluateMilestone(MilestoneKind::kConstructionStart, "", {2023, 11}, std::nullopt,
                                        {2024, 2, 1});
  EXPECT_EQ(m.state, MilestoneState::kOverdue);
  EXPECT_EQ(m.slip_days, 31 + 31 + 1);  // December, January, 1 February
  EXPECT_EQ(m.slip_months, 2);          // December and January have passed
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
