// The detection benchmark's scoring against hand-made verdicts.
#include "pipelined/detection/detection_score.h"

#include <gtest/gtest.h>

namespace pipelined::detection {
namespace {

using publisher::DemoBehaviour;
using publisher::DemoTruth;

DemoTruth Truth(const std::string& project, DemoBehaviour behaviour, std::optional<model::Date> falls_behind_on = {},
                std::optional<model::Date> completed_on = {}) {
  DemoTruth truth;
  truth.project = project;
  truth.behaviour = behaviour;
  truth.falls_behind_on = falls_behind_on;
  truth.completed_on = completed_on;
  return truth;
}

std::map<std::string, Verdict> Verdicts(std::map<std::string, std::string> statuses) {
  std::map<std::string, Verdict> verdicts;
  for (auto& [project, status] : statuses) verdicts[project] = {status, ""};
  return verdicts;
}

TEST(DetectionScoreTest, FalseAlarmsDetectionsAndTheirDelay) {
  DetectionScorer scorer({Truth("OK", DemoBehaviour::kOnTrack), Truth("LATE", DemoBehaviour::kLateStart, model::Date{2024, 3, 31}),
                          Truth("SLOW", DemoBehaviour::kSlow, model::Date{2024, 3, 31})},
                         30);
  // 20 March: LATE is flagged before it falls behind: a false alarm.
  DayScore day = scorer.Observe({2024, 3, 20}, Verdicts({{"LATE", "at_risk"}, {"OK", "not_reported"}}));
  EXPECT_EQ(day.false_alarms, 1);
  EXPECT_EQ(day.not_reported, 1) << "not reported is no alarm";
  day = scorer.Observe({2024, 4, 11}, Verdicts({{"LATE", "lagging"}}));
  EXPECT_EQ(day.false_alarms, 0);
  EXPECT_EQ(day.new_detections, 1);
  EXPECT_EQ(day.status_changes, 2) << "LATE at_risk -> lagging, OK not_reported -> on_track";
  day = scorer.Observe({2024, 5, 20}, Verdicts({{"LATE", "lagging"}, {"SLOW", "lagging"}}));
  EXPECT_EQ(day.new_detections, 1);
  const Score score = scorer.Finish();
  EXPECT_EQ(score.false_alarm_project_days, 1);
  EXPECT_FALSE(score.NoFalseAlarms());
  ASSERT_EQ(score.behaviours.size(), 3u);
  const BehaviourScore& late = score.behaviours[0];
  EXPECT_EQ(late.behaviour, "late_start");
  EXPECT_EQ(late.fell_behind, 1);
  EXPECT_EQ(late.delays_days, std::vector<int>{11});
  const BehaviourScore& slow = score.behaviours[2];
  // 50 days: past the 30-day target, a miss.
  EXPECT_EQ(slow.missed, std::vector<std::string>{"SLOW"});
  EXPECT_FALSE(score.AllDetectedInTime());
  EXPECT_EQ(score.escalations, 1);
}

TEST(DetectionScoreTest, AProjectThatFellBehindTooCloseToTheEndIsPending) {
  DetectionScorer scorer({Truth("STALL", DemoBehaviour::kStalled, model::Date{2024, 5, 31})}, 62);
  scorer.Observe({2024, 5, 1}, {});
  scorer.Observe({2024, 6, 20}, {});
  const Score score = scorer.Finish();
  EXPECT_EQ(score.behaviours[1].pending, 1);
  EXPECT_TRUE(score.behaviours[1].missed.empty());
  EXPECT_TRUE(score.TargetsMet());
}

TEST(DetectionScoreTest, AlertChangesBeyondTheRealChangesAreFlapping) {
  DetectionScorer scorer({Truth("OK", DemoBehaviour::kOnTrack),
                          Truth("DONE", DemoBehaviour::kLateStart, model::Date{2024, 1, 31}, model::Date{2024, 6, 20})},
                         62);
  scorer.Observe({2024, 1, 1}, Verdicts({{"OK", "on_track"}, {"DONE", "on_track"}}));
  scorer.Observe({2024, 2, 11}, Verdicts({{"OK", "at_risk"}, {"DONE", "lagging"}}));
  scorer.Observe({2024, 3, 11}, Verdicts({{"OK", "on_track"}, {"DONE", "lagging"}}));
  scorer.Observe({2024, 7, 11}, Verdicts({{"OK", "not_reported"}, {"DONE", "on_track"}}));
  const Score score = scorer.Finish();
  // DONE: fell behind and completed, two real changes, two alert changes.
  // OK: no real change, two alert changes; not_reported is no alert level.
  EXPECT_EQ(score.real_changes, 2);
  EXPECT_EQ(score.alert_changes, 4);
  EXPECT_EQ(score.status_changes, 5);
  EXPECT_EQ(score.flapping, std::vector<std::string>{"OK"});
  EXPECT_FALSE(score.NoFlapping());
}

}  // namespace
}  // namespace pipelined::detection
