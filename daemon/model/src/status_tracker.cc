#include "pipelined/model/status_tracker.h"

namespace pipelined::model {

const char* EvaluationTriggerName(EvaluationTrigger trigger) {
  return trigger == EvaluationTrigger::kSchedule ? "schedule" : "events";
}

std::vector<StatusChange> StatusTracker::Update(const Report& report, EvaluationTrigger trigger) {
  std::lock_guard lock(mutex_);
  evaluations_[static_cast<size_t>(trigger)].fetch_add(1, std::memory_order_relaxed);
  // Keyed by code, not position: a reloaded plan may add, drop or reorder
  // projects, and those that stay keep their last status.
  std::unordered_map<std::string, Status> current;
  current.reserve(report.projects.size());
  std::vector<StatusChange> changes;
  for (const ProjectFigures& project : report.projects) {
    const Status now = project.assessment.status;
    auto before = last_.find(project.plan->code);
    const Status was = before == last_.end() ? Status::kOnTrack : before->second;
    current.emplace(project.plan->code, now);
    if (now == was) continue;
    changes.push_back({project.plan->code, was, now, project.assessment.findings});
    changes_[static_cast<size_t>(now)].fetch_add(1, std::memory_order_relaxed);
  }
  last_ = std::move(current);
  return changes;
}

std::uint64_t StatusTracker::Evaluations(EvaluationTrigger trigger) const {
  return evaluations_[static_cast<size_t>(trigger)].load(std::memory_order_relaxed);
}

std::uint64_t StatusTracker::Changes(Status status) const {
  return changes_[static_cast<size_t>(status)].load(std::memory_order_relaxed);
}

}  // namespace pipelined::model
