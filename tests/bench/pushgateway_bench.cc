// The pushgateway section of pipelined-bench: the Prometheus pushgateway
// (Debian's prometheus-pushgateway), the tool people use today for pushed
// metrics, on the same machine with the same event stream, beside the
// daemon's figures from the earlier sections.
//
// The pushgateway keeps the last value pushed and sums nothing, so each
// publisher keeps its projects' completed investment itself and, after each
// batch, pushes the gauge of every project it has reported: one HTTP PUT of
// the text format per batch, grouping key {job, instance=publisher}. That is
// the pattern the pushgateway documents (a group per pushing job or
// instance, replaced whole on each push); a group per project would add two
// series per project (push_time_seconds, push_failure_time_seconds) and a
// push per project per batch. It runs in memory (--persistence.file unset):
// nothing it accepts survives a restart, unlike the daemon's store.
//
// For the scrape, the daemon's own /metrics body of the first scrape size
// is pushed as one group, so that the pushgateway serves the same series.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "bench_section.h"
#include "bench_util.h"
#include "child_process.h"
#include "loopback.h"
#include "pipelined/config/synthetic_plan.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;
using pipelined::testing::FreePort;
using pipelined::testing::HttpAnswer;
using pipelined::testing::HttpExchange;

constexpr char kGauge[] = "project_investment_completed_yuan";

struct PushFigures {
  std::string workload;
  std::uint64_t events = 0;
  std::size_t pushes = 0;
  double seconds = NAN;
  std::uint64_t series_pushed = 0;  // lines of all pushes together
  std::string error;
};

// One publisher: pushes its cumulative per-project gauges after each batch.
void PushAll(int port, const Workload& workload, int publisher, PushFigures* figures, std::string* error) {
  std::map<std::size_t, model::Fen> completed;  // project index -> fen
  const std::string path = "/metrics/job/pipelined_bench/instance/" + Workload::Source(publisher);
  for (const BatchSpec& spec : workload.batches()) {
    if (spec.publisher != publisher) continue;
    for (std::size_t i = 0; i < spec.count; ++i) {
      std::size_t project = 0;
      model::Fen amount = 0;
      workload.Event(spec, i, &project, &amount);
      completed[project] += amount;
    }
    std::string text = std::string("# TYPE ") + kGauge + " gauge\n";
    for (const auto& [project, fen] : completed) {
      text += std::string(kGauge) + "{project=\"" + workload.project_codes()[project] + "\"} " +
              model::FormatYuan(fen) + "\n";
    }
    std::optional<HttpAnswer> answer = HttpExchange(port, "PUT", path, "Content-Type: text/plain; version=0.0.4\r\n",
                                                    text, 120);
    if (!answer || answer->status / 100 != 2) {
      *error = "a push was refused: " + (answer ? std::to_string(answer->status) + " " + answer->body : "no answer");
      return;
    }
    __atomic_add_fetch(&figures->pushes, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&figures->series_pushed, completed.size(), __ATOMIC_RELAXED);
  }
}

PushFigures PushWorkload(int port, const Workload& workload, const std::string& name) {
  PushFigures figures;
  figures.workload = name;
  figures.events = workload.events();
  std::vector<std::string> errors(static_cast<std::size_t>(workload.publishers()));
  std::vector<std::thread> threads;
  const auto started = SteadyClock::now();
  for (int p = 0; p < workload.publishers(); ++p) {
    threads.emplace_back(PushAll, port, std::cref(workload), p, &figures, &errors[static_cast<std::size_t>(p)]);
  }
  for (auto& thread : threads) thread.join();
  figures.seconds = SecondsBetween(started, SteadyClock::now());
  for (const std::string& error : errors) {
    if (!error.empty() && figures.error.empty()) figures.error = error;
  }
  if (!figures.error.empty()) return figures;
  // Every event is in the gauges: their sum over the publishers' groups is
  // what was sent.
  std::optional<std::string> body = testing::HttpGet(port, "/metrics");
  if (!body) {
    figures.error = "cannot scrape the pushgateway";
    return figures;
  }
  model::Fen sum = 0;
  for (const auto& [series, value] : ParseMetrics(*body)) {
    if (series.rfind(std::string(kGauge) + "{", 0) == 0 && series.find("job=\"pipelined_bench\"") != std::string::npos) {
      sum += std::llround(value * model::kFenPerYuan);
    }
  }
  if (sum != workload.total_fen()) {
    figures.error = "the pushgateway's gauges add up to " + model::FormatYuan(sum) + " yuan, " +
                    model::FormatYuan(workload.total_fen()) + " were pushed";
  }
  // Emptied for the next measurement.
  for (int p = 0; p < workload.publishers(); ++p) {
    HttpExchange(port, "DELETE", "/metrics/job/pipelined_bench/instance/" + Workload::Source(p));
  }
  return figures;
}

}  // namespace

