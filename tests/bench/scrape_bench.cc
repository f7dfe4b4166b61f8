// The scrape section of pipelined-bench: the cost of a scrape of /metrics
// per exported series, and the daemon's resident memory per series, on
// synthetic plans of 10,000 and 100,000 projects (config/synthetic_plan.h);
// beside prometheus-cpp's serializer and a stock prometheus-cpp registry
// holding the same series.
//
// For each plan size: the real daemon starts on the plan with a fresh store
// (normal durability), receives two investment events per project, and once
// its status watcher has evaluated them (steady state) is scraped
// --scrapes times without and with gzip; its VmRSS is read after the
// scrapes. The same measurement on a synthetic plan of 5 projects gives the baseline
// that memory per series is counted above.
#include <malloc.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_section.h"
#include "bench_util.h"
#include "child_process.h"
#include "loopback.h"
#include "metrics_text.h"
#include "pipelined/config/synthetic_plan.h"
#include "publish_load.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;
using pipelined::testing::FreePort;
using pipelined::testing::HttpAnswer;
using pipelined::testing::HttpExchange;

// A measurement stops taking scrapes after this long (at least 3 are taken).
constexpr double kScrapeBudgetSeconds = 45;

struct ScrapeFigures {
  int projects = 0;
  std::size_t series = 0;
  std::size_t body_bytes = 0;
  std::size_t gzip_bytes = 0;
  double ready_seconds = NAN;  // from start to ready (plan loading)
  double feed_seconds = NAN;
  int scrapes = 0;
  double plain_p50_s = NAN;
  double gzip_p50_s = NAN;
  double cpu_per_scrape_s = NAN;  // the daemon's CPU per plain scrape
  double rss_bytes = NAN;
  double peak_rss_bytes = NAN;  // VmHWM
  std::string body;             // the last plain scrape
  std::string error;
};

struct LimitFigures {
  std::size_t series = 0;
  double collect_serialize_s = NAN;  // Registry::Collect + TextSerializer
  double serialize_s = NAN;          // TextSerializer alone
  double registry_bytes = NAN;       // this process's RSS growth for the registry
};

double Value(const std::string& body, const std::string& series) {
  const auto all = ParseMetrics(body);
  auto it = all.find(series);
  return it == all.end() ? NAN : it->second;
}

// Times `scrape` up to `count` times within the budget; the median.
template <typename Scrape>
double MedianSeconds(int count, Scrape scrape, int* taken, std::string* error) {
  std::vector<double> seconds;
  const auto budget_start = SteadyClock::now();
  for (int i = 0; i < count; ++i) {
    const auto started = SteadyClock::now();
    if (!scrape()) {
      *error = "a scrape of /metrics failed";
      break;
    }
    seconds.push_back(SecondsBetween(started, SteadyClock::now()));
    if (i >= 2 && SecondsBetween(budget_start, SteadyClock::now()) > kScrapeBudgetSeconds) break;
  }
  *taken = static_cast<int>(seconds.size());
  return Median(seconds);
}

