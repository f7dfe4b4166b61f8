#include "pipelined/config/settings.h"

#include <algorithm>

#include <yaml-cpp/yaml.h>

#include <set>

#include "pipelined/config/curve_certificate.h"
#include "pipelined/model/calendar.h"
#include "rule_sets.h"
#include "yaml_reader.h"

namespace pipelined::config {

SettingsLoadResult LoadSettingsFromString(const std::string& yaml_text, const std::string& file_name) {
  SettingsLoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    result.errors.push_back({file_name, e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg});
    return result;
  }
  if (root.IsNull()) return result;  // an empty file sets nothing
  YamlReader reader(file_name, result.errors);
  SettingsFile& v = result.values;
  if (!reader.CheckMapping(root, "settings", {"plan", "ingest", "web", "log", "clock", "storage", "reporting", "lagging", "shard"}, {})) {
    return result;
  }
  if (const YAML::Node plan = root["plan"]; reader.CheckMapping(plan, "plan", {"file"}, {})) {
    if (plan["file"]) v.plan_file = reader.String(plan["file"], "plan.file");
  }
  if (const YAML::Node ingest = root["ingest"];
      reader.CheckMapping(
          ingest, "ingest",
          {"endpoint", "max_message_bytes", "max_events_per_batch", "max_connections", "limits", "curve"}, {})) {
    if (ingest["endpoint"]) v.ingest_endpoint = reader.String(ingest["endpoint"], "ingest.endpoint");
    if (ingest["max_message_bytes"]) {
      v.ingest_max_message_bytes = reader.Integer(ingest["max_message_bytes"], "ingest.max_message_bytes");
    }
    if (ingest["max_events_per_batch"]) {
      v.ingest_max_events_per_batch = reader.Integer(ingest["max_events_per_batch"], "ingest.max_events_per_batch");
    }
    if (ingest["max_connections"]) {
      v.ingest_max_connections = reader.Integer(ingest["max_connections"], "ingest.max_connections");
    }
    const YAML::Node limits = ingest["limits"];
    if (limits && reader.CheckMapping(limits, "ingest.limits",
                                      {"max_event_id_bytes", "max_source_bytes", "max_project_code_bytes",
                                       "max_line_id_bytes"},
                                      {})) {
      for (auto [key, target] : {std::pair{"max_event_id_bytes", &v.limits_max_event_id_bytes},
                                 std::pair{"max_source_bytes", &v.limits_max_source_bytes},
                                 std::pair{"max_project_code_bytes", &v.limits_max_project_code_bytes},
                                 std::pair{"max_line_id_bytes", &v.limits_max_line_id_bytes}}) {
        if (limits[key]) *target = reader.Integer(limits[key], std::string("ingest.limits.") + key);
      }
    }
    const YAML::Node curve = ingest["curve"];
    if (curve && reader.CheckMapping(curve, "ingest.curve", {"secret_key_file", "publishers"}, {})) {
      if (curve["secret_key_file"]) {
        v.curve_secret_key_file = reader.String(curve["secret_key_file"], "ingest.curve.secret_key_file");
      }
      const YAML::Node publishers = curve["publishers"];
      if (publishers && reader.CheckSequence(publishers, "ingest.curve.publishers")) {
        v.curve_publishers.emplace();
        for (const YAML::Node& item : publishers) {
          const std::string what = "ingest.curve.publishers #" + std::to_string(v.curve_publishers->size() + 1);
          if (!reader.CheckMapping(item, what, {"name", "public_key", "scope"}, {"name", "public_key"})) continue;
          auto name = reader.Code(item["name"], what + ".name");
          auto key = reader.String(item["public_key"], what + ".public_key");
          if (key && !IsCurveKey(*key)) {
            reader.Error(item["public_key"], what + ".public_key: not a Z85 CURVE public key (40 characters)");
            continue;
          }
          model::PublisherScope scope;
          const YAML::Node scope_node = item["scope"];
          if (scope_node &&
              reader.CheckMapping(scope_node, what + ".scope", {"districts", "areas", "projects", "event_types"}, {})) {
            for (auto [key_name, target] : {std::pair{"districts", &scope.districts}, std::pair{"areas", &scope.areas},
                                            std::pair{"projects", &scope.projects},
                                            std::pair{"event_types", &scope.event_types}}) {
              const YAML::Node list = scope_node[key_name];
              if (!list || !reader.CheckSequence(list, what + ".scope." + key_name)) continue;
              for (const YAML::Node& value : list) {
                if (auto code = reader.Code(value, what + ".scope." + key_name)) target->insert(*code);
              }
            }
          }
          if (name && key) v.curve_publishers->push_back({*name, *key, std::move(scope)});
        }
      }
    }
  }
  if (const YAML::Node web = root["web"]; reader.CheckMapping(web, "web", {"listen_address", "config_file", "enable_lifecycle", "external_url"}, {})) {
    if (web["external_url"]) v.web_external_url = reader.String(web["external_url"], "web.external_url");
    if (web["enable_lifecycle"]) v.web_enable_lifecycle = reader.Bool(web["enable_lifecycle"], "web.enable_lifecycle");
    if (web["config_file"]) v.web_config_file = reader.String(web["config_file"], "web.config_file");
    if (web["listen_address"]) v.web_listen_address = reader.String(web["listen_address"], "web.listen_address");
  }
  if (const YAML::Node log = root["log"]; reader.CheckMapping(log, "log", {"level", "format"}, {})) {
    if (log["level"]) v.log_level = reader.String(log["level"], "log.level");
    if (log["format"]) v.log_format = reader.String(log["format"], "log.format");
  }
  if (const YAML::Node clock = root["clock"]; reader.CheckMapping(clock, "clock", {"start", "rate", "settable"}, {})) {
    if (clock["start"]) v.clock_start = reader.String(clock["start"], "clock.start");
    if (clock["rate"]) v.clock_rate = reader.Number(clock["rate"], "clock.rate");
    if (clock["settable"]) v.clock_settable = reader.Bool(clock["settable"], "clock.settable");
  }
  if (const YAML::Node reporting = root["reporting"]; reader.CheckMapping(reporting, "reporting", {"due_day"}, {})) {
    if (reporting["due_day"]) v.reporting_due_day = reader.Integer(reporting["due_day"], "reporting.due_day");
  }
  if (const YAML::Node storage = root["storage"]; reader.CheckMapping(storage, "storage", {"path", "durability", "snapshot_interval_seconds"}, {})) {
    if (storage["path"]) v.storage_path = reader.String(storage["path"], "storage.path");
    if (storage["durability"]) v.storage_durability = reader.String(storage["durability"], "storage.durability");
    if (storage["snapshot_interval_seconds"]) {
      v.storage_snapshot_interval_seconds =
          reader.Number(storage["snapshot_interval_seconds"], "storage.snapshot_interval_seconds");
    }
  }
  if (const YAML::Node lagging = root["lagging"];
      reader.CheckMapping(lagging, "lagging",
                          {"rule_set", "evaluation_interval_seconds", "rule_sets", "catch_up_settle_seconds"}, {})) {
    if (lagging["rule_set"]) v.lagging_rule_set = reader.String(lagging["rule_set"], "lagging.rule_set");
    if (lagging["evaluation_interval_seconds"]) {
      v.lagging_evaluation_interval_seconds =
          reader.Number(lagging["evaluation_interval_seconds"], "lagging.evaluation_interval_seconds");
    }
    if (lagging["rule_sets"]) v.lagging_rule_sets = ParseRuleSets(lagging["rule_sets"], reader);
    if (lagging["catch_up_settle_seconds"]) {
      v.lagging_catch_up_settle_seconds =
          reader.Number(lagging["catch_up_settle_seconds"], "lagging.catch_up_settle_seconds");
    }
  }
  if (const YAML::Node shard = root["shard"]; reader.CheckMapping(shard, "shard", {"index", "count"}, {})) {
    if (shard["index"]) v.shard_index = reader.Integer(shard["index"], "shard.index");
    if (shard["count"]) v.shard_count = reader.Integer(shard["count"], "shard.count");
  }
  return result;
}

