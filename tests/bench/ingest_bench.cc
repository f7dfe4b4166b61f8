// The ingest section of pipelined-bench: the acknowledged-event rate of the
// real pipelined daemon beside the rate of the bare event store, for full
// and normal durability. What it measures and how to read the figures:
// docs/benchmarks.md.
//
// For each repetition and each durability it runs, on fresh directories:
//  1. the bare store: EventStore::Append of the workload's records in batches
//     of --batch-size, one transaction per batch;
//  2. the daemon: the real pipelined binary as a child process, fed by
//     --publishers threads, each keeping --in-flight batches of --batch-size
//     investment events in flight on its own Publisher; then /metrics is
//     scraped to check that the daemon stored and counted every event.
// Both see the same events (same ids, same serialized bodies).
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_section.h"
#include "bench_util.h"
#include "child_process.h"
#include "loopback.h"
#include "pipelined/model/money.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/store/event_store.h"
#include "publish_load.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;
using pipelined::testing::FreePort;
using pipelined::testing::HttpGet;

// ---------------------------------------------------------------------------
// One measurement of the bare store.

struct BareResult {
  double seconds = NAN;
  double events_per_second = NAN;
  double append_p50_ms = NAN;  // one Append (= one transaction) of a batch
  double append_p99_ms = NAN;
  std::string error;
};

BareResult RunBareStore(const Workload& workload, store::Durability durability, const std::string& directory) {
  BareResult result;
  // Records are built before the clock starts: only Append is measured.
  std::vector<std::vector<store::EventRecord>> batches;
  batches.reserve(workload.batches().size());
  const std::int64_t received_at = publisher::UnixNowSeconds();
  for (const BatchSpec& spec : workload.batches()) batches.push_back(workload.Records(spec, received_at));

  store::StoreOptions options;
  options.directory = directory;
  options.durability = durability;
  std::unique_ptr<store::EventStore> event_store;
  if (store::Status status = store::EventStore::Open(options, &event_store); !status.ok()) {
    result.error = "cannot open the store: " + status.ToString();
    return result;
  }
  std::vector<double> append_ms;
  append_ms.reserve(batches.size());
  std::vector<const store::EventRecord*> pointers;
  const auto started = SteadyClock::now();
  for (const auto& batch : batches) {
    pointers.clear();
    for (const auto& record : batch) pointers.push_back(&record);
    const auto before = SteadyClock::now();
    std::vector<bool> inserted;
    if (store::Status status = event_store->Append(pointers, &inserted); !status.ok()) {
      result.error = "Append failed: " + status.ToString();
      return result;
    }
    append_ms.push_back(SecondsBetween(before, SteadyClock::now()) * 1e3);
  }
  result.seconds = SecondsBetween(started, SteadyClock::now());
  result.events_per_second = static_cast<double>(workload.events()) / result.seconds;
  result.append_p50_ms = Percentile(append_ms, 0.50);
  result.append_p99_ms = Percentile(append_ms, 0.99);
  if (event_store->Count() != workload.events()) {
    result.error = "the store counts " + std::to_string(event_store->Count()) + " events, expected " +
                   std::to_string(workload.events());
  }
  return result;
}

// ---------------------------------------------------------------------------
// One measurement of the daemon, end to end.

struct DaemonResult {
  double seconds = NAN;
  double events_per_second = NAN;
  double ack_p50_ms = NAN;
  double ack_p99_ms = NAN;
  // From the daemon's /metrics after the run.
  double commits = NAN;
  double events_per_commit = NAN;
  double commit_share = NAN;  // of the wall time, spent in Append (commit included)
  // CPU during the measured interval, as a share of one core.
  double daemon_cpu = NAN;
  double busiest_thread_cpu = NAN;
  std::string busiest_thread;
  double client_cpu = NAN;  // this process: the publisher threads
  std::string error;
};

