// The live state of the monitored programme: the plan, every accepted event
// applied to its project, and the figures and statuses per project and per
// group on the reporting calendar (docs/lagging.md).
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
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
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
#include "pipelined/model/reporting_calendar.h"
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

// The investment reports standing for one month of a project.
struct MonthReports {
  int count = 0;  // a report of 0 yuan is a report too
  // The earliest date (days since 1970-01-01, Asia/Shanghai) of a report
  // applied for the month while it had any: when the month was first
  // reported, for timeliness. A correction does not make it later.
  std::int32_t first_day = 0;
  friend bool operator==(const MonthReports& a, const MonthReports& b) {
    return a.count == b.count && a.first_day == b.first_day;
  }
};

// What has happened to one project, derived from its effective events (those
// not superseded or retracted). Every field but the report dates and the
// reporting source is independent of the order in which events arrived:
// dates are kept as multisets whose earliest counts, sums add up, and
// removing an event undoes exactly what adding it did.
struct ProjectProgress {
  std::multiset<Date> construction_started_on;
  std::map<std::string, std::multiset<Date>> lines_launched_on;  // line id -> dates
  Fen investment_completed_fen = 0;
  FlatMap<int, Fen> investment_completed_by_year_fen;
  FlatMap<YearMonth, Fen> investment_completed_by_month_fen;  // by reporting period
  FlatMap<YearMonth, MonthReports> investment_reports_by_month;
  FlatMap<YearMonth, Fen> output_by_month_fen;
  std::multiset<Date> completed_on;
  // The latest occurred_at of any event applied;
  // a maximum, so it does not depend on the order of arrival. 0 when none.
  std::int64_t last_report_unix = 0;
  // The source of the latest investment report applied: the publisher the
  // project reports through, for timeliness per source.
  std::string reporting_source;
  // Changes whenever an event changes a month that an evaluation of the
  // project's earlier reporting months reads (not saved): lets a report reuse
  // that evaluation while new reports come in for the latest months.
  std::uint64_t months_version = 0;
  // The last kRecentEvents accepted, newest last: what the project's page
  // shows. Unlike the fields above it is in order of arrival (the full
  // history is in the store).
  std::deque<AppliedEvent> recent_events;
};

inline constexpr size_t kRecentEvents = 10;

// How a project stands with its report for a reporting month.
enum class ReportState { kNotDue, kOnTime, kLate, kMissing };
const char* ReportStateName(ReportState state);  // not_due, on_time, late, missing

struct ProjectFigures {
  const ProjectPlan* plan = nullptr;
  bool construction_started = false;
  int lines_launched = 0;
  int lines_planned = 0;
  Fen investment_completed_fen = 0;
  Fen investment_completed_period_fen = 0;  // reported for periods inside the plan period
  Fen investment_planned_fen = 0;
  Fen investment_planned_period_fen = 0;  // planned for the years of the plan period
  Fen investment_completed_year_fen = 0;  // in the clock's current year
  Fen investment_planned_year_fen = 0;
  bool completed = false;

  // The reporting month's report (docs/lagging.md, "Reporting timeliness").
  ReportState report = ReportState::kNotDue;
  std::optional<Date> reported_on;  // when the reporting month was first reported
  bool reported_collecting = false;  // has reported for the month being collected

  // The project's own progress, as of the last month it reported for up to
  // the reporting month (`as_of`): a month not reported yet is not counted
  // as nothing done. nullopt (and zeros) when it has reported nothing.
  std::optional<YearMonth> as_of;
  Fen investment_as_of_year_to_date_fen = 0;   // as_of's year through as_of
  Fen investment_expected_as_of_fen = 0;       // ... expected by its schedule
  Fen investment_planned_as_of_year_fen = 0;   // ... the year's plan
  std::optional<double> completion_rate;       // done / the year's plan
  std::optional<double> expected_progress;     // expected / the year's plan
  std::optional<double> schedule_gap_pp;       // (completion rate - expected progress) x 100
  std::optional<double> schedule_attainment;   // done / expected
  std::optional<double> pro_rata_gap_pp;       // (completion rate - as_of month / 12) x 100
  Fen planned_value_fen = 0;                   // through as_of (the reporting month without reports)
  Fen earned_value_fen = 0;
  std::optional<double> spi;                   // nullopt when the planned value is 0 or nothing is reported
  std::optional<double> delay_months;          // earned schedule: months behind the planned value
  std::optional<Date> forecast_completion;     // never before today until completed
  std::vector<Milestone> milestones;  // start, each line, completion
  std::optional<std::int64_t> last_report_unix;
  std::optional<YearMonth> output_as_of;  // the last month with output reports up to A
  Assessment assessment;

