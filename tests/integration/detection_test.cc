// The detection benchmark's short run (docs/lagging.md, "The detection
// benchmark"): the real daemon on the embedded plan and a settable clock,
// the demo history of 2021-2022 replayed into it day by day by the real
// pipelined-detection, which reads its verdicts on the reporting days and
// scores them against the history's ground truth. The targets must hold: no
// false alarm on any day, every late, stalled and slow project flagged within
// 62 days of falling behind, no project whose alert level changes more often
// than its behaviour.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon_process.h"

namespace pipelined::testing {
namespace {

TEST(DetectionTest, TwoYearsOfTheDemoMeetTheTargets) {
  DaemonProcess daemon({"--clock.start=2021-01-01", "--clock.rate=0", "--clock.settable",
                        "--storage.durability=normal", "--storage.snapshot-interval=0", "--log.level=warn"});
  ASSERT_TRUE(daemon.Started());
  TempDir dir;
  const std::string json_path = dir.path() + "/score.json";
  ProcessResult run = RunProcess({PIPELINED_DETECTION_BINARY, "--endpoint", daemon.IngestEndpoint(), "--web",
                                  "http://127.0.0.1:" + std::to_string(daemon.WebPort()), "--until", "2022-12-31",
                                  "--days", "reporting", "--quiet", "--check", "--json", json_path},
                                 std::chrono::seconds(240));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("targets met")) << run.output;

  std::stringstream text;
  text << std::ifstream(json_path).rdbuf();
  const nlohmann::json score = nlohmann::json::parse(text.str(), nullptr, false);
  ASSERT_TRUE(score.is_object()) << text.str();
  EXPECT_EQ(score["evaluated_days"], 24 * 5);
  EXPECT_EQ(score["false_alarm_project_days"], 0);
  int judged = 0;
  for (const nlohmann::json& behaviour : score["detections"]) {
    EXPECT_TRUE(behaviour["missed"].empty()) << behaviour.dump();
    EXPECT_LE(behaviour["max_delay_days"].get<int>(), 62) << behaviour.dump();
    judged += behaviour["fell_behind"].get<int>();
  }
  EXPECT_GE(judged, 60) << "enough projects fall behind in two years for the targets to mean something";
  EXPECT_TRUE(score["flapping_projects"].empty()) << score["flapping_projects"].dump();
  EXPECT_TRUE(score["targets_met"].get<bool>());
}

}  // namespace
}  // namespace pipelined::testing
