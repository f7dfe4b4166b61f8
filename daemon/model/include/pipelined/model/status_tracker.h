// Remembers each project's last evaluated status and reports the changes, so
// the daemon can log "project X is now lagging: ..." once, when it happens,
// whether an event or the passing of time caused it.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "pipelined/model/programme.h"

namespace pipelined::model {

struct StatusChange {
  std::string project;
  Status from = Status::kOnTrack;
  Status to = Status::kOnTrack;
  std::vector<Finding> findings;  // the reasons for `to`
};

enum class EvaluationTrigger { kSchedule, kEvents };
const char* EvaluationTriggerName(EvaluationTrigger trigger);  // schedule, events

class StatusTracker {
 public:
  // The changes since the previous call. The first call reports every project
  // that is not on track (from on_track), so a restart logs the current state.
  std::vector<StatusChange> Update(const Report& report, EvaluationTrigger trigger);

  std::uint64_t Evaluations(EvaluationTrigger trigger) const;
  // Projects that entered `status` since start.
  std::uint64_t Changes(Status status) const;

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, Status> last_;  // project code -> status
  std::array<std::atomic<std::uint64_t>, 2> evaluations_{};
  std::array<std::atomic<std::uint64_t>, kStatusCount> changes_{};
};

}  // namespace pipelined::model
