// The restart section of pipelined-bench: how long the daemon takes to be
// ready on a store of --restart-events events (10 million by default), the
// first time (no snapshot: every event is replayed) and after a clean stop
// (from the snapshot the first run saved), beside how long the store alone
// takes to open, check and read them (with the checksums verified) and to
// decode them.
//
// The store is written directly with EventStore::Append (normal durability,
// 10,000 events per transaction), not through the daemon: the same records
// the daemon would store for the workload's investment events.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "bench_section.h"
#include "bench_util.h"
#include "child_process.h"
#include "loopback.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/store/event_store.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

namespace fs = std::filesystem;
using pipelined::testing::FreePort;

constexpr std::size_t kEventsPerTransaction = 10000;

// One start of the daemon, from its start to /-/ready.
struct StartFigures {
  double ready_seconds = NAN;
  double ready_cpu = NAN;       // the daemon's CPU time until then
  double replay_seconds = NAN;  // pipelined_replay_duration_seconds
  double rss_bytes = NAN;
};

struct RestartFigures {
  std::uint64_t events = 0;
  double write_seconds = NAN;
  double database_bytes = NAN;
  double open_seconds = NAN;    // EventStore::Open: the integrity check and the count
  double read_seconds = NAN;    // EventStore::Replay with a visitor that does nothing
  double decode_seconds = NAN;  // ... that decodes each event as replay does
  // CPU time of the same (this process; the machine may be busy).
  double open_cpu = NAN, read_cpu = NAN, decode_cpu = NAN;
  // The daemon with every event replayed, and restarted from the snapshot
  // the first start saved.
  StartFigures full, from_snapshot;
  double snapshot_bytes = NAN;
  double verify_seconds = NAN;  // the background check of the store after that start
  std::string error;
};

std::string WriteStore(const Workload& workload, const std::string& directory) {
  store::StoreOptions options;
  options.directory = directory;
  options.durability = store::Durability::kNormal;
  std::unique_ptr<store::EventStore> event_store;
  if (store::Status status = store::EventStore::Open(options, &event_store); !status.ok()) return status.ToString();
  const std::int64_t received_at = publisher::UnixNowSeconds();
  std::vector<const store::EventRecord*> pointers;
  std::vector<bool> inserted;
  for (const BatchSpec& spec : workload.batches()) {
    const std::vector<store::EventRecord> records = workload.Records(spec, received_at);
    pointers.clear();
    for (const auto& record : records) pointers.push_back(&record);
    if (store::Status status = event_store->Append(pointers, &inserted); !status.ok()) return status.ToString();
  }
  return "";
}

// Opens the store and reads every record, calling `visit`; the seconds
// taken to open and to read.
std::string ReadStore(const std::string& directory, const std::function<void(const store::EventRecord&)>& visit,
                      double* open_seconds, double* read_seconds, double* open_cpu, double* read_cpu) {
  store::StoreOptions options;
  options.directory = directory;
  options.durability = store::Durability::kNormal;
  const auto started = SteadyClock::now();
  const double cpu_started = SelfCpuSeconds();
  std::unique_ptr<store::EventStore> event_store;
  if (store::Status status = store::EventStore::Open(options, &event_store); !status.ok()) return status.ToString();
  const auto opened = SteadyClock::now();
  const double cpu_opened = SelfCpuSeconds();
  if (store::Status status = event_store->Replay(visit); !status.ok()) return status.ToString();
  *open_seconds = SecondsBetween(started, opened);
  *read_seconds = SecondsBetween(opened, SteadyClock::now());
  *open_cpu = cpu_opened - cpu_started;
  *read_cpu = SelfCpuSeconds() - cpu_opened;
  return "";
}

// One start of the daemon on the store, up to /-/ready and a scrape.
struct DaemonStart {
  std::unique_ptr<ChildProcess> daemon;
  int web_port = 0;
  StartFigures figures;
  std::map<std::string, double> series;  // the scrape once ready
  std::string error;

  double Value(const std::string& name) const {
    auto it = series.find(name);
    return it == series.end() ? NAN : it->second;
  }
  // Waits (up to 15 minutes) until the series `name` is above 0.
  bool WaitForPositive(const std::string& name, const char* what, std::string* error) const {
    const int port = web_port;
    return daemon->WaitUntil(
        [port, &name] {
          auto body = testing::HttpGet(port, "/metrics");
          auto series = body ? ParseMetrics(*body) : std::map<std::string, double>{};
          return series[name] > 0;
        },
        std::chrono::seconds(900), what, error);
  }
  // "" when the figures are those of the workload, restored and replayed as expected.
  std::string Check(const Workload& workload, std::uint64_t restored, std::uint64_t replayed) const {
    model::Fen counted = 0;
    const std::string prefix = "pipelined_project_investment_completed_yuan{";
    for (auto it = series.lower_bound(prefix); it != series.end() && it->first.rfind(prefix, 0) == 0; ++it) {
      counted += std::llround(it->second * model::kFenPerYuan);
    }
    if (std::llround(Value("pipelined_replay_events")) != static_cast<long long>(replayed) ||
        std::llround(Value("pipelined_snapshot_restored_events")) != static_cast<long long>(restored)) {
      return "pipelined_replay_events is " + Fixed(Value("pipelined_replay_events"), 0) +
             " and pipelined_snapshot_restored_events " + Fixed(Value("pipelined_snapshot_restored_events"), 0) +
             ", expected " + std::to_string(replayed) + " and " + std::to_string(restored);
    }
    if (counted != workload.total_fen()) {
      return "after the restart the projects' completed investment is " + model::FormatYuan(counted) +
             " yuan, expected " + model::FormatYuan(workload.total_fen());
    }
    return "";
  }
};

