// What a load run reads from the daemon's /metrics (Prometheus text format):
// the counters it verifies, the daemon's clock and plan, and the sources'
// sequence numbers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "pipelined/model/money.h"

namespace pipelined::loadgen {

struct MetricsSnapshot {
  // pipelined_events_total{result="accepted"}, per source.
  std::map<std::string, double> accepted_by_source;
  std::optional<double> store_events;  // pipelined_store_events
  // pipelined_project_investment_completed_yuan, per project, in fen.
  std::unordered_map<std::string, model::Fen> investment_fen_by_project;
  std::optional<std::int64_t> clock_unix_seconds;  // pipelined_clock_time_seconds
  std::string plan_code;                           // pipelined_plan_info{plan=...}
  std::map<std::string, std::uint64_t> last_sequence_by_source;  // pipelined_source_last_sequence
};

// Reads the series above from a /metrics text; the rest is skipped.
MetricsSnapshot ParseMetricsSnapshot(const std::string& text);

// The value of the series written exactly `series` (name and labels as the
// daemon writes them, e.g. `x{project="P"}`), found without parsing the rest.
std::optional<double> FindSeriesValue(const std::string& text, const std::string& series);

// A metric in yuan back to fen. Exact for the daemon's values: they are
// whole fen, below 2^53 fen, written with enough digits to round-trip.
model::Fen YuanToFen(double yuan);

}  // namespace pipelined::loadgen
