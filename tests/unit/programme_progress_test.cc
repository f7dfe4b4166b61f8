// Progress figures and statuses as the programme derives them from events:
// rates, earned value, year-over-year growth, output targets, silence.
#include <gtest/gtest.h>

#include <algorithm>

#include "pipelined/model/programme.h"
#include "test_plan.h"

namespace pipelined::model {
namespace {

std::int64_t At(Date date) { return date.StartUnixSecondsShanghai() + 12 * 3600; }

Event Make(const std::string& id, const std::string& project, Date on, Payload payload) {
  Event event;
  event.event_id = id;
  event.source = "src";
  event.project_code = project;
  event.occurred_at_unix = At(on);
  event.payload = std::move(payload);
  return event;
}

using testing::Group;
using testing::Project;

bool HasReason(const Assessment& a, const std::string& reason) {
  return std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.reason == reason; });
}

class ProgrammeProgressTest : public ::testing::Test {
 protected:
  // Today 2024-07-15: reporting month 2024-06, pro-rata 6/12.
  ManualClock clock_{At({2024, 7, 15})};
  Programme programme_{testing::SmallPlan(), clock_};

  void Submit(const Event& event) {
    const Outcome outcome = testing::Submit(programme_, event);
    ASSERT_EQ(outcome.status, EventStatus::kAccepted) << outcome.reason << ": " << outcome.message;
  }
};

