#include "pipelined/ingest/rejection_log.h"

#include <spdlog/spdlog.h>

namespace pipelined::ingest {

bool RejectionLog::Allow() {
  const auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    if (suppressed_in_window_ > 0) {
      spdlog::warn("{} more rejected events or malformed messages were not logged (log rate limit {}/s)",
                   suppressed_in_window_, per_second_);
    }
    window_start_ = now;
    logged_in_window_ = 0;
    suppressed_in_window_ = 0;
  }
  if (logged_in_window_ < per_second_) {
    ++logged_in_window_;
    return true;
  }
  ++suppressed_in_window_;
  counters_.rejection_logs_suppressed.fetch_add(1, std::memory_order_relaxed);
  return false;
}

void RejectionLog::Rejected(const model::Event& event, const model::Outcome& outcome) {
  if (!Allow()) return;
  // Input strings are cut so that one event cannot write a huge log line.
  spdlog::warn("rejected event id={} source={} project={} type={} reason={}: {}", event.event_id.substr(0, 128),
               event.source.substr(0, 64), event.project_code.substr(0, 64), model::PayloadTypeName(event.payload),
               outcome.reason, outcome.message);
}

void RejectionLog::Malformed(const std::string& error) {
  if (Allow()) spdlog::warn("malformed message on the ingest socket: {}", error);
}

}  // namespace pipelined::ingest