ScrapeFigures MeasureDaemon(const BenchOptions& options, const std::string& plan_file,
                            const std::vector<std::string>& projects, const std::string& name) {
  ScrapeFigures figures;
  figures.projects = static_cast<int>(projects.size());
  const std::string directory = options.workdir + "/scrape-" + name;
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  const int ingest_port = FreePort(), web_port = FreePort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(ingest_port);
  const auto started = SteadyClock::now();
  std::unique_ptr<ChildProcess> daemon =
      StartDaemon({options.daemon, "--plan.file=" + plan_file, "--storage.path=" + directory + "/store",
                   "--storage.durability=normal", "--ingest.endpoint=" + endpoint,
                   "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
                   std::string("--clock.start=") + Workload::kClockStart},
                  web_port, directory + "/pipelined.log", &figures.error, std::chrono::seconds(900));
  if (!daemon) return figures;
  figures.ready_seconds = SecondsBetween(started, SteadyClock::now());

  const Workload workload(projects, 2 * projects.size(), 1000, 2);
  const FeedResult fed = FeedWorkload(endpoint, workload, 4);
  figures.feed_seconds = fed.seconds;
  if (!fed.error.empty()) {
    figures.error = "feeding events: " + fed.error;
    return figures;
  }

  // Steady state: the status watcher has evaluated the new events (it looks
  // once a second) and its count of evaluations stays put.
  const std::string evaluations = "pipelined_evaluations_total{trigger=\"events\"}";
  double seen = -1;
  for (int attempt = 0; attempt < 60; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    std::optional<std::string> body = testing::HttpGet(web_port, "/metrics");
    if (!body) continue;
    const double now = Value(*body, evaluations);
    if (now == seen) break;
    seen = now;
  }

  HttpAnswer answer;  // reused: its capacity stays
  const double cpu_before = ProcessCpuSeconds(daemon->pid());
  figures.plain_p50_s = MedianSeconds(
      options.scrapes,
      [&] { return HttpExchange(web_port, "GET", "/metrics", "", "", 300, &answer) && answer.status == 200; },
      &figures.scrapes, &figures.error);
  std::string body = answer.body;
  figures.cpu_per_scrape_s = (ProcessCpuSeconds(daemon->pid()) - cpu_before) / std::max(1, figures.scrapes);
  int gzip_scrapes = 0;
  figures.gzip_p50_s = MedianSeconds(
      options.scrapes,
      [&] {
        if (!HttpExchange(web_port, "GET", "/metrics", "Accept-Encoding: gzip\r\n", "", 300, &answer) ||
            answer.status != 200) {
          return false;
        }
        figures.gzip_bytes = answer.body.size();
        return true;
      },
      &gzip_scrapes, &figures.error);
  figures.rss_bytes = static_cast<double>(ResidentBytes(daemon->pid()));
  {
    std::ifstream status("/proc/" + std::to_string(daemon->pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
      long long kib = 0;
      if (std::sscanf(line.c_str(), "VmHWM: %lld kB", &kib) == 1) figures.peak_rss_bytes = 1024.0 * double(kib);
    }
  }
  figures.series = CountSeries(body);
  figures.body_bytes = body.size();
  // Every event counted: the plan's completed investment is what was sent.
  const double plan_yuan = Value(body, "pipelined_group_investment_completed_yuan{group_type=\"plan\",group=\"" +
                                           std::string(config::kSyntheticPlanCode) + "\"}");
  if (figures.error.empty() &&
      std::llround(plan_yuan * 100) != static_cast<long long>(workload.total_fen())) {
    figures.error = "the plan's completed investment is " + Fixed(plan_yuan, 2) + " yuan, expected " +
                    Fixed(static_cast<double>(workload.total_fen()) / 100, 2);
  }
  figures.body = std::move(body);
  const int exit_code = daemon->Stop();
  if (figures.error.empty() && exit_code != 0) figures.error = "pipelined exited with " + std::to_string(exit_code);
  fs::remove_all(directory, ignored);
  return figures;
}

LimitFigures MeasureStockRegistry(const std::string& body, int count) {
  LimitFigures limit;
  // The heap in use, not the RSS: the registry reuses memory this process
  // freed before.
  const double heap_before = double(mallinfo2().uordblks + mallinfo2().hblkhd);
  std::shared_ptr<prometheus::Registry> registry = RegistryFromText(body, &limit.series);
  limit.registry_bytes = double(mallinfo2().uordblks + mallinfo2().hblkhd) - heap_before;
  int taken = 0;
  std::string error;
  std::vector<prometheus::MetricFamily> families;
  limit.collect_serialize_s = MedianSeconds(
      count,
      [&] {
        families = registry->Collect();
        return !prometheus::TextSerializer().Serialize(families).empty();
      },
      &taken, &error);
  limit.serialize_s = MedianSeconds(
      count, [&] { return !prometheus::TextSerializer().Serialize(families).empty(); }, &taken, &error);
  return limit;
}

double PerSeriesUs(double seconds, std::size_t series) { return seconds * 1e6 / static_cast<double>(series); }

constexpr int kBaselineProjects = 5;

// Writes the synthetic plan of `projects` projects into the work directory;
// its file, and the projects' codes in *codes.
std::string WriteSyntheticPlan(const BenchOptions& options, int projects, std::vector<std::string>* codes) {
  config::SyntheticPlanOptions plan_options;
  plan_options.projects = projects;
  const std::string plan_file = options.workdir + "/synthetic-" + std::to_string(projects) + ".yaml";
  std::ofstream(plan_file) << config::SyntheticPlanYaml(plan_options);
  codes->clear();
  for (int i = 1; i <= projects; ++i) codes->push_back(config::SyntheticProjectCode(i));
  return plan_file;
}

}  // namespace

