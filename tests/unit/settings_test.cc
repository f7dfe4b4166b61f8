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
web: {listen_address: ":9999", config_file: /etc/pipelined/web.yml}
log: {level: debug, format: json}
clock: {start: 2025-06-30, rate: 2.5}
)",
                                                     "pipelined.yaml");
  ASSERT_TRUE(result.errors.empty()) << JoinErrors(result.errors);
  EXPECT_EQ(result.values.plan_file, "/etc/pipelined/plan.yaml");
  EXPECT_EQ(result.values.ingest_endpoint, "tcp://127.0.0.1:7010");
  EXPECT_EQ(result.values.ingest_max_message_bytes, 1048576);
  EXPECT_EQ(result.values.web_listen_address, ":9999");
  EXPECT_EQ(result.values.web_config_file, "/etc/pipelined/web.yml");
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
  settings.clock_rate = -1;
  settings.ingest_max_message_bytes = 10;
  settings.reporting_due_day = 29;
  settings.lagging_catch_up_settle_seconds = -1;
  EXPECT_EQ(ValidateSettings(settings).size(), 7u);
}

TEST(SettingsTest, AClockThatStandsStillMayBeSettableOnlyIfVirtual) {
  Settings settings;
  settings.clock_rate = 0;
  settings.clock_settable = true;
  ASSERT_EQ(ValidateSettings(settings).size(), 1u);
  EXPECT_THAT(ValidateSettings(settings)[0], HasSubstr("clock.settable needs a virtual clock"));
  settings.clock_start = "2021-01-01";
  EXPECT_TRUE(ValidateSettings(settings).empty());
}

TEST(SettingsTest, ReportingDueDayAndCatchUpFromTheFile) {
  SettingsLoadResult file = LoadSettingsFromString(
      "reporting: {due_day: 15}\nlagging: {catch_up_settle_seconds: 120}\nclock: {settable: true}\n", "s.yaml");
  ASSERT_TRUE(file.errors.empty()) << JoinErrors(file.errors);
  EXPECT_EQ(*file.values.reporting_due_day, 15);
  EXPECT_EQ(*file.values.lagging_catch_up_settle_seconds, 120);
  EXPECT_TRUE(*file.values.clock_settable);
  Settings settings;
  settings.reporting_due_day = 15;
  EXPECT_EQ(ProgrammeOptionsFrom(settings).calendar.due_day(), 15);
  EXPECT_EQ(ProgrammeOptionsFrom(settings).rules.name, "schedule") << "the default rule set";
}

TEST(SettingsTest, AValueThatLooksLikeAFlagIsRefused) {
  Settings settings;
  settings.storage_path = "--check-config";  // what "--storage.path= --check-config" parses to
  ASSERT_EQ(ValidateSettings(settings).size(), 1u);
  EXPECT_THAT(ValidateSettings(settings)[0], HasSubstr("looks like a flag"));
}

TEST(SettingsTest, SnapshotIntervalIsOffOrOneSecondToADay) {
  SettingsLoadResult file = LoadSettingsFromString("storage: {snapshot_interval_seconds: 60}\n", "s.yaml");
  ASSERT_TRUE(file.errors.empty()) << JoinErrors(file.errors);
  EXPECT_EQ(*file.values.storage_snapshot_interval_seconds, 60);
  Settings settings;
  for (double ok : {0.0, 1.0, 300.0, 86400.0}) {
    settings.storage_snapshot_interval_seconds = ok;
    EXPECT_TRUE(ValidateSettings(settings).empty()) << ok;
  }
  for (double bad : {-1.0, 0.5, 86401.0}) {
    settings.storage_snapshot_interval_seconds = bad;
    ASSERT_EQ(ValidateSettings(settings).size(), 1u) << bad;
    EXPECT_THAT(ValidateSettings(settings)[0], HasSubstr("snapshot interval"));
  }
}

TEST(SettingsTest, ClockStartIsAShanghaiDateOrDateTime) {
  const std::int64_t midnight = model::Date{2025, 6, 30}.StartUnixSecondsShanghai();
  EXPECT_EQ(ParseClockStart("2025-06-30"), midnight);
  EXPECT_EQ(ParseClockStart("2025-06-30T08:30:15"), midnight + 8 * 3600 + 30 * 60 + 15);
  EXPECT_FALSE(ParseClockStart("2025-06-30T25:00:00"));
  EXPECT_FALSE(ParseClockStart("2025-06-30 08:00:00"));
  EXPECT_FALSE(ParseClockStart("2025-02-30"));
}

TEST(SettingsTest, CustomRuleSetStartsFromItsBaseAndCanTurnChecksOff) {
  SettingsLoadResult file = LoadSettingsFromString(R"(lagging:
  rule_set: office
  evaluation_interval_seconds: 30
  rule_sets:
    office:
      base: spi
      spi_lagging_below: 0.85
      source_silent_at_risk_days: off
      start_overdue_lagging_months: 6
)", "s.yaml");
  ASSERT_TRUE(file.errors.empty()) << JoinErrors(file.errors);
  Settings settings;
  settings.lagging_rule_set = *file.values.lagging_rule_set;
  settings.lagging_rule_sets = *file.values.lagging_rule_sets;
  EXPECT_EQ(*file.values.lagging_evaluation_interval_seconds, 30);
  auto rules = ResolveRuleSet(settings);
  ASSERT_TRUE(rules);
  EXPECT_EQ(rules->name, "office");
  EXPECT_EQ(*rules->spi_at_risk_below, 0.95) << "from the base";
  EXPECT_EQ(*rules->spi_lagging_below, 0.85);
  EXPECT_FALSE(rules->source_silent_at_risk_days);
  EXPECT_EQ(*rules->start_overdue_lagging_months, 6);
  EXPECT_TRUE(ValidateSettings(settings).empty());
}

