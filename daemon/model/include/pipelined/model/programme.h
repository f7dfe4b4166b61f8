// The live state of the monitored programme: the plan, every accepted event
// applied to its project, and the figures per project and per group.
//
// The programme does not decide which events are new: the ingest pipeline
// does that against the durable store, then calls Apply() for each accepted
// event (and for each stored event on restart).
//
// Thread-safety: all public methods are safe for concurrent use. Apply()
// takes an exclusive lock; BuildReport() and the counters a shared one, so
// scrapes never see half-applied events. BuildReport() takes it for a few
// hundred projects at a time, so that a large report does not hold up ingest.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
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
#include "pipelined/model/flat_map.h"
#include "pipelined/model/lagging.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/progress.h"
#include "pipelined/model/validation.h"

namespace pipelined::model {

// One accepted event as a project's page lists it.
struct AppliedEvent {
  std::string event_id;
  std::string source;
  const char* type = "";  // PayloadTypeName(): a static string, not copied per event
  std::int64_t occurred_at_unix = 0;
  std::string period;  // investment and output
  Fen amount_fen = 0;  // investment amount or revenue
  std::string line_id;
  std::string target_event_id;  // the event it supersedes or retracts
};

// What has happened to one project, derived from its effective events (those
// not superseded or retracted). Every field is independent of the order in
// which events arrived: dates are kept as multisets whose earliest counts,
// sums add up, and removing an event undoes exactly what adding it did.
struct ProjectProgress {
  std::multiset<Date> construction_started_on;
  std::map<std::string, std::multiset<Date>> lines_launched_on;  // line id -> dates
  Fen investment_completed_fen = 0;
  FlatMap<int, Fen> investment_completed_by_year_fen;
  FlatMap<YearMonth, Fen> investment_completed_by_month_fen;  // by reporting period
  FlatMap<YearMonth, int> investment_reports_by_month;  // a report of 0 yuan is a report too
  FlatMap<YearMonth, Fen> output_by_month_fen;
  std::multiset<Date> completed_on;
  // The latest occurred_at of any event applied;
  // a maximum, so it does not depend on the order of arrival. 0 when none.
  std::int64_t last_report_unix = 0;
  // The last kRecentEvents accepted, newest last: what the project's page
  // shows. Unlike the fields above it is in order of arrival (the full
  // history is in the store).
  std::deque<AppliedEvent> recent_events;
};

inline constexpr size_t kRecentEvents = 10;

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

  // Progress against plan on the report's date (docs/lagging.md).
  Fen investment_reporting_year_to_date_fen = 0;  // periods Y-01..A
  Fen investment_planned_reporting_year_fen = 0;  // the plan for Y
  Fen investment_reporting_month_fen = 0;         // A (Jan+Feb when A is February)
  Fen investment_reporting_month_previous_year_fen = 0;
  Fen investment_year_to_date_previous_year_fen = 0;
  Fen output_year_to_date_fen = 0;
  std::optional<double> completion_rate;  // nullopt without a plan for Y
  std::optional<double> pro_rata_gap_pp;  // completion rate - pro-rata, in points
  Fen planned_value_fen = 0;
  Fen earned_value_fen = 0;
  std::optional<double> spi;  // nullopt when the planned value is 0
  std::optional<Date> forecast_completion;
  std::vector<Milestone> milestones;  // start, each line, completion
  std::optional<std::int64_t> last_report_unix;
  Assessment assessment;
  // Completed investment per month of the year before Y (index 0 = January),
  // for the groups' year-over-year figures.
  std::array<Fen, 12> previous_year_months_fen{};
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

  // Progress against plan on the report's date (docs/lagging.md).
  Fen investment_reporting_year_to_date_fen = 0;
  Fen investment_planned_reporting_year_fen = 0;
  Fen investment_reporting_month_fen = 0;
  Fen investment_reporting_month_previous_year_fen = 0;
  Fen investment_year_to_date_previous_year_fen = 0;
  Fen planned_value_fen = 0;
  Fen earned_value_fen = 0;
  int projects_due_to_start = 0;
  int projects_due_started = 0;
  int lines_due = 0;
  int lines_due_launched = 0;
  std::array<int, 3> projects_by_status{};  // indexed by Status
  std::array<Fen, 12> previous_year_months_fen{};
  // Clusters and the plan only.
  Fen output_year_to_date_fen = 0;
  std::optional<Fen> output_target_fen;  // for Y; nullopt without a target

  // Set by Finish().
  std::optional<double> completion_rate;
  std::optional<double> pro_rata_gap_pp;
  std::optional<double> spi;
  std::optional<double> investment_growth_month;  // ratio; nullopt when the base is 0
  std::optional<double> investment_growth_year_to_date;
  std::optional<double> output_completion_rate;
  std::optional<double> output_pro_rata_gap_pp;
  Assessment assessment;

  void Add(const ProjectFigures& project);
};

struct Report {
  Date today;  // the clock's date in Asia/Shanghai
  ReportingPeriod period;
  std::string rule_set;
  std::vector<ProjectFigures> projects;  // in plan order
  std::vector<GroupFigures> groups;      // areas, clusters, districts, then the plan
};

// One month of a project's cumulative investment, for its chart.
struct MonthlyProgress {
  YearMonth month;
  Fen planned_cumulative_fen = 0;   // by the spending profile
  Fen pro_rata_cumulative_fen = 0;  // earlier years' plans + this year's plan x month / 12
  std::optional<Fen> completed_cumulative_fen;  // through the reporting month only
};

// Everything the daemon knows about one project.
struct ProjectDetail {
  Date today;
  ReportingPeriod period;
  std::string rule_set;
  ProjectFigures figures;
  FlatMap<YearMonth, Fen> investment_by_month_fen;
  std::vector<MonthlyProgress> months;  // from the first planned or reported month to the plan's last
  std::vector<AppliedEvent> recent_events;  // newest first
};

