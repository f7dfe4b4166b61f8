#include "pipelined/model/status_tracker.h"

namespace pipelined::model {

const char* EvaluationTriggerName(EvaluationTrigger trigger) {
  return trigger == EvaluationTrigger::kSchedule ? "schedule" : "events";
}

std::vector<StatusChange> StatusTracker::Update(const Report& report, EvaluationTrigger trigger) {
  std::lock_guard lock(mutex_);
  evaluations_[static_cast<size_t>(trigger)].fetch_add(1, std::memory_order_relaxed);
  if (last_.size() != report.projects.size()) last_.assign(report.projects.size(), Status::kOnTrack);
  std::vector<StatusChange> changes;
  for (size_t i = 0; i < report.projects.size(); ++i) {
    const ProjectFigures& project = report.projects[i];
    const Status now = project.assessment.status;
    if (now == last_[i]) continue;
    changes.push_back({project.plan->code, last_[i], now, project.assessment.findings});
    changes_[static_cast<size_t>(now)].fetch_add(1, std::memory_order_relaxed);
    last_[i] = now;
  }
  return changes;
}

std::uint64_t StatusTracker::Evaluations(EvaluationTrigger trigger) const {
  return evaluations_[static_cast<size_t>(trigger)].load(std::memory_order_relaxed);
}

std::uint64_t StatusTracker::Changes(Status status) const {
  return changes_[static_cast<size_t>(status)].load(std::memory_order_relaxed);
}

}  // namespace pipelined::model
