#include "flags.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

namespace pipelined::daemon {

namespace {

// The flags over the settings file. A usage error (or --help) sets
// *exit_code with CLI11's message printed; an invalid settings file or
// invalid values go to *errors (file:line:column: message, or "pipelined: ...").
bool Parse(int argc, char** argv, CommandLine* out, int* exit_code, std::vector<std::string>* errors) {
  config::Settings& s = out->settings;
  CLI::App app{
      "pipelined: monitors a programme of major projects against its plan.\n"
      "Receives milestone events from publishers over ZeroMQ (protobuf), keeps per-project and per-group\n"
      "figures, and serves them as Prometheus metrics. Docs: docs/configuration.md.",
      "pipelined"};
  app.get_formatter()->column_width(38);
  app.add_option("--config.file", out->config_file,
                 "YAML settings file; flags given on the command line override its values");
  auto* plan = app.add_option("--plan.file", s.plan_file,
                              "YAML plan file (default: the embedded Ningbo 14th Five-Year plan)");
  auto* ingest = app.add_option("--ingest.endpoint", s.ingest_endpoint,
                                "ZeroMQ endpoint the ROUTER socket binds for publishers")
                     ->capture_default_str();
  auto* max_message = app.add_option("--ingest.max-message-bytes", s.ingest_max_message_bytes,
                                     "Largest message accepted on the ingest socket; larger ones drop the connection")
                          ->capture_default_str();
  auto* max_events = app.add_option("--ingest.max-events-per-batch", s.ingest_max_events_per_batch,
                                    "Largest batch taken; a larger one is refused whole (batch_too_large)")
                         ->capture_default_str();
  auto* max_connections = app.add_option("--ingest.max-connections", s.ingest_max_connections,
                                         "Most publisher connections open at once; further handshakes are refused "
                                         "until one closes (the publisher retries by itself)")
                              ->capture_default_str();
  auto* curve_key = app.add_option("--ingest.curve.secret-key-file", s.curve_secret_key_file,
                                   "The daemon's CURVE certificate (from `pipelined keygen`); with the publisher keys "
                                   "in --config.file it turns on CURVE encryption and authentication");
  auto* web = app.add_option("--web.listen-address", s.web_listen_address,
                             "Address for /metrics, [host]:port")
                  ->capture_default_str();
  auto* web_config = app.add_option("--web.config.file", s.web_config_file,
                                    "Web config file with basic_auth_users (bcrypt hashes) protecting the web port; "
                                    "see docs/security.md");
  auto* lifecycle = app.add_flag("--web.enable-lifecycle", s.web_enable_lifecycle,
                                 "Allow POST /-/reload to reload the plan and settings (like SIGHUP)");
  auto* external_url = app.add_option("--web.external-url", s.web_external_url,
                                      "URL people reach the status pages at, e.g. https://pipelined.example.gov.cn "
                                      "(links in alerts; docs/alerts.md)");
  auto* level = app.add_option("--log.level", s.log_level, "Log level: debug, info, warn, error")
                    ->capture_default_str();
  auto* format = app.add_option("--log.format", s.log_format, "Log format: text or json")->capture_default_str();
  auto* clock_start = app.add_option(
      "--clock.start", s.clock_start,
      "Run on a virtual clock starting at YYYY-MM-DD[THH:MM:SS] (Asia/Shanghai) instead of the system clock");
  auto* clock_rate = app.add_option("--clock.rate", s.clock_rate,
                                    "Virtual clock speed: virtual seconds per real second; 0 stands still")
                         ->capture_default_str();
  auto* clock_settable = app.add_flag("--clock.settable", s.clock_settable,
                                      "Allow PUT /-/clock?to=YYYY-MM-DD[THH:MM:SS] to move the virtual clock "
                                      "(simulations, scripts/detection)");
  auto* due_day = app.add_option("--reporting.due-day", s.reporting_due_day,
                                 "Day of the next month by which a month's report is due (1-28; docs/lagging.md)")
                      ->capture_default_str();
  auto* storage_path = app.add_option("--storage.path", s.storage_path,
                                      "Directory of the durable event store (created if missing)")
                           ->capture_default_str();
  auto* durability = app.add_option("--storage.durability", s.storage_durability,
                                    "full: fsync before acknowledging (survives power loss); normal: survives a "
                                    "crash of pipelined, may lose the last commits on power loss")
                         ->capture_default_str();
  auto* snapshot_interval =
      app.add_option("--storage.snapshot-interval", s.storage_snapshot_interval_seconds,
                     "Seconds between snapshots of the state, from which a restart replays only newer events; 0: "
                     "no snapshots, every start replays the whole store")
          ->capture_default_str();
  auto* rule_set = app.add_option("--lagging.rule-set", s.lagging_rule_set,
                                  "Lagging rule set: schedule, pro_rata, spi, or one defined under lagging.rule_sets in "
                                  "--config.file (docs/lagging.md)")
                       ->capture_default_str();
  auto* evaluation = app.add_option("--lagging.evaluation-interval", s.lagging_evaluation_interval_seconds,
                                    "Seconds between scheduled status evaluations (also after new events)")
                         ->capture_default_str();
  auto* settle = app.add_option("--lagging.catch-up-settle", s.lagging_catch_up_settle_seconds,
                                "While history arrives in bulk, statuses hold until this many seconds pass without "
                                "it (docs/lagging.md)")
                     ->capture_default_str();
  auto* shard_index = app.add_option("--shard.index", s.shard_index,
                                     "This daemon's shard, 0 to --shard.count - 1: it serves only the projects "
                                     "that hash to it (docs/scaling.md)")
                          ->capture_default_str();
  auto* shard_count = app.add_option("--shard.count", s.shard_count, "Shards the plan is split into; 1: unsharded")
                          ->capture_default_str();
  app.add_flag("--check-config", out->check_config, "Load and check the settings and the plan, then exit");
  app.add_flag("--version", out->show_version, "Print the version and exit");
  auto* keygen = app.add_subcommand("keygen", "Write a new CURVE key pair in ZeroMQ's certificate format and exit");
  keygen->add_option("--out", out->keygen_out, "Path of the public certificate; the secret one gets _secret appended")
      ->required();

  auto* hash = app.add_subcommand("hash-password",
                                  "Read a password from stdin and print its bcrypt hash for --web.config.file");
  hash->add_option("--cost", out->hash_cost, "bcrypt cost: 2^cost rounds (4 to 31)")
      ->capture_default_str()
      ->check(CLI::Range(4, 31));
  // Parsing happens below; the subcommand must exist first.
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    *exit_code = app.exit(e) == 0 ? kExitOk : kExitUsageOrConfigError;
    return false;
  }
  out->hash_password = hash->parsed();
  if (out->show_version || *keygen || out->hash_password) return true;

