// Logs rejected events and malformed messages, but at most `per_second`
// lines a second, so that a misbehaving publisher cannot flood the log; the
// rest are counted and summarised once the window ends. Also keeps the last
// few rejections (all of them, not only the logged ones) for the status page.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "pipelined/model/event.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"

namespace pipelined::ingest {

class RejectionLog {
 public:
  RejectionLog(int per_second, model::IngestCounters& counters) : per_second_(per_second), counters_(counters) {}

  // Not thread-safe: called from the ingest thread only.
  void Rejected(const model::Event& event, const model::Outcome& outcome);
  void Malformed(const std::string& error);

  static constexpr size_t kRecent = 20;
  // The latest rejections, newest first. Thread-safe.
  std::vector<model::RecentRejection> Recent() const;

 private:
  void Remember(model::RecentRejection rejection);
  // True when one more line fits in the current one-second window.
  bool Allow();

  int per_second_;
  model::IngestCounters& counters_;
  std::chrono::steady_clock::time_point window_start_{};
  int logged_in_window_ = 0;
  std::uint64_t suppressed_in_window_ = 0;
  mutable std::mutex recent_mutex_;
  std::deque<model::RecentRejection> recent_;
};

}  // namespace pipelined::ingest