DaemonStart StartDaemon(const BenchOptions& options, const std::string& store_directory, const std::string& log) {
  DaemonStart start;
  const int ingest_port = FreePort();
  start.web_port = FreePort();
  const int web_port = start.web_port;
  const auto started = SteadyClock::now();
  start.daemon = ChildProcess::Spawn(
      {options.daemon, "--plan.file=" + options.plan, "--storage.path=" + store_directory,
       "--storage.durability=normal", "--ingest.endpoint=tcp://127.0.0.1:" + std::to_string(ingest_port),
       "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
       std::string("--clock.start=") + Workload::kClockStart},
      log, &start.error);
  if (!start.daemon) return start;
  const bool ready = start.daemon->WaitUntil(
      [web_port] {
        std::optional<testing::HttpAnswer> answer = testing::HttpExchange(web_port, "GET", "/-/ready");
        return answer && answer->status == 200;
      },
      std::chrono::seconds(900), "pipelined ready", &start.error);
  start.figures.ready_seconds = SecondsBetween(started, SteadyClock::now());
  if (!ready) return start;
  start.figures.ready_cpu = ProcessCpuSeconds(start.daemon->pid());
  start.figures.rss_bytes = double(ResidentBytes(start.daemon->pid()));
  std::optional<std::string> body = testing::HttpGet(web_port, "/metrics");
  if (!body) {
    start.error = "cannot scrape /metrics after the restart";
    return start;
  }
  start.series = ParseMetrics(*body);
  start.figures.replay_seconds = start.Value("pipelined_replay_duration_seconds");
  return start;
}

RestartFigures Measure(const BenchOptions& options, const std::vector<std::string>& projects) {
  RestartFigures figures;
  figures.events = options.restart_events;
  const std::string directory = options.workdir + "/restart";
  const std::string store_directory = directory + "/store";
  std::error_code ignored;
  fs::remove_all(directory, ignored);
  fs::create_directories(directory, ignored);
  const Workload workload(projects, options.restart_events, kEventsPerTransaction, options.publishers);

  std::cerr << "pipelined-bench restart: writing " << Thousands(double(options.restart_events))
            << " events into a store\n";
  auto started = SteadyClock::now();
  figures.error = WriteStore(workload, store_directory);
  figures.write_seconds = SecondsBetween(started, SteadyClock::now());
  if (!figures.error.empty()) return figures;
  figures.database_bytes = 0;
  for (const auto& entry : fs::directory_iterator(store_directory, ignored)) {
    if (entry.is_regular_file()) figures.database_bytes += double(entry.file_size());
  }

  std::cerr << "pipelined-bench restart: reading the store\n";
  std::uint64_t seen = 0;
  double open_again = 0, open_cpu_again = 0;
  figures.error = ReadStore(store_directory, [&seen](const store::EventRecord&) { ++seen; }, &figures.open_seconds,
                            &figures.read_seconds, &figures.open_cpu, &figures.read_cpu);
  if (figures.error.empty()) {
    v1::Event scratch;
    figures.error = ReadStore(
        store_directory,
        [&](const store::EventRecord& record) {
          model::Event event;
          if (!ingest::DecodeEvent(record.body, &scratch, &event)) figures.error = "a stored event does not decode";
        },
        &open_again, &figures.decode_seconds, &open_cpu_again, &figures.decode_cpu);
  }
  if (!figures.error.empty()) return figures;

  std::cerr << "pipelined-bench restart: starting the daemon on it (full replay)\n";
  DaemonStart full = StartDaemon(options, store_directory, directory + "/pipelined.log");
  figures.full = full.figures;
  figures.error = full.error;
  if (figures.error.empty()) figures.error = full.Check(workload, 0, options.restart_events);
  if (figures.error.empty()) {
    // The first start saves a snapshot soon after its full replay.
    const bool saved = full.WaitForPositive("pipelined_snapshot_saves_total{result=\"success\"}",
                                            "the snapshot after the full replay", &figures.error);
    if (saved) figures.snapshot_bytes = double(fs::file_size(store_directory + "/snapshot", ignored));
  }
  if (full.daemon) {
    const int exit_code = full.daemon->Stop();
    if (figures.error.empty() && exit_code != 0) figures.error = "pipelined exited with " + std::to_string(exit_code);
  }
  if (!figures.error.empty()) return figures;

  std::cerr << "pipelined-bench restart: starting the daemon again (from the snapshot)\n";
  DaemonStart warm = StartDaemon(options, store_directory, directory + "/pipelined-snapshot.log");
  figures.from_snapshot = warm.figures;
  figures.error = warm.error;
  if (figures.error.empty()) figures.error = warm.Check(workload, options.restart_events, 0);
  if (figures.error.empty()) {
    const auto verify_started = SteadyClock::now();
    const bool verified = warm.WaitForPositive("pipelined_store_last_verification_timestamp_seconds",
                                               "the background check of the store", &figures.error);
    // From the start: the check begins when the daemon is ready.
    if (verified) figures.verify_seconds = figures.from_snapshot.ready_seconds + SecondsBetween(verify_started, SteadyClock::now());
  }
  if (warm.daemon) {
    const int exit_code = warm.daemon->Stop();
    if (figures.error.empty() && exit_code != 0) figures.error = "pipelined exited with " + std::to_string(exit_code);
  }
  if (figures.error.empty() && seen != options.restart_events) {
    figures.error = "the store read " + std::to_string(seen) + " events";
  }
  fs::remove_all(directory, ignored);
  return figures;
}

}  // namespace

