// The rule sets' statuses on the edges of their thresholds.
#include "pipelined/model/lagging.h"

#include <gtest/gtest.h>

namespace pipelined::model {
namespace {

ProjectFacts BehindBy(double pp) {
  ProjectFacts facts;
  facts.behind_pro_rata_pp = pp;
  return facts;
}

ProjectFacts WithSpi(double spi) {
  ProjectFacts facts;
  facts.spi = spi;
  return facts;
}

ProjectFacts StartLateBy(int months) {
  ProjectFacts facts;
  Milestone start;
  start.kind = MilestoneKind::kConstructionStart;
  start.planned = {2024, 1};
  start.state = months > 0 ? MilestoneState::kOverdue : MilestoneState::kDue;
  start.slip_months = months;
  start.slip_days = months * 30;
  facts.milestones.push_back(start);
  return facts;
}

TEST(ProRataRulesTest, YellowFromTenRedBeyondThirtyPointsBehind) {
  const RuleSet rules = RuleSet::ProRata();
  EXPECT_EQ(AssessProject(BehindBy(9.99), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(BehindBy(10.0), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(BehindBy(30.0), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(BehindBy(30.01), rules).status, Status::kLagging);
  EXPECT_EQ(AssessProject(BehindBy(-20), rules).status, Status::kOnTrack) << "ahead of pro-rata";
}

TEST(ProRataRulesTest, ExactThresholdsSurviveFloatingPoint) {
  // 5/12 pro-rata, 1/4 done: behind by (5/12 - 1/4) * 100 = 16.67; and a
  // figure that lands on 10 only up to rounding still counts as 10.
  EXPECT_EQ(AssessProject(BehindBy((0.5 - 0.4) * 100), RuleSet::ProRata()).status, Status::kAtRisk);
}

TEST(ProRataRulesTest, StartOverdueYellowThenRedAtThreeMonths) {
  const RuleSet rules = RuleSet::ProRata();
  EXPECT_EQ(AssessProject(StartLateBy(0), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(StartLateBy(1), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(StartLateBy(2), rules).status, Status::kAtRisk);
  const Assessment red = AssessProject(StartLateBy(3), rules);
  EXPECT_EQ(red.status, Status::kLagging);
  ASSERT_EQ(red.findings.size(), 1u);
  EXPECT_EQ(red.findings[0].reason, lagging_reason::kStartOverdue);
  EXPECT_NE(red.findings[0].detail.find("3 month(s) late"), std::string::npos) << red.findings[0].detail;
}

TEST(ProRataRulesTest, IgnoresSpi) {
  EXPECT_EQ(AssessProject(WithSpi(0.1), RuleSet::ProRata()).status, Status::kOnTrack);
}

TEST(SpiRulesTest, BandsAtPointNineFiveAndPointNine) {
  const RuleSet rules = RuleSet::Spi();
  EXPECT_EQ(AssessProject(WithSpi(0.95), rules).status, Status::kOnTrack);
  EXPECT_EQ(AssessProject(WithSpi(0.9499), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(WithSpi(0.90), rules).status, Status::kAtRisk);
  EXPECT_EQ(AssessProject(WithSpi(0.8999), rules).status, Status::kLagging);
  EXPECT_EQ(AssessProject(BehindBy(50), rules).status, Status::kOnTrack) << "spi ignores pro-rata";
}

TEST(RulesTest, EveryApplyingReasonIsListedAndTheWorstWins) {
  ProjectFacts facts = StartLateBy(1);
  facts.behind_pro_rata_pp = 40;
  facts.months_without_investment = 3;
  facts.days_since_report = 45;
  const Assessment a = AssessProject(facts, RuleSet::ProRata());
  EXPECT_EQ(a.status, Status::kLagging);
  std::vector<std::string> reasons;
  for (const Finding& f : a.findings) reasons.push_back(f.reason);
  EXPECT_EQ(reasons, (std::vector<std::string>{"start_overdue", "behind_pro_rata", "no_investment_reported",
                                                "source_silent"}));
  facts.months_without_investment = 2;
  facts.days_since_report = 44;
  EXPECT_EQ(AssessProject(facts, RuleSet::ProRata()).findings.size(), 2u);
}

TEST(RulesTest, CompletedProjectIsOnTrack) {
  ProjectFacts facts = StartLateBy(5);
  facts.behind_pro_rata_pp = 90;
  facts.completed = true;
  EXPECT_EQ(AssessProject(facts, RuleSet::ProRata()).status, Status::kOnTrack);
}

TEST(RulesTest, MilestoneOverdueUsesTheWorstLineOrCompletion) {
  ProjectFacts facts;
  Milestone line;
  line.kind = MilestoneKind::kProductionLine;
  line.line = "L1";
  line.state = MilestoneState::kOverdue;
  line.slip_months = 1;
  line.slip_days = 20;
  Milestone completion = line;
  completion.kind = MilestoneKind::kCompletion;
  completion.slip_months = 4;
  completion.slip_days = 100;
  facts.milestones = {line, completion};
  const Assessment a = AssessProject(facts, RuleSet::ProRata());
  ASSERT_EQ(a.findings.size(), 1u);
  EXPECT_EQ(a.findings[0].level, Status::kLagging);
  EXPECT_NE(a.findings[0].detail.find("completion"), std::string::npos);
}

TEST(RulesTest, UnsetThresholdTurnsACheckOff) {
  RuleSet rules = RuleSet::ProRata();
  rules.behind_pro_rata_lagging_pp.reset();
  EXPECT_EQ(AssessProject(BehindBy(80), rules).status, Status::kAtRisk);
  rules.behind_pro_rata_at_risk_pp.reset();
  EXPECT_EQ(AssessProject(BehindBy(80), rules).status, Status::kOnTrack);
}

TEST(GroupRulesTest, OutputBehindItsTargetPath) {
  GroupFacts facts;
  facts.output_behind_pro_rata_pp = 31;
  const Assessment a = AssessGroup(facts, RuleSet::Spi());
  EXPECT_EQ(a.status, Status::kLagging);
  EXPECT_EQ(a.findings[0].reason, lagging_reason::kOutputBehindProRata);
}

}  // namespace
}  // namespace pipelined::model
