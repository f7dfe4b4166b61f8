// pipelined-loadgen: load a pipelined daemon with valid events from several
// publishers, measure the acknowledged rate and latencies, and verify that
// the daemon's totals equal what it acknowledged. docs/loadgen.md.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <map>

#include "connection_flags.h"
#include "pipelined/config/synthetic_plan.h"
#include "pipelined/loadgen/event_mix.h"
#include "pipelined/loadgen/loadgen.h"

namespace {

using namespace pipelined;
using loadgen::kExitOk;
using loadgen::kExitUsage;

int WritePlan(const std::string& path, const config::SyntheticPlanOptions& options) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << config::SyntheticPlanYaml(options);
  file.close();
  if (!file) {
    std::cerr << "pipelined-loadgen: cannot write " << path << "\n";
    return kExitUsage;
  }
  std::cout << "wrote " << path << ": plan " << config::kSyntheticPlanCode << " with " << options.projects
            << " projects (seed " << options.seed << ")\n";
  return kExitOk;
}

int Run(int argc, char** argv) {
  CLI::App app{"pipelined-loadgen: load a pipelined daemon with valid events from several publishers, report the\n"
               "acknowledged rate (N events/s) and the acknowledgement latency (p50, p99, p99.9), and verify that\n"
               "the daemon's totals equal what it acknowledged. Exit status: 0 ok, 1 verification failed,\n"
               "2 usage error, 3 the daemon could not be reached. See docs/loadgen.md.",
               "pipelined-loadgen"};
  loadgen::LoadgenConfig config;
  publisher::ConnectionFlags connection;
  connection.timeout_seconds = 10;
  double duration_seconds = 10;
  std::string mix_text = loadgen::kDefaultMix;
  std::string write_plan;
  std::string until_text;
  int probe_interval_ms = 200;
  bool no_verify = false, probes_on = false, probes_off = false;
  config.load.batch_size = 1000;

  app.add_option("--endpoint", connection.endpoint, "Daemon ingest endpoint")->capture_default_str();
  app.add_option("--timeout", connection.timeout_seconds,
                 "Seconds a batch may wait for its reply (and the connection check at start)")
      ->capture_default_str();
  publisher::AddCurveFlags(&app, connection);
  app.add_option("--duration", duration_seconds, "Seconds to send for")->capture_default_str();
  app.add_option("--publishers", config.load.publishers, "Publisher threads, each with its own connection")
      ->capture_default_str();
  app.add_option("--rate", config.load.rate, "Target events per second over all publishers; 0: flat out")
      ->capture_default_str();
  app.add_option("--batch-size", config.load.batch_size, "Events per batch")->capture_default_str();
  app.add_option("--in-flight", config.load.in_flight, "Batches each publisher keeps awaiting their reply")
      ->capture_default_str();
  app.add_option("--plan", config.plan_file,
                 "The plan the daemon runs (default: the synthetic plan of --projects and --seed)");
  app.add_option("--projects", config.synthetic.projects, "Projects of the synthetic plan")->capture_default_str();
  app.add_option("--seed", config.load.seed, "Seed of the synthetic plan and of the events")->capture_default_str();
  app.add_option("--write-plan", write_plan,
                 "Write the synthetic plan of --projects and --seed to this file and exit (for the daemon's "
                 "--plan.file)");
  app.add_option("--mix", mix_text, "Event types in proportion")->capture_default_str();
  app.add_option("--source", config.load.source_prefix,
                 "Prefix of the source names (<prefix>-p00, ..., <prefix>-probe)")
      ->capture_default_str();
  app.add_option("--metrics-url", config.metrics_url, "The daemon's /metrics, read before and after the run")
      ->capture_default_str();
  app.add_flag("--no-verify", no_verify, "Do not verify the daemon's totals (and need no metrics)");
  auto* on = app.add_flag("--visibility-probes", probes_on,
                          "Measure send -> visible in /metrics (default: on with --rate, off flat out)");
  app.add_flag("--no-visibility-probes", probes_off, "No visibility probes")->excludes(on);
  app.add_option("--probe-interval", probe_interval_ms, "Milliseconds between visibility probes")
      ->capture_default_str();
  std::map<std::string, loadgen::ProbeVia> vias = {{"metrics", loadgen::ProbeVia::kMetrics},
                                                    {"api", loadgen::ProbeVia::kApi}};
  app.add_option("--probe-via", config.probe_via,
                 "Where probes look: metrics (/metrics) or api (/api/v1/projects/CODE, the same state, cheaper)")
      ->transform(CLI::CheckedTransformer(vias))
      ->default_str("metrics");
  app.add_option("--probe-project", config.probe_project,
                 "Project the probes report on; it gets no other load (default: the plan's last project)");
  app.add_option("--until", until_text,
                 "Latest date of the events, YYYY-MM-DD (default: the daemon's date, from /metrics)");
  app.add_flag("--json", config.json, "Print the summary as JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  std::string problem;
  if (config.synthetic.projects < 1 || config.synthetic.projects > 1000000) {
    problem = "--projects must be 1 to 1000000";
  } else if (!(duration_seconds > 0) || duration_seconds > 86400) {
    problem = "--duration must be above 0 and at most 86400 seconds";
  } else if (config.load.publishers < 1 || config.load.publishers > 64) {
    problem = "--publishers must be 1 to 64";
  } else if (!(config.load.rate >= 0) || config.load.rate > 1e8) {
    problem = "--rate must be 0 (flat out) or a positive number of events per second";
  } else if (config.load.batch_size < 1 || config.load.batch_size > 100000) {
    problem = "--batch-size must be 1 to 100000 (the daemon takes 2000 by default, --ingest.max-events-per-batch)";
  } else if (config.load.in_flight < 1 || config.load.in_flight > 64) {
    problem = "--in-flight must be 1 to 64";
  } else if (config.load.source_prefix.empty() || config.load.source_prefix.size() > 58) {
    problem = "--source must be 1 to 58 bytes (the daemon takes sources of up to 64 with the suffix)";
  } else if (probe_interval_ms < 1) {
    problem = "--probe-interval must be at least 1 millisecond";
  } else if (!(connection.timeout_seconds > 0)) {
    problem = "--timeout must be above 0";
  }
  std::optional<loadgen::EventMix> mix = loadgen::ParseMix(mix_text, &problem);
  if (!until_text.empty()) {
    config.until = model::Date::Parse(until_text);
    if (!config.until) problem = "--until must be a date YYYY-MM-DD";
  }
  if (!problem.empty() || !mix) {
    std::cerr << "pipelined-loadgen: " << problem << "\n";
    return kExitUsage;
  }
  config.synthetic.seed = config.load.seed;
  if (!write_plan.empty()) return WritePlan(write_plan, config.synthetic);

  if (!publisher::ConnectionOptions(connection, &config.load.connection)) return kExitUsage;
  config.load.duration = std::chrono::milliseconds(static_cast<std::int64_t>(duration_seconds * 1000));
  config.load.mix = *mix;
  config.load.probe.interval = std::chrono::milliseconds(probe_interval_ms);
  config.verify = !no_verify;
  if (probes_on) config.probes = true;
  if (probes_off) config.probes = false;
  return loadgen::RunLoadgen(std::move(config), std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) { return Run(argc, argv); }
