// What the sections of pipelined-bench share: the options, and the report
// they add to (a summary row per figure beside its machine limit, a detailed
// markdown part per section, and failed checks).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace pipelined::bench {

struct BenchOptions {
  std::string daemon;
  std::string plan;
  std::string workdir;
  std::set<std::string> sections;

  // ingest
  std::uint64_t events = 200000;
  std::size_t batch_size = 1000;
  int publishers = 4;
  int in_flight = 4;
  std::string durability = "both";
  int repeat = 3;

  // limits
  int round_trips = 2000;

  // scrape (and memory per series)
  std::vector<int> scrape_projects = {10000, 100000};
  int scrapes = 11;

  // restart
  std::uint64_t restart_events = 10'000'000;

  // pushgateway
  std::string pushgateway = "/usr/bin/prometheus-pushgateway";
};

inline constexpr const char* kAllSections[] = {"ingest", "limits", "scrape", "restart", "pushgateway"};

// One line of the summary: a figure of pipelined beside the machine's limit
// for the same work, measured in the same run.
struct SummaryRow {
  std::string figure;
  std::string unit;
  double pipelined = 0;
  std::string limit_name;
  double limit = 0;
  bool lower_is_better = false;  // costs and times, not rates
  std::string target;            // the target, when there is one
};

struct BenchReport {
  std::vector<SummaryRow> rows;
  std::ostringstream details;
  std::vector<std::string> failures;
  // Figures one section measures and a later one compares against.
  std::map<std::string, double> figures;
  // The daemon's /metrics body for a plan of N projects (scrape section),
  // pushed to the pushgateway with the same series.
  std::map<int, std::string> scrape_bodies;
};

// The project codes of options.plan; empty, with the failure noted in
// `report` under `section`, when it does not load.
std::vector<std::string> PlanProjectsFor(const char* section, const BenchOptions& options, BenchReport* report);

void RunIngestSection(const BenchOptions& options, BenchReport* report);
void RunLimitsSection(const BenchOptions& options, BenchReport* report);
void RunScrapeSection(const BenchOptions& options, BenchReport* report);
void RunRestartSection(const BenchOptions& options, BenchReport* report);
void RunPushgatewaySection(const BenchOptions& options, BenchReport* report);

}  // namespace pipelined::bench
