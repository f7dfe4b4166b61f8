#include "pipelined/loadgen/latency_stats.h"

#include <algorithm>
#include <numeric>

namespace pipelined::loadgen {

double NearestRank(const std::vector<double>& sorted, int per_mille) {
  const std::size_t n = sorted.size();
  const std::size_t rank = (n * static_cast<std::size_t>(per_mille) + 999) / 1000;  // ceil(n * q)
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

LatencySummary Summarize(std::vector<double> milliseconds) {
  LatencySummary summary;
  if (milliseconds.empty()) return summary;
  std::sort(milliseconds.begin(), milliseconds.end());
  summary.count = milliseconds.size();
  summary.p50_ms = NearestRank(milliseconds, 500);
  summary.p99_ms = NearestRank(milliseconds, 990);
  summary.p999_ms = NearestRank(milliseconds, 999);
  summary.max_ms = milliseconds.back();
  summary.mean_ms = std::accumulate(milliseconds.begin(), milliseconds.end(), 0.0) /
                    static_cast<double>(milliseconds.size());
  return summary;
}

}  // namespace pipelined::loadgen
