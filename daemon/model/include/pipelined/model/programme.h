// The live state of the monitored programme: the plan, every accepted event
// applied to its project, and the figures per project and per group.
//
// The programme does not decide which events are new: the ingest pipeline
// does that against the durable store, then calls Apply() for each accepted
// event (and for each stored event on restart).
//
// Thread-safety: all public methods are safe for concurrent use. Apply()
// takes an exclusive lock; BuildReport() and the counters a shared one, so
// scrapes never see half-applied events.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
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

// What has happened to one project, derived from its effective events (those
// not superseded or retracted). Every field is independent of the order in
// which events arrived: dates are kept as multisets whose earliest counts,
// sums add up, and removing an event undoes exactly what adding it did.
struct ProjectProgress {
  std::multiset<Date> construction_started_on;
  std::map<std::string, std::multiset<Date>> lines_launched_on;  // line id -> dates
  Fen investment_completed_fen = 0;
  std::map<int, Fen> investment_completed_by_year_fen;
  std::multiset<Date> completed_on;
};

struct ProjectFigures {
  const ProjectPlan* plan = nullptr;
  bool construction_started = false;
  int lines_launched = 0;
  int lines_planned = 0;
  Fen investment_completed_fen = 0;
  Fen investment_planned_fen = 0;
  Fen investment_planned_period_fen = 0;  // planned for the years of the plan period
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
  Fen investment_planned_period_fen = 0;
  Fen investment_completed_year_fen = 0;
  Fen investment_planned_year_fen = 0;

  void Add(const ProjectFigures& project);
};

struct Report {
  Date today;  // the clock's date in Asia/Shanghai
  std::vector<ProjectFigures> projects;  // in plan order
  std::vector<GroupFigures> groups;      // areas, clusters, districts, then the plan
};

struct SourceSequence {
  std::string source;
  std::uint64_t last_sequence;  // the highest sequence accepted from the source
  std::uint64_t gaps;           // times a sequence skipped ahead of last + 1
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
  // Counted under this label: events whose source is empty or too long.
  static constexpr const char* kInvalidSource = "_invalid";

  // `clock` must outlive the programme.
  Programme(Plan plan, const Clock& clock, EventLimits limits = {});

  // Checks the event against the plan and the clock (not against earlier
  // events: see CheckTarget() and the store for that).
  std::optional<Rejection> Check(const Event& event) const;

  // Applies an accepted event: first removes the effect of `replaced` (the
  // event it supersedes or retracts, if any), then adds its own (unless it is
  // a retraction). Returns false when the event names a project or line that
  // is not in the plan (possible on replay after a plan change): such events
  // are kept in the store and counted, but change no figures.
  bool Apply(const Event& event, const Event* replaced);

  // Counts one event's outcome for pipelined_events_total.
  void Count(const std::string& source, const Outcome& outcome);
  // Tracks the per-source sequence of an accepted event.
  void ObserveSequence(const std::string& source, std::uint64_t sequence);

  Report BuildReport() const;
  std::vector<EventCount> EventCounts() const;
  std::vector<SourceSequence> SourceSequences() const;

  const Plan& plan() const { return plan_; }

 private:
  // Adds (sign +1) or removes (sign -1) an event's effect; false when it does
  // not fit the plan.
  bool ApplyLocked(const Event& event, int sign);
  // The label under which a source is counted (bounded cardinality).
  const std::string& SourceLabel(const std::string& source);

  const Plan plan_;
  const Clock& clock_;
  const EventValidator validator_;
  mutable std::shared_mutex mutex_;
  std::vector<ProjectProgress> progress_;  // parallel to plan_.projects
  std::map<std::tuple<std::string, EventStatus, std::string>, std::uint64_t> counts_;
  std::unordered_set<std::string> counted_sources_;
  std::map<std::string, SourceSequence> sequences_;
};

}  // namespace pipelined::model