  if (!out->config_file.empty()) {
    config::SettingsLoadResult file = config::LoadSettingsFile(out->config_file);
    if (!file.errors.empty()) {
      for (const config::LoadError& error : file.errors) errors->push_back(config::JoinErrors({error}));
      *exit_code = kExitUsageOrConfigError;
      return false;
    }
    // Values from the file apply unless the same flag was given.
    auto merge = [](auto& target, const auto& from_file, const CLI::Option* flag) {
      if (from_file && flag->count() == 0) target = *from_file;
    };
    merge(s.plan_file, file.values.plan_file, plan);
    merge(s.ingest_endpoint, file.values.ingest_endpoint, ingest);
    merge(s.ingest_max_message_bytes, file.values.ingest_max_message_bytes, max_message);
    merge(s.ingest_max_events_per_batch, file.values.ingest_max_events_per_batch, max_events);
    merge(s.ingest_max_connections, file.values.ingest_max_connections, max_connections);
    // ingest.limits has no flags.
    config::ApplyEventLimits(file.values, &s.event_limits);
    merge(s.curve_secret_key_file, file.values.curve_secret_key_file, curve_key);
    if (file.values.curve_publishers) s.curve_publishers = *file.values.curve_publishers;
    merge(s.web_listen_address, file.values.web_listen_address, web);
    merge(s.web_config_file, file.values.web_config_file, web_config);
    merge(s.web_enable_lifecycle, file.values.web_enable_lifecycle, lifecycle);
    merge(s.web_external_url, file.values.web_external_url, external_url);
    merge(s.log_level, file.values.log_level, level);
    merge(s.log_format, file.values.log_format, format);
    merge(s.clock_start, file.values.clock_start, clock_start);
    merge(s.clock_rate, file.values.clock_rate, clock_rate);
    merge(s.clock_settable, file.values.clock_settable, clock_settable);
    merge(s.reporting_due_day, file.values.reporting_due_day, due_day);
    merge(s.storage_path, file.values.storage_path, storage_path);
    merge(s.storage_durability, file.values.storage_durability, durability);
    merge(s.storage_snapshot_interval_seconds, file.values.storage_snapshot_interval_seconds, snapshot_interval);
    if (file.values.lagging_rule_sets) s.lagging_rule_sets = *file.values.lagging_rule_sets;
    merge(s.lagging_rule_set, file.values.lagging_rule_set, rule_set);
    merge(s.lagging_evaluation_interval_seconds, file.values.lagging_evaluation_interval_seconds, evaluation);
    merge(s.lagging_catch_up_settle_seconds, file.values.lagging_catch_up_settle_seconds, settle);
    merge(s.shard_index, file.values.shard_index, shard_index);
    merge(s.shard_count, file.values.shard_count, shard_count);
  }
  while (!s.web_external_url.empty() && s.web_external_url.back() == '/') s.web_external_url.pop_back();
  std::vector<std::string> problems = config::ValidateSettings(s);
  if (!problems.empty()) {
    for (const auto& problem : problems) errors->push_back("pipelined: " + problem + "\n");
    *exit_code = kExitUsageOrConfigError;
    return false;
  }
  return true;
}

}  // namespace

bool ParseCommandLine(int argc, char** argv, CommandLine* out, int* exit_code) {
  std::vector<std::string> errors;
  const bool ok = Parse(argc, argv, out, exit_code, &errors);
  for (const std::string& error : errors) std::cerr << error;
  if (ok) {
    out->arguments.assign(argv, argv + argc);
  }
  return ok;
}

std::vector<std::string> ReadSettingsAgain(const std::vector<std::string>& arguments, config::Settings* settings) {
  std::vector<std::string> copies = arguments;
  std::vector<char*> argv;
  for (std::string& argument : copies) argv.push_back(argument.data());
  CommandLine command_line;
  int exit_code = kExitOk;
  std::vector<std::string> errors;
  if (!Parse(static_cast<int>(argv.size()), argv.data(), &command_line, &exit_code, &errors) && errors.empty()) {
    errors.push_back("the command line no longer parses\n");
  }
  for (std::string& error : errors) {
    while (!error.empty() && error.back() == '\n') error.pop_back();
  }
  if (errors.empty()) *settings = command_line.settings;
  return errors;
}

}  // namespace pipelined::daemon
