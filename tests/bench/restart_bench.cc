// The restart section of pipelined-bench: how long the daemon takes to be
// ready on a store of --restart-events events (10 million by default),
// beside how long the store alone takes to open and to read them (with the
// checksums verified) and to decode them.
//
// The store is written directly with EventStore::Append (normal durability,
// 10,000 events per transaction), not through the daemon: the same records
// the daemon would store for the workload's investment events.
#include <cmath>
#include <filesystem>
#include <iostream>
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

struct RestartFigures {
  std::uint64_t events = 0;
  double write_seconds = NAN;
  double database_bytes = NAN;
  double open_seconds = NAN;    // EventStore::Open: the integrity check and the count
  double read_seconds = NAN;    // EventStore::Replay with a visitor that does nothing
  double decode_seconds = NAN;  // ... that decodes each event as replay does
  // CPU time of the same (this process; the machine may be busy).
  double open_cpu = NAN, read_cpu = NAN, decode_cpu = NAN;
  double ready_seconds = NAN;   // the daemon, from its start to /-/ready
  double ready_cpu = NAN;       // the daemon's CPU time until then
  double replay_seconds = NAN;  // pipelined_replay_duration_seconds
  double rss_bytes = NAN;
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

  std::cerr << "pipelined-bench restart: starting the daemon on it\n";
  const int ingest_port = FreePort(), web_port = FreePort();
  started = SteadyClock::now();
  std::unique_ptr<ChildProcess> daemon =
      ChildProcess::Spawn({options.daemon, "--plan.file=" + options.plan, "--storage.path=" + store_directory,
                           "--storage.durability=normal",
                           "--ingest.endpoint=tcp://127.0.0.1:" + std::to_string(ingest_port),
                           "--web.listen-address=127.0.0.1:" + std::to_string(web_port),
                           std::string("--clock.start=") + Workload::kClockStart},
                          directory + "/pipelined.log", &figures.error);
  if (!daemon) return figures;
  const bool ready = daemon->WaitUntil(
      [web_port] {
        std::optional<testing::HttpAnswer> answer = testing::HttpExchange(web_port, "GET", "/-/ready");
        return answer && answer->status == 200;
      },
      std::chrono::seconds(900), "pipelined ready", &figures.error);
  figures.ready_seconds = SecondsBetween(started, SteadyClock::now());
  if (!ready) return figures;
  figures.ready_cpu = ProcessCpuSeconds(daemon->pid());
  figures.rss_bytes = double(ResidentBytes(daemon->pid()));
  std::optional<std::string> body = testing::HttpGet(web_port, "/metrics");
  if (!body) {
    figures.error = "cannot scrape /metrics after the restart";
    return figures;
  }
  const auto series = ParseMetrics(*body);
  auto value = [&series](const std::string& name) {
    auto it = series.find(name);
    return it == series.end() ? NAN : it->second;
  };
  figures.replay_seconds = value("pipelined_replay_duration_seconds");
  model::Fen counted = 0;
  const std::string prefix = "pipelined_project_investment_completed_yuan{";
  for (auto it = series.lower_bound(prefix); it != series.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    counted += std::llround(it->second * model::kFenPerYuan);
  }
  if (std::llround(value("pipelined_replay_events")) != static_cast<long long>(options.restart_events)) {
    figures.error = "pipelined_replay_events is " + Fixed(value("pipelined_replay_events"), 0) + ", expected " +
                    std::to_string(options.restart_events);
  } else if (counted != workload.total_fen()) {
    figures.error = "after the restart the projects' completed investment is " + model::FormatYuan(counted) +
                    " yuan, expected " + model::FormatYuan(workload.total_fen());
  } else if (seen != options.restart_events) {
    figures.error = "the store read " + std::to_string(seen) + " events";
  }
  const int exit_code = daemon->Stop();
  if (figures.error.empty() && exit_code != 0) figures.error = "pipelined exited with " + std::to_string(exit_code);
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
  out << "| the store alone: `EventStore::Open` (integrity check, count) | " << Significant(f.open_seconds) << " | "
      << Significant(f.open_cpu) << " | |\n";
  out << "| the store alone: `EventStore::Replay`, checksums verified, nothing done with the records | "
      << Significant(f.read_seconds) << " | " << Significant(f.read_cpu) << " | " << Thousands(events / f.read_seconds)
      << " |\n";
  out << "| the store alone: `EventStore::Replay` and `DecodeEvent` of each record | " << Significant(f.decode_seconds)
      << " | " << Significant(f.decode_cpu) << " | " << Thousands(events / f.decode_seconds) << " |\n";
  out << "| the daemon: start to `/-/ready` (plan, open, replay into the model) | " << Significant(f.ready_seconds)
      << " | " << Significant(f.ready_cpu) << " | " << Thousands(events / f.ready_seconds) << " |\n";
  out << "| the daemon's own `pipelined_replay_duration_seconds` (replay into the model, after the open) | "
      << Significant(f.replay_seconds) << " | | " << Thousands(events / f.replay_seconds) << " |\n\n";
  out << "Resident memory of the daemon once ready: " << Fixed(f.rss_bytes / 1048576, 0) << " MiB. Checks: "
         "`pipelined_replay_events` equals the events written, and the projects' completed investment equals the "
         "sum written, to the fen.\n\n";
  report->rows.push_back({"restart with " + Thousands(events) + " stored events, start to /-/ready", "s",
                          f.ready_seconds, "the store alone: open + read with checksums", f.open_seconds + f.read_seconds,
                          true, "under 10"});
}

}  // namespace pipelined::bench
