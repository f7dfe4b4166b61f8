// Percentiles of measured latencies, by nearest rank: the reported p99 is a
// latency some batch really had, never an interpolation between two.
#pragma once

#include <cstddef>
#include <vector>

namespace pipelined::loadgen {

// The smallest value such that at least per_mille/1000 of the values are at
// or below it (nearest rank). Integer per-mille (500, 990, 999) keeps the rank
// exact where 0.99 * n in floating point would not be.
// REQUIRES: `sorted` is sorted ascending and not empty; 0 < per_mille <= 1000.
double NearestRank(const std::vector<double>& sorted, int per_mille);

struct LatencySummary {
  std::size_t count = 0;  // 0: nothing measured, the other fields are 0
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

LatencySummary Summarize(std::vector<double> milliseconds);

}  // namespace pipelined::loadgen
