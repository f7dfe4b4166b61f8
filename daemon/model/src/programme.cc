#include "pipelined/model/programme.h"

#include <mutex>

namespace pipelined::model {
namespace {

Plan Indexed(Plan plan) {
  plan.Index();
  return plan;
}

void KeepEarliest(std::optional<Date>& slot, const Date& date) {
  if (!slot || date < *slot) slot = date;
}

}  // namespace

const char* EventStatusName(EventStatus status) {
  switch (status) {
    case EventStatus::kAccepted: return "accepted";
    case EventStatus::kDuplicate: return "duplicate";
    case EventStatus::kRejected: return "rejected";
  }
  return "unknown";
}

void GroupFigures::Add(const ProjectFigures& project) {
  ++projects;
  projects_started += project.construction_started ? 1 : 0;
  projects_completed += project.completed ? 1 : 0;
  lines_launched += project.lines_launched;
  lines_planned += project.lines_planned;
  investment_completed_fen += project.investment_completed_fen;
  investment_planned_fen += project.investment_planned_fen;
  investment_completed_year_fen += project.investment_completed_year_fen;
  investment_planned_year_fen += project.investment_planned_year_fen;
}

Programme::Programme(Plan plan, const Clock& clock, EventLimits limits)
    : plan_(Indexed(std::move(plan))),
      clock_(clock),
      validator_(plan_, limits),
      progress_(plan_.projects.size()) {}

Outcome Programme::Submit(const Event& event) {
  std::unique_lock lock(mutex_);
  Outcome outcome;
  if (accepted_event_ids_.count(event.event_id) != 0) {
    outcome.status = EventStatus::kDuplicate;
    outcome.message = "event_id " + event.event_id + " was accepted before; nothing changed";
  } else if (auto rejection = validator_.Check(event, clock_.NowUnixSeconds())) {
    outcome.status = EventStatus::kRejected;
    outcome.reason = std::move(rejection->reason);
    outcome.message = std::move(rejection->message);
  } else {
    // The validator guarantees the project exists.
    const ProjectPlan* project = plan_.FindProject(event.project_code);
    Apply(static_cast<size_t>(project - plan_.projects.data()), event);
    accepted_event_ids_.insert(event.event_id);
    outcome.status = EventStatus::kAccepted;
  }
  Count(event.source, outcome);
  return outcome;
}

void Programme::Apply(size_t project_index, const Event& event) {
  ProjectProgress& progress = progress_[project_index];
  const Date occurred_on = Date::FromUnixSecondsShanghai(*event.occurred_at_unix);
  if (std::holds_alternative<ConstructionStarted>(event.payload)) {
    KeepEarliest(progress.construction_started_on, occurred_on);
  } else if (const auto* line = std::get_if<ProductionLineLaunched>(&event.payload)) {
    auto [it, inserted] = progress.lines_launched_on.emplace(line->line_id, occurred_on);
    if (!inserted && occurred_on < it->second) it->second = occurred_on;
  } else if (const auto* investment = std::get_if<InvestmentRecorded>(&event.payload)) {
    // The validator guarantees the period parses.
    const int year = YearMonth::Parse(investment->period)->year;
    progress.investment_completed_fen += investment->amount_fen;
    progress.investment_completed_by_year_fen[year] += investment->amount_fen;
  } else if (std::holds_alternative<ProjectCompleted>(event.payload)) {
    KeepEarliest(progress.completed_on, occurred_on);
  }
}

void Programme::Count(const std::string& source, const Outcome& outcome) {
  const std::string* label = &source;
  static const std::string kOverflow = kOverflowSource;
  if (counted_sources_.count(source) == 0) {
    if (counted_sources_.size() < kMaxSources && !source.empty()) {
      counted_sources_.insert(source);
    } else {
      label = &kOverflow;
    }
  }
  ++counts_[{*label, outcome.status, outcome.reason}];
}

Report Programme::BuildReport() const {
  Report report;
  report.today = Date::FromUnixSecondsShanghai(clock_.NowUnixSeconds());
  const int year = report.today.year;

  std::shared_lock lock(mutex_);
  report.projects.reserve(plan_.projects.size());
  for (size_t i = 0; i < plan_.projects.size(); ++i) {
    const ProjectPlan& plan = plan_.projects[i];
    const ProjectProgress& progress = progress_[i];
    ProjectFigures figures;
    figures.plan = &plan;
    figures.construction_started = progress.construction_started_on.has_value();
    figures.lines_launched = static_cast<int>(progress.lines_launched_on.size());
    figures.lines_planned = static_cast<int>(plan.production_lines.size());
    figures.investment_completed_fen = progress.investment_completed_fen;
    figures.investment_planned_fen = plan.investment_total_fen;
    auto done_this_year = progress.investment_completed_by_year_fen.find(year);
    figures.investment_completed_year_fen =
        done_this_year == progress.investment_completed_by_year_fen.end() ? 0 : done_this_year->second;
    figures.investment_planned_year_fen = plan.PlannedForYear(year);
    figures.completed = progress.completed_on.has_value();
    report.projects.push_back(figures);
  }
  lock.unlock();

  // Groups are summed from the project figures, so they equal the sum of
  // their projects by construction.
  auto add_groups = [&](GroupType type, const std::vector<Group>& groups,
                        std::string ProjectPlan::*membership) {
    std::unordered_map<std::string, size_t> slot;
    for (const Group& group : groups) {
      slot.emplace(group.code, report.groups.size());
      report.groups.push_back(GroupFigures{type, group.code, group.name});
    }
    for (const ProjectFigures& project : report.projects) {
      auto it = slot.find(project.plan->*membership);
      if (it != slot.end()) report.groups[it->second].Add(project);
    }
  };
  add_groups(GroupType::kArea, plan_.areas, &ProjectPlan::area);
  add_groups(GroupType::kCluster, plan_.clusters, &ProjectPlan::cluster);
  add_groups(GroupType::kDistrict, plan_.districts, &ProjectPlan::district);
  GroupFigures whole{GroupType::kPlan, plan_.code, plan_.name};
  for (const ProjectFigures& project : report.projects) whole.Add(project);
  report.groups.push_back(whole);
  return report;
}

std::vector<EventCount> Programme::EventCounts() const {
  std::shared_lock lock(mutex_);
  std::vector<EventCount> counts;
  counts.reserve(counts_.size());
  for (const auto& [key, count] : counts_) {
    counts.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }
  return counts;
}

size_t Programme::AcceptedEvents() const {
  std::shared_lock lock(mutex_);
  return accepted_event_ids_.size();
}

}  // namespace pipelined::model
