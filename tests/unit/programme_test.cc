#include "pipelined/model/programme.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "test_plan.h"

namespace pipelined::model {
namespace {

const std::int64_t kNow = Date{2024, 6, 30}.StartUnixSecondsShanghai();

Event MakeEvent(const std::string& id, const std::string& project, Date on, Payload payload,
                const std::string& source = "test") {
  Event event;
  event.event_id = id;
  event.source = source;
  event.project_code = project;
  event.occurred_at_unix = on.StartUnixSecondsShanghai() + 3600;
  event.payload = std::move(payload);
  return event;
}

using testing::Group;
using testing::Project;

class ProgrammeTest : public ::testing::Test {
 protected:
  ManualClock clock_{kNow};
  Programme programme_{testing::SmallPlan(), clock_};
};

TEST_F(ProgrammeTest, AppliesEachEventTypeToItsProject) {
  EXPECT_EQ(testing::Submit(programme_, MakeEvent("s", "P-1", {2023, 3, 5}, ConstructionStarted{})).status,
            EventStatus::kAccepted);
  EXPECT_EQ(testing::Submit(programme_, MakeEvent("l", "P-1", {2024, 4, 9}, ProductionLineLaunched{"L1"})).status,
            EventStatus::kAccepted);
  EXPECT_EQ(testing::Submit(programme_, MakeEvent("i1", "P-1", {2023, 12, 31}, InvestmentRecorded{5000, "2023-12"})).status,
            EventStatus::kAccepted);
  EXPECT_EQ(testing::Submit(programme_, MakeEvent("i2", "P-1", {2024, 1, 31}, InvestmentRecorded{700, "2024-01"})).status,
            EventStatus::kAccepted);
  EXPECT_EQ(testing::Submit(programme_, MakeEvent("c", "P-2", {2024, 6, 1}, ProjectCompleted{})).status,
            EventStatus::kAccepted);

  const Report report = programme_.BuildReport();
  EXPECT_EQ(report.today, (Date{2024, 6, 30}));
  const ProjectFigures& p1 = Project(report, "P-1");
  EXPECT_TRUE(p1.construction_started);
  EXPECT_EQ(p1.lines_launched, 1);
  EXPECT_EQ(p1.lines_planned, 2);
  EXPECT_EQ(p1.investment_completed_fen, 5700);
  EXPECT_EQ(p1.investment_completed_year_fen, 700) << "only 2024 periods count for the current year";
  EXPECT_EQ(p1.investment_planned_year_fen, 100'000);
  EXPECT_FALSE(p1.completed);
  EXPECT_TRUE(Project(report, "P-2").completed);
}

TEST_F(ProgrammeTest, CurrentYearFollowsTheClock) {
  testing::Submit(programme_, MakeEvent("i", "P-1", {2024, 1, 31}, InvestmentRecorded{700, "2024-01"}));
  clock_.Set(Date{2025, 1, 1}.StartUnixSecondsShanghai());
  const Report report = programme_.BuildReport();
  const ProjectFigures& p1 = Project(report, "P-1");
  EXPECT_EQ(p1.investment_completed_year_fen, 0);
  EXPECT_EQ(p1.investment_completed_fen, 700);
}

TEST_F(ProgrammeTest, ReplacingAnEventUndoesItsEffectExactly) {
  const Event original = MakeEvent("i", "P-1", {2024, 2, 29}, InvestmentRecorded{1000, "2024-02"});
  programme_.Apply(original, nullptr);
  Event lower = MakeEvent("i2", "P-1", {2024, 2, 29}, InvestmentRecorded{400, "2024-02"});
  lower.supersedes_event_id = "i";
  programme_.Apply(lower, &original);
  Report report = programme_.BuildReport();
  EXPECT_EQ(Project(report, "P-1").investment_completed_fen, 400) << "a downward correction lowers the total";
  EXPECT_EQ(Project(report, "P-1").investment_completed_year_fen, 400);

  Event retraction = MakeEvent("r", "P-1", {2024, 3, 1}, EventRetracted{"i2"});
  programme_.Apply(retraction, &lower);
  report = programme_.BuildReport();
  EXPECT_EQ(Project(report, "P-1").investment_completed_fen, 0);
  EXPECT_EQ(Group(report, GroupType::kPlan, "small").investment_completed_fen, 0);
}

TEST_F(ProgrammeTest, RetractingOneOfTwoStartReportsKeepsTheOther) {
  const Event early = MakeEvent("a", "P-1", {2023, 3, 2}, ConstructionStarted{});
  const Event late = MakeEvent("b", "P-1", {2023, 3, 9}, ConstructionStarted{});
  programme_.Apply(early, nullptr);
  programme_.Apply(late, nullptr);
  programme_.Apply(MakeEvent("r", "P-1", {2023, 4, 1}, EventRetracted{"a"}), &early);
  EXPECT_TRUE(Project(programme_.BuildReport(), "P-1").construction_started);
  programme_.Apply(MakeEvent("r2", "P-1", {2023, 4, 1}, EventRetracted{"b"}), &late);
  EXPECT_FALSE(Project(programme_.BuildReport(), "P-1").construction_started);
}

TEST_F(ProgrammeTest, EventsOutsideThePlanAreNotAppliedAndSaySo) {
  EXPECT_FALSE(programme_.Apply(MakeEvent("x", "GONE-1", {2024, 1, 1}, ConstructionStarted{}), nullptr));
  EXPECT_FALSE(programme_.Apply(MakeEvent("y", "P-1", {2024, 1, 1}, ProductionLineLaunched{"L9"}), nullptr));
  EXPECT_TRUE(programme_.Apply(MakeEvent("z", "P-1", {2024, 1, 1}, ProductionLineLaunched{"L1"}), nullptr));
  EXPECT_EQ(Project(programme_.BuildReport(), "P-1").lines_launched, 1);
}

TEST_F(ProgrammeTest, TracksTheLastSequenceAndGapsPerSource) {
  programme_.ObserveSequence("a", 1);
  programme_.ObserveSequence("a", 2);
  programme_.ObserveSequence("a", 5);  // gap: 3 and 4 missing
  programme_.ObserveSequence("a", 3);  // late: accepted, no change
  programme_.ObserveSequence("b", 10);
  programme_.ObserveSequence("c", 0);  // not numbered: not tracked
  auto sequences = programme_.SourceSequences();
  ASSERT_EQ(sequences.size(), 2u);
  EXPECT_EQ(sequences[0].source, "a");
  EXPECT_EQ(sequences[0].last_sequence, 5u);
  EXPECT_EQ(sequences[0].gaps, 1u);
  EXPECT_EQ(sequences[1].last_sequence, 10u);
  EXPECT_EQ(sequences[1].gaps, 0u);
}

TEST_F(ProgrammeTest, GroupsEqualTheSumOfTheirProjects) {
  std::mt19937 random(3);
  const char* codes[] = {"P-1", "P-2", "P-3"};
  for (int i = 0; i < 500; ++i) {
    int month = 1 + static_cast<int>(random() % 6);
    Payload payload = InvestmentRecorded{static_cast<Fen>(random() % 100000),
                                         YearMonth{2024, month}.ToString()};
    if (i % 7 == 0) payload = ConstructionStarted{};
    if (i % 11 == 0) payload = ProductionLineLaunched{"L2"};
    testing::Submit(programme_, MakeEvent("e" + std::to_string(i), codes[random() % 3], {2024, month, 15}, payload));
  }
  const Report report = programme_.BuildReport();
  const Plan& plan = programme_.plan();
  for (const GroupFigures& group : report.groups) {
    GroupFigures sum;
    for (const ProjectFigures& p : report.projects) {
      const bool member = group.type == GroupType::kPlan ||
                          (group.type == GroupType::kArea && p.plan->area == group.code) ||
                          (group.type == GroupType::kCluster && p.plan->cluster == group.code) ||
                          (group.type == GroupType::kDistrict && p.plan->district == group.code);
      if (member) sum.Add(p);
    }
    EXPECT_EQ(group.projects, sum.projects) << group.code;
    EXPECT_EQ(group.projects_started, sum.projects_started) << group.code;
    EXPECT_EQ(group.lines_launched, sum.lines_launched) << group.code;
    EXPECT_EQ(group.investment_completed_fen, sum.investment_completed_fen) << group.code;
    EXPECT_EQ(group.investment_planned_year_fen, sum.investment_planned_year_fen) << group.code;
  }
  EXPECT_EQ(Group(report, GroupType::kPlan, plan.code).projects, 3);
  EXPECT_EQ(Group(report, GroupType::kCluster, "materials").projects, 1);
  EXPECT_EQ(Group(report, GroupType::kDistrict, "beilun").projects, 2);
  EXPECT_GT(Group(report, GroupType::kPlan, plan.code).investment_completed_fen, 0);
}

TEST_F(ProgrammeTest, SameEventsInAnyOrderGiveTheSameFigures) {
  std::vector<Event> events = {
      MakeEvent("a", "P-1", {2023, 3, 9}, ConstructionStarted{}),
      MakeEvent("b", "P-1", {2023, 3, 2}, ConstructionStarted{}),
      MakeEvent("c", "P-1", {2024, 4, 20}, ProductionLineLaunched{"L1"}),
      MakeEvent("d", "P-1", {2024, 4, 1}, ProductionLineLaunched{"L1"}),
      MakeEvent("e", "P-2", {2024, 3, 31}, InvestmentRecorded{300, "2024-03"}),
      MakeEvent("f", "P-2", {2024, 2, 29}, InvestmentRecorded{200, "2024-02"}),
  };
  auto figures = [&](std::vector<Event> order) {
    ManualClock clock(kNow);
    Programme programme(testing::SmallPlan(), clock);
    for (const Event& event : order) testing::Submit(programme, event);
    const Report report = programme.BuildReport();
    std::vector<Fen> out;
    for (const auto& g : report.groups) {
      out.insert(out.end(), {g.investment_completed_fen, Fen(g.projects_started), Fen(g.lines_launched)});
    }
    return out;
  };
  const auto expected = figures(events);
  std::mt19937 random(11);
  for (int i = 0; i < 10; ++i) {
    std::shuffle(events.begin(), events.end(), random);
    EXPECT_EQ(figures(events), expected);
  }
}

TEST_F(ProgrammeTest, CountsOutcomesPerSourceResultAndReason) {
  testing::Submit(programme_, MakeEvent("x", "P-1", {2024, 1, 1}, ConstructionStarted{}, "a"));
  programme_.Count("a", Outcome{EventStatus::kDuplicate, "", ""});
  testing::Submit(programme_, MakeEvent("y", "NOPE", {2024, 1, 1}, ConstructionStarted{}, "b"));
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> counts;
  for (const auto& c : programme_.EventCounts()) counts[{c.source, EventStatusName(c.status), c.reason}] = c.count;
  EXPECT_EQ((counts[{"a", "accepted", ""}]), 1u);
  EXPECT_EQ((counts[{"a", "duplicate", ""}]), 1u);
  EXPECT_EQ((counts[{"b", "rejected", "unknown_project"}]), 1u);
  EXPECT_EQ(counts.size(), 3u);
}

TEST_F(ProgrammeTest, SourceLabelsAreBoundedWhateverTheInput) {
  for (size_t i = 0; i < Programme::kMaxSources + 500; ++i) {
    testing::Submit(programme_, MakeEvent("", "P-1", {2024, 1, 1}, ConstructionStarted{}, "source-" + std::to_string(i)));
  }
  std::set<std::string> sources;
  std::uint64_t total = 0;
  for (const auto& c : programme_.EventCounts()) {
    sources.insert(c.source);
    total += c.count;
  }
  EXPECT_EQ(sources.size(), Programme::kMaxSources + 1);
  EXPECT_EQ(sources.count(Programme::kOverflowSource), 1u);
  EXPECT_EQ(total, Programme::kMaxSources + 500) << "overflowing sources are still counted";
}

}  // namespace
}  // namespace pipelined::model