  // What the project adds to its groups for the reporting year Y (the
  // reporting month's year). A completed project adds its plan, expected
  // and planned values only up to what it did, so that finishing early or
  // under budget never lowers a group's completion rate or SPI.
  Fen investment_reporting_year_to_date_fen = 0;  // periods Y-01..A
  Fen investment_planned_reporting_year_fen = 0;  // the plan for Y
  Fen investment_expected_reporting_year_fen = 0; // expected for Y through as_of (0 when as_of is not in Y)
  // The plan for Y when the project has reported for Y, else 0, and the
  // calendar's share of it as of the project's last reported month: what the
  // group's calendar rule measures, so that a missing report is not counted
  // as nothing done.
  Fen investment_planned_reporting_year_reported_fen = 0;
  Fen investment_pro_rata_as_of_fen = 0;
  Fen group_planned_value_fen = 0;
  Fen investment_reporting_month_fen = 0;         // A (Jan+Feb when A is February)
  Fen investment_reporting_month_previous_year_fen = 0;
  Fen investment_year_to_date_previous_year_fen = 0;
  Fen output_year_to_date_fen = 0;
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
  Fen investment_completed_period_fen = 0;
  Fen investment_planned_fen = 0;
  Fen investment_planned_period_fen = 0;
  Fen investment_completed_year_fen = 0;
  Fen investment_planned_year_fen = 0;

  // Progress against plan on the report's date (docs/lagging.md).
  Fen investment_reporting_year_to_date_fen = 0;
  Fen investment_planned_reporting_year_fen = 0;
  Fen investment_expected_reporting_year_fen = 0;
  Fen investment_planned_reporting_year_reported_fen = 0;  // of the projects that reported for Y
  Fen investment_pro_rata_as_of_fen = 0;                   // their calendar share, each as of its month
  Fen investment_reporting_month_fen = 0;
  Fen investment_reporting_month_previous_year_fen = 0;
  Fen investment_year_to_date_previous_year_fen = 0;
  Fen planned_value_fen = 0;
  Fen earned_value_fen = 0;
  int projects_due_to_start = 0;
  int projects_due_started = 0;
  int lines_due = 0;
  int lines_due_launched = 0;
  // Reporting timeliness (报送及时率) for the reporting month, and the
  // reports in so far for the month being collected.
  int projects_due_to_report = 0;
  int projects_reported = 0;
  int projects_reported_on_time = 0;
  int projects_reported_collecting = 0;
  std::array<int, kStatusCount> projects_by_status{};  // indexed by Status
  std::array<Fen, 12> previous_year_months_fen{};
  // Clusters and the plan only.
  Fen output_year_to_date_fen = 0;
  std::optional<Fen> output_target_fen;  // for Y; nullopt without a target
  std::optional<YearMonth> output_as_of;  // the last month with output reports up to A

  // Set by Finish().
  std::optional<double> completion_rate;
  std::optional<double> expected_progress;
  std::optional<double> schedule_gap_pp;
  std::optional<double> schedule_attainment;
  std::optional<double> pro_rata_gap_pp;
  std::optional<double> spi;
  std::optional<double> reporting_timeliness;  // on time / due to report
  std::optional<double> investment_growth_month;  // ratio; nullopt when the base is 0
  std::optional<double> investment_growth_year_to_date;
  std::optional<double> output_completion_rate;
  std::optional<double> output_expected_share;  // output_as_of's month / 12, when in the reporting year
  std::optional<double> output_pro_rata_gap_pp;
  Assessment assessment;

  void Add(const ProjectFigures& project);
};

// Reporting timeliness of the projects that report through one source.
struct SourceTimeliness {
  std::string source;
  int projects_due_to_report = 0;
  int projects_reported = 0;
  int projects_reported_on_time = 0;
};

struct Report {
  Date today;  // the clock's date in Asia/Shanghai
  ReportingPeriod period;
  std::string rule_set;
  std::vector<ProjectFigures> projects;  // in plan order
  std::vector<GroupFigures> groups;      // areas, clusters, districts, then the plan
  std::vector<SourceTimeliness> sources;  // by source label
  // While history arrives in bulk the statuses and reasons stay as they
  // were published before it began (figures move on): docs/lagging.md,
  // "History arriving in bulk".
  bool catching_up = false;
  std::int64_t statuses_as_of_unix = 0;  // when the statuses shown were evaluated
};

// One month of a project's cumulative investment, for its chart.
struct MonthlyProgress {
  YearMonth month;
  Fen planned_cumulative_fen = 0;   // by the spending profile
  Fen pro_rata_cumulative_fen = 0;  // earlier years' plans + this year's plan x month / 12 (the calendar)
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
  bool catching_up = false;
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

// How a programme judges and when it holds its statuses.
struct ProgrammeOptions {
  EventLimits limits;
  RuleSet rules = RuleSet::Schedule();
  ReportingCalendar calendar;
  // History arriving in bulk: an event dated before the reporting month's
  // first month is history; at least `catch_up_min_events` of them, each
  // within `catch_up_settle_seconds` (of the clock) of the one before, hold
  // the published statuses until that long has passed without one.
  std::uint64_t catch_up_min_events = 100;
  double catch_up_settle_seconds = 30;
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
  Programme(Plan plan, const Clock& clock, ProgrammeOptions options = {});

