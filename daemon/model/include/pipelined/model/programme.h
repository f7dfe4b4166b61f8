// The live state of the monitored programme: the plan, every accepted event
// applied to its project, and the figures per project and per group.
//
// Thread-safety: all public methods are safe for concurrent use. Submit()
// takes an exclusive lock; BuildReport() and EventCounts() a shared one, so
// scrapes never see half-applied events.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/event.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/validation.h"

namespace pipelined::model {

enum class EventStatus { kAccepted, kDuplicate, kRejected };
const char* EventStatusName(EventStatus status);  // accepted, duplicate, rejected

struct Outcome {
  EventStatus status = EventStatus::kRejected;
  std::string reason;  // empty unless rejected
  std::string message;
};

// What has happened to one project, derived from its accepted events. Every
// field is order-independent: dates are the earliest reported, sums add up.
struct ProjectProgress {
  std::optional<Date> construction_started_on;
  std::map<std::string, Date> lines_launched_on;  // line id -> date
  Fen investment_completed_fen = 0;
  std::map<int, Fen> investment_completed_by_year_fen;
  std::optional<Date> completed_on;
};

struct ProjectFigures {
  const ProjectPlan* plan = nullptr;
  bool construction_started = false;
  int lines_launched = 0;
  int lines_planned = 0;
  Fen investment_completed_fen = 0;
  Fen investment_planned_fen = 0;
  Fen investment_completed_year_fen = 0;  // in the clock's current year
  Fen investment_planned_year_fen = 0;
  bool completed = false;
};

struct GroupFigures {
  GroupType type = GroupType::kPlan;
  std::string code;
  std::string name;
  int projects = 0;
  int projects_started = 0;
  int projects_completed = 0;
  int lines_launched = 0;
  int lines_planned = 0;
  Fen investment_completed_fen = 0;
  Fen investment_planned_fen = 0;
  Fen investment_completed_year_fen = 0;
  Fen investment_planned_year_fen = 0;

  void Add(const ProjectFigures& project);
};

struct Report {
  Date today;  // the clock's date in Asia/Shanghai
  std::vector<ProjectFigures> projects;  // in plan order
  std::vector<GroupFigures> groups;      // areas, clusters, districts, then the plan
};

struct EventCount {
  std::string source;
  EventStatus status;
  std::string reason;
  std::uint64_t count;
};

class Programme {
 public:
  // Distinct source label values kept apart in EventCounts(); sources beyond
  // this are counted under kOverflowSource so that input cannot grow the
  // number of exported series without bound.
  static constexpr size_t kMaxSources = 200;
  static constexpr const char* kOverflowSource = "_other";

  // `clock` must outlive the programme.
  Programme(Plan plan, const Clock& clock, EventLimits limits = {});

  // Validates the event, recognises a repeated event_id, and applies it.
  Outcome Submit(const Event& event);

  Report BuildReport() const;
  std::vector<EventCount> EventCounts() const;
  size_t AcceptedEvents() const;

  const Plan& plan() const { return plan_; }
  const Clock& clock() const { return clock_; }

 private:
  void Apply(size_t project_index, const Event& event);
  void Count(const std::string& source, const Outcome& outcome);

  const Plan plan_;
  const Clock& clock_;
  const EventValidator validator_;
  mutable std::shared_mutex mutex_;
  std::vector<ProjectProgress> progress_;  // parallel to plan_.projects
  std::unordered_set<std::string> accepted_event_ids_;
  std::map<std::tuple<std::string, EventStatus, std::string>, std::uint64_t> counts_;
  std::unordered_set<std::string> counted_sources_;
};

}  // namespace pipelined::model