SettingsLoadResult LoadSettingsFile(const std::string& path) {
  return LoadFile<SettingsLoadResult>(path, "config file", LoadSettingsFromString);
}

std::vector<std::string> CheckScopes(const Settings& settings, const model::Plan& plan) {
  static const std::set<std::string> kEventTypes = {"construction_started", "production_line_launched",
                                                    "investment_recorded", "project_completed", "event_retracted"};
  auto codes = [](const std::vector<model::Group>& groups) {
    std::set<std::string> out;
    for (const auto& group : groups) out.insert(group.code);
    return out;
  };
  const std::set<std::string> districts = codes(plan.districts), areas = codes(plan.areas);
  std::vector<std::string> problems;
  for (const PublisherKey& publisher : settings.curve_publishers) {
    auto check = [&](const std::set<std::string>& values, const char* what, auto&& known) {
      for (const auto& value : values) {
        if (!known(value)) {
          problems.push_back("the scope of publisher " + publisher.name + " names " + what + " \"" + value +
                             "\", which plan " + plan.code + " does not have");
        }
      }
    };
    check(publisher.scope.districts, "district", [&](const std::string& v) { return districts.count(v) != 0; });
    check(publisher.scope.areas, "area", [&](const std::string& v) { return areas.count(v) != 0; });
    check(publisher.scope.projects, "project", [&](const std::string& v) { return plan.FindProject(v) != nullptr; });
    check(publisher.scope.event_types, "event type", [&](const std::string& v) { return kEventTypes.count(v) != 0; });
  }
  return problems;
}

