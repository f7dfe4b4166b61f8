// A load run: publisher threads, each with its own connection (a
// publisher::Publisher, i.e. one DEALER socket), keep a window of batches in
// flight, flat out or paced to a target rate, and record every reply; an
// optional probe thread measures how soon an acknowledged event is visible
// in /metrics. Thread-compatible: one RunLoad at a time per LoadOptions.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/loadgen/event_mix.h"
#include "pipelined/loadgen/latency_stats.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/model/plan.h"
#include "pipelined/publisher/http_client.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::loadgen {

// Where a probe looks for its event.
enum class ProbeVia {
  kMetrics,  // GET /metrics, pipelined_project_investment_completed_yuan{project="P"}
  kApi,      // GET /api/v1/projects/P, project.investment.completed_yuan: the same state, far cheaper to read
};

// The completed investment of `project` in a /metrics or API answer, in fen.
std::optional<model::Fen> ProbeValue(ProbeVia via, const std::string& body, const std::string& project);

struct ProbeOptions {
  std::string project;  // empty: no probes. Must get no other events during the run.
  ProbeVia via = ProbeVia::kMetrics;
  publisher::HttpUrl url;  // /metrics, or the project's API document
  std::chrono::milliseconds interval{200};
  // The project's pipelined_project_investment_completed_yuan before the run, in fen.
  model::Fen baseline_fen = 0;
  // How long one probe may take to become visible before it counts as not visible.
  std::chrono::milliseconds give_up_after{10000};
};

struct LoadOptions {
  // Where to connect (endpoint, CURVE); reply_timeout is how long a batch may
  // wait for its reply, and how long the connection check at start waits.
  publisher::PublisherOptions connection;
  std::chrono::milliseconds duration{10000};
  int publishers = 4;
  double rate = 0;  // events per second over all publishers; 0: flat out
  std::size_t batch_size = 100;
  int in_flight = 4;  // batches per publisher awaiting their reply
  EventMix mix;
  std::uint64_t seed = 1;
  std::string run_id;  // see NewRunId
  std::string source_prefix = "pipelined-loadgen";
  model::Date last_date;  // see LastEventDate
  // Each source's last sequence at the daemon: the run continues from there.
  std::map<std::string, std::uint64_t> last_sequence_by_source;
  ProbeOptions probe;
};

// The source name of publisher `index` ("<prefix>-p00", ...) and of the probe ("<prefix>-probe").
std::string PublisherSource(const std::string& prefix, int index);
std::string ProbeSource(const std::string& prefix);
// Every source a run with these options sends as.
std::vector<std::string> RunSources(const LoadOptions& options);

// "lg" and 17 hex digits: the start time in microseconds and 16 random bits.
std::string NewRunId();

struct ProbeResult {
  bool enabled = false;
  std::uint64_t sent = 0;
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;      // answered, but rejected or duplicate
  std::uint64_t unanswered = 0;    // no reply within the reply timeout
  std::uint64_t not_visible = 0;   // accepted, but not seen within give_up_after
  model::Fen accepted_investment_fen = 0;
  LatencySummary visibility;    // send -> first /metrics answer showing it
  LatencySummary scrape;        // duration of one GET /metrics
  std::string error;            // the last scrape error, if any
};

// What was sent and how the daemon answered.
struct LoadCounts {
  std::uint64_t sent_batches = 0;
  std::uint64_t sent_events = 0;
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::map<std::string, std::uint64_t> rejected_by_reason;
  std::uint64_t unanswered_batches = 0;  // no reply within the reply timeout
  std::uint64_t unanswered_events = 0;
  model::Fen accepted_investment_fen = 0;
  std::array<std::uint64_t, kEventKinds> sent_by_kind{};

  std::uint64_t rejected() const;
  void Add(const LoadCounts& other);
};

struct LoadResult : LoadCounts {
  bool reached = false;  // false: a connection check at start got no reply; nothing was sent
  std::string error;
  double elapsed_seconds = 0;  // start -> last reply (or last send when nothing was answered)
  LatencySummary ack;  // per batch: due (or send) -> reply
  ProbeResult probe;

  double accepted_per_second() const;
};

LoadResult RunLoad(const model::Plan& plan, const LoadOptions& options);

}  // namespace pipelined::loadgen
