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
};
model::Plan* DemoHistoryTest::plan_ = nullptr;

TEST_F(DemoHistoryTest, IsDeterministicForASeed) {
  auto a = BuildDemoHistory(*plan_, until_, 1);
  auto b = BuildDemoHistory(*plan_, until_, 1);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); i += 97) {
    EXPECT_EQ(a[i].event.SerializeAsString(), b[i].event.SerializeAsString());
  }
  EXPECT_NE(BuildDemoHistory(*plan_, until_, 2).size(), a.size());
}

TEST_F(DemoHistoryTest, IsOrderedUniqueAndNeverAfterUntil) {
  auto history = BuildDemoHistory(*plan_, until_, 1);
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
  for (const auto& project : plan_->projects) ++counts[BehaviourFor(project.code, 1)];
  EXPECT_GT(counts[DemoBehaviour::kOnTrack], static_cast<int>(plan_->projects.size()) / 2) << "most are on track";
  EXPECT_GT(counts[DemoBehaviour::kLateStart], 20);
  EXPECT_GT(counts[DemoBehaviour::kStalled], 20);
  EXPECT_GT(counts[DemoBehaviour::kSlow], 20);
}

TEST_F(DemoHistoryTest, EveryEventPassesTheDaemonsValidation) {
  model::ManualClock clock(until_.StartUnixSecondsShanghai());
  model::Programme programme(*plan_, clock);
  std::map<std::string, int> rejected;
  for (const auto& scheduled : BuildDemoHistory(*plan_, until_, 1)) {
    v1::Event event = scheduled.event;
    event.set_source("demo");
    clock.Set(scheduled.publish_on.StartUnixSecondsShanghai() + 86399);
    model::Outcome outcome = testing::Submit(programme, ingest::FromProto(event));
    if (outcome.status != model::EventStatus::kAccepted) ++rejected[outcome.reason + ": " + outcome.message];
  }
  EXPECT_TRUE(rejected.empty()) << rejected.begin()->first;
}

}  // namespace
}  // namespace pipelined::publisher
