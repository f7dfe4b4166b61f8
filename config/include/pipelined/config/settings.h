// The daemon's own settings (not the plan): endpoints, logging, clock. They
// come from defaults, then an optional YAML file, then command-line flags.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/config/load_error.h"
#include "pipelined/model/lagging.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/reporting_calendar.h"
#include "pipelined/model/scope.h"
#include "pipelined/model/validation.h"

namespace pipelined::config {

// A publisher admitted by CURVE authentication.
struct PublisherKey {
  std::string name;        // shown in logs; the authenticated identity
  std::string public_key;  // Z85, 40 characters
  model::PublisherScope scope;  // empty lists: no restriction
};

// The most shards a programme may be split into (shard.count).
inline constexpr std::int64_t kMaxShards = 1024;

struct Settings {
  std::string plan_file;  // empty: the embedded default plan
  std::string ingest_endpoint = "tcp://0.0.0.0:7010";
  std::int64_t ingest_max_message_bytes = 1 << 20;
  std::int64_t ingest_max_events_per_batch = 2000;
  std::int64_t ingest_max_connections = 64;
  // String lengths per event (ingest.limits); the rest of EventLimits keeps
  // its defaults.
  model::EventLimits event_limits;
  // CURVE: the daemon's certificate (with its secret key) and the publishers
  // allowed in. Both empty: plain mode, anyone who can connect may publish.
  std::string curve_secret_key_file;
  std::vector<PublisherKey> curve_publishers;
  std::string web_listen_address = ":9810";
  std::string web_config_file;  // empty: the web side without authentication
  bool web_enable_lifecycle = false;  // POST /-/reload
  // The URL people reach the status pages at (behind a proxy, say), for the
  // links in alerts; empty: none given.
  std::string web_external_url;
  std::string log_level = "info";
  std::string log_format = "text";
  // Virtual clock start, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" in
  // Asia/Shanghai; empty: the system clock.
  std::string clock_start;
  double clock_rate = 1.0;  // 0: the virtual clock stands still
  // PUT /-/clock may move the virtual clock (simulations, the detection
  // benchmark; docs/configuration.md).
  bool clock_settable = false;
  std::string storage_path = "data";
  std::string storage_durability = "full";  // full or normal
  // Seconds between snapshots of the state (docs/durability.md); 0: none are
  // written or read, and every start replays the whole store.
  double storage_snapshot_interval_seconds = 300;
  // The office's reporting calendar: a month's report is due by this day of
  // the next month (docs/lagging.md).
  std::int64_t reporting_due_day = model::kDefaultReportDueDay;
  // Lagging rules: the rule set in use (built in: schedule, pro_rata, spi; or
  // one of lagging_rule_sets) and how often statuses are re-evaluated.
  std::string lagging_rule_set = "schedule";
  std::map<std::string, model::RuleSet> lagging_rule_sets;
  double lagging_evaluation_interval_seconds = 60;
  // History arriving in bulk holds the statuses until this many seconds (of
  // the daemon's clock) pass without any.
  double lagging_catch_up_settle_seconds = 30;
  // Sharding (docs/scaling.md): this daemon is shard `shard_index` of
  // `shard_count` and serves only the projects that hash to it; 0 of 1 is
  // unsharded.
  std::int64_t shard_index = 0;
  std::int64_t shard_count = 1;

  // REQUIRES: ValidateSettings() found no problem with the shard values.
  model::ShardSpec Shard() const {
    return {static_cast<int>(shard_index), static_cast<int>(shard_count)};
  }
};

// The values a settings file sets; unset ones keep the caller's defaults.
struct SettingsFile {
  std::optional<std::string> plan_file;
  std::optional<std::string> ingest_endpoint;
  std::optional<std::int64_t> ingest_max_message_bytes;
  std::optional<std::int64_t> ingest_max_events_per_batch;
  std::optional<std::int64_t> ingest_max_connections;
  std::optional<std::int64_t> limits_max_event_id_bytes;
  std::optional<std::int64_t> limits_max_source_bytes;
  std::optional<std::int64_t> limits_max_project_code_bytes;
  std::optional<std::int64_t> limits_max_line_id_bytes;
  std::optional<std::string> curve_secret_key_file;
  std::optional<std::vector<PublisherKey>> curve_publishers;
  std::optional<std::string> web_listen_address;
  std::optional<std::string> web_config_file;
  std::optional<bool> web_enable_lifecycle;
  std::optional<std::string> web_external_url;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> clock_start;
  std::optional<double> clock_rate;
  std::optional<bool> clock_settable;
  std::optional<std::int64_t> reporting_due_day;
  std::optional<std::string> storage_path;
  std::optional<std::string> storage_durability;
  std::optional<double> storage_snapshot_interval_seconds;
  std::optional<std::string> lagging_rule_set;
  std::optional<std::map<std::string, model::RuleSet>> lagging_rule_sets;
  std::optional<double> lagging_evaluation_interval_seconds;
  std::optional<double> lagging_catch_up_settle_seconds;
  std::optional<std::int64_t> shard_index;
  std::optional<std::int64_t> shard_count;
};

struct SettingsLoadResult {
  SettingsFile values;
  std::vector<LoadError> errors;
};

SettingsLoadResult LoadSettingsFile(const std::string& path);

// Sets the string limits the file gives (ingest.limits) in `limits`; a
// negative value counts as 0.
void ApplyEventLimits(const SettingsFile& file, model::EventLimits* limits);
SettingsLoadResult LoadSettingsFromString(const std::string& yaml_text, const std::string& file_name);

// Checks values that flags and files share (log level names, clock format);
// returns one message per problem.
std::vector<std::string> ValidateSettings(const Settings& settings);

// Checks that the publishers' scopes name districts, areas, projects and event
// types that exist; returns one message per problem.
std::vector<std::string> CheckScopes(const Settings& settings, const model::Plan& plan);

// Checks that ingest.limits leave room for the plan's project codes and
// production line ids; returns one message per problem.
std::vector<std::string> CheckLimits(const Settings& settings, const model::Plan& plan);

// The rule set that settings.lagging_rule_set names; nullopt when it names
// neither a built-in nor a configured one.
std::optional<model::RuleSet> ResolveRuleSet(const Settings& settings);

// How a programme judges, from the settings: the rule set, the reporting
// calendar, the limits and catching up. REQUIRES: ValidateSettings() found
// no problem.
model::ProgrammeOptions ProgrammeOptionsFrom(const Settings& settings);

// Parses a clock start as documented for Settings::clock_start.
std::optional<std::int64_t> ParseClockStart(const std::string& text);

}  // namespace pipelined::config