TEST_F(ProgrammeProgressTest, CompletionRateAndGapAgainstItsScheduleAndTheCalendar) {
  // P-1 plans 100,000 fen for 2024, all months under construction: 30,000 by
  // June is 30%, against 50% expected by its schedule and by the calendar.
  Submit(Make("s", "P-1", {2023, 3, 2}, ConstructionStarted{}));
  Submit(Make("a", "P-1", {2024, 3, 5}, InvestmentRecorded{10'000, "2024-01"}));
  Submit(Make("b", "P-1", {2024, 7, 5}, InvestmentRecorded{20'000, "2024-06"}));
  // The next month is not yet in the figures of the reporting month.
  Submit(Make("c", "P-1", {2024, 7, 14}, InvestmentRecorded{50'000, "2024-07"}));
  const Report report = programme_.BuildReport();
  const ProjectFigures& p = Project(report, "P-1");
  EXPECT_EQ(report.period.month, (YearMonth{2024, 6}));
  EXPECT_EQ(p.as_of, (YearMonth{2024, 6}));
  EXPECT_EQ(p.investment_reporting_year_to_date_fen, 30'000);
  EXPECT_EQ(p.investment_expected_as_of_fen, 50'000);
  ASSERT_TRUE(p.completion_rate.has_value());
  EXPECT_DOUBLE_EQ(*p.completion_rate, 0.3);
  EXPECT_DOUBLE_EQ(*p.expected_progress, 0.5);
  EXPECT_NEAR(*p.schedule_gap_pp, -20.0, 1e-9);
  EXPECT_DOUBLE_EQ(*p.schedule_attainment, 0.6);
  EXPECT_NEAR(*p.pro_rata_gap_pp, -20.0, 1e-9);
  // Its reports begin with January 2024: 2023, not reported, is taken as
  // done to plan (100,000), not as nothing. PV: 2023 in full + half of 2024
  // = 150,000; EV 100,000 + 30,000 -> SPI 0.867. 130,000 was planned by
  // three fifths into April 2024 (125,000 by March, 8,333 a month): 2.4
  // months behind at the end of June.
  EXPECT_EQ(p.planned_value_fen, 150'000);
  EXPECT_EQ(p.earned_value_fen, 130'000);
  EXPECT_DOUBLE_EQ(*p.spi, 130.0 / 150.0);
  EXPECT_NEAR(*p.delay_months, 2.4, 1e-4);
  EXPECT_EQ(p.assessment.status, Status::kLagging);
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kBehindSchedule), Status::kLagging);
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kScheduleDelay), Status::kAtRisk);
  // Line L1 (2024-04): May and June reported without it.
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kMilestoneOverdue), Status::kAtRisk);
  EXPECT_EQ(p.report, ReportState::kOnTime);
  EXPECT_EQ(*p.reported_on, (Date{2024, 7, 5}));
  EXPECT_TRUE(p.reported_collecting) << "July's report is in already";
}

TEST_F(ProgrammeProgressTest, WhatAProjectDidBeforeItsFirstReportIsNotCountedAsNothing) {
  // P-2's first report is for May 2024: January to April are not known.
  // It is expected to have done May and June's share, 16,666 of 100,000.
  Submit(Make("s", "P-2", {2023, 3, 2}, ConstructionStarted{}));
  Submit(Make("may", "P-2", {2024, 6, 5}, InvestmentRecorded{8'000, "2024-05"}));
  Submit(Make("jun", "P-2", {2024, 7, 5}, InvestmentRecorded{8'000, "2024-06"}));
  const Report report = programme_.BuildReport();
  const ProjectFigures& p = Project(report, "P-2");
  EXPECT_EQ(p.investment_expected_as_of_fen, 50'000 - 33'333);
  EXPECT_EQ(p.earned_value_fen, 133'333 + 16'000) << "planned through April, plus what it reported";
  EXPECT_EQ(p.assessment.status, Status::kOnTrack);
}

TEST_F(ProgrammeProgressTest, ALateStarterThatReportsOnlyFromItsStartGetsNoCreditBeforeIt) {
  // P-3 was planned from 2023-03 (100,000 over March..December 2023) but
  // started on 10 January 2024 and reports from then, at its 2024 pace. It
  // did nothing before it started: EV is only what it reported, 48,000,
  // against 150,000 planned. 48,000 was planned 4.8 months into 2023 (10,000
  // a month from March): 11.2 months behind at the end of June 2024.
  Submit(Make("s", "P-3", {2024, 1, 10}, ConstructionStarted{}));
  Submit(Make("jan", "P-3", {2024, 3, 5}, InvestmentRecorded{8'000, "2024-01"}));
  Submit(Make("feb", "P-3", {2024, 3, 5}, InvestmentRecorded{8'000, "2024-02"}));
  for (int month = 3; month <= 6; ++month) {
    Submit(Make("m" + std::to_string(month), "P-3", {2024, month + 1, 5},
                InvestmentRecorded{8'000, "2024-0" + std::to_string(month)}));
  }
  const Report report = programme_.BuildReport();
  const ProjectFigures& p = Project(report, "P-3");
  EXPECT_EQ(p.earned_value_fen, 48'000);
  EXPECT_EQ(p.planned_value_fen, 150'000);
  EXPECT_NEAR(*p.delay_months, 11.2, 1e-9);
  EXPECT_NEAR(*p.schedule_attainment, 0.96, 1e-9) << "this year it keeps its pace";
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kScheduleDelay), Status::kLagging);
  EXPECT_EQ(p.assessment.status, Status::kLagging);
}

TEST_F(ProgrammeProgressTest, ACorrectionAfterTheDueDayKeepsTheReportOnTime) {
  // June's report came on 5 July (due 10 July); its amount is corrected on
  // 14 July. The figures take the correction; the report stays on time.
  const Event report = Make("jun", "P-2", {2024, 7, 5}, InvestmentRecorded{8'000, "2024-06"});
  Submit(report);
  Event correction = Make("jun-fix", "P-2", {2024, 7, 14}, InvestmentRecorded{9'000, "2024-06"});
  correction.supersedes_event_id = "jun";
  ASSERT_FALSE(programme_.Check(correction).has_value());
  programme_.Apply(correction, &report);
  const Report after = programme_.BuildReport();
  const ProjectFigures& p = Project(after, "P-2");
  EXPECT_EQ(p.investment_reporting_month_fen, 9'000);
  EXPECT_EQ(p.report, ReportState::kOnTime);
  EXPECT_EQ(*p.reported_on, (Date{2024, 7, 5}));
}

TEST_F(ProgrammeProgressTest, AGroupIsJudgedByTheCalendarOnlyOnWhatItsProjectsReported) {
  // Under pro_rata, in area industry (P-1, P-2, each 100,000 for 2024): P-1
  // reports its plan to June (50,000), P-2 reports January and February on
  // plan (16,666) and then nothing. As of their own months neither is behind;
  // the group's metric, over its whole plan at June, is (66,666 / 200,000 -
  // 6/12) = -16.7 points, at risk by 10, but P-2's missing months are not
  // nothing done.
  ProgrammeOptions options;
  options.rules = RuleSet::ProRata();
  Programme programme{testing::SmallPlan(), clock_, options};
  auto submit = [&](const Event& event) {
    ASSERT_EQ(testing::Submit(programme, event).status, EventStatus::kAccepted);
  };
  submit(Make("s1", "P-1", {2023, 3, 2}, ConstructionStarted{}));
  submit(Make("s2", "P-2", {2023, 3, 2}, ConstructionStarted{}));
  submit(Make("p1", "P-1", {2024, 7, 5}, InvestmentRecorded{50'000, "2024-06"}));
  submit(Make("p2", "P-2", {2024, 3, 5}, InvestmentRecorded{16'666, "2024-02"}));
  // P-3 (transport) has its own area and reports nothing.
  const Report report = programme.BuildReport();
  const GroupFigures& industry = Group(report, GroupType::kArea, "industry");
  EXPECT_NEAR(*industry.pro_rata_gap_pp, (66'666.0 / 200'000 - 0.5) * 100, 1e-9);
  EXPECT_EQ(industry.assessment.LevelOf(lagging_reason::kBehindProRata), Status::kOnTrack)
      << "behind only by the reports that have not come";
  // P-2 itself has gone quiet for four reporting months: that is its own
  // reason, not a shortfall of investment.
  const Assessment& p2 = Project(report, "P-2").assessment;
  EXPECT_EQ(p2.LevelOf(lagging_reason::kNoInvestmentReported), Status::kAtRisk);
  EXPECT_EQ(p2.LevelOf(lagging_reason::kBehindProRata), Status::kOnTrack);
}

TEST_F(ProgrammeProgressTest, ProjectWithoutPlanForTheYearHasNoRate) {
  Plan plan = testing::SmallPlan();
  plan.projects[2].investment_by_year_fen = {{2023, 100'000}};
  ManualClock clock{At({2024, 7, 15})};
  Programme programme{std::move(plan), clock};
  const Report report = programme.BuildReport();
  const ProjectFigures& p3 = Project(report, "P-3");
  EXPECT_FALSE(p3.completion_rate.has_value());
  EXPECT_FALSE(p3.pro_rata_gap_pp.has_value());
}

TEST_F(ProgrammeProgressTest, ReplannedProjectIsMeasuredAgainstItsNewPlan) {
  // The same events against a plan whose 2024 figure was cut to 40,000.
  Plan plan = testing::SmallPlan();
  plan.projects[0].investment_by_year_fen[2024] = 40'000;
  ManualClock clock{At({2024, 7, 15})};
  Programme replanned{std::move(plan), clock};
  Event investment = Make("a", "P-1", {2024, 7, 5}, InvestmentRecorded{20'000, "2024-06"});
  testing::Submit(replanned, investment);
  const Report report = replanned.BuildReport();
  EXPECT_DOUBLE_EQ(*Project(report, "P-1").completion_rate, 0.5);
}

TEST_F(ProgrammeProgressTest, NotYetDueProjectIsOnTrack) {
  Plan plan = testing::SmallPlan();
  plan.projects[1].construction_start = {2024, 9};
  ManualClock clock{At({2024, 7, 15})};
  Programme programme{std::move(plan), clock};
  const Report report = programme.BuildReport();
  const ProjectFigures& p2 = Project(report, "P-2");
  EXPECT_EQ(p2.milestones[0].state, MilestoneState::kNotDue);
  EXPECT_EQ(p2.assessment.status, Status::kOnTrack);
}

TEST_F(ProgrammeProgressTest, AProjectThatReportsNothingIsNotReportedNeverLagging) {
  Plan plan = testing::SmallPlan();
  plan.projects[1].construction_start = {2024, 7};
  plan.projects[1].investment_by_year_fen = {{2024, 60'000}};
  ManualClock clock{At({2024, 8, 10})};
  Programme programme{std::move(plan), clock};
  // July's report is not due yet: nothing is expected of it.
  EXPECT_EQ(Project(programme.BuildReport(), "P-2").assessment.status, Status::kOnTrack);
  clock.Set(At({2024, 8, 11}));
  const Report report = programme.BuildReport();
  const ProjectFigures& p2 = Project(report, "P-2");
  EXPECT_EQ(p2.assessment.status, Status::kNotReported);
  EXPECT_EQ(p2.report, ReportState::kMissing);
  EXPECT_FALSE(p2.completion_rate.has_value()) << "no data is not 0% done";
  EXPECT_FALSE(p2.spi.has_value());
  // Months later, with still nothing: not reported, not lagging.
  clock.Set(At({2025, 3, 11}));
  EXPECT_EQ(Project(programme.BuildReport(), "P-2").assessment.status, Status::kNotReported);
}

TEST_F(ProgrammeProgressTest, AStartNotReportedInTheMonthsReportedSinceIsOverdue) {
  Plan plan = testing::SmallPlan();
  plan.projects[1].construction_start = {2024, 7};
  plan.projects[1].investment_by_year_fen = {{2024, 60'000}};
  ManualClock clock{At({2024, 8, 11})};
  Programme programme{std::move(plan), clock};
  // The project reports monthly that nothing was done: it has not started.
  for (int month = 7; month <= 10; ++month) {
    Event report = Make("r" + std::to_string(month), "P-2", {2024, month + 1, 5},
                        InvestmentRecorded{0, YearMonth{2024, month}.ToString()});
    clock.Set(At({2024, month + 1, 5}));
    ASSERT_EQ(testing::Submit(programme, report).status, EventStatus::kAccepted);
  }
  // A = July: nothing done of the 10,000 expected: lagging by its schedule,
  // the start not yet overdue (no month reported after July).
  clock.Set(At({2024, 8, 11}));
  Report report = programme.BuildReport();
  EXPECT_EQ(Project(report, "P-2").assessment.status, Status::kLagging);
  EXPECT_EQ(Project(report, "P-2").assessment.LevelOf(lagging_reason::kStartOverdue), Status::kOnTrack);
  clock.Set(At({2024, 9, 11}));
  EXPECT_EQ(Project(programme.BuildReport(), "P-2").assessment.LevelOf(lagging_reason::kStartOverdue),
            Status::kAtRisk);
  clock.Set(At({2024, 11, 11}));
  report = programme.BuildReport();
  EXPECT_EQ(Project(report, "P-2").assessment.LevelOf(lagging_reason::kStartOverdue), Status::kLagging);
  EXPECT_EQ(Project(report, "P-2").milestones[0].reported_months_late, 3);
}

TEST_F(ProgrammeProgressTest, SilentSourceAndMissingInvestmentReports) {
  RuleSet rules = RuleSet::Schedule();
  rules.source_silent_at_risk_days = 45;
  ProgrammeOptions options;
  options.rules = rules;
  Programme programme{testing::SmallPlan(), clock_, options};
  ASSERT_EQ(testing::Submit(programme, Make("s", "P-2", {2023, 3, 2}, ConstructionStarted{})).status,
            EventStatus::kAccepted);
  ASSERT_EQ(testing::Submit(programme, Make("a", "P-2", {2024, 3, 20}, InvestmentRecorded{60'000, "2024-03"})).status,
            EventStatus::kAccepted);
  const Report before = programme.BuildReport();
  const ProjectFigures& p = Project(before, "P-2");
  // Last report 2024-03-20, today 2024-07-15: 117 days; April, May, June missing.
  EXPECT_TRUE(HasReason(p.assessment, lagging_reason::kSourceSilent));
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kNoInvestmentReported), Status::kAtRisk);
  EXPECT_EQ(p.assessment.LevelOf(lagging_reason::kReportMissing), Status::kNotReported);
  EXPECT_EQ(p.as_of, (YearMonth{2024, 3})) << "its figures are as of its last report";
  // A report of 0 yuan is still a report.
  ASSERT_EQ(testing::Submit(programme, Make("z", "P-2", {2024, 7, 10}, InvestmentRecorded{0, "2024-06"})).status,
            EventStatus::kAccepted);
  const Report report = programme.BuildReport();
  const ProjectFigures& after = Project(report, "P-2");
  EXPECT_FALSE(HasReason(after.assessment, lagging_reason::kSourceSilent));
  EXPECT_FALSE(HasReason(after.assessment, lagging_reason::kNoInvestmentReported));
  EXPECT_FALSE(HasReason(after.assessment, lagging_reason::kReportMissing));
}

TEST_F(ProgrammeProgressTest, YearOverYearGrowthForTheMonthAndTheYearToDate) {
  Submit(Make("y1", "P-1", {2023, 6, 30}, InvestmentRecorded{1'000, "2023-06"}));
  Submit(Make("y2", "P-2", {2023, 3, 30}, InvestmentRecorded{3'000, "2023-03"}));
  Submit(Make("y3", "P-1", {2023, 7, 30}, InvestmentRecorded{9'999, "2023-07"}));  // after June: not in YTD
  Submit(Make("n1", "P-1", {2024, 6, 30}, InvestmentRecorded{1'319, "2024-06"}));
  Submit(Make("n2", "P-2", {2024, 2, 20}, InvestmentRecorded{3'297, "2024-02"}));
  const Report report = programme_.BuildReport();
  const GroupFigures& plan = Group(report, GroupType::kPlan, "small");
  EXPECT_EQ(plan.investment_reporting_month_fen, 1'319);
  EXPECT_EQ(plan.investment_reporting_month_previous_year_fen, 1'000);
  EXPECT_NEAR(*plan.investment_growth_month, 0.319, 1e-12);
  EXPECT_EQ(plan.investment_year_to_date_previous_year_fen, 4'000);
  EXPECT_NEAR(*plan.investment_growth_year_to_date, (4'616.0 / 4'000.0) - 1, 1e-12);
}

TEST_F(ProgrammeProgressTest, FebruaryReportCoversJanuaryAndFebruary) {
  clock_.Set(At({2024, 3, 11}));
  Submit(Make("j", "P-1", {2024, 1, 31}, InvestmentRecorded{100, "2024-01"}));
  Submit(Make("f", "P-1", {2024, 2, 29}, InvestmentRecorded{200, "2024-02"}));
  Submit(Make("pj", "P-1", {2023, 1, 31}, InvestmentRecorded{150, "2023-01"}));
  const Report report = programme_.BuildReport();
  const GroupFigures& plan = Group(report, GroupType::kPlan, "small");
  EXPECT_EQ(plan.investment_reporting_month_fen, 300);
  EXPECT_EQ(plan.investment_reporting_month_previous_year_fen, 150);
  EXPECT_DOUBLE_EQ(*plan.investment_growth_month, 1.0);
}

TEST_F(ProgrammeProgressTest, BaselineReplacesTheEventsOfThePreviousYear) {
  Plan plan = testing::SmallPlan();
  plan.investment_baselines[{GroupType::kArea, "industry"}] = {{{2023, 6}, 2'000}};
  ManualClock clock{At({2024, 7, 15})};
  Programme programme{std::move(plan), clock};
  testing::Submit(programme, Make("n", "P-1", {2024, 6, 30}, InvestmentRecorded{3'000, "2024-06"}));
  const Report report = programme.BuildReport();
  const GroupFigures& industry = Group(report, GroupType::kArea, "industry");
  EXPECT_EQ(industry.investment_reporting_month_previous_year_fen, 2'000);
  EXPECT_DOUBLE_EQ(*industry.investment_growth_month, 0.5);
  EXPECT_FALSE(Group(report, GroupType::kPlan, "small").investment_growth_month.has_value())
      << "no baseline and no events for the plan a year earlier";
}

TEST_F(ProgrammeProgressTest, ClusterOutputAgainstItsTargetIncludingEnterprises) {
  Plan plan = testing::SmallPlan();
  plan.cluster_output_targets["materials"] = {{2024, 1'000'000}};
  ManualClock clock{At({2024, 7, 15})};
  Programme programme{std::move(plan), clock};
  Event project_output = Make("o1", "P-1", {2024, 7, 1}, OutputReported{200'000, "2024-06", "", ""});
  Event enterprise_output = Make("o2", "", {2024, 7, 1}, OutputReported{100'000, "2024-05", "materials", "ACME"});
  EXPECT_EQ(testing::Submit(programme, project_output).status, EventStatus::kAccepted);
  EXPECT_EQ(testing::Submit(programme, enterprise_output).status, EventStatus::kAccepted);
  const Report report = programme.BuildReport();
  const GroupFigures& materials = Group(report, GroupType::kCluster, "materials");
  EXPECT_EQ(materials.output_year_to_date_fen, 300'000);
  EXPECT_EQ(*materials.output_target_fen, 1'000'000);
  EXPECT_NEAR(*materials.output_pro_rata_gap_pp, -20.0, 1e-9);
  const auto output = std::find_if(materials.assessment.findings.begin(), materials.assessment.findings.end(),
                                   [](const Finding& f) { return f.reason == lagging_reason::kOutputBehindProRata; });
  ASSERT_NE(output, materials.assessment.findings.end());
  EXPECT_EQ(output->level, Status::kAtRisk) << "20 points behind: at risk";
  const GroupFigures& whole = Group(report, GroupType::kPlan, "small");
  EXPECT_EQ(whole.output_year_to_date_fen, 300'000);
  EXPECT_EQ(*whole.output_target_fen, 1'000'000);
  // Retracting the enterprise's report removes it again.
  Event retraction = Make("r", "", {2024, 7, 2}, EventRetracted{"o2"});
  programme.Apply(retraction, &enterprise_output);
  const Report after = programme.BuildReport();
  EXPECT_EQ(Group(after, GroupType::kCluster, "materials").output_year_to_date_fen, 200'000);
}

TEST_F(ProgrammeProgressTest, OutputReportsAreValidated) {
  auto reason = [&](const Event& e) { return testing::Submit(programme_, e).reason; };
  EXPECT_EQ(reason(Make("a", "", {2024, 7, 1}, OutputReported{1, "2024-06", "nope", "ACME"})),
            reason::kUnknownCluster);
  EXPECT_EQ(reason(Make("b", "", {2024, 7, 1}, OutputReported{1, "2024-06", "materials", ""})),
            reason::kEmptyEnterprise);
  EXPECT_EQ(reason(Make("c", "P-2", {2024, 7, 1}, OutputReported{1, "2024-06", "materials", ""})),
            reason::kClusterMismatch);
  EXPECT_EQ(reason(Make("d", "", {2024, 7, 1}, InvestmentRecorded{1, "2024-06"})), reason::kEmptyProjectCode);
  EXPECT_EQ(reason(Make("e", "P-1", {2024, 7, 1}, OutputReported{-1, "2024-06", "", ""})), reason::kNegativeAmount);
  EXPECT_EQ(reason(Make("f", "P-1", {2024, 7, 1}, OutputReported{1, "2024-08", "", ""})),
            reason::kPeriodAfterOccurrence);
}

TEST_F(ProgrammeProgressTest, AForecastIsNeverBeforeTodayUntilTheProjectIsDone) {
  // P-3 reports its whole 2023-2025 plan for June 2023, when 40,000 was
  // planned: with March to May taken as done (30,000), SPI 8.25; its 34
  // months would take 5, ending July 2023.
  Submit(Make("s", "P-3", {2023, 3, 2}, ConstructionStarted{}));
  Submit(Make("a", "P-3", {2023, 7, 5}, InvestmentRecorded{300'000, "2023-06"}));
  const Report report = programme_.BuildReport();
  const ProjectFigures& p3 = Project(report, "P-3");
  EXPECT_DOUBLE_EQ(*p3.spi, 8.25);
  EXPECT_EQ(*p3.forecast_completion, (Date{2024, 7, 15})) << "today, not 2023-07-31";
}

TEST_F(ProgrammeProgressTest, HistoryInBulkHoldsThePublishedStatusesUntilItSettles) {
  ProgrammeOptions options;
  options.catch_up_min_events = 3;
  options.catch_up_settle_seconds = 60;
  Programme programme{testing::SmallPlan(), clock_, options};
  // Published: every project due and not reported.
  Report published = programme.BuildReport();
  ASSERT_FALSE(published.catching_up);
  ASSERT_EQ(Project(published, "P-1").assessment.status, Status::kNotReported);
  programme.PublishStatuses(published);
  // Reports for 2023 arrive today: history (before the reporting month).
  testing::Submit(programme, Make("h1", "P-1", {2023, 4, 5}, InvestmentRecorded{1, "2023-03"}));
  testing::Submit(programme, Make("h2", "P-1", {2023, 5, 5}, InvestmentRecorded{1, "2023-04"}));
  EXPECT_FALSE(programme.CatchingUp()) << "two history events are no bulk";
  testing::Submit(programme, Make("h3", "P-1", {2023, 6, 5}, InvestmentRecorded{1, "2023-05"}));
  EXPECT_TRUE(programme.CatchingUp());
  EXPECT_EQ(programme.HistoryEvents(), 3u);
  Report held = programme.BuildReport();
  EXPECT_TRUE(held.catching_up);
  EXPECT_EQ(held.statuses_as_of_unix, published.statuses_as_of_unix);
  // The figures move on; the status stays as published.
  EXPECT_EQ(Project(held, "P-1").investment_completed_fen, 3);
  EXPECT_EQ(Project(held, "P-1").assessment.status, Status::kNotReported);
  EXPECT_EQ(Group(held, GroupType::kPlan, "small").projects_by_status[1], 3);
  // A report for the reporting month is no history.
  testing::Submit(programme, Make("now", "P-2", {2024, 7, 5}, InvestmentRecorded{1, "2024-06"}));
  EXPECT_EQ(programme.HistoryEvents(), 3u);
  clock_.Set(At({2024, 7, 15}) + 59);
  EXPECT_TRUE(programme.CatchingUp());
  clock_.Set(At({2024, 7, 15}) + 60);
  EXPECT_FALSE(programme.CatchingUp()) << "60 s without history";
  const Report settled = programme.BuildReport();
  EXPECT_FALSE(settled.catching_up);
  EXPECT_EQ(Project(settled, "P-1").assessment.status, Status::kLagging) << "its 2024 is not reported: 2023's is";
}

TEST_F(ProgrammeProgressTest, GroupCountsProjectsByStatusAndDueMilestones) {
  Submit(Make("s", "P-1", {2023, 3, 2}, ConstructionStarted{}));
  const Report report = programme_.BuildReport();
  const GroupFigures& whole = Group(report, GroupType::kPlan, "small");
  EXPECT_EQ(whole.projects_due_to_start, 3);
  EXPECT_EQ(whole.projects_due_started, 1);
  EXPECT_EQ(whole.lines_due, 1);  // P-1's L1 (2024-04); L2 is 2025-03
  EXPECT_EQ(whole.lines_due_launched, 0);
  int counted = 0;
  for (int n : whole.projects_by_status) counted += n;
  EXPECT_EQ(counted, 3);
}

}  // namespace
}  // namespace pipelined::model