DaemonResult RunDaemon(const BenchOptions& options, const Workload& workload, store::Durability durability,
                       const std::string& directory) {
  DaemonResult result;
  std::error_code ignored;
  fs::create_directories(directory, ignored);
  const int ingest_port = FreePort(), web_port = FreePort();
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(ingest_port);
  const std::string log_path = directory + "/pipelined.log";
  const std::vector<std::string> args = {
      options.daemon,
      "--plan.file=" + options.plan,
      "--storage.path=" + directory + "/store",
      std::string("--storage.durability=") + store::DurabilityName(durability),
      "--ingest.endpoint=" + endpoint,
      "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
      std::string("--clock.start=") + Workload::kClockStart,
  };
  std::unique_ptr<ChildProcess> daemon = StartDaemon(args, web_port, log_path, &result.error);
  if (!daemon) return result;

  std::map<int, ThreadTicks> ticks_before;
  double client_cpu_before = 0;
  const FeedResult fed = FeedWorkload(endpoint, workload, options.in_flight, [&] {
    ticks_before = ReadThreadTicks(daemon->pid());
    client_cpu_before = SelfCpuSeconds();
  });
  const double client_cpu_after = SelfCpuSeconds();
  const std::map<int, ThreadTicks> ticks_after = ReadThreadTicks(daemon->pid());

  result.error = fed.error;
  result.seconds = fed.seconds;
  result.events_per_second = static_cast<double>(fed.accepted) / result.seconds;
  result.ack_p50_ms = Percentile(fed.ack_ms, 0.50);
  result.ack_p99_ms = Percentile(fed.ack_ms, 0.99);

  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  long long daemon_ticks = 0, busiest_ticks = -1;
  for (const auto& [tid, after] : ticks_after) {
    auto before = ticks_before.find(tid);
    const long long used = after.ticks - (before == ticks_before.end() ? 0 : before->second.ticks);
    daemon_ticks += used;
    if (used > busiest_ticks) {
      busiest_ticks = used;
      result.busiest_thread = after.name;
    }
  }
  result.daemon_cpu = static_cast<double>(daemon_ticks) / tick / result.seconds;
  result.busiest_thread_cpu = static_cast<double>(std::max(0LL, busiest_ticks)) / tick / result.seconds;
  result.client_cpu = (client_cpu_after - client_cpu_before) / result.seconds;

  // The daemon's own view: every event stored and counted, to the fen.
  std::optional<std::string> text = HttpGet(web_port, "/metrics");
  if (!text) {
    if (result.error.empty()) result.error = "cannot scrape /metrics after the run";
  } else {
    const std::map<std::string, double> series = ParseMetrics(*text);
    auto value = [&series](const std::string& name) {
      auto it = series.find(name);
      return it == series.end() ? NAN : it->second;
    };
    const double stored = value("pipelined_store_events");
    model::Fen counted_fen = 0;
    const std::string prefix = "pipelined_project_investment_completed_yuan{";
    for (auto it = series.lower_bound(prefix); it != series.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      counted_fen += std::llround(it->second * model::kFenPerYuan);
    }
    result.commits = value("pipelined_store_commits_total");
    result.events_per_commit = value("pipelined_store_committed_events_total") / result.commits;
    result.commit_share = value("pipelined_store_commit_seconds_total") / result.seconds;
    if (result.error.empty() && !(std::llround(stored) == static_cast<long long>(workload.events()))) {
      result.error = "pipelined_store_events is " + Fixed(stored, 0) + ", expected " +
                     std::to_string(workload.events());
    }
    if (result.error.empty() && counted_fen != workload.total_fen()) {
      result.error = "the projects' completed investment adds up to " + model::FormatYuan(counted_fen) +
                     " yuan, but " + model::FormatYuan(workload.total_fen()) + " yuan were sent";
    }
  }
  const int exit_code = daemon->Stop();
  if (result.error.empty() && exit_code != 0) {
    result.error = "pipelined exited with " + std::to_string(exit_code) + "; its log:\n" + Tail(log_path, 20);
  }
  return result;
}

// ---------------------------------------------------------------------------
// The report.

struct Measurement {
  store::Durability durability;
  int repetition;
  BareResult bare;
  DaemonResult daemon;
};

std::string Ms(double value) { return Fixed(value, value < 10 ? 1 : 0); }

