// Sharding in the model (PlanForShard, wrong_shard), its settings, and the
// publishers' routing rule, which must agree with the daemon's.
#include "pipelined/model/shard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/programme.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/shard_router.h"
#include "test_plan.h"

namespace pipelined {
namespace {

using ::testing::HasSubstr;
using model::Fen;
using model::GroupFigures;
using model::ShardSpec;

const std::int64_t kNow = model::Date{2024, 6, 30}.StartUnixSecondsShanghai() + 12 * 3600;

model::Plan ShardTestPlan() {
  config::PlanLoadResult loaded =
      config::LoadPlanFile(std::string(PIPELINED_SOURCE_DIR) + "/tests/data/shard-test-plan.yaml");
  EXPECT_TRUE(loaded.plan.has_value()) << config::JoinErrors(loaded.errors);
  return loaded.plan.value_or(model::Plan{});
}

std::set<std::string> Codes(const std::vector<model::ProjectPlan>& projects) {
  std::set<std::string> codes;
  for (const auto& project : projects) codes.insert(project.code);
  return codes;
}

TEST(ShardTest, HashIsFnv1a64OfTheUtf8BytesAsDocumented) {
  EXPECT_EQ(model::Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(model::Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(model::Fnv1a64("NB14-IND-0001"), 0xfe8481bc55913548ULL);
  // Bytes above 0x7f count as unsigned, whatever the signedness of char.
  EXPECT_EQ(model::Fnv1a64("\xe5\xae\x81\xe6\xb3\xa2"), 0x145664e6ca83e5f0ULL);  // 宁波
  EXPECT_EQ(model::ShardOf("NB14-IND-0001", 2), 0);
  EXPECT_EQ(model::ShardOf("NB14-IND-0001", 3), 2);
  EXPECT_EQ(model::ShardOf("NB14-IND-0001", 1), 0);
}

TEST(ShardTest, EveryProjectIsServedByExactlyOneShard) {
  const model::Plan whole = ShardTestPlan();
  for (int count = 1; count <= 4; ++count) {
    std::multiset<std::string> served;
    for (int index = 0; index < count; ++index) {
      const model::Plan part = model::PlanForShard(whole, {index, count});
      EXPECT_EQ(part.shard.index, index);
      EXPECT_EQ(part.shard.count, count);
      std::set<std::string> elsewhere(part.projects_elsewhere.begin(), part.projects_elsewhere.end());
      for (const auto& project : part.projects) {
        served.insert(project.code);
        EXPECT_EQ(model::ShardOf(project.code, count), index);
        EXPECT_EQ(part.FindProject(project.code), &project) << "the part is indexed";
        EXPECT_EQ(elsewhere.count(project.code), 0u);
      }
      EXPECT_EQ(part.projects.size() + elsewhere.size(), whole.projects.size());
      // Groups stay defined in every shard.
      EXPECT_EQ(part.areas.size(), whole.areas.size());
      EXPECT_EQ(part.clusters.size(), whole.clusters.size());
      EXPECT_EQ(part.districts.size(), whole.districts.size());
    }
    EXPECT_EQ(std::set<std::string>(served.begin(), served.end()), Codes(whole.projects)) << count << " shards";
    EXPECT_EQ(served.size(), whole.projects.size()) << count << " shards";
  }
}

TEST(ShardTest, GroupDataGoesToTheShardOfTheGroupsCode) {
  const model::Plan whole = ShardTestPlan();
  const model::Plan shard0 = model::PlanForShard(whole, {0, 2});
  const model::Plan shard1 = model::PlanForShard(whole, {1, 2});
  // chemicals hashes to shard 0, materials to shard 1.
  EXPECT_EQ(shard0.cluster_output_targets.count("chemicals"), 1u);
  EXPECT_EQ(shard0.cluster_output_targets.count("materials"), 0u);
  EXPECT_EQ(shard1.cluster_output_targets.count("materials"), 1u);
  EXPECT_EQ(shard1.cluster_output_targets.count("chemicals"), 0u);
  // Baselines: the owner keeps the figures, the others count 0 for those months.
  const auto transport = std::make_pair(model::GroupType::kArea, std::string("transport"));
  EXPECT_EQ(shard0.investment_baselines.at(transport), whole.investment_baselines.at(transport));
  for (const auto& [month, fen] : shard1.investment_baselines.at(transport)) {
    EXPECT_EQ(fen, 0) << month.ToString();
    EXPECT_EQ(whole.investment_baselines.at(transport).count(month), 1u);
  }
  EXPECT_EQ(shard1.investment_baselines.at(transport).size(), whole.investment_baselines.at(transport).size());
  // Whole-plan totals are checked by the loader; they do not describe a part.
  EXPECT_TRUE(whole.declared_projects.has_value());
  EXPECT_FALSE(shard0.declared_projects.has_value());
  EXPECT_FALSE(shard1.declared_investment_fen.has_value());
}

TEST(ShardTest, UnshardedPlanIsKeptWhole) {
  const model::Plan whole = ShardTestPlan();
  const model::Plan part = model::PlanForShard(whole, {});
  EXPECT_FALSE(part.shard.Sharded());
  EXPECT_EQ(Codes(part.projects), Codes(whole.projects));
  EXPECT_TRUE(part.projects_elsewhere.empty());
  EXPECT_EQ(part.cluster_output_targets, whole.cluster_output_targets);
  EXPECT_EQ(part.investment_baselines, whole.investment_baselines);
  EXPECT_EQ(part.declared_projects, whole.declared_projects);
}

publisher::EventHeader Header(const std::string& id, const std::string& project, model::Date on) {
  return publisher::EventHeader{id, "shard-test", 0, project, on};
}

// A mix of every event type the figures use, for projects on both shards and
// for the enterprises of clusters owned by either.
std::vector<v1::Event> MixedEvents() {
  using model::Date;
  using model::YearMonth;
  return {
      publisher::ConstructionStartedEvent(Header("st-1", "S-1", Date{2023, 4, 10})),
      publisher::ConstructionStartedEvent(Header("st-2", "S-2", Date{2022, 9, 15})),
      publisher::ConstructionStartedEvent(Header("st-5", "S-5", Date{2021, 3, 1})),
      publisher::LineLaunchedEvent(Header("ln-1", "S-1", Date{2024, 3, 20}), "line-1"),
      publisher::LineLaunchedEvent(Header("ln-2", "S-2", Date{2024, 2, 10}), "line-1"),
      publisher::InvestmentEvent(Header("in-1", "S-1", Date{2024, 5, 31}), 3'000'000'00, YearMonth{2024, 5}),
      publisher::InvestmentEvent(Header("in-2", "S-2", Date{2023, 1, 31}), 1'000'000'00, YearMonth{2023, 1}),
      publisher::InvestmentEvent(Header("in-3", "S-2", Date{2024, 4, 30}), 2'500'000'00, YearMonth{2024, 4}),
      publisher::InvestmentEvent(Header("in-4", "S-5", Date{2023, 4, 30}), 400'000'00, YearMonth{2023, 4}),
      publisher::InvestmentEvent(Header("in-5", "S-8", Date{2024, 2, 29}), 700'000'00, YearMonth{2024, 2}),
      publisher::CompletedEvent(Header("cp-5", "S-5", Date{2024, 6, 20})),
      publisher::OutputEvent(Header("out-1", "S-1", Date{2024, 3, 31}), 50'000'000'00, YearMonth{2024, 3}, "", ""),
      publisher::OutputEvent(Header("out-2", "S-2", Date{2024, 4, 30}), 80'000'000'00, YearMonth{2024, 4}, "", ""),
      publisher::OutputEvent(Header("ent-1", "", Date{2024, 4, 30}), 100'000'000'00, YearMonth{2024, 4}, "chemicals",
                             "Zhenhai Refining"),
      publisher::OutputEvent(Header("ent-2", "", Date{2024, 3, 31}), 200'000'000'00, YearMonth{2024, 3}, "materials",
                             "Ningbo Steel"),
  };
}

void ExpectSumsEqual(const GroupFigures& whole, const std::vector<const GroupFigures*>& parts) {
  const std::string group = std::string(model::GroupTypeName(whole.type)) + " " + whole.code;
  auto sum = [&parts](auto member) {
    std::remove_cv_t<std::remove_reference_t<decltype(parts[0]->*member)>> total{};
    for (const GroupFigures* part : parts) total += part->*member;
    return total;
  };
  for (auto member : {&GroupFigures::projects, &GroupFigures::projects_started, &GroupFigures::projects_completed,
                      &GroupFigures::lines_launched, &GroupFigures::lines_planned,
                      &GroupFigures::projects_due_to_start, &GroupFigures::projects_due_started,
                      &GroupFigures::lines_due, &GroupFigures::lines_due_launched}) {
    EXPECT_EQ(sum(member), whole.*member) << group;
  }
  for (auto member : {&GroupFigures::investment_completed_fen, &GroupFigures::investment_planned_fen,
                      &GroupFigures::investment_planned_period_fen, &GroupFigures::investment_completed_year_fen,
                      &GroupFigures::investment_planned_year_fen, &GroupFigures::investment_reporting_year_to_date_fen,
                      &GroupFigures::investment_planned_reporting_year_fen, &GroupFigures::investment_reporting_month_fen,
                      &GroupFigures::investment_reporting_month_previous_year_fen,
                      &GroupFigures::investment_year_to_date_previous_year_fen, &GroupFigures::planned_value_fen,
                      &GroupFigures::earned_value_fen, &GroupFigures::output_year_to_date_fen}) {
    EXPECT_EQ(sum(member), whole.*member) << group;
  }
  for (size_t s = 0; s < whole.projects_by_status.size(); ++s) {
    int total = 0;
    for (const GroupFigures* part : parts) total += part->projects_by_status[s];
    EXPECT_EQ(total, whole.projects_by_status[s]) << group << " status " << s;
  }
  for (size_t m = 0; m < 12; ++m) {
    Fen total = 0;
    for (const GroupFigures* part : parts) total += part->previous_year_months_fen[m];
    EXPECT_EQ(total, whole.previous_year_months_fen[m]) << group << " month " << m + 1;
  }
  std::optional<Fen> target;
  for (const GroupFigures* part : parts) {
    if (part->output_target_fen) target = target.value_or(0) + *part->output_target_fen;
  }
  EXPECT_EQ(target, whole.output_target_fen) << group;
}

// The property sharding rests on: routed by the publishers' rule, the same
// events give shards whose group figures add up to one daemon's, for every
// group, including baselines and output targets; and each shard rejects what
// another owns with wrong_shard.
TEST(ShardTest, ShardsGroupFiguresAddUpToOneDaemonsFedTheSameEvents) {
  const model::Plan whole_plan = ShardTestPlan();
  model::ManualClock clock(kNow);
  model::Programme whole(whole_plan, clock);
  std::vector<std::unique_ptr<model::Programme>> shards;
  for (int index = 0; index < 2; ++index) {
    shards.push_back(std::make_unique<model::Programme>(model::PlanForShard(whole_plan, {index, 2}), clock));
  }
  std::set<int> used;
  for (const v1::Event& proto : MixedEvents()) {
    const model::Event event = ingest::FromProto(proto);
    ASSERT_EQ(testing::Submit(whole, event).status, model::EventStatus::kAccepted) << proto.event_id();
    const int owner = publisher::ShardForEvent(proto, 2);
    used.insert(owner);
    ASSERT_EQ(testing::Submit(*shards[static_cast<size_t>(owner)], event).status, model::EventStatus::kAccepted)
        << proto.event_id();
    const model::Outcome other = testing::Submit(*shards[static_cast<size_t>(1 - owner)], event);
    EXPECT_EQ(other.reason, model::reason::kWrongShard) << proto.event_id();
    EXPECT_THAT(other.message, HasSubstr("shard " + std::to_string(owner) + " of 2")) << proto.event_id();
  }
  EXPECT_EQ(used.size(), 2u) << "the events should reach both shards";

  const model::Report one = whole.BuildReport();
  const model::Report part0 = shards[0]->BuildReport();
  const model::Report part1 = shards[1]->BuildReport();
  ASSERT_EQ(part0.groups.size(), one.groups.size());
  ASSERT_EQ(part1.groups.size(), one.groups.size());
  for (size_t g = 0; g < one.groups.size(); ++g) {
    ASSERT_EQ(part0.groups[g].code, one.groups[g].code);
    ASSERT_EQ(part1.groups[g].code, one.groups[g].code);
    ExpectSumsEqual(one.groups[g], {&part0.groups[g], &part1.groups[g]});
  }
  // The baselines made a difference: transport's previous-year figure is the
  // baseline, not the events' 4,000,000 yuan for 2023-04.
  EXPECT_EQ(testing::Group(one, model::GroupType::kArea, "transport").investment_year_to_date_previous_year_fen,
            35'000'000'00);
}

TEST(ShardTest, UnknownProjectStaysUnknownOnAShard) {
  model::ManualClock clock(kNow);
  model::Programme shard(model::PlanForShard(ShardTestPlan(), {0, 2}), clock);
  const model::Outcome outcome = testing::Submit(
      shard, ingest::FromProto(publisher::ConstructionStartedEvent(Header("x", "S-99", model::Date{2024, 1, 1}))));
  EXPECT_EQ(outcome.reason, model::reason::kUnknownProject);
}

// A store that holds another shard's events (say, an unsharded daemon's
// store given to a shard) must not count them twice: on replay they are
// orphaned, like events of projects no longer in the plan.
TEST(ShardTest, ReplayedEventsOfAnotherShardChangeNoFigure) {
  model::ManualClock clock(kNow);
  model::Programme shard(model::PlanForShard(ShardTestPlan(), {1, 2}), clock);
  const model::Date on{2024, 4, 30};
  EXPECT_FALSE(shard.Apply(ingest::FromProto(publisher::OutputEvent(Header("e0", "", on), 500, {2024, 4}, "chemicals",
                                                                    "Works")),
                           nullptr));
  EXPECT_FALSE(shard.Apply(ingest::FromProto(publisher::InvestmentEvent(Header("i0", "S-1", on), 700, {2024, 4})),
                           nullptr));
  const model::GroupFigures before =
      testing::Group(shard.BuildReport(), model::GroupType::kPlan, "shard-plan");
  EXPECT_EQ(before.output_year_to_date_fen, 0);
  EXPECT_EQ(before.investment_completed_fen, 0);
  EXPECT_TRUE(shard.Apply(ingest::FromProto(publisher::OutputEvent(Header("e1", "", on), 500, {2024, 4}, "materials",
                                                                   "Works")),
                          nullptr));
  EXPECT_EQ(testing::Group(shard.BuildReport(), model::GroupType::kPlan, "shard-plan").output_year_to_date_fen, 500);
}

TEST(ShardTest, RouterSendsAnEventToItsProjectsOrItsClustersShard) {
  const model::Date on{2024, 5, 1};
  const v1::Event project = publisher::ConstructionStartedEvent(Header("a", "NB14-IND-0001", on));
  EXPECT_EQ(publisher::ShardForEvent(project, 3), model::ShardOf("NB14-IND-0001", 3));
  const v1::Event retraction = publisher::RetractionEvent(Header("b", "NB14-IND-0001", on), "a", "");
  EXPECT_EQ(publisher::ShardForEvent(retraction, 3), model::ShardOf("NB14-IND-0001", 3));
  const v1::Event enterprise = publisher::OutputEvent(Header("c", "", on), 1, {2024, 4}, "materials", "Works");
  EXPECT_EQ(publisher::ShardForEvent(enterprise, 3), model::ShardOf("materials", 3));
  const v1::Event nothing = publisher::ConstructionStartedEvent(Header("d", "", on));
  EXPECT_EQ(publisher::ShardForEvent(nothing, 3), 0);
}

TEST(ShardTest, ShardSettingsAreReadFromTheFileAndChecked) {
  config::SettingsLoadResult file = config::LoadSettingsFromString("shard: {index: 1, count: 2}\n", "s.yaml");
  ASSERT_TRUE(file.errors.empty()) << config::JoinErrors(file.errors);
  EXPECT_EQ(file.values.shard_index, 1);
  EXPECT_EQ(file.values.shard_count, 2);
  EXPECT_FALSE(config::LoadSettingsFromString("shard: {index: 1, shards: 2}\n", "s.yaml").errors.empty());

  config::Settings settings;
  EXPECT_TRUE(config::ValidateSettings(settings).empty()) << "0 of 1 is the unsharded default";
  EXPECT_FALSE(settings.Shard().Sharded());
  settings.shard_count = 2;
  settings.shard_index = 1;
  EXPECT_TRUE(config::ValidateSettings(settings).empty());
  EXPECT_EQ(settings.Shard().index, 1);
  for (auto [index, count] : {std::pair{2, 2}, std::pair{-1, 2}, std::pair{0, 0}, std::pair{0, 1025}}) {
    settings.shard_index = index;
    settings.shard_count = count;
    const std::vector<std::string> problems = config::ValidateSettings(settings);
    ASSERT_EQ(problems.size(), 1u) << index << " of " << count;
    EXPECT_THAT(problems[0], HasSubstr("shard")) << index << " of " << count;
  }
}

}  // namespace
}  // namespace pipelined