std::vector<std::string> CheckLimits(const Settings& settings, const model::Plan& plan) {
  std::vector<std::string> problems;
  const model::EventLimits& limits = settings.event_limits;
  for (const model::ProjectPlan& project : plan.projects) {
    if (project.code.size() > limits.max_project_code_bytes) {
      problems.push_back("project code " + project.code + " is longer than ingest.limits.max_project_code_bytes (" +
                         std::to_string(limits.max_project_code_bytes) + "): no event could reach it");
    }
    for (const model::ProductionLinePlan& line : project.production_lines) {
      if (line.id.size() > limits.max_line_id_bytes) {
        problems.push_back("line id " + line.id + " of project " + project.code +
                           " is longer than ingest.limits.max_line_id_bytes (" +
                           std::to_string(limits.max_line_id_bytes) + "): no event could reach it");
      }
    }
  }
  // A limit far too short would otherwise list the whole plan.
  constexpr size_t kShown = 5;
  if (problems.size() > kShown) {
    const size_t more = problems.size() - kShown;
    problems.resize(kShown);
    problems.push_back("... and " + std::to_string(more) + " more codes or line ids that do not fit ingest.limits");
  }
  return problems;
}

model::ProgrammeOptions ProgrammeOptionsFrom(const Settings& settings) {
  model::ProgrammeOptions options;
  options.limits = settings.event_limits;
  options.rules = ResolveRuleSet(settings).value_or(model::RuleSet::Schedule());
  options.calendar = model::ReportingCalendar(static_cast<int>(settings.reporting_due_day));
  options.catch_up_settle_seconds = settings.lagging_catch_up_settle_seconds;
  return options;
}

std::optional<model::RuleSet> ResolveRuleSet(const Settings& settings) {
  auto configured = settings.lagging_rule_sets.find(settings.lagging_rule_set);
  if (configured != settings.lagging_rule_sets.end()) return configured->second;
  return model::RuleSet::BuiltIn(settings.lagging_rule_set);
}

