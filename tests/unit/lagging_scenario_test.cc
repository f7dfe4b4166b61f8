// A hand-computed scenario that pins the formulas of docs/lagging.md: twelve
// projects over two years, each showing one rule or edge, evaluated on the
// days the reporting calendar turns. Every expected figure below was worked
// out by hand (in yuan; the model counts fen) and is exact.
//
//   S01 steady          reports its plan, 100,000 a month, by the 5th of the next month
//   S02 June starter    starts in June: expected 1/7 of its 2024 plan by June, not 6/12
//   S03 half pace       50,000 a month of 100,000: lagging at the year's first report
//   S04 late report     June's report comes on 15 July, after the due day (10 July)
//   S05 silent          never reports: not reported, never lagging
//   S06 late start      planned March, reports nothing done, starts 10 June
//   S07 stalled         on plan to April, nothing done from May
//   S08 continuing      under way since 2022 with 3,000,000 done before the period
//   S09 early finisher  done on 20 June 2024 at 540,000 of its 1,200,000
//   S10 lines           L1 launched a month late, L2 (May) never
//   S11 hysteresis      climbs out of lagging: held while within the margin
//   S12 past the period runs to 2026: the five-year figures stop at 2025
#include <gtest/gtest.h>

#include <functional>

#include "pipelined/config/plan_loader.h"
#include "pipelined/model/programme.h"
#include "test_plan.h"