void RunPushgatewaySection(const BenchOptions& options, BenchReport* report) {
  if (access(options.pushgateway.c_str(), X_OK) != 0) {
    report->failures.push_back("pushgateway: " + options.pushgateway +
                               " is not there: install Debian's prometheus-pushgateway (scripts/install-deps)");
    return;
  }
  const std::vector<std::string> small_plan = PlanProjectsFor("pushgateway", options, report);
  if (small_plan.empty()) return;
  const std::string directory = options.workdir + "/pushgateway";
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  const int port = FreePort();
  std::string error;
  std::unique_ptr<ChildProcess> gateway = ChildProcess::Spawn(
      {options.pushgateway, "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"},
      directory + "/pushgateway.log", &error);
  if (!gateway || !gateway->WaitUntil(
                      [port] {
                        std::optional<HttpAnswer> answer = HttpExchange(port, "GET", "/-/ready");
                        return answer && answer->status == 200;
                      },
                      std::chrono::seconds(60), "pushgateway ready", &error)) {
    report->failures.push_back("pushgateway: " + error);
    return;
  }
  const std::string version = RunCommand(ShellQuote(options.pushgateway) + " --version 2>&1 | head -n 1");
  // What any request costs it: a scrape while it holds nothing pushed.
  std::vector<double> empty_scrapes;
  for (int i = 0; i < 5; ++i) {
    const auto started = SteadyClock::now();
    if (HttpExchange(port, "GET", "/metrics")) empty_scrapes.push_back(SecondsBetween(started, SteadyClock::now()));
  }
  std::cerr << "pipelined-bench pushgateway: the ingest stream\n";

  std::vector<PushFigures> pushes;
  pushes.push_back(PushWorkload(port, Workload(small_plan, options.events, options.batch_size, options.publishers),
                                "the ingest workload: " + Thousands(double(options.events)) + " events over " +
                                    std::to_string(small_plan.size()) + " projects, batches of " +
                                    std::to_string(options.batch_size) + ", " + std::to_string(options.publishers) +
                                    " publishers"));
  int scrape_projects = options.scrape_projects.empty() ? 0 : options.scrape_projects.front();
  if (scrape_projects > 0) {
    std::vector<std::string> codes;
    for (int i = 1; i <= scrape_projects; ++i) codes.push_back(config::SyntheticProjectCode(i));
    pushes.push_back(PushWorkload(port, Workload(codes, 2 * codes.size(), 1000, 2),
                                  "the scrape workload: " + Thousands(2.0 * scrape_projects) + " events over " +
                                      Thousands(scrape_projects) + " projects, batches of 1000, 2 publishers"));
  }
  for (const PushFigures& push : pushes) {
    if (!push.error.empty()) report->failures.push_back("pushgateway, " + push.workload + ": " + push.error);
  }

  // The same series as the daemon's scrape.
  const std::int64_t rss_empty = ResidentBytes(gateway->pid());
  auto body = report->scrape_bodies.find(scrape_projects);
  double push_seconds = NAN, scrape_p50 = NAN, rss = NAN, series = NAN, gzip_p50 = NAN;
  int scrapes = 0;
  if (body != report->scrape_bodies.end() && !body->second.empty()) {
    std::cerr << "pipelined-bench pushgateway: the daemon's " << Thousands(double(CountSeries(body->second)))
              << " series\n";
    const auto started = SteadyClock::now();
    std::optional<HttpAnswer> answer =
        HttpExchange(port, "PUT", "/metrics/job/pipelined", "Content-Type: text/plain; version=0.0.4\r\n",
                     body->second, 600);
    push_seconds = SecondsBetween(started, SteadyClock::now());
    if (!answer || answer->status / 100 != 2) {
      report->failures.push_back("pushgateway: the daemon's series were refused: " +
                                 (answer ? std::to_string(answer->status) + " " + answer->body.substr(0, 300)
                                         : std::string("no answer")));
    } else {
      std::vector<double> plain, gzip;
      std::string text;
      HttpAnswer scraped;  // reused, as the scrape section does
      const auto budget = SteadyClock::now();
      for (int i = 0; i < options.scrapes; ++i) {
        auto t = SteadyClock::now();
        if (!HttpExchange(port, "GET", "/metrics", "", "", 300, &scraped) || scraped.status != 200) break;
        plain.push_back(SecondsBetween(t, SteadyClock::now()));
        text = scraped.body;
        t = SteadyClock::now();
        if (!HttpExchange(port, "GET", "/metrics", "Accept-Encoding: gzip\r\n", "", 300, &scraped) ||
            scraped.status != 200) {
          break;
        }
        gzip.push_back(SecondsBetween(t, SteadyClock::now()));
        if (i >= 2 && SecondsBetween(budget, SteadyClock::now()) > 90) break;
      }
      scrapes = static_cast<int>(plain.size());
      scrape_p50 = Median(plain);
      gzip_p50 = Median(gzip);
      series = double(CountSeries(text));
      rss = double(ResidentBytes(gateway->pid()));
    }
  }
  gateway->Stop();
  fs::remove_all(directory, ignored);

  auto figure = [report](const std::string& name) {
    auto it = report->figures.find(name);
    return it == report->figures.end() ? NAN : it->second;
  };
  std::ostream& out = report->details;
  out << "### The Prometheus pushgateway on the same work\n\n";
  out << "`" << version << "` from Debian, started as `prometheus-pushgateway --web.listen-address=127.0.0.1:PORT` "
      << "(no `--persistence.file`: it keeps pushes in memory only). Each publisher pushes, after each batch, the "
      << "completed investment of every project it has reported as a gauge (`PUT /metrics/job/pipelined_bench/"
      << "instance/PUBLISHER`, one HTTP/1.0 connection per push); checked afterwards: the gauges add up to what "
      << "was sent. A scrape of the pushgateway while it holds nothing pushed (its own ~"
      << "100 series) takes " << Significant(Median(empty_scrapes) * 1e3) << " ms (median of 5): a push (which "
      << "gathers all its metrics to check the new ones) costs at least that.\n\n";
  out << "| event stream | pushes | series pushed per push, mean | seconds | pushed events/s | pipelined acked "
         "events/s (normal) |\n|---|---:|---:|---:|---:|---:|\n";
  for (const PushFigures& push : pushes) {
    out << "| " << push.workload << " | " << push.pushes << " | "
        << Thousands(double(push.series_pushed) / double(std::max<std::size_t>(1, push.pushes))) << " | " << Significant(push.seconds) << " | "
        << Thousands(double(push.events) / push.seconds) << " | "
        << (&push == &pushes.front() ? Thousands(figure("ingest.normal")) : std::string("")) << " |\n";
  }
  const double pipelined_us = figure("scrape_us." + std::to_string(scrape_projects));
  const double gateway_us = scrape_p50 * 1e6 / series;
  out << "\nThe daemon's /metrics of the " << Thousands(scrape_projects) << "-project plan pushed as one group ("
      << Significant(push_seconds) << " s for the push) and scraped " << scrapes << " times:\n\n";
  out << "| | series served | scrape p50 (s) | µs/series | gzip scrape p50 (s) | VmRSS (MiB) | bytes/series above "
         "its empty state |\n|---|---:|---:|---:|---:|---:|---:|\n";
  out << "| pushgateway | " << Thousands(series) << " | " << Significant(scrape_p50) << " | " << Fixed(gateway_us, 2)
      << " | " << Significant(gzip_p50) << " | " << Fixed(rss / 1048576, 0) << " | "
      << Fixed((rss - double(rss_empty)) / series, 0) << " |\n";
  out << "| pipelined (scrape section) | " << Thousands(figure("series." + std::to_string(scrape_projects))) << " | | "
      << Fixed(pipelined_us, 2) << " | | | " << Fixed(figure("rss_per_series." + std::to_string(scrape_projects)), 0)
      << " |\n\n";
  report->figures["pushgateway_us"] = gateway_us;
}

}  // namespace pipelined::bench