struct SourceSequence {
  std::string source;
  std::uint64_t last_sequence;  // the highest sequence accepted from the source
  std::uint64_t gaps;           // times a sequence skipped ahead of last + 1
};

struct SourceLastReport {
  std::string source;
  std::int64_t last_report_unix;  // latest occurred_at accepted
};

struct EventCount {
  std::string source;
  EventStatus status;
  std::string reason;
  std::uint64_t count;
};

// What applying events has built up, keyed by code so that it can be saved
// and restored (the snapshot: docs/durability.md). The outcome counters
// (pipelined_events_total) are not part of it: they count since the start.
struct ProgrammeState {
  std::vector<std::pair<std::string, ProjectProgress>> projects;  // code -> progress, projects with events only
  std::map<std::string, std::map<YearMonth, Fen>> cluster_output_by_month;  // enterprises' reports
  std::vector<SourceSequence> sequences;
  std::vector<SourceLastReport> source_last_reports;
  std::vector<std::string> counted_sources;  // source labels given out, in no order
};

// Receives a programme's applied state piece by piece, in the order of a
// ProgrammeState's fields (Programme::VisitState()).
class ProgrammeStateVisitor {
 public:
  virtual ~ProgrammeStateVisitor() = default;
  virtual void Project(const std::string& code, const ProjectProgress& progress) = 0;
  virtual void ClusterOutput(const std::string& cluster, const std::map<YearMonth, Fen>& months) = 0;
  virtual void Sequence(const SourceSequence& sequence) = 0;
  virtual void LastReport(const SourceLastReport& last_report) = 0;
  virtual void CountedSource(const std::string& source) = 0;
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
  Programme(Plan plan, const Clock& clock, EventLimits limits = {}, RuleSet rules = RuleSet::ProRata());

  // Checks the event against the plan and the clock (not against earlier
  // events: see CheckTarget() and the store for that).
  std::optional<Rejection> Check(const Event& event) const;

  // Applies an accepted event: first removes the effect of `replaced` (the
  // event it supersedes or retracts, if any), then adds its own (unless it is
  // a retraction). Returns false when the event names a project or line that
  // is not in the plan (possible on replay after a plan change): such events
  // are kept in the store and counted, but change no figures.
  bool Apply(const Event& event, const Event* replaced);

  // Counts `events` events with this outcome for pipelined_events_total.
  void Count(const std::string& source, const Outcome& outcome, std::uint64_t events = 1);
  // Tracks the per-source sequence of an accepted event.
  void ObserveSequence(const std::string& source, std::uint64_t sequence);

  Report BuildReport() const;
  // nullopt when the plan has no such project.
  std::optional<ProjectDetail> Detail(const std::string& project_code) const;
  std::vector<EventCount> EventCounts() const;
  std::vector<SourceSequence> SourceSequences() const;
  std::vector<SourceLastReport> SourceLastReports() const;
  // Changes with every applied event: lets a watcher re-evaluate on events.
  std::uint64_t Version() const;
  const RuleSet& rules() const { return rules_; }

  // Takes over the event counters, sequences and sources of `previous` (the
  // programme this one replaces on a reload, rebuilt from the same store),
  // so that counters do not reset. Call before serving this programme.
  void InheritCounters(const Programme& previous);

  const Plan& plan() const { return plan_; }

  // Hands the applied state, for a snapshot, to `visitor` piece by piece
  // (holding the lock throughout), so that it can be encoded without a copy
  // in between.
  void VisitState(ProgrammeStateVisitor& visitor) const;
  // Replaces the applied state with a saved one, in place of replaying the
  // events it covers. REQUIRES: the state was saved by a programme with the
  // same StateFingerprint(); projects it names that this plan lacks are
  // ignored.
  void RestoreState(ProgrammeState state);
  // Identifies everything Apply() takes from the plan and the limits: the
  // projects, their production lines, the clusters, which of them this shard
  // owns, and the longest source label. A saved state fits a programme with
  // the same fingerprint only; amounts, dates and names may differ, because
  // figures are computed from the plan when a report is built.
  const std::string& StateFingerprint() const { return state_fingerprint_; }

 private:
  // Adds (sign +1) or removes (sign -1) an event's effect on `project` (its
  // plan, null when not in the plan); false when it does not fit the plan.
  bool ApplyLocked(const Event& event, const ProjectPlan* project, int sign);
  void RememberLocked(ProjectProgress& progress, const Event& event);
  ProjectFigures FiguresLocked(size_t index, const ReportingPeriod& period, std::int64_t now_unix) const;
  void FinishGroup(GroupFigures& group, const ReportingPeriod& period) const;
  std::string ComputeStateFingerprint() const;
  // The label under which a source is counted (bounded cardinality).
  const std::string& SourceLabel(const std::string& source);

  const Plan plan_;
  const Clock& clock_;
  const EventValidator validator_;
  const RuleSet rules_;
  const std::string state_fingerprint_;
  mutable std::shared_mutex mutex_;
  std::vector<ProjectProgress> progress_;  // parallel to plan_.projects
  std::map<std::tuple<std::string, EventStatus, std::string>, std::uint64_t> counts_;
  std::unordered_set<std::string> counted_sources_;
  std::map<std::string, SourceSequence> sequences_;
  std::map<std::string, std::int64_t> source_last_report_;
  // Enterprises' output reports, which name a cluster and no project.
  std::map<std::string, std::map<YearMonth, Fen>> cluster_output_by_month_;
  std::uint64_t version_ = 0;
};

}  // namespace pipelined::model