void PrintIngest(const BenchOptions& options, const Workload& workload,
                 const std::vector<store::Durability>& durabilities, const std::vector<Measurement>& runs,
                 BenchReport* report) {
  std::ostream& out = report->details;
  out << "### Ingest: the daemon beside the bare store\n\n";
  out << "- Workload: " << Thousands(static_cast<double>(options.events)) << " investment events (ids of "
      << workload.id_bytes() << " bytes, stored bodies of " << Fixed(workload.mean_body_bytes(), 0)
      << " bytes on average) over " << workload.projects() << " projects of " << options.plan << ", batches of "
      << options.batch_size << "; daemon fed by " << options.publishers << " publishers x " << options.in_flight
      << " batches in flight; " << options.repeat << " repetitions, medians shown; SQLite " << sqlite3_libversion()
      << "\n\n";

  out << "| durability | bare store events/s | daemon acked events/s | daemon/bare | batch ack p50 / p99 (ms) |\n";
  out << "|---|---:|---:|---:|---:|\n";
  for (store::Durability durability : durabilities) {
    std::vector<double> bare, daemon, p50, p99;
    for (const Measurement& run : runs) {
      if (run.durability != durability) continue;
      bare.push_back(run.bare.events_per_second);
      daemon.push_back(run.daemon.events_per_second);
      p50.push_back(run.daemon.ack_p50_ms);
      p99.push_back(run.daemon.ack_p99_ms);
    }
    const double bare_median = Median(bare), daemon_median = Median(daemon);
    const std::string name = store::DurabilityName(durability);
    out << "| " << name << " | " << Thousands(bare_median) << " | " << Thousands(daemon_median) << " | "
        << Fixed(daemon_median / bare_median, 2) << " | " << Ms(Median(p50)) << " / " << Ms(Median(p99)) << " |\n";
    report->figures["ingest." + name] = daemon_median;
    report->figures["bare." + name] = bare_median;
    report->rows.push_back({"ingest, " + name + " durability (batches of " + std::to_string(options.batch_size) +
                                " events)",
                            "events/s", daemon_median, "the bare store's commit rate, same records and durability",
                            bare_median, false, ""});
  }

  out << "\nAll runs (CPU as a share of one core during the daemon's measured interval):\n\n";
  out << "| durability | run | bare events/s | bare Append p50 / p99 (ms) | daemon acked events/s | daemon/bare "
         "| ack p50 / p99 (ms) | commits | events/commit | time in store Append | daemon CPU | busiest daemon "
         "thread | publishers CPU | check |\n";
  out << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const Measurement& run : runs) {
    const BareResult& b = run.bare;
    const DaemonResult& d = run.daemon;
    std::string check = b.error.empty() && d.error.empty() ? "ok" : "FAILED";
    out << "| " << store::DurabilityName(run.durability) << " | " << run.repetition << " | "
        << Thousands(b.events_per_second) << " | " << Ms(b.append_p50_ms) << " / " << Ms(b.append_p99_ms) << " | "
        << Thousands(d.events_per_second) << " | " << Fixed(d.events_per_second / b.events_per_second, 2) << " | "
        << Ms(d.ack_p50_ms) << " / " << Ms(d.ack_p99_ms) << " | " << Fixed(d.commits, 0) << " | "
        << Thousands(d.events_per_commit) << " | " << Fixed(100 * d.commit_share, 0) << "% | "
        << Fixed(100 * d.daemon_cpu, 0) << "% | " << Fixed(100 * d.busiest_thread_cpu, 0) << "% ("
        << d.busiest_thread << ") | " << Fixed(100 * d.client_cpu, 0) << "% | " << check << " |\n";
  }
  for (const Measurement& run : runs) {
    for (const std::string* error : {&run.bare.error, &run.daemon.error}) {
      if (error->empty()) continue;
      report->failures.push_back(std::string("ingest, ") + store::DurabilityName(run.durability) + " run " +
                                 std::to_string(run.repetition) + " (" +
                                 (error == &run.bare.error ? "bare store" : "daemon") + "): " + *error);
    }
  }
  out << "\nChecks per daemon run: every event ACCEPTED; pipelined_store_events equals the events sent; the sum "
         "of pipelined_project_investment_completed_yuan equals the sum sent, to the fen.\n\n";
}

}  // namespace

void RunIngestSection(const BenchOptions& options, BenchReport* report) {
  const std::vector<std::string> projects = PlanProjectsFor("ingest", options, report);
  if (projects.empty()) return;
  std::vector<store::Durability> durabilities;
  if (options.durability != "normal") durabilities.push_back(store::Durability::kFull);
  if (options.durability != "full") durabilities.push_back(store::Durability::kNormal);
  const Workload workload(projects, options.events, options.batch_size, options.publishers);
  std::cerr << "pipelined-bench ingest: " << Thousands(static_cast<double>(options.events)) << " events over "
            << projects.size() << " projects of " << options.plan << "\n";

  // Repetitions outermost, so that drift of a noisy machine spreads over
  // both durabilities instead of favouring one.
  std::vector<Measurement> runs;
  for (int repetition = 1; repetition <= options.repeat; ++repetition) {
    for (store::Durability durability : durabilities) {
      const std::string name = std::string(store::DurabilityName(durability)) + "-" + std::to_string(repetition);
      Measurement run{durability, repetition, {}, {}};
      const std::string bare_dir = options.workdir + "/bare-" + name;
      run.bare = RunBareStore(workload, durability, bare_dir);
      std::error_code ignored;
      fs::remove_all(bare_dir, ignored);
      std::cerr << "[" << name << "] bare store:   " << Thousands(run.bare.events_per_second) << " events/s"
                << (run.bare.error.empty() ? "" : "  FAILED: " + run.bare.error) << "\n";
      const std::string daemon_dir = options.workdir + "/daemon-" + name;
      run.daemon = RunDaemon(options, workload, durability, daemon_dir);
      fs::remove_all(daemon_dir, ignored);
      std::cerr << "[" << name << "] daemon acked: " << Thousands(run.daemon.events_per_second)
                << " events/s, batch ack p50 " << Ms(run.daemon.ack_p50_ms) << " ms, p99 "
                << Ms(run.daemon.ack_p99_ms) << " ms"
                << (run.daemon.error.empty() ? "" : "  FAILED: " + run.daemon.error) << "\n";
      runs.push_back(std::move(run));
    }
  }
  PrintIngest(options, workload, durabilities, runs, report);
}

}  // namespace pipelined::bench