TEST(SettingsTest, RuleSetMistakesAreReportedWithTheirPlace) {
  SettingsLoadResult file = LoadSettingsFromString(R"(lagging:
  rule_sets:
    pro_rata: {}
    office:
      base: gut_feeling
      spi_low: 0.9
      start_overdue_at_risk_months: 1.5
)", "s.yaml");
  const std::string errors = JoinErrors(file.errors);
  EXPECT_THAT(errors, HasSubstr("s.yaml:3:5: lagging.rule_sets.pro_rata: pro_rata is a built-in rule set"));
  EXPECT_THAT(errors,
              HasSubstr("s.yaml:5:13: lagging.rule_sets.office.base: expected one of schedule, pro_rata, spi"));
  EXPECT_THAT(errors, HasSubstr("s.yaml:6:7: lagging.rule_sets.office: unknown key \"spi_low\""));
  EXPECT_THAT(errors, HasSubstr("start_overdue_at_risk_months: expected a whole number"));
  Settings settings;
  settings.lagging_rule_set = "office";
  EXPECT_THAT(ValidateSettings(settings).front(),
              HasSubstr("lagging rule set \"office\" is not one of schedule, pro_rata, spi"));
}

TEST(SettingsTest, ContradictoryThresholdsAreRefusedWithTheirPlace) {
  SettingsLoadResult file = LoadSettingsFromString(R"(lagging:
  rule_sets:
    office:
      base: schedule
      delay_at_risk_months: 6
      clear_margin_pp: off
)", "s.yaml");
  const std::string errors = JoinErrors(file.errors);
  EXPECT_THAT(errors, HasSubstr("s.yaml:6:24: lagging.rule_sets.office.clear_margin_pp: expected a number; this "
                                "key cannot be off"));
  EXPECT_THAT(errors, HasSubstr("s.yaml:3:5: lagging.rule_sets.office: delay_at_risk_months (6) is past "
                                "delay_lagging_months (3)"));
}

TEST(SettingsTest, ReadsConnectionLimitAndStringLimits) {
  SettingsLoadResult result = LoadSettingsFromString(R"(ingest:
  max_connections: 16
  limits: {max_event_id_bytes: 32, max_source_bytes: 16, max_project_code_bytes: 20, max_line_id_bytes: 8}
)",
                                                     "s.yaml");
  ASSERT_TRUE(result.errors.empty()) << JoinErrors(result.errors);
  EXPECT_EQ(result.values.ingest_max_connections, 16);
  EXPECT_EQ(result.values.limits_max_event_id_bytes, 32);
  EXPECT_EQ(result.values.limits_max_source_bytes, 16);
  EXPECT_EQ(result.values.limits_max_project_code_bytes, 20);
  EXPECT_EQ(result.values.limits_max_line_id_bytes, 8);
  EXPECT_THAT(JoinErrors(LoadSettingsFromString("ingest: {limits: {max_amount_fen: 1}}\n", "s.yaml").errors),
              HasSubstr("ingest.limits: unknown key \"max_amount_fen\""));
}

TEST(SettingsTest, StringLimitsFromTheFileReplaceOnlyTheLimitsItSets) {
  SettingsFile file;
  file.limits_max_source_bytes = 16;
  file.limits_max_line_id_bytes = -5;
  model::EventLimits limits;
  const model::EventLimits defaults;
  ApplyEventLimits(file, &limits);
  EXPECT_EQ(limits.max_source_bytes, 16u);
  EXPECT_EQ(limits.max_line_id_bytes, 0u);
  EXPECT_EQ(limits.max_event_id_bytes, defaults.max_event_id_bytes);
  EXPECT_EQ(limits.max_project_code_bytes, defaults.max_project_code_bytes);
}

TEST(SettingsTest, LimitsOutOfRangeAreErrors) {
  Settings settings;
  settings.ingest_max_connections = 0;
  settings.event_limits.max_event_id_bytes = 0;
  settings.event_limits.max_source_bytes = 5000;
  const std::vector<std::string> problems = ValidateSettings(settings);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_THAT(problems[0], HasSubstr("max connections must be between 1 and 65536"));
  EXPECT_THAT(problems[1], HasSubstr("ingest.limits.max_event_id_bytes must be between 1 and 4096"));
  EXPECT_THAT(problems[2], HasSubstr("ingest.limits.max_source_bytes"));
}

TEST(SettingsTest, LimitsTooShortForThePlansCodesAreErrors) {
  model::Plan plan;
  plan.code = "p";
  model::ProjectPlan project;
  project.code = "NB14-IND-0001";
  project.production_lines.push_back({"phase-1", {2024, 1}});
  plan.projects.push_back(project);
  Settings settings;
  EXPECT_TRUE(CheckLimits(settings, plan).empty());
  settings.event_limits.max_project_code_bytes = 8;
  settings.event_limits.max_line_id_bytes = 4;
  const std::vector<std::string> problems = CheckLimits(settings, plan);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("project code NB14-IND-0001 is longer than ingest.limits.max_project_code_bytes"));
  EXPECT_THAT(problems[1], HasSubstr("line id phase-1 of project NB14-IND-0001"));
}

}  // namespace
}  // namespace pipelined::config
