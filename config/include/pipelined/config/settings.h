// The daemon's own settings (not the plan): endpoints, logging, clock. They
// come from defaults, then an optional YAML file, then command-line flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/config/load_error.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/scope.h"

namespace pipelined::config {

// A publisher admitted by CURVE authentication.
struct PublisherKey {
  std::string name;        // shown in logs; the authenticated identity
  std::string public_key;  // Z85, 40 characters
  model::PublisherScope scope;  // empty lists: no restriction
};

struct Settings {
  std::string plan_file;  // empty: the embedded default plan
  std::string ingest_endpoint = "tcp://0.0.0.0:7010";
  std::int64_t ingest_max_message_bytes = 16 << 20;
  std::int64_t ingest_max_events_per_batch = 10000;
  // CURVE: the daemon's certificate (with its secret key) and the publishers
  // allowed in. Both empty: plain mode, anyone who can connect may publish.
  std::string curve_secret_key_file;
  std::vector<PublisherKey> curve_publishers;
  std::string web_listen_address = ":9810";
  std::string log_level = "info";
  std::string log_format = "text";
  // Virtual clock start, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" in
  // Asia/Shanghai; empty: the system clock.
  std::string clock_start;
  double clock_rate = 1.0;
  std::string storage_path = "data";
  std::string storage_durability = "full";  // full or normal
};

// The values a settings file sets; unset ones keep the caller's defaults.
struct SettingsFile {
  std::optional<std::string> plan_file;
  std::optional<std::string> ingest_endpoint;
  std::optional<std::int64_t> ingest_max_message_bytes;
  std::optional<std::int64_t> ingest_max_events_per_batch;
  std::optional<std::string> curve_secret_key_file;
  std::optional<std::vector<PublisherKey>> curve_publishers;
  std::optional<std::string> web_listen_address;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
  std::optional<std::string> clock_start;
  std::optional<double> clock_rate;
  std::optional<std::string> storage_path;
  std::optional<std::string> storage_durability;
};

struct SettingsLoadResult {
  SettingsFile values;
  std::vector<LoadError> errors;
};

SettingsLoadResult LoadSettingsFile(const std::string& path);
SettingsLoadResult LoadSettingsFromString(const std::string& yaml_text, const std::string& file_name);

// Checks values that flags and files share (log level names, clock format);
// returns one message per problem.
std::vector<std::string> ValidateSettings(const Settings& settings);

// Checks that the publishers' scopes name districts, areas, projects and event
// types that exist; returns one message per problem.
std::vector<std::string> CheckScopes(const Settings& settings, const model::Plan& plan);

// Parses a clock start as documented for Settings::clock_start.
std::optional<std::int64_t> ParseClockStart(const std::string& text);

}  // namespace pipelined::config
