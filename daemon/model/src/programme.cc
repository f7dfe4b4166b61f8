#include "pipelined/model/programme.h"

#include <mutex>

namespace pipelined::model {
namespace {

Plan Indexed(Plan plan) {
  plan.Index();
  return plan;
}

// Adds or removes one date of a multiset.
void Update(std::multiset<Date>& dates, const Date& date, int sign) {
  if (sign > 0) {
    dates.insert(date);
  } else if (auto it = dates.find(date); it != dates.end()) {
    dates.erase(it);
  }
}

}  // namespace

void GroupFigures::Add(const ProjectFigures& project) {
  ++projects;
  projects_started += project.construction_started ? 1 : 0;
  projects_completed += project.completed ? 1 : 0;
  lines_launched += project.lines_launched;
  lines_planned += project.lines_planned;
  investment_completed_fen += project.investment_completed_fen;
  investment_planned_fen += project.investment_planned_fen;
  investment_planned_period_fen += project.investment_planned_period_fen;
  investment_completed_year_fen += project.investment_completed_year_fen;
  investment_planned_year_fen += project.investment_planned_year_fen;
}

Programme::Programme(Plan plan, const Clock& clock, EventLimits limits)
    : plan_(Indexed(std::move(plan))),
      clock_(clock),
      validator_(plan_, limits),
      progress_(plan_.projects.size()) {}

std::optional<Rejection> Programme::Check(const Event& event) const {
  return validator_.Check(event, clock_.NowUnixSeconds());
}

bool Programme::Apply(const Event& event, const Event* replaced) {
  std::unique_lock lock(mutex_);
  if (replaced != nullptr) ApplyLocked(*replaced, -1);
  if (event.IsRetraction()) return plan_.FindProject(event.project_code) != nullptr;
  return ApplyLocked(event, +1);
}

bool Programme::ApplyLocked(const Event& event, int sign) {
  const ProjectPlan* project = plan_.FindProject(event.project_code);
  if (project == nullptr || !event.occurred_at_unix) return false;
  ProjectProgress& progress = progress_[static_cast<size_t>(project - plan_.projects.data())];
  const Date occurred_on = Date::FromUnixSecondsShanghai(*event.occurred_at_unix);
  if (std::holds_alternative<ConstructionStarted>(event.payload)) {
    Update(progress.construction_started_on, occurred_on, sign);
  } else if (const auto* line = std::get_if<ProductionLineLaunched>(&event.payload)) {
    // A line dropped from the plan since the event was stored counts no more.
    if (!project->HasLine(line->line_id)) return false;
    auto& dates = progress.lines_launched_on[line->line_id];
    Update(dates, occurred_on, sign);
    if (dates.empty()) progress.lines_launched_on.erase(line->line_id);
  } else if (const auto* investment = std::get_if<InvestmentRecorded>(&event.payload)) {
    auto period = YearMonth::Parse(investment->period);
    if (!period) return false;
    progress.investment_completed_fen += sign * investment->amount_fen;
    Fen& year = progress.investment_completed_by_year_fen[period->year];
    year += sign * investment->amount_fen;
    if (year == 0) progress.investment_completed_by_year_fen.erase(period->year);
  } else if (std::holds_alternative<ProjectCompleted>(event.payload)) {
    Update(progress.completed_on, occurred_on, sign);
  } else {
    return false;
  }
  return true;
}

const std::string& Programme::SourceLabel(const std::string& source) {
  static const std::string kOverflow = kOverflowSource;
  static const std::string kInvalid = kInvalidSource;
  if (counted_sources_.count(source) != 0) return source;
  if (source.empty() || source.size() > validator_.limits().max_source_bytes) return kInvalid;
  if (counted_sources_.size() < kMaxSources) {
    counted_sources_.insert(source);
    return source;
  }
  return kOverflow;
}

void Programme::Count(const std::string& source, const Outcome& outcome) {
  std::unique_lock lock(mutex_);
  ++counts_[{SourceLabel(source), outcome.status, outcome.reason}];
}

void Programme::ObserveSequence(const std::string& source, std::uint64_t sequence) {
  // 0 is protobuf's "not set": a publisher that does not number its events.
  if (sequence == 0) return;
  std::unique_lock lock(mutex_);
  const std::string& label = SourceLabel(source);
  // Sources pooled under one label have no common sequence to follow.
  if (label == kOverflowSource || label == kInvalidSource) return;
  auto [it, inserted] = sequences_.try_emplace(label, SourceSequence{label, sequence, 0});
  SourceSequence& seen = it->second;
  if (inserted) return;
  // Late events (sequence <= last) are accepted and change nothing here.
  if (sequence > seen.last_sequence + 1) ++seen.gaps;
  if (sequence > seen.last_sequence) seen.last_sequence = sequence;
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
    figures.construction_started = !progress.construction_started_on.empty();
    figures.lines_launched = static_cast<int>(progress.lines_launched_on.size());
    figures.lines_planned = static_cast<int>(plan.production_lines.size());
    figures.investment_completed_fen = progress.investment_completed_fen;
    figures.investment_planned_fen = plan.investment_total_fen;
    for (const auto& [planned_year, fen] : plan.investment_by_year_fen) {
      if (planned_year >= plan_.period_start.year && planned_year <= plan_.period_end.year) {
        figures.investment_planned_period_fen += fen;
      }
    }
    auto done_this_year = progress.investment_completed_by_year_fen.find(year);
    figures.investment_completed_year_fen =
        done_this_year == progress.investment_completed_by_year_fen.end() ? 0 : done_this_year->second;
    figures.investment_planned_year_fen = plan.PlannedForYear(year);
    figures.completed = !progress.completed_on.empty();
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

std::vector<SourceSequence> Programme::SourceSequences() const {
  std::shared_lock lock(mutex_);
  std::vector<SourceSequence> out;
  out.reserve(sequences_.size());
  for (const auto& [source, seen] : sequences_) out.push_back(seen);
  return out;
}

}  // namespace pipelined::model
