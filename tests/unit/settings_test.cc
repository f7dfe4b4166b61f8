#include "pipelined/config/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipelined/model/calendar.h"

namespace pipelined::config {
namespace {

using ::testing::HasSubstr;

TEST(SettingsTest, ReadsEveryKey) {
  SettingsLoadResult result = LoadSettingsFromString(R"(
plan: {file: /etc/pipelined/plan.yaml}
ingest: {endpoint: "tcp://127.0.0.1:7010", max_message_bytes: 1048576}
web: {listen_address: ":9999"}
log: {level: debug, format: json}
clock: {start: 2025-06-30, rate: 2.5}
)",
                                                     "pipelined.yaml");
  ASSERT_TRUE(result.errors.empty()) << JoinErrors(result.errors);
  EXPECT_EQ(result.values.plan_file, "/etc/pipelined/plan.yaml");
  EXPECT_EQ(result.values.ingest_endpoint, "tcp://127.0.0.1:7010");
  EXPECT_EQ(result.values.ingest_max_message_bytes, 1048576);
  EXPECT_EQ(result.values.web_listen_address, ":9999");
  EXPECT_EQ(result.values.log_level, "debug");
  EXPECT_EQ(result.values.log_format, "json");
  EXPECT_EQ(result.values.clock_start, "2025-06-30");
  EXPECT_EQ(result.values.clock_rate, 2.5);
}

TEST(SettingsTest, UnsetKeysStayUnset) {
  SettingsLoadResult result = LoadSettingsFromString("log: {level: warn}\n", "s.yaml");
  ASSERT_TRUE(result.errors.empty());
  EXPECT_FALSE(result.values.ingest_endpoint);
  EXPECT_EQ(result.values.log_level, "warn");
}

TEST(SettingsTest, RejectsUnknownAndDuplicateKeysAndWrongTypes) {
  EXPECT_THAT(JoinErrors(LoadSettingsFromString("log: {levle: warn}\n", "s.yaml").errors),
              HasSubstr("s.yaml:1:7: log: unknown key \"levle\""));
  EXPECT_THAT(JoinErrors(LoadSettingsFromString("web: {}\nweb: {}\n", "s.yaml").errors),
              HasSubstr("s.yaml:2:1: settings: duplicate key \"web\""));
  EXPECT_THAT(JoinErrors(LoadSettingsFromString("clock: {rate: fast}\n", "s.yaml").errors),
              HasSubstr("clock.rate: expected a number"));
  EXPECT_THAT(JoinErrors(LoadSettingsFromString("ingest: tcp://x\n", "s.yaml").errors),
              HasSubstr("ingest: expected a mapping"));
}

TEST(SettingsTest, ValidatesValuesSharedByFlagsAndFile) {
  Settings settings;
  EXPECT_TRUE(ValidateSettings(settings).empty());
  settings.log_level = "loud";
  settings.log_format = "xml";
  settings.clock_start = "30/06/2025";
  settings.clock_rate = 0;
  settings.ingest_max_message_bytes = 10;
  EXPECT_EQ(ValidateSettings(settings).size(), 5u);
}

TEST(SettingsTest, AValueThatLooksLikeAFlagIsRefused) {
  Settings settings;
  settings.storage_path = "--check-config";  // what "--storage.path= --check-config" parses to
  ASSERT_EQ(ValidateSettings(settings).size(), 1u);
  EXPECT_THAT(ValidateSettings(settings)[0], HasSubstr("looks like a flag"));
}

TEST(SettingsTest, ClockStartIsAShanghaiDateOrDateTime) {
  const std::int64_t midnight = model::Date{2025, 6, 30}.StartUnixSecondsShanghai();
  EXPECT_EQ(ParseClockStart("2025-06-30"), midnight);
  EXPECT_EQ(ParseClockStart("2025-06-30T08:30:15"), midnight + 8 * 3600 + 30 * 60 + 15);
  EXPECT_FALSE(ParseClockStart("2025-06-30T25:00:00"));
  EXPECT_FALSE(ParseClockStart("2025-06-30 08:00:00"));
  EXPECT_FALSE(ParseClockStart("2025-02-30"));
}

}  // namespace
}  // namespace pipelined::config