void RunRestartSection(const BenchOptions& options, BenchReport* report) {
  const std::vector<std::string> projects = PlanProjectsFor("restart", options, report);
  if (projects.empty()) return;
  const RestartFigures f = Measure(options, projects);
  if (!f.error.empty()) report->failures.push_back("restart: " + f.error);
  std::error_code ignored;
  fs::remove_all(options.workdir + "/restart", ignored);

  const double events = double(f.events);
  std::ostream& out = report->details;
  out << "### Restart with " << Thousands(events) << " stored events\n\n";
  out << "The store (" << Fixed(f.database_bytes / 1e9, 2) << " GB: `events.db` and its WAL) was written with "
      << "`EventStore::Append` in " << Fixed(f.write_seconds, 0) << " s (" << Thousands(events / f.write_seconds)
      << " events/s, normal durability, " << Thousands(double(kEventsPerTransaction))
      << " events per transaction); then, one after the other:\n\n";
  out << "| step | seconds | CPU seconds | events/s |\n|---|---:|---:|---:|\n";
  out << "| the store alone: `EventStore::Open` and `CheckIntegrity` (count, quick_check) | " << Significant(f.open_seconds) << " | "
      << Significant(f.open_cpu) << " | |\n";
  out << "| the store alone: `EventStore::Replay`, checksums verified, nothing done with the records | "
      << Significant(f.read_seconds) << " | " << Significant(f.read_cpu) << " | " << Thousands(events / f.read_seconds)
      << " |\n";
  out << "| the store alone: `EventStore::Replay` and `DecodeEvent` of each record | " << Significant(f.decode_seconds)
      << " | " << Significant(f.decode_cpu) << " | " << Thousands(events / f.decode_seconds) << " |\n";
  out << "| the daemon, first start (no snapshot): start to `/-/ready` (plan, open, check, replay into the model) | "
      << Significant(f.full.ready_seconds) << " | " << Significant(f.full.ready_cpu) << " | "
      << Thousands(events / f.full.ready_seconds) << " |\n";
  out << "| the daemon's own `pipelined_replay_duration_seconds` (replay into the model, after the open) | "
      << Significant(f.full.replay_seconds) << " | | " << Thousands(events / f.full.replay_seconds) << " |\n";
  out << "| the daemon, restarted after a clean stop: start to `/-/ready` (plan, open, snapshot) | "
      << Significant(f.from_snapshot.ready_seconds) << " | " << Significant(f.from_snapshot.ready_cpu) << " | |\n";
  out << "| the daemon's own `pipelined_replay_duration_seconds` on that start (restore the snapshot) | "
      << Significant(f.from_snapshot.replay_seconds) << " | | |\n";
  out << "| the background check of the whole store after that start, done (from the start) | "
      << Significant(f.verify_seconds) << " | | " << Thousands(events / f.verify_seconds) << " |\n\n";
  out << "The snapshot file: " << Fixed(f.snapshot_bytes / 1048576, 1) << " MiB. Resident memory of the daemon once "
      << "ready: " << Fixed(f.full.rss_bytes / 1048576, 0) << " MiB after the full replay, "
      << Fixed(f.from_snapshot.rss_bytes / 1048576, 0) << " MiB after the start from the snapshot. Checks: "
      << "`pipelined_replay_events` equals the events written on the first start and 0 on the second (where "
      << "`pipelined_snapshot_restored_events` equals them), and both times the projects' completed investment "
      << "equals the sum written, to the fen.\n\n";
  report->rows.push_back({"restart with " + Thousands(events) + " stored events, start to /-/ready (from the snapshot)",
                          "s", f.from_snapshot.ready_seconds, "the store alone: open + check + read with checksums",
                          f.open_seconds + f.read_seconds, true, "under 10"});
  report->rows.push_back({"the same without a snapshot (first start: full replay)", "s", f.full.ready_seconds,
                          "the store alone: open + check + read with checksums", f.open_seconds + f.read_seconds, true,
                          "(none)"});
}

}  // namespace pipelined::bench
