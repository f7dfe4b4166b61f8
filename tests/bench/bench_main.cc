// pipelined-bench: measures, in one run on one machine, what the pipelined
// daemon does beside what the machine can do for the same work: ingest
// against the bare store, ZeroMQ and protobuf; scrapes against
// prometheus-cpp's serializer; restart against a raw read of the store; and
// the Prometheus pushgateway on the same event stream. Prints a markdown
// report on stdout (progress on stderr); docs/benchmarks.md explains it.
// Usually run through scripts/bench.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "bench_section.h"
#include "bench_util.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;

void PrintSummary(const BenchReport& report, std::ostream& out) {
  out << "| figure | pipelined | machine limit for the same work | limit | pipelined / limit | target |\n";
  out << "|---|---:|---|---:|---:|---|\n";
  for (const SummaryRow& row : report.rows) {
    out << "| " << row.figure << " | " << Significant(row.pipelined) << " " << row.unit << " | " << row.limit_name
        << " | " << Significant(row.limit) << " " << row.unit << " | " << Ratio(row.pipelined, row.limit)
        << (row.lower_is_better ? " (cost)" : "") << " | " << (row.target.empty() ? "" : row.target) << " |\n";
  }
  out << "\n";
}

int Main(int argc, char** argv) {
  BenchOptions options;
  std::string sections = "ingest,limits,scrape,restart,pushgateway";
  CLI::App app{"pipelined-bench: what the pipelined daemon does beside the limits of this machine for the same "
               "work, measured in one run. See docs/benchmarks.md.",
               "pipelined-bench"};
  app.add_option("--daemon", options.daemon, "The pipelined binary to run")->required();
  app.add_option("--plan", options.plan, "Plan file for the daemon in the ingest, limits and restart sections")
      ->required();
  app.add_option("--sections", sections,
                 "Comma-separated sections to run: ingest, limits, scrape, restart, pushgateway")
      ->capture_default_str();
  app.add_option("--events", options.events, "Events per ingest measurement")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--batch-size", options.batch_size, "Events per batch (bare store transaction and daemon message)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--publishers", options.publishers, "Publisher threads feeding the daemon")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--in-flight", options.in_flight, "Batches each publisher keeps unanswered")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--durability", options.durability, "Which durability to measure: full, normal or both")
      ->capture_default_str()
      ->check(CLI::IsMember({"full", "normal", "both"}));
  app.add_option("--repeat", options.repeat, "Ingest measurements per durability; the report shows the medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  app.add_option("--round-trips", options.round_trips, "Round trips per latency measurement")
      ->capture_default_str()
      ->check(CLI::Range(10, 1000000));
  app.add_option("--scrape-projects", options.scrape_projects,
                 "Plan sizes (projects of a synthetic plan) for the scrape and memory measurements")
      ->capture_default_str()
      ->delimiter(',')
      ->check(CLI::Range(1, 1000000));
  app.add_option("--scrapes", options.scrapes, "Scrapes per measurement; the report shows medians")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--restart-events", options.restart_events, "Stored events for the restart measurement")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--pushgateway", options.pushgateway, "The Prometheus pushgateway binary (Debian package "
                                                       "prometheus-pushgateway)")
      ->capture_default_str();
  app.add_option("--workdir", options.workdir,
                 "Directory for the stores (its filesystem is what is measured; default: a new directory under "
                 "/tmp, removed at the end)");
  CLI11_PARSE(app, argc, argv);

  std::istringstream names(sections);
  for (std::string name; std::getline(names, name, ',');) {
    if (name.empty()) continue;
    bool known = false;
    for (const char* section : kAllSections) known = known || name == section;
    if (!known) {
      std::cerr << "pipelined-bench: unknown section \"" << name
                << "\" in --sections (ingest, limits, scrape, restart, pushgateway)\n";
      return 2;
    }
    options.sections.insert(name);
  }

  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + ShellQuote(argv[i]);
  command = "`" + command + "`";
  // scripts/bench says how it was called, so that the report names the
  // command a reader would type.
  if (const char* invoked_as = std::getenv("PIPELINED_BENCH_INVOKED_AS"); invoked_as && *invoked_as) {
    command = "`" + std::string(invoked_as) + "`, which ran " + command;
  }

  if (access(options.daemon.c_str(), X_OK) != 0) {
    std::cerr << "pipelined-bench: " << options.daemon << " is not an executable file\n";
    return 2;
  }
  options.daemon = fs::absolute(options.daemon).string();
  options.plan = fs::absolute(options.plan).string();

  bool own_workdir = false;
  if (options.workdir.empty()) {
    std::string pattern = "/tmp/pipelined-bench-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      std::cerr << "pipelined-bench: cannot create a directory under /tmp: " << std::strerror(errno) << "\n";
      return 2;
    }
    options.workdir = pattern;
    own_workdir = true;
  } else {
    std::error_code error;
    fs::create_directories(options.workdir, error);
    if (error) {
      std::cerr << "pipelined-bench: cannot create " << options.workdir << ": " << error.message() << "\n";
      return 2;
    }
    options.workdir = fs::absolute(options.workdir).string();
  }

  const Machine machine = DescribeMachine(options.workdir);
  const std::string daemon_version = RunCommand(ShellQuote(options.daemon) + " --version 2>&1 | head -n 1");
  const std::string load_before = RunCommand("cut -d' ' -f1-3 /proc/loadavg");
  const auto started = SteadyClock::now();

  BenchReport report;
  // Each section measures its own limits next to the daemon's figures.
  if (options.sections.count("ingest")) RunIngestSection(options, &report);
  if (options.sections.count("limits")) RunLimitsSection(options, &report);
  if (options.sections.count("scrape")) RunScrapeSection(options, &report);
  if (options.sections.count("restart")) RunRestartSection(options, &report);
  if (options.sections.count("pushgateway")) RunPushgatewaySection(options, &report);
  if (own_workdir) {
    std::error_code ignored;
    fs::remove_all(options.workdir, ignored);
  }
  const double minutes = SecondsBetween(started, SteadyClock::now()) / 60;

  std::ostream& out = std::cout;
  out << "\n### pipelined-bench results\n\n";
  out << "- Command: " << command << "\n";
  out << "- Date: " << NowForReport() << "; " << daemon_version << "; the whole run took " << Fixed(minutes, 1)
      << " minutes\n";
  out << "- Machine: " << machine.cpus << " CPUs (nproc), " << machine.cpu_model << ", " << machine.memory
      << " RAM, " << machine.kernel << "; load average before the run " << load_before << "\n";
  out << "- Work directory filesystem (`df -T`): " << machine.filesystem << "\n\n";
  if (!report.rows.empty()) PrintSummary(report, out);
  out << report.details.str();
  if (!report.failures.empty()) {
    out << "Failures:\n\n";
    for (const std::string& failure : report.failures) out << "- " << failure << "\n";
    out << "\n";
  }
  return report.failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace pipelined::bench

int main(int argc, char** argv) { return pipelined::bench::Main(argc, argv); }
