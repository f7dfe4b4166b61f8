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

void RejectionLog::Remember(model::RecentRejection rejection) {
  rejection.at_unix = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::lock_guard lock(recent_mutex_);
  if (recent_.size() == kRecent) recent_.pop_back();
  recent_.push_front(std::move(rejection));
}

std::vector<model::RecentRejection> RejectionLog::Recent() const {
  std::lock_guard lock(recent_mutex_);
  return {recent_.begin(), recent_.end()};
}

void RejectionLog::Rejected(const model::Event& event, const model::Outcome& outcome) {
  // Cut like the log line: a page must not hold megabytes of one event.
  Remember({0, event.event_id.substr(0, 128), event.source.substr(0, 64), event.project_code.substr(0, 64),
            model::PayloadTypeName(event.payload), outcome.reason, outcome.message.substr(0, 512)});
  if (!Allow()) return;
  // Input strings are cut so that one event cannot write a huge log line.
  spdlog::warn("rejected event id={} source={} project={} type={} reason={}: {}", event.event_id.substr(0, 128),
               event.source.substr(0, 64), event.project_code.substr(0, 64), model::PayloadTypeName(event.payload),
               outcome.reason, outcome.message);
}

void RejectionLog::Malformed(const std::string& error) {
  Remember({0, "", "", "", "", "malformed", error.substr(0, 512)});
  if (Allow()) spdlog::warn("malformed message on the ingest socket: {}", error);
}

}  // namespace pipelined::ingest