  // Checks the event against the plan and the clock (not against earlier
  // events: see CheckTarget() and the store for that).
  std::optional<Rejection> Check(const Event& event) const;

  // Applies an accepted event: first removes the effect of `replaced` (the
  // event it supersedes or retracts, if any), then adds its own (unless it is
  // a retraction). Returns false when the event names a project or line that
  // is not in the plan (possible on replay after a plan change): such events
  // are kept in the store and counted, but change no figures.
  // `arrival`: kReplay for events rebuilt from the store, which are no
  // history arriving (they do not hold the statuses).
  enum class Arrival { kLive, kReplay };
  bool Apply(const Event& event, const Event* replaced, Arrival arrival = Arrival::kLive);

  // Counts `events` events with this outcome for pipelined_events_total.
  void Count(const std::string& source, const Outcome& outcome, std::uint64_t events = 1);
  // Tracks the per-source sequence of an accepted event.
  void ObserveSequence(const std::string& source, std::uint64_t sequence);

  // `with_details`: the findings carry their text for people (the pages,
  // the API, the log); without, only reasons, levels and values, which is
  // all /metrics needs and a sixth of what a scrape costs.
  Report BuildReport(bool with_details = true) const;
  // The statuses a report shows while the programme is catching up on
  // history: the daemon's status watcher publishes each evaluation it makes
  // while not catching up.
  void PublishStatuses(const Report& report);
  // True while history arrives in bulk (ProgrammeOptions).
  bool CatchingUp() const;
  // History events applied since start (for pipelined_history_events_total).
  std::uint64_t HistoryEvents() const;
  // nullopt when the plan has no such project.
  std::optional<ProjectDetail> Detail(const std::string& project_code) const;
  std::vector<EventCount> EventCounts() const;
  std::vector<SourceSequence> SourceSequences() const;
  std::vector<SourceLastReport> SourceLastReports() const;
  // Changes with every applied event: lets a watcher re-evaluate on events.
  std::uint64_t Version() const;
  const RuleSet& rules() const { return options_.rules; }
  const ReportingCalendar& calendar() const { return options_.calendar; }

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
  ProjectFigures FiguresLocked(size_t index, const ReportingPeriod& period, std::int64_t now_unix,
                               bool with_details = true) const;
  void FinishGroup(GroupFigures& group, const ReportingPeriod& period) const;
  // The hold of statuses while catching up (REQUIRES: mutex_ held).
  bool CatchingUpLocked(std::int64_t now_unix) const;
  void NoteHistoryLocked(const Event& event, std::int64_t now_unix);
  // Brings calendar_day_ and what follows from it up to `now_unix`.
  void FollowCalendarLocked(std::int64_t now_unix);
  std::string ComputeStateFingerprint() const;
  // The label under which a source is counted (bounded cardinality).
  const std::string& SourceLabel(const std::string& source);

  const Plan plan_;
  const Clock& clock_;
  const ProgrammeOptions options_;
  const EventValidator validator_;
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

  // Each project's assessment for the reporting month before the last one
  // evaluated, the input of the next month's hysteresis: computing it walks
  // the project's months from its start, which a report need not repeat
  // while the project and the reporting month stay the same.
  struct EarlierMonths {
    std::uint64_t months_version = ~std::uint64_t{0};
    int reporting_month = -1;  // YearMonth::Index()
    bool has_assessment = false;  // false: no reporting month of the project comes before
    Assessment assessment;
  };
  mutable std::mutex earlier_months_mutex_;
  mutable std::vector<EarlierMonths> earlier_months_;  // parallel to plan_.projects
  // Each project's planned value month by month: fixed by the plan, and
  // read for every project at every report (a tenth of a scrape's work
  // when built each time).
  std::vector<PlannedValueCurve> planned_value_curves_;  // parallel to plan_.projects
  // The latest reporting month an EarlierMonths was computed for: an event
  // that changes an earlier month than it invalidates them.
  mutable std::atomic<int> latest_cached_month_{0};

  // Catching up on history (guarded by mutex_), and the statuses held
  // meanwhile (guarded by held_mutex_).
  std::uint64_t history_events_ = 0;
  std::uint64_t history_burst_ = 0;
  std::int64_t last_history_unix_ = 0;
  // For the day of the clock last seen (days since 1970, Asia/Shanghai):
  // the reporting month, and the first day (same count) of the month its
  // report begins with, before which an event is history. Worked out once a
  // day, not for every event.
  std::int64_t calendar_day_ = -1;
  int calendar_reporting_month_ = 0;  // YearMonth::Index()
  std::int64_t history_before_day_ = 0;
  mutable std::mutex held_mutex_;
  std::vector<Assessment> held_projects_;
  std::vector<Assessment> held_groups_;
  std::int64_t held_as_of_unix_ = 0;
};

}  // namespace pipelined::model