void RunScrapeSection(const BenchOptions& options, BenchReport* report) {
  // The baseline: the same daemon on a plan of 5 projects, the fixed cost of
  // a daemon that does not grow with the plan.
  std::vector<std::string> small_plan;
  const std::string small_plan_file = WriteSyntheticPlan(options, kBaselineProjects, &small_plan);
  std::cerr << "pipelined-bench scrape: baseline on a plan of " << kBaselineProjects << " projects\n";
  const ScrapeFigures baseline = MeasureDaemon(options, small_plan_file, small_plan, "baseline");
  if (!baseline.error.empty()) report->failures.push_back("scrape, baseline: " + baseline.error);
  fs::remove(small_plan_file);

  std::vector<ScrapeFigures> runs;
  std::vector<LimitFigures> limits;
  for (int projects : options.scrape_projects) {
    std::vector<std::string> codes;
    const std::string plan_file = WriteSyntheticPlan(options, projects, &codes);
    std::cerr << "pipelined-bench scrape: " << Thousands(projects) << " projects\n";
    ScrapeFigures run = MeasureDaemon(options, plan_file, codes, std::to_string(projects));
    if (!run.error.empty()) report->failures.push_back("scrape, " + std::to_string(projects) + " projects: " + run.error);
    // The stock registry holds gigabytes at 100,000 projects: its cost per
    // series is measured on the smaller plans only.
    LimitFigures limit;
    if (run.series > 0 && projects <= 20000) {
      std::cerr << "pipelined-bench scrape: prometheus-cpp registry with " << Thousands(double(run.series))
                << " series\n";
      limit = MeasureStockRegistry(run.body, options.scrapes);
    }
    report->scrape_bodies[projects] = run.body;
    run.body.clear();
    fs::remove(plan_file);
    runs.push_back(std::move(run));
    limits.push_back(limit);
  }

  std::ostream& out = report->details;
  out << "### Scrape cost and memory per series\n\n";
  out << "The daemon on a synthetic plan (`config::SyntheticPlanYaml`), fresh store, normal durability, two "
         "investment events per project, at steady state; up to "
      << options.scrapes << " scrapes each without and with gzip (at most " << Fixed(kScrapeBudgetSeconds, 0)
      << " s of scrapes), medians; wall time of the whole HTTP exchange on loopback. Memory: VmRSS after the "
         "scrapes; \"above baseline\" subtracts the same daemon on a synthetic plan of 5 projects (binary, libraries, "
         "threads, SQLite: "
      << Fixed(baseline.rss_bytes / 1048576, 1) << " MiB, " << baseline.series << " series), which does not grow "
      << "with the plan.\n\n";
  out << "| projects | series | body (MB) | gzip (MB) | ready after (s) | scrape p50 (s) | µs/series | gzip scrape "
         "p50 (s) | gzip µs/series | daemon CPU/scrape (s) | VmRSS (MiB) | peak VmHWM (MiB) | bytes/series | "
         "bytes/series above baseline |\n";
  out << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const ScrapeFigures& run : runs) {
    const double above = (run.rss_bytes - baseline.rss_bytes) / static_cast<double>(run.series - baseline.series);
    out << "| " << Thousands(run.projects) << " | " << Thousands(double(run.series)) << " | "
        << Fixed(double(run.body_bytes) / 1e6, 1) << " | " << Fixed(double(run.gzip_bytes) / 1e6, 1) << " | "
        << Fixed(run.ready_seconds, 1) << " | " << Significant(run.plain_p50_s) << " | "
        << Fixed(PerSeriesUs(run.plain_p50_s, run.series), 2) << " | " << Significant(run.gzip_p50_s) << " | "
        << Fixed(PerSeriesUs(run.gzip_p50_s, run.series), 2) << " | " << Significant(run.cpu_per_scrape_s) << " | "
        << Fixed(run.rss_bytes / 1048576, 1) << " | " << Fixed(run.peak_rss_bytes / 1048576, 1) << " | "
        << Fixed(run.rss_bytes / double(run.series), 0) << " | " << Fixed(above, 0) << " |\n";
    const std::string size = Thousands(run.projects) + " projects";
    report->figures["scrape_us." + std::to_string(run.projects)] = PerSeriesUs(run.plain_p50_s, run.series);
    report->figures["series." + std::to_string(run.projects)] = double(run.series);
    report->figures["rss_per_series." + std::to_string(run.projects)] = above;
  }
  out << "\nThe same series in a stock prometheus-cpp registry (every sample of the daemon's scrape as a "
         "`Family<Gauge>` or `Family<Counter>` member), in this process:\n\n";
  out << "| projects | series | Collect + TextSerializer p50 (s) | µs/series | TextSerializer alone p50 (s) | "
         "µs/series | registry memory (bytes/series) |\n";
  out << "|---:|---:|---:|---:|---:|---:|---:|\n";
  double limit_us = NAN, stock_us = NAN, stock_bytes = NAN;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const LimitFigures& limit = limits[i];
    if (limit.series == 0) continue;
    out << "| " << Thousands(runs[i].projects) << " | " << Thousands(double(limit.series)) << " | "
        << Significant(limit.collect_serialize_s) << " | " << Fixed(PerSeriesUs(limit.collect_serialize_s, limit.series), 2)
        << " | " << Significant(limit.serialize_s) << " | " << Fixed(PerSeriesUs(limit.serialize_s, limit.series), 2)
        << " | " << Fixed(limit.registry_bytes / double(limit.series), 0) << " |\n";
    limit_us = PerSeriesUs(limit.serialize_s, limit.series);
    stock_us = PerSeriesUs(limit.collect_serialize_s, limit.series);
    stock_bytes = limit.registry_bytes / double(limit.series);
  }
  out << "\n";
  report->figures["serializer_us"] = limit_us;
  for (const ScrapeFigures& run : runs) {
    const std::string size = Thousands(run.projects) + " projects, " + Thousands(double(run.series)) + " series";
    report->rows.push_back({"scrape of /metrics, " + size, "µs/series", PerSeriesUs(run.plain_p50_s, run.series),
                            "prometheus-cpp `TextSerializer` alone, same series", limit_us, true, "under 1"});
    report->rows.push_back({"scrape of /metrics, " + size, "µs/series", PerSeriesUs(run.plain_p50_s, run.series),
                            "stock prometheus-cpp registry: `Collect` + `TextSerializer`", stock_us, true, "under 1"});
    report->rows.push_back({"resident memory above baseline, " + size, "bytes/series",
                            (run.rss_bytes - baseline.rss_bytes) / double(run.series - baseline.series),
                            "a stock prometheus-cpp registry holding the same series", stock_bytes, true,
                            "under 500"});
  }
}

}  // namespace pipelined::bench