namespace pipelined::model {
namespace {

using testing::Group;
using testing::Project;

constexpr Fen kYuan = kFenPerYuan;

const char kPlan[] = R"(plan:
  code: scenario
  name: "Hand-computed scenario"
  period: {start: 2024-01, end: 2025-12}
areas:
  - {code: a, name: "Area"}
districts:
  - {code: d, name: "District D"}
  - {code: e, name: "District E"}
projects:
  - {code: S01, name: Steady, area: a, district: d, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12}
  - {code: S02, name: "June starter", area: a, district: d, investment_total_yuan: 1900000,
     investment_plan_yuan: {2024: 700000, 2025: 1200000}, construction_start: 2024-06, completion: 2025-12}
  - {code: S03, name: "Half pace", area: a, district: d, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12}
  - {code: S04, name: "Late report", area: a, district: d, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12}
  - {code: S05, name: Silent, area: a, district: d, investment_total_yuan: 2200000,
     investment_plan_yuan: {2024: 1000000, 2025: 1200000}, construction_start: 2024-03, completion: 2025-12}
  - {code: S06, name: "Late start", area: a, district: d, investment_total_yuan: 2200000,
     investment_plan_yuan: {2024: 1000000, 2025: 1200000}, construction_start: 2024-03, completion: 2025-12}
  - {code: S07, name: Stalled, area: a, district: e, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12}
  - {code: S08, name: Continuing, area: a, district: e, investment_total_yuan: 5400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2022-05, completion: 2025-12,
     continuing: {started_on: 2022-05-15, investment_before_period_yuan: 3000000}}
  - {code: S09, name: "Early finisher", area: a, district: e, investment_total_yuan: 1200000,
     investment_plan_yuan: {2024: 1200000}, construction_start: 2024-01, completion: 2024-12}
  - {code: S10, name: Lines, area: a, district: e, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12,
     production_lines: [{id: L1, launch: 2024-04}, {id: L2, launch: 2024-05}]}
  - {code: S11, name: Hysteresis, area: a, district: e, investment_total_yuan: 2400000,
     investment_plan_yuan: {2024: 1200000, 2025: 1200000}, construction_start: 2024-01, completion: 2025-12}
  - {code: S12, name: "Past the period", area: a, district: e, investment_total_yuan: 1200000,
     investment_plan_yuan: {2025: 600000, 2026: 600000}, construction_start: 2025-07, completion: 2026-06}
)";

std::int64_t Noon(Date date) { return date.StartUnixSecondsShanghai() + 12 * 3600; }

struct Dated {
  Date on;
  Event event;
};

class LaggingScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::PlanLoadResult loaded = config::LoadPlanFromString(kPlan, "scenario.yaml");
    ASSERT_TRUE(loaded.plan) << config::JoinErrors(loaded.errors);
    programme_ = std::make_unique<Programme>(std::move(*loaded.plan), clock_);
    Script();
    std::stable_sort(events_.begin(), events_.end(), [](const Dated& a, const Dated& b) { return a.on < b.on; });
  }

  // The report of `period`, made (and dated) on `on`.
  void Report(const std::string& project, YearMonth period, Fen yuan, Date on) {
    Event event;
    event.event_id = project + "-" + period.ToString();
    event.source = project == "S07" ? "district-e" : "district-d";
    event.project_code = project;
    event.occurred_at_unix = Noon(on);
    event.payload = InvestmentRecorded{yuan * kYuan, period.ToString()};
    events_.push_back({on, std::move(event)});
  }

  // Every month's report of `project` from `first` to `last`, made on the 5th
  // of the month after (January's with February's in March).
  void Monthly(const std::string& project, YearMonth first, YearMonth last, const std::function<Fen(YearMonth)>& yuan) {
    for (YearMonth month = first; month <= last; month = month.AddMonths(1)) {
      const YearMonth due_in = ReportingCalendar::ReportOf(month).AddMonths(1);
      Report(project, month, yuan(month), {due_in.year, due_in.month, 5});
    }
  }

  // A milestone that happened on `happened`, reported with that month's report.
  void Milestone(const std::string& project, const std::string& id, Date happened, Payload payload) {
    Event event;
    event.event_id = project + "-" + id;
    event.source = "district-d";
    event.project_code = project;
    event.occurred_at_unix = Noon(happened);
    event.payload = std::move(payload);
    const YearMonth due_in = ReportingCalendar::ReportOf(happened.Month()).AddMonths(1);
    events_.push_back({{due_in.year, due_in.month, 5}, std::move(event)});
  }

  void Script() {
    const YearMonth jan24{2024, 1}, dec24{2024, 12};
    auto flat = [](Fen yuan) { return [yuan](YearMonth) { return yuan; }; };
    Milestone("S01", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S01", jan24, dec24, flat(100'000));
    Milestone("S02", "start", {2024, 6, 3}, ConstructionStarted{});
    Monthly("S02", {2024, 6}, dec24, flat(100'000));
    Milestone("S03", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S03", jan24, dec24, flat(50'000));
    Milestone("S04", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S04", jan24, {2024, 5}, flat(100'000));
    Report("S04", {2024, 6}, 100'000, {2024, 7, 15});  // late
    Monthly("S04", {2024, 7}, dec24, flat(100'000));
    // S05: nothing at all.
    Monthly("S06", {2024, 3}, {2024, 5}, flat(0));  // reported: not started, nothing done
    Milestone("S06", "start", {2024, 6, 10}, ConstructionStarted{});
    Monthly("S06", {2024, 6}, dec24, flat(100'000));
    Milestone("S07", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S07", jan24, dec24, [](YearMonth m) -> Fen { return m <= YearMonth{2024, 4} ? 100'000 : 0; });
    Monthly("S08", jan24, dec24, flat(100'000));
    Milestone("S09", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S09", jan24, {2024, 6}, flat(90'000));
    Milestone("S09", "done", {2024, 6, 20}, ProjectCompleted{});
    Milestone("S10", "start", {2024, 1, 8}, ConstructionStarted{});
    Monthly("S10", jan24, dec24, flat(100'000));
    Milestone("S10", "L1", {2024, 5, 20}, ProductionLineLaunched{"L1"});
    Milestone("S11", "start", {2024, 1, 8}, ConstructionStarted{});
    const std::map<int, Fen> s11 = {{1, 60'000}, {2, 76'000}, {3, 80'000}, {4, 88'000}};
    Monthly("S11", jan24, dec24, [&](YearMonth m) { return s11.count(m.month) ? s11.at(m.month) : 100'000; });
    Milestone("S12", "start", {2025, 7, 1}, ConstructionStarted{});
    Monthly("S12", {2025, 7}, {2026, 1}, flat(100'000));
  }

  // Applies every event made on or before `day`, each on its own day, then
  // moves the clock to noon of `day` and builds the report.
  model::Report On(Date day) {
    for (; next_ < events_.size() && !(day < events_[next_].on); ++next_) {
      clock_.Set(Noon(events_[next_].on));
      const Outcome outcome = testing::Submit(*programme_, events_[next_].event);
      EXPECT_EQ(outcome.status, EventStatus::kAccepted) << events_[next_].event.event_id << ": " << outcome.message;
    }
    clock_.Set(Noon(day));
    return programme_->BuildReport();
  }

  ManualClock clock_{Noon({2024, 1, 1})};
  std::unique_ptr<Programme> programme_;
  std::vector<Dated> events_;
  size_t next_ = 0;
};

std::string StatusOf(const model::Report& report, const std::string& code) {
  return StatusName(Project(report, code).assessment.status);
}

std::vector<std::string> ReasonsOf(const model::Report& report, const std::string& code) {
  std::vector<std::string> reasons;
  for (const Finding& f : Project(report, code).assessment.findings) {
    reasons.push_back(f.reason + ":" + StatusName(f.level));
  }
  return reasons;
}

using Reasons = std::vector<std::string>;

TEST_F(LaggingScenarioTest, BeforeThePeriodsFirstReportIsDueNothingIsExpected) {
  // 10 March 2024: the January-February report is due today; the reporting
  // month is still December 2023, before the plan period.
  const model::Report report = On({2024, 3, 10});
  EXPECT_EQ(report.period.month, (YearMonth{2023, 12}));
  for (const ProjectFigures& p : report.projects) EXPECT_EQ(p.assessment.status, Status::kOnTrack) << p.plan->code;
  EXPECT_EQ(Group(report, GroupType::kPlan, "scenario").projects_due_to_report, 0);
}

TEST_F(LaggingScenarioTest, TheFirstReportOfTheYear) {
  const model::Report report = On({2024, 3, 11});
  EXPECT_EQ(report.period.month, (YearMonth{2024, 2}));
  EXPECT_EQ(report.period.due, (Date{2024, 3, 10}));
  // Half pace is lagging at the first report: 100,000 of 200,000 expected,
  // 8.3 points of the year's plan behind.
  EXPECT_EQ(ReasonsOf(report, "S03"), (Reasons{"behind_schedule:lagging"}));
  const ProjectFigures& s03 = Project(report, "S03");
  EXPECT_EQ(s03.investment_as_of_year_to_date_fen, 100'000 * kYuan);
  EXPECT_EQ(s03.investment_expected_as_of_fen, 200'000 * kYuan);
  EXPECT_DOUBLE_EQ(*s03.schedule_attainment, 0.5);
  EXPECT_NEAR(*s03.schedule_gap_pp, -100.0 / 12, 1e-9);
  // S11: 136,000 of 200,000 = 68%: lagging.
  EXPECT_EQ(ReasonsOf(report, "S11"), (Reasons{"behind_schedule:lagging"}));
  // S05 and S06 are planned to start in March: nothing expected yet.
  EXPECT_EQ(StatusOf(report, "S05"), "on_track");
  EXPECT_EQ(StatusOf(report, "S06"), "on_track");
  // Due: the eight projects under way in January-February; all on time.
  const GroupFigures& whole = Group(report, GroupType::kPlan, "scenario");
  EXPECT_EQ(whole.projects_due_to_report, 8);
  EXPECT_EQ(whole.projects_reported_on_time, 8);
  EXPECT_DOUBLE_EQ(*whole.reporting_timeliness, 1.0);
}

TEST_F(LaggingScenarioTest, HysteresisHoldsLaggingUntilTheMarginIsCleared) {
  // March: 216,000 of 300,000 = 72%, above 70% but within its 5% margin.
  EXPECT_EQ(ReasonsOf(On({2024, 4, 11}), "S11"), (Reasons{"behind_schedule:lagging"}));
  // April: 304,000 of 400,000 = 76% clears 75%: at risk.
  EXPECT_EQ(ReasonsOf(On({2024, 5, 11}), "S11"), (Reasons{"behind_schedule:at_risk"}));
  // Without the margin, March would have been at risk already.
  RuleSet rules = RuleSet::Schedule();
  rules.clear_margin_ratio = 0;
  ProgrammeOptions options;
  options.rules = rules;
  config::PlanLoadResult loaded = config::LoadPlanFromString(kPlan, "scenario.yaml");
  ManualClock clock{Noon({2024, 4, 11})};
  Programme no_margin(std::move(*loaded.plan), clock, options);
  for (const Dated& dated : events_) {
    if (dated.event.project_code == "S11" && !(Date{2024, 4, 11} < dated.on)) testing::Submit(no_margin, dated.event);
  }
  EXPECT_EQ(StatusName(Project(no_margin.BuildReport(), "S11").assessment.status), std::string("at_risk"));
}

TEST_F(LaggingScenarioTest, JuneReportingMonthEveryRuleAndEveryFigure) {
  // 11 July 2024: June's report was due yesterday.
  const model::Report report = On({2024, 7, 11});
  EXPECT_EQ(report.period.month, (YearMonth{2024, 6}));
  EXPECT_EQ(report.period.collecting, (YearMonth{2024, 7}));

  // S01 on plan: 600,000 of 600,000, PV = EV = 600,000, no delay.
  const ProjectFigures& s01 = Project(report, "S01");
  EXPECT_EQ(StatusOf(report, "S01"), "on_track");
  EXPECT_EQ(s01.planned_value_fen, 600'000 * kYuan);
  EXPECT_EQ(s01.earned_value_fen, 600'000 * kYuan);
  EXPECT_DOUBLE_EQ(*s01.spi, 1.0);
  EXPECT_DOUBLE_EQ(*s01.delay_months, 0.0);
  EXPECT_EQ(*s01.forecast_completion, (Date{2025, 12, 31}));
  EXPECT_EQ(s01.report, ReportState::kOnTime);
  EXPECT_EQ(*s01.reported_on, (Date{2024, 7, 5}));

  // S02 started in June: 100,000 is 1/7 of 700,000, all that was expected.
  const ProjectFigures& s02 = Project(report, "S02");
  EXPECT_EQ(StatusOf(report, "S02"), "on_track");
  EXPECT_EQ(s02.investment_expected_as_of_fen, 100'000 * kYuan);
  EXPECT_DOUBLE_EQ(*s02.expected_progress, 1.0 / 7);
  EXPECT_DOUBLE_EQ(*s02.schedule_gap_pp, 0.0);
  // Against the calendar's 6/12 it is 35.7 points behind.
  EXPECT_NEAR(*s02.pro_rata_gap_pp, (1.0 / 7 - 0.5) * 100, 1e-9);

  // S03 half pace: 300,000 of 600,000, and 300,000 was planned by the end of
  // March: three months behind.
  EXPECT_EQ(ReasonsOf(report, "S03"), (Reasons{"behind_schedule:lagging", "schedule_delay:lagging"}));
  EXPECT_DOUBLE_EQ(*Project(report, "S03").delay_months, 3.0);

  // S04: June's report not in by the due day: not reported, its figures as of May.
  const ProjectFigures& s04 = Project(report, "S04");
  EXPECT_EQ(ReasonsOf(report, "S04"), (Reasons{"report_missing:not_reported"}));
  EXPECT_EQ(s04.assessment.findings[0].detail,
            "no investment report for 2024-06 (due 2024-07-10); figures are as of 2024-05");
  EXPECT_EQ(*s04.as_of, (YearMonth{2024, 5}));
  EXPECT_DOUBLE_EQ(*s04.schedule_attainment, 1.0);
  EXPECT_EQ(s04.report, ReportState::kMissing);

  // S05: nothing ever reported: not reported, no rate, no SPI.
  const ProjectFigures& s05 = Project(report, "S05");
  EXPECT_EQ(ReasonsOf(report, "S05"), (Reasons{"report_missing:not_reported"}));
  EXPECT_FALSE(s05.completion_rate);
  EXPECT_FALSE(s05.spi);
  EXPECT_EQ(s05.planned_value_fen, 400'000 * kYuan) << "March to June of 1,000,000 over ten months";

  // S06 started three months late: 100,000 of the 400,000 expected since
  // March (25%), three months behind; the start is done, late.
  const ProjectFigures& s06 = Project(report, "S06");
  EXPECT_EQ(ReasonsOf(report, "S06"), (Reasons{"behind_schedule:lagging", "schedule_delay:lagging"}));
  EXPECT_EQ(s06.investment_expected_as_of_fen, 400'000 * kYuan);
  EXPECT_DOUBLE_EQ(*s06.delay_months, 3.0);
  EXPECT_EQ(s06.milestones[0].state, MilestoneState::kDoneLate);
  EXPECT_EQ(s06.milestones[0].slip_days, 71);  // 31 March to 10 June
  EXPECT_EQ(s06.milestones[0].slip_months, 2);  // April and May

  // S07 stalled since May: two months with nothing done; 400,000 of 600,000;
  // 400,000 was planned by the end of April: two months behind.
  const ProjectFigures& s07 = Project(report, "S07");
  EXPECT_EQ(ReasonsOf(report, "S07"),
            (Reasons{"behind_schedule:lagging", "schedule_delay:at_risk", "stalled:lagging"}));
  EXPECT_DOUBLE_EQ(*s07.delay_months, 2.0);
  EXPECT_NE(s07.assessment.findings[2].detail.find("2 reported month(s) in a row with under 25% of the planned "
                                                    "investment, the last 2024-06: 0 of 100,000 yuan"),
            std::string::npos)
      << s07.assessment.findings[2].detail;

  // S08 continuing: both values include the 3,000,000 done before 2024.
  const ProjectFigures& s08 = Project(report, "S08");
  EXPECT_EQ(StatusOf(report, "S08"), "on_track");
  EXPECT_EQ(s08.planned_value_fen, 3'600'000 * kYuan);
  EXPECT_EQ(s08.earned_value_fen, 3'600'000 * kYuan);
  EXPECT_EQ(s08.milestones[0].state, MilestoneState::kDoneOnTime);
  EXPECT_EQ(*s08.forecast_completion, (Date{2025, 12, 31}));

  // S09 finished on 20 June, under budget: on track, and neutral in its groups.
  const ProjectFigures& s09 = Project(report, "S09");
  EXPECT_EQ(StatusOf(report, "S09"), "on_track");
  EXPECT_EQ(*s09.forecast_completion, (Date{2024, 6, 20}));
  EXPECT_EQ(s09.investment_planned_reporting_year_fen, 540'000 * kYuan);
  EXPECT_EQ(s09.investment_expected_reporting_year_fen, 540'000 * kYuan);
  EXPECT_EQ(s09.group_planned_value_fen, 540'000 * kYuan);

  // S10: L2 (May) not in June's report: one month late, 41 days past 31 May.
  const ProjectFigures& s10 = Project(report, "S10");
  EXPECT_EQ(ReasonsOf(report, "S10"), (Reasons{"milestone_overdue:at_risk"}));
  EXPECT_EQ(s10.assessment.findings[0].detail,
            "production line L2 planned 2024-05, not reported in the 1 month(s) reported since (to 2024-06), 41 "
            "day(s) past its deadline (at_risk from 1, lagging from 3)");
  EXPECT_EQ(s10.milestones[1].state, MilestoneState::kDoneLate);
  EXPECT_EQ(s10.milestones[1].slip_days, 20);
  EXPECT_EQ(s10.milestones[1].slip_months, 0) << "launched 20 days late, not a month";

  // S11: 504,000 of 600,000 = 84%: at risk.
  EXPECT_EQ(ReasonsOf(report, "S11"), (Reasons{"behind_schedule:at_risk"}));
  // S12 starts in 2025: nothing expected.
  EXPECT_EQ(StatusOf(report, "S12"), "on_track");

  // The plan's figures: done 4,244,000 of an adjusted plan of 11,640,000
  // (S09 counts 540,000, S12 nothing), 5,140,000 expected at each project's
  // own month; EV 7,244,000 against PV 8,140,000.
  const GroupFigures& whole = Group(report, GroupType::kPlan, "scenario");
  EXPECT_EQ(whole.investment_reporting_year_to_date_fen, 4'244'000 * kYuan);
  EXPECT_EQ(whole.investment_planned_reporting_year_fen, 11'640'000 * kYuan);
  EXPECT_EQ(whole.investment_expected_reporting_year_fen, 5'140'000 * kYuan);
  EXPECT_EQ(whole.earned_value_fen, 7'244'000 * kYuan);
  EXPECT_EQ(whole.planned_value_fen, 8'140'000 * kYuan);
  EXPECT_DOUBLE_EQ(*whole.schedule_attainment, 4'244.0 / 5'140.0);
  EXPECT_DOUBLE_EQ(*whole.spi, 7'244.0 / 8'140.0);
  EXPECT_EQ(whole.assessment.LevelOf(lagging_reason::kBehindSchedule), Status::kAtRisk);
  // Eleven due for June (S12 is not under way); S04 and S05 not in.
  EXPECT_EQ(whole.projects_due_to_report, 11);
  EXPECT_EQ(whole.projects_reported, 9);
  EXPECT_EQ(whole.projects_reported_on_time, 9);
  EXPECT_DOUBLE_EQ(*whole.reporting_timeliness, 9.0 / 11);
  EXPECT_EQ(whole.projects_by_status, (std::array<int, kStatusCount>{5, 2, 2, 3}));
  // By district and by source.
  const GroupFigures& d = Group(report, GroupType::kDistrict, "d");
  EXPECT_EQ(d.projects_due_to_report, 6);
  EXPECT_EQ(d.projects_reported_on_time, 4);
  ASSERT_EQ(report.sources.size(), 2u);
  EXPECT_EQ(report.sources[0].source, "district-d");
  EXPECT_EQ(report.sources[0].projects_due_to_report, 9) << "S05 has no source: it never reported";
  EXPECT_EQ(report.sources[1].source, "district-e");
  EXPECT_EQ(report.sources[1].projects_reported_on_time, 1);
}

TEST_F(LaggingScenarioTest, ALateReportCountsAsReportedButNotOnTime) {
  On({2024, 7, 11});
  const model::Report report = On({2024, 7, 15});
  EXPECT_EQ(StatusOf(report, "S04"), "on_track");
  EXPECT_EQ(Project(report, "S04").report, ReportState::kLate);
  EXPECT_EQ(*Project(report, "S04").reported_on, (Date{2024, 7, 15}));
  const GroupFigures& whole = Group(report, GroupType::kPlan, "scenario");
  EXPECT_EQ(whole.projects_reported, 10);
  EXPECT_EQ(whole.projects_reported_on_time, 9);
}

TEST_F(LaggingScenarioTest, TheYearEnd) {
  const model::Report report = On({2025, 1, 11});
  EXPECT_EQ(report.period.month, (YearMonth{2024, 12}));
  // S06: 700,000 of 1,000,000 is 70%, on the lagging threshold: held below
  // 75% as it has been lagging since March; 700,000 was planned by the end
  // of September: three months behind.
  EXPECT_EQ(ReasonsOf(report, "S06"), (Reasons{"behind_schedule:lagging", "schedule_delay:lagging"}));
  // S07: eight months without work.
  EXPECT_EQ(Project(report, "S07").assessment.findings.back().value, 8);
  // S10's L2: seven months reported without it.
  EXPECT_EQ(ReasonsOf(report, "S10"), (Reasons{"milestone_overdue:lagging"}));
  // S09, done in June, is not due to report any more.
  EXPECT_EQ(Project(report, "S09").report, ReportState::kNotDue);
  EXPECT_EQ(Project(report, "S09").group_planned_value_fen, 540'000 * kYuan) << "never more than it earned";
}

TEST_F(LaggingScenarioTest, AfterThePeriodTheFiveYearFiguresCountOnlyItsPeriods) {
  const model::Report report = On({2026, 3, 11});
  EXPECT_EQ(report.period.month, (YearMonth{2026, 2}));
  const ProjectFigures& s12 = Project(report, "S12");
  EXPECT_EQ(s12.investment_completed_fen, 700'000 * kYuan);  // July 2025 to January 2026
  EXPECT_EQ(s12.investment_completed_period_fen, 600'000 * kYuan);  // 2025 only
  EXPECT_EQ(s12.investment_planned_period_fen, 600'000 * kYuan);
  // January 2026 was reported: the January-February report is in.
  EXPECT_EQ(s12.report, ReportState::kOnTime);
}

}  // namespace
}  // namespace pipelined::model
