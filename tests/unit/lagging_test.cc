// The rule sets' statuses on the edges of their thresholds, the hysteresis
// that keeps a project near a threshold from flapping, and "no data is not
// bad data".
#include "pipelined/model/lagging.h"

#include <gtest/gtest.h>

namespace pipelined::model {
namespace {

// A project under way that reported for the reporting month 2024-06.
ProjectFacts Reported() {
  ProjectFacts facts;
  facts.expected = true;
  facts.started = true;
  facts.reporting_month = {2024, 6};
  facts.report_due = {2024, 7, 10};
  facts.reported_through = YearMonth{2024, 6};
  return facts;
}

ProjectFacts BehindBy(double pp) {
  ProjectFacts facts = Reported();
  facts.behind_pro_rata_pp = pp;
  facts.pro_rata = 0.5;
  ScheduleFacts schedule;
  schedule.through = {2024, 6};
  schedule.year_plan_fen = 100'000;
  schedule.done_fen = 50'000 - static_cast<Fen>(pp * 1000);
  schedule.expected_fen = 50'000;
  facts.schedule = schedule;
  return facts;
}

// Year to date against its schedule: `done` of `expected` yuan, of a year's plan of 120.
ProjectFacts Attaining(Fen done, Fen expected) {
  ProjectFacts facts = Reported();
  ScheduleFacts s;
  s.through = {2024, 6};
  s.year_plan_fen = 120 * kFenPerYuan;
  s.done_fen = done * kFenPerYuan;
  s.expected_fen = expected * kFenPerYuan;
  s.attainment = static_cast<double>(done) / static_cast<double>(expected);
  s.behind_pp = static_cast<double>(expected - done) / 120 * 100;
  facts.schedule = s;
  return facts;
}

ProjectFacts WithSpi(double spi) {
  ProjectFacts facts = Reported();
  facts.spi = spi;
  facts.earned_value_fen = static_cast<Fen>(spi * 1000) * kFenPerYuan;
  facts.planned_value_fen = 1000 * kFenPerYuan;
  return facts;
}

ProjectFacts DelayedBy(double months) {
  ProjectFacts facts = Reported();
  facts.delay_months = months;
  return facts;
}

// A start planned for 2024-01, not reported in `months` reported months since.
ProjectFacts StartLateBy(int months) {
  ProjectFacts facts = Reported();
  facts.started = false;
  Milestone start;
  start.kind = MilestoneKind::kConstructionStart;
  start.planned = {2024, 1};
  start.state = months > 0 ? MilestoneState::kOverdue : MilestoneState::kDue;
  start.reported_months_late = months;
  start.slip_days = months * 30;
  facts.milestones.push_back(start);
  return facts;
}

std::vector<std::string> Reasons(const Assessment& a) {
  std::vector<std::string> reasons;
  for (const Finding& f : a.findings) reasons.push_back(f.reason);
  return reasons;
}

TEST(ScheduleRulesTest, BehindItsOwnScheduleByShareAndPoints) {
  const RuleSet rules = RuleSet::Schedule();
  // At least 85% of what was expected: on track.
  EXPECT_EQ(AssessProject(Attaining(51, 60), rules).status, Status::kOnTrack);
  // Below 85% and at least 5 points of the year's plan behind: at risk.
  EXPECT_EQ(AssessProject(Attaining(50, 60), rules).status, Status::kAtRisk);
  // Below 70%: lagging.
  const Assessment lagging = AssessProject(Attaining(41, 60), rules);
  EXPECT_EQ(lagging.status, Status::kLagging);
  ASSERT_EQ(Reasons(lagging), std::vector<std::string>{"behind_schedule"});
  EXPECT_NEAR(lagging.findings[0].value, 41.0 / 60, 1e-12);
  EXPECT_DOUBLE_EQ(lagging.findings[0].threshold, 0.7);
  EXPECT_NE(lagging.findings[0].detail.find("41 yuan done of 60 expected"), std::string::npos)
      << lagging.findings[0].detail;
  // Far below in share but less than 5 points of the year behind: on track
  // (one small month early in the year is no alarm).
  EXPECT_EQ(AssessProject(Attaining(2, 7), rules).status, Status::kOnTrack);
}

TEST(ScheduleRulesTest, HalfPaceIsLaggingAtTheFirstReportOfTheYear) {
  // January and February at half pace: 10 of the 20 expected of 120.
  EXPECT_EQ(AssessProject(Attaining(10, 20), RuleSet::Schedule()).status, Status::kLagging);
}

TEST(ScheduleRulesTest, MonthsBehindThePlannedValue) {
  const RuleSet rules = RuleSet::Schedule();
  EXPECT_EQ(AssessProject(DelayedBy(1.99), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(DelayedBy(2.0), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(DelayedBy(3.0), rules).status, Status::kLagging);
  EXPECT_EQ(AssessProject(DelayedBy(-4), rules).status, Status::kOnTrack) << "ahead";
}

TEST(ScheduleRulesTest, AStalledMonthIsLagging) {
  ProjectFacts facts = Reported();
  facts.stalled_months = 1;
  facts.stalled_done_fen = 0;
  facts.stalled_planned_fen = 1'000'000;
  const Assessment a = AssessProject(facts, RuleSet::Schedule());
  EXPECT_EQ(a.status, Status::kLagging);
  EXPECT_EQ(Reasons(a), std::vector<std::string>{"stalled"});
  facts.started = false;  // a project that has not started is late to start, not stalled
  EXPECT_EQ(AssessProject(facts, RuleSet::Schedule()).status, Status::kOnTrack);
}

TEST(HysteresisTest, ALevelIsLeftOnlyOnceTheFigureClearsItsThresholdByTheMargin) {
  const RuleSet rules = RuleSet::Schedule();
  const Assessment lagging = AssessProject(DelayedBy(3.2), rules);
  ASSERT_EQ(lagging.status, Status::kLagging);
  // 2.8 months: under the 3-month threshold but within the 0.5 margin.
  const Assessment held = AssessProject(DelayedBy(2.8), rules, &lagging);
  EXPECT_EQ(held.status, Status::kLagging);
  EXPECT_DOUBLE_EQ(held.findings[0].threshold, 2.5);
  // Without the month before, 2.8 is at risk.
  EXPECT_EQ(AssessProject(DelayedBy(2.8), rules).status, Status::kAtRisk);
  // Cleared by the margin: at risk (still at least 2 months).
  EXPECT_EQ(AssessProject(DelayedBy(2.49), rules, &held).status, Status::kAtRisk);
  // Entering needs the threshold itself.
  const Assessment at_risk = AssessProject(DelayedBy(2.2), rules);
  EXPECT_EQ(AssessProject(DelayedBy(2.9), rules, &at_risk).status, Status::kAtRisk);
}

TEST(HysteresisTest, BehindScheduleHoldsWhileWithinBothMargins) {
  const RuleSet rules = RuleSet::Schedule();
  const Assessment lagging = AssessProject(Attaining(40, 60), rules);
  ASSERT_EQ(lagging.status, Status::kLagging);
  // 44/60 = 73.3%: above 70% but within the 5% margin; still lagging.
  EXPECT_EQ(AssessProject(Attaining(44, 60), rules, &lagging).status, Status::kLagging);
  // 46/60 = 76.7% clears it: at risk.
  EXPECT_EQ(AssessProject(Attaining(46, 60), rules, &lagging).status, Status::kAtRisk);
}

TEST(NotReportedTest, AMissingReportIsNotReportedNeverBehind) {
  ProjectFacts facts = Reported();
  facts.report_missing = true;
  facts.reported_through.reset();  // nothing ever reported
  const Assessment a = AssessProject(facts, RuleSet::Schedule());
  EXPECT_EQ(a.status, Status::kNotReported);
  ASSERT_EQ(Reasons(a), std::vector<std::string>{"report_missing"});
  EXPECT_EQ(a.findings[0].level, Status::kNotReported);
  EXPECT_NE(a.findings[0].detail.find("nothing reported yet"), std::string::npos);
  EXPECT_FALSE(IsFlagged(a.status));
}

TEST(NotReportedTest, BehindByWhatItDidReportOutranksAMissingReport) {
  ProjectFacts facts = Attaining(30, 60);
  facts.report_missing = true;
  facts.reported_through = YearMonth{2024, 5};
  const Assessment a = AssessProject(facts, RuleSet::Schedule());
  EXPECT_EQ(a.status, Status::kLagging);
  EXPECT_EQ(Reasons(a), (std::vector<std::string>{"report_missing", "behind_schedule"}));
  EXPECT_NE(a.findings[0].detail.find("figures are as of 2024-05"), std::string::npos) << a.findings[0].detail;
}

TEST(NotReportedTest, NothingIsExpectedOfAProjectNotYetDueOrCompleted) {
  ProjectFacts facts = Attaining(0, 60);
  facts.expected = false;
  EXPECT_EQ(AssessProject(facts, RuleSet::Schedule()).status, Status::kOnTrack);
  facts = StartLateBy(5);
  facts.completed = true;
  EXPECT_EQ(AssessProject(facts, RuleSet::Schedule()).status, Status::kOnTrack);
}

TEST(ProRataRulesTest, YellowFromTenRedBeyondThirtyPointsBehind) {
  const RuleSet rules = RuleSet::ProRata();
  EXPECT_EQ(AssessProject(BehindBy(9.99), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(BehindBy(10.0), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(BehindBy(30.0), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(BehindBy(30.01), rules).status, Status::kLagging);
  EXPECT_EQ(AssessProject(BehindBy(-20), rules).status, Status::kOnTrack) << "ahead of pro-rata";
}

TEST(ProRataRulesTest, TheCalendarJudgesEvenWhenItsOwnScheduleExpectsNothingYet) {
  // Under construction only from October by its plan, yet it reports for
  // June: its own schedule expects nothing, the calendar 6/12 of the year.
  ProjectFacts facts = BehindBy(40);
  facts.schedule.reset();
  const Assessment a = AssessProject(facts, RuleSet::ProRata());
  EXPECT_EQ(a.status, Status::kLagging);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_NE(a.findings[0].detail.find("completion 10.0% of the year's plan is 40.0 points behind"), std::string::npos)
      << a.findings[0].detail;
  EXPECT_EQ(AssessProject(facts, RuleSet::Schedule()).status, Status::kOnTrack);
}

TEST(ProRataRulesTest, ExactThresholdsSurviveFloatingPoint) {
  // A figure that lands on 10 only up to rounding still counts as 10.
  EXPECT_EQ(AssessProject(BehindBy((0.5 - 0.4) * 100), RuleSet::ProRata()).status, Status::kAtRisk);
}

TEST(ProRataRulesTest, StartOverdueYellowThenRedAtThreeReportedMonths) {
  const RuleSet rules = RuleSet::ProRata();
  EXPECT_EQ(AssessProject(StartLateBy(0), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(StartLateBy(1), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(StartLateBy(2), rules).status, Status::kAtRisk);
  const Assessment red = AssessProject(StartLateBy(3), rules);
  EXPECT_EQ(red.status, Status::kLagging);
  ASSERT_EQ(red.findings.size(), 1u);
  EXPECT_EQ(red.findings[0].reason, lagging_reason::kStartOverdue);
  EXPECT_NE(red.findings[0].detail.find("not reported in the 3 month(s) reported since"), std::string::npos)
      << red.findings[0].detail;
  EXPECT_NE(red.findings[0].detail.find("at_risk from 1, lagging from 3"), std::string::npos)
      << red.findings[0].detail;
}

TEST(ProRataRulesTest, IgnoresSpi) {
  EXPECT_EQ(AssessProject(WithSpi(0.1), RuleSet::ProRata()).status, Status::kOnTrack);
}

TEST(SpiRulesTest, BandsAtPointNineFiveAndPointNine) {
  const RuleSet rules = RuleSet::Spi();
  EXPECT_EQ(AssessProject(WithSpi(0.95), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(WithSpi(0.9499), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(WithSpi(0.90), rules).status, Status::kAtRisk);
  const Assessment red = AssessProject(WithSpi(0.8999), rules);
  EXPECT_EQ(red.status, Status::kLagging);
  // The detail names what it compared: earned and planned value.
  EXPECT_NE(red.findings[0].detail.find("= earned value 899 / planned value 1,000 yuan"), std::string::npos)
      << red.findings[0].detail;
  EXPECT_EQ(AssessProject(BehindBy(50), rules).status, Status::kOnTrack) << "spi ignores pro-rata";
}

TEST(RulesTest, EveryApplyingReasonIsListedAndTheWorstWins) {
  RuleSet rules = RuleSet::ProRata();
  rules.source_silent_at_risk_days = 45;
  ProjectFacts facts = StartLateBy(1);
  facts.behind_pro_rata_pp = 40;
  facts.schedule = BehindBy(40).schedule;
  facts.months_without_investment = 3;
  facts.days_since_report = 45;
  const Assessment a = AssessProject(facts, rules);
  EXPECT_EQ(a.status, Status::kLagging);
  EXPECT_EQ(Reasons(a), (std::vector<std::string>{"start_overdue", "behind_pro_rata", "no_investment_reported",
                                                  "source_silent"}));
  facts.months_without_investment = 2;
  facts.days_since_report = 44;
  EXPECT_EQ(AssessProject(facts, rules).findings.size(), 2u);
}

TEST(RulesTest, MilestoneOverdueUsesTheWorstLineOrCompletion) {
  ProjectFacts facts = Reported();
  Milestone line;
  line.kind = MilestoneKind::kProductionLine;
  line.line = "L1";
  line.state = MilestoneState::kOverdue;
  line.reported_months_late = 1;
  line.slip_days = 20;
  Milestone completion = line;
  completion.kind = MilestoneKind::kCompletion;
  completion.reported_months_late = 4;
  completion.slip_days = 100;
  facts.milestones = {line, completion};
  const Assessment a = AssessProject(facts, RuleSet::ProRata());
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].level, Status::kLagging);
  EXPECT_NE(a.findings[0].detail.find("completion"), std::string::npos);
}

TEST(RulesTest, AMilestoneOverdueByTheCalendarOnlyIsNotJudged) {
  // Overdue by today's date, but no month has been reported since: a late
  // report is not a late milestone.
  ProjectFacts facts = StartLateBy(0);
  facts.milestones[0].state = MilestoneState::kOverdue;
  facts.milestones[0].slip_days = 40;
  EXPECT_EQ(AssessProject(facts, RuleSet::Schedule()).status, Status::kOnTrack);
}

TEST(RulesTest, UnsetThresholdTurnsACheckOff) {
  RuleSet rules = RuleSet::ProRata();
  rules.behind_pro_rata_lagging_pp.reset();
  EXPECT_EQ(AssessProject(BehindBy(80), rules).status, Status::kAtRisk);
  rules.behind_pro_rata_at_risk_pp.reset();
  EXPECT_EQ(AssessProject(BehindBy(80), rules).status, Status::kOnTrack);
}

TEST(RuleSetCheckTest, BuiltInRuleSetsAreSound) {
  for (const std::string& name : RuleSet::BuiltInNames()) {
    EXPECT_TRUE(CheckRuleSet(*RuleSet::BuiltIn(name)).empty()) << name;
  }
}

TEST(RuleSetCheckTest, AtRiskMustComeBeforeLaggingAndMarginsBeSane) {
  RuleSet rules = RuleSet::Schedule();
  rules.delay_at_risk_months = 4;
  rules.behind_schedule_at_risk_below = 0.6;
  rules.clear_margin_ratio = 0.5;
  rules.stalled_below_share = 0;
  const std::vector<std::string> problems = CheckRuleSet(rules);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_NE(problems[0].find("behind_schedule_at_risk_below (0.6) is below behind_schedule_lagging_below (0.7)"),
            std::string::npos)
      << problems[0];
  EXPECT_NE(problems[1].find("delay_at_risk_months (4) is past delay_lagging_months (3)"), std::string::npos)
      << problems[1];
  EXPECT_NE(problems[2].find("stalled_below_share"), std::string::npos) << problems[2];
  EXPECT_NE(problems[3].find("clear_margin_ratio"), std::string::npos) << problems[3];
  EXPECT_NE(problems[4].find("could never leave"), std::string::npos) << problems[4];
}

TEST(GroupRulesTest, OutputBehindItsTargetPath) {
  GroupFacts facts;
  facts.output_behind_pro_rata_pp = 31;
  facts.output_through = YearMonth{2024, 6};
  const Assessment a = AssessGroup(facts, RuleSet::Spi());
  EXPECT_EQ(a.status, Status::kLagging);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].reason, lagging_reason::kOutputBehindProRata);
}

TEST(GroupRulesTest, AGroupNoneOfWhoseProjectsReportedIsNotReported) {
  GroupFacts facts;
  facts.reporting_month = {2024, 2};
  facts.projects_due_to_report = 12;
  const Assessment a = AssessGroup(facts, RuleSet::Schedule());
  EXPECT_EQ(a.status, Status::kNotReported);
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].detail, "none of the 12 projects due to report for 2024-01..02 has reported");
  facts.projects_reported = 1;
  EXPECT_EQ(AssessGroup(facts, RuleSet::Schedule()).status, Status::kOnTrack);
}

}  // namespace
}  // namespace pipelined::model