std::optional<std::int64_t> ParseClockStart(const std::string& text) {
  auto date = model::Date::Parse(std::string_view(text).substr(0, 10));
  if (!date) return std::nullopt;
  std::int64_t start = date->StartUnixSecondsShanghai();
  if (text.size() == 10) return start;
  // "YYYY-MM-DDTHH:MM:SS", every position checked.
  if (text.size() != 19 || text[10] != 'T' || text[13] != ':' || text[16] != ':') return std::nullopt;
  auto two_digits = [&text](size_t at) {
    const char a = text[at], b = text[at + 1];
    return (a >= '0' && a <= '9' && b >= '0' && b <= '9') ? (a - '0') * 10 + (b - '0') : -1;
  };
  const int hh = two_digits(11), mm = two_digits(14), ss = two_digits(17);
  if (hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  return start + hh * 3600 + mm * 60 + ss;
}

std::vector<std::string> ValidateSettings(const Settings& settings) {
  std::vector<std::string> problems;
  const std::string& level = settings.log_level;
  if (level != "debug" && level != "info" && level != "warn" && level != "error") {
    problems.push_back("log level \"" + level + "\" is not one of debug, info, warn, error");
  }
  if (settings.log_format != "text" && settings.log_format != "json") {
    problems.push_back("log format \"" + settings.log_format + "\" is not one of text, json");
  }
  if (!settings.clock_start.empty() && !ParseClockStart(settings.clock_start)) {
    problems.push_back("clock start \"" + settings.clock_start +
                       "\" is not a date YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (Asia/Shanghai)");
  }
  if (!(settings.clock_rate >= 0 && settings.clock_rate <= 1e6)) {
    problems.push_back("clock rate must be at least 0 (a clock that stands still) and at most 1000000");
  }
  if (settings.clock_settable && settings.clock_start.empty()) {
    problems.push_back("clock.settable needs a virtual clock (clock.start): the system clock cannot be moved");
  }
  if (settings.reporting_due_day < 1 || settings.reporting_due_day > model::kMaxReportDueDay) {
    problems.push_back("reporting due day must be between 1 and " + std::to_string(model::kMaxReportDueDay) +
                       " (a day every month has)");
  }
  if (!(settings.lagging_catch_up_settle_seconds >= 0 && settings.lagging_catch_up_settle_seconds <= 86400)) {
    problems.push_back("lagging catch-up settle time must be between 0 and 86400 seconds");
  }
  if (!settings.web_external_url.empty() && settings.web_external_url.rfind("http://", 0) != 0 &&
      settings.web_external_url.rfind("https://", 0) != 0) {
    problems.push_back("web external URL \"" + settings.web_external_url + "\" must start with http:// or https://");
  }
  if (settings.ingest_endpoint.empty()) problems.push_back("ingest endpoint must not be empty");
  if (settings.ingest_max_message_bytes < 1024) problems.push_back("ingest max message bytes must be at least 1024");
  if (settings.ingest_max_events_per_batch < 1) problems.push_back("ingest max events per batch must be at least 1");
  if (settings.ingest_max_connections < 1 || settings.ingest_max_connections > 65536) {
    problems.push_back("ingest max connections must be between 1 and 65536");
  }
  const model::EventLimits& limits = settings.event_limits;
  for (auto [key, value] : {std::pair{"max_event_id_bytes", limits.max_event_id_bytes},
                            std::pair{"max_source_bytes", limits.max_source_bytes},
                            std::pair{"max_project_code_bytes", limits.max_project_code_bytes},
                            std::pair{"max_line_id_bytes", limits.max_line_id_bytes}}) {
    if (value < 1 || value > 4096) {
      problems.push_back(std::string("ingest.limits.") + key + " must be between 1 and 4096");
    }
  }
  if (settings.storage_durability != "full" && settings.storage_durability != "normal") {
    problems.push_back("storage durability \"" + settings.storage_durability + "\" is not one of full, normal");
  }
  if (settings.storage_path.empty()) problems.push_back("storage path must not be empty");
  if (!(settings.storage_snapshot_interval_seconds == 0 ||
        (settings.storage_snapshot_interval_seconds >= 1 && settings.storage_snapshot_interval_seconds <= 86400))) {
    problems.push_back("storage snapshot interval must be 0 (no snapshots) or between 1 and 86400 seconds");
  }
  if (auto rules = ResolveRuleSet(settings); !rules) {
    std::string known;
    for (const std::string& name : model::RuleSet::BuiltInNames()) known += (known.empty() ? "" : ", ") + name;
    for (const auto& [name, rules] : settings.lagging_rule_sets) known += ", " + name;
    problems.push_back("lagging rule set \"" + settings.lagging_rule_set + "\" is not one of " + known);
  } else {
    for (const std::string& problem : model::CheckRuleSet(*rules)) {
      problems.push_back("lagging rule set \"" + rules->name + "\": " + problem);
    }
  }
  if (!(settings.lagging_evaluation_interval_seconds >= 1 && settings.lagging_evaluation_interval_seconds <= 86400)) {
    problems.push_back("lagging evaluation interval must be between 1 and 86400 seconds");
  }
  if (settings.curve_secret_key_file.empty() != settings.curve_publishers.empty()) {
    problems.push_back("CURVE needs both the daemon's secret key file and at least one publisher key "
                       "(ingest.curve.secret_key_file and ingest.curve.publishers)");
  }
  std::set<std::string> names, keys;
  for (const PublisherKey& publisher : settings.curve_publishers) {
    if (!names.insert(publisher.name).second) problems.push_back("publisher name \"" + publisher.name + "\" repeats");
    if (!keys.insert(publisher.public_key).second) {
      problems.push_back("publisher key of \"" + publisher.name + "\" is listed twice");
    }
  }
  // "--storage.path= --check-config" gives the path the next flag's name.
  for (const std::string* value : {&settings.plan_file, &settings.ingest_endpoint, &settings.web_listen_address,
                                   &settings.web_config_file,
                                   &settings.storage_path, &settings.clock_start}) {
    if (value->rfind("--", 0) == 0) problems.push_back("the value \"" + *value + "\" looks like a flag: give a value");
  }
  if (settings.web_listen_address.empty()) problems.push_back("web listen address must not be empty");
  if (settings.shard_count < 1 || settings.shard_count > kMaxShards) {
    problems.push_back("shard count must be between 1 and " + std::to_string(kMaxShards));
  } else if (settings.shard_index < 0 || settings.shard_index >= settings.shard_count) {
    problems.push_back("shard index " + std::to_string(settings.shard_index) + " is not between 0 and shard count - 1 (" +
                       std::to_string(settings.shard_count - 1) + ")");
  }
  return problems;
}

void ApplyEventLimits(const SettingsFile& file, model::EventLimits* limits) {
  auto set = [](size_t& target, const std::optional<std::int64_t>& value) {
    if (value) target = static_cast<size_t>(std::max<std::int64_t>(0, *value));
  };
  set(limits->max_event_id_bytes, file.limits_max_event_id_bytes);
  set(limits->max_source_bytes, file.limits_max_source_bytes);
  set(limits->max_project_code_bytes, file.limits_max_project_code_bytes);
  set(limits->max_line_id_bytes, file.limits_max_line_id_bytes);
}

}  // namespace pipelined::config
