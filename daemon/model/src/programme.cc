#include "pipelined/model/programme.h"

#include <algorithm>
#include <cstdio>
#include <mutex>

#include "project_evaluation.h"

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

template <typename Months>
void AddToMonth(Months& months, YearMonth month, Fen amount) {
  Fen& value = months[month];
  value += amount;
  if (value == 0) months.erase(month);
}

// Sum of the values for months first..last (inclusive).
template <typename Months>
Fen SumMonths(const Months& months, YearMonth first, YearMonth last) {
  Fen total = 0;
  for (auto it = months.lower_bound(first); it != months.end() && it->first <= last; ++it) total += it->second;
  return total;
}

std::optional<double> Ratio(Fen numerator, Fen denominator) {
  if (denominator <= 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

GroupFigures NewGroup(GroupType type, const std::string& code, const std::string& name) {
  GroupFigures group;
  group.type = type;
  group.code = code;
  group.name = name;
  return group;
}

YearMonth FirstMonthOfReport(YearMonth reporting_month) { return ReportingCalendar::FirstMonthOf(reporting_month); }

// The earliest month an event's effect touches: the month it reports for,
// or the month it happened in.
std::optional<YearMonth> TouchedMonth(const Event& event) {
  if (const auto* investment = std::get_if<InvestmentRecorded>(&event.payload)) return YearMonth::Parse(investment->period);
  if (std::holds_alternative<OutputReported>(event.payload)) return std::nullopt;  // not read by project statuses
  if (!event.occurred_at_unix) return std::nullopt;
  return Date::FromUnixSecondsShanghai(*event.occurred_at_unix).Month();
}

}  // namespace

const char* ReportStateName(ReportState state) {
  switch (state) {
    case ReportState::kNotDue: return "not_due";
    case ReportState::kOnTime: return "on_time";
    case ReportState::kLate: return "late";
    case ReportState::kMissing: return "missing";
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
  investment_completed_period_fen += project.investment_completed_period_fen;
  investment_planned_fen += project.investment_planned_fen;
  investment_planned_period_fen += project.investment_planned_period_fen;
  investment_completed_year_fen += project.investment_completed_year_fen;
  investment_planned_year_fen += project.investment_planned_year_fen;
  investment_reporting_year_to_date_fen += project.investment_reporting_year_to_date_fen;
  investment_planned_reporting_year_fen += project.investment_planned_reporting_year_fen;
  investment_expected_reporting_year_fen += project.investment_expected_reporting_year_fen;
  investment_planned_reporting_year_reported_fen += project.investment_planned_reporting_year_reported_fen;
  investment_pro_rata_as_of_fen += project.investment_pro_rata_as_of_fen;
  investment_reporting_month_fen += project.investment_reporting_month_fen;
  investment_reporting_month_previous_year_fen += project.investment_reporting_month_previous_year_fen;
  investment_year_to_date_previous_year_fen += project.investment_year_to_date_previous_year_fen;
  planned_value_fen += project.group_planned_value_fen;
  earned_value_fen += project.earned_value_fen;
  output_year_to_date_fen += project.output_year_to_date_fen;
  if (project.output_as_of && (!output_as_of || *output_as_of < *project.output_as_of)) {
    output_as_of = project.output_as_of;
  }
  for (size_t m = 0; m < 12; ++m) previous_year_months_fen[m] += project.previous_year_months_fen[m];
  for (const Milestone& milestone : project.milestones) {
    // "Due" here means its planned month has begun; done counts whatever its timing.
    const bool due = milestone.state != MilestoneState::kNotDue;
    const bool done = milestone.done_on.has_value();
    if (milestone.kind == MilestoneKind::kConstructionStart && due) {
      ++projects_due_to_start;
      projects_due_started += done ? 1 : 0;
    } else if (milestone.kind == MilestoneKind::kProductionLine && due) {
      ++lines_due;
      lines_due_launched += done ? 1 : 0;
    }
  }
  if (project.report != ReportState::kNotDue) {
    ++projects_due_to_report;
    projects_reported += project.report != ReportState::kMissing ? 1 : 0;
    projects_reported_on_time += project.report == ReportState::kOnTime ? 1 : 0;
    projects_reported_collecting += project.reported_collecting ? 1 : 0;
  }
  ++projects_by_status[static_cast<size_t>(project.assessment.status)];
}

Programme::Programme(Plan plan, const Clock& clock, ProgrammeOptions options)
    : plan_(Indexed(std::move(plan))),
      clock_(clock),
      options_(std::move(options)),
      validator_(plan_, options_.limits),
      state_fingerprint_(ComputeStateFingerprint()),
      progress_(plan_.projects.size()),
      earlier_months_(plan_.projects.size()) {
  planned_value_curves_.reserve(plan_.projects.size());
  for (const ProjectPlan& project : plan_.projects) planned_value_curves_.emplace_back(project);
}

std::optional<Rejection> Programme::Check(const Event& event) const {
  return validator_.Check(event, clock_.NowUnixSeconds());
}

bool Programme::Apply(const Event& event, const Event* replaced, Arrival arrival) {
  // One lookup per event: on a busy daemon the plan's index is among the
  // hottest code. A correction and its target are of the same project.
  const ProjectPlan* project = plan_.FindProject(event.project_code);
  std::unique_lock lock(mutex_);
  ProjectProgress* progress =
      project != nullptr ? &progress_[static_cast<size_t>(project - plan_.projects.data())] : nullptr;
  ++version_;
  const std::int64_t now = clock_.NowUnixSeconds();
  FollowCalendarLocked(now);
  if (arrival == Arrival::kLive) NoteHistoryLocked(event, now);
  if (progress != nullptr) {
    // An event that changes a month some cached evaluation of earlier
    // reporting months has read makes that evaluation stale.
    const int evaluated = std::max(calendar_reporting_month_, latest_cached_month_.load(std::memory_order_relaxed));
    std::optional<YearMonth> touched = TouchedMonth(event);
    if (replaced != nullptr) {
      const std::optional<YearMonth> before = TouchedMonth(*replaced);
      if (before && (!touched || *before < *touched)) touched = before;
    }
    if (!touched || touched->Index() < evaluated) ++progress->months_version;
  }
  // Any accepted event is a sign of life from its source, retractions too.
  // Dated by occurred_at, not reported_at: publishers stamp reported_at with
  // their own wall clock, which need not be the daemon's (virtual) clock.
  const std::int64_t reported = event.occurred_at_unix.value_or(0);
  if (reported > 0) {
    const std::string& label = SourceLabel(event.source);
    if (label != kInvalidSource) {
      std::int64_t& last = source_last_report_[label];
      last = std::max(last, reported);
    }
    if (progress != nullptr) progress->last_report_unix = std::max(progress->last_report_unix, reported);
  }
  if (progress != nullptr) RememberLocked(*progress, event);
  if (event.IsRetraction()) {
    if (replaced != nullptr) ApplyLocked(*replaced, plan_.FindProject(replaced->project_code), -1);
    return project != nullptr;
  }
  // A correction's figures go in before the ones it replaces come out, so
  // that a month stays reported throughout and keeps the day its report
  // first arrived: correcting an amount after the due day does not make an
  // on-time report late.
  const bool applied = ApplyLocked(event, project, +1);
  if (replaced != nullptr) ApplyLocked(*replaced, plan_.FindProject(replaced->project_code), -1);
  return applied;
}

void Programme::RememberLocked(ProjectProgress& progress, const Event& event) {
  // Once the list is full, the oldest entry is overwritten and moved to the
  // back: its strings keep their buffers, so a busy daemon does not allocate
  // and free several strings for every event.
  AppliedEvent applied;
  if (progress.recent_events.size() == kRecentEvents) {
    applied = std::move(progress.recent_events.front());
    progress.recent_events.pop_front();
  }
  applied.event_id.assign(event.event_id);
  applied.source.assign(event.source);
  applied.type = PayloadTypeName(event.payload);
  applied.occurred_at_unix = event.occurred_at_unix.value_or(0);
  applied.target_event_id.assign(event.TargetEventId());
  applied.period.clear();
  applied.amount_fen = 0;
  applied.line_id.clear();
  if (const auto* investment = std::get_if<InvestmentRecorded>(&event.payload)) {
    applied.period.assign(investment->period);
    applied.amount_fen = investment->amount_fen;
  } else if (const auto* output = std::get_if<OutputReported>(&event.payload)) {
    applied.period.assign(output->period);
    applied.amount_fen = output->revenue_fen;
  } else if (const auto* line = std::get_if<ProductionLineLaunched>(&event.payload)) {
    applied.line_id.assign(line->line_id);
  }
  progress.recent_events.push_back(std::move(applied));
}

void Programme::InheritCounters(const Programme& previous) {
  std::shared_lock theirs(previous.mutex_);
  std::unique_lock ours(mutex_);
  counts_ = previous.counts_;
  counted_sources_.insert(previous.counted_sources_.begin(), previous.counted_sources_.end());
}

std::optional<ProjectDetail> Programme::Detail(const std::string& project_code) const {
  const ProjectPlan* plan = plan_.FindProject(project_code);
  if (plan == nullptr) return std::nullopt;
  const size_t index = static_cast<size_t>(plan - plan_.projects.data());
  ProjectDetail detail;
  const std::int64_t now = clock_.NowUnixSeconds();
  detail.today = Date::FromUnixSecondsShanghai(now);
  detail.period = ReportingPeriodOn(detail.today, options_.calendar);
  detail.rule_set = options_.rules.name;
  {
    std::shared_lock lock(mutex_);
    detail.figures = FiguresLocked(index, detail.period, now);
    detail.investment_by_month_fen = progress_[index].investment_completed_by_month_fen;
    const auto& recent = progress_[index].recent_events;
    detail.recent_events.assign(recent.rbegin(), recent.rend());
    detail.catching_up = CatchingUpLocked(now);
  }
  if (detail.catching_up) {
    std::lock_guard held(held_mutex_);
    if (index < held_projects_.size()) detail.figures.assessment = held_projects_[index];
  }

  // The chart runs from the first month with a plan or a report to the last
  // month of the plan (or the reporting month, if later).
  YearMonth first = plan->construction_start;
  if (plan->continuing) first = std::max(first, plan_.period_start);
  if (!plan->investment_by_year_fen.empty()) first = std::min(first, YearMonth{plan->investment_by_year_fen.begin()->first, 1});
  if (!detail.investment_by_month_fen.empty()) first = std::min(first, detail.investment_by_month_fen.begin()->first);
  YearMonth last = std::max(plan->completion, plan_.period_end);
  if (!plan->investment_by_year_fen.empty()) last = std::max(last, YearMonth{plan->investment_by_year_fen.rbegin()->first, 12});
  const Fen before = plan->continuing ? plan->continuing->investment_before_period_fen : 0;
  Fen completed = before;
  Fen earlier_years_planned = 0;
  for (const auto& [year, fen] : plan->investment_by_year_fen) {
    if (year < first.year) earlier_years_planned += fen;
  }
  if (plan->continuing) earlier_years_planned = before;
  auto reported = detail.investment_by_month_fen.begin();
  // Reports for months before the chart's first month still count.
  while (reported != detail.investment_by_month_fen.end() && reported->first < first) completed += (reported++)->second;
  const YearMonth reported_through = detail.figures.as_of.value_or(YearMonth{0, 1});
  for (YearMonth month = first; month <= last; month = month.AddMonths(1)) {
    if (month.month == 1 && month != first) earlier_years_planned += plan->PlannedForYear(month.year - 1);
    MonthlyProgress point;
    point.month = month;
    point.planned_cumulative_fen = PlannedValueThrough(*plan, month);
    point.pro_rata_cumulative_fen = earlier_years_planned + plan->PlannedForYear(month.year) * month.month / 12;
    while (reported != detail.investment_by_month_fen.end() && reported->first <= month) completed += (reported++)->second;
    if (month <= reported_through) point.completed_cumulative_fen = completed;
    detail.months.push_back(point);
  }
  return detail;
}

bool Programme::ApplyLocked(const Event& event, const ProjectPlan* project, int sign) {
  const auto* output = std::get_if<OutputReported>(&event.payload);
  const auto output_period = output != nullptr ? YearMonth::Parse(output->period) : std::nullopt;
  if (output != nullptr && event.project_code.empty()) {
    // An enterprise's report counts toward its cluster only, on the cluster's
    // shard (another shard's, found in a store on replay, is orphaned).
    if (!output_period || !plan_.HasCluster(output->cluster) || !plan_.Owns(output->cluster)) return false;
    auto& months = cluster_output_by_month_[output->cluster];
    AddToMonth(months, *output_period, sign * output->revenue_fen);
    if (months.empty()) cluster_output_by_month_.erase(output->cluster);
    return true;
  }
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
    AddToMonth(progress.investment_completed_by_month_fen, *period, sign * investment->amount_fen);
    MonthReports& reports = progress.investment_reports_by_month[*period];
    const auto day = static_cast<std::int32_t>(occurred_on.DaysSinceEpoch());
    if (sign > 0) {
      reports.first_day = reports.count == 0 ? day : std::min(reports.first_day, day);
      const std::string& label = SourceLabel(event.source);
      if (progress.reporting_source != label) progress.reporting_source = label;
    }
    reports.count += sign;
    if (reports.count <= 0) progress.investment_reports_by_month.erase(*period);
  } else if (output != nullptr) {
    if (!output_period) return false;
    AddToMonth(progress.output_by_month_fen, *output_period, sign * output->revenue_fen);
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

void Programme::Count(const std::string& source, const Outcome& outcome, std::uint64_t events) {
  std::unique_lock lock(mutex_);
  counts_[{SourceLabel(source), outcome.status, outcome.reason}] += events;
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

ProjectFigures Programme::FiguresLocked(size_t index, const ReportingPeriod& period, std::int64_t now_unix,
                                        bool with_details) const {
  const internal::ProjectEvaluation evaluation(plan_, plan_.projects[index], planned_value_curves_[index],
                                               progress_[index], options_.rules, options_.calendar);
  const ProjectProgress& progress = progress_[index];
  const int month = period.month.Index();
  std::optional<Assessment> previous;
  bool cached = false;
  {
    std::lock_guard lock(earlier_months_mutex_);
    const EarlierMonths& entry = earlier_months_[index];
    if (entry.months_version == progress.months_version && entry.reporting_month == month) {
      cached = true;
      if (entry.has_assessment) previous = entry.assessment;
    }
  }
  if (!cached) {
    previous = evaluation.AssessMonthsBefore(period.month);
    std::lock_guard lock(earlier_months_mutex_);
    EarlierMonths& entry = earlier_months_[index];
    entry.months_version = progress.months_version;
    entry.reporting_month = month;
    entry.has_assessment = previous.has_value();
    entry.assessment = previous.value_or(Assessment{});
    int latest = latest_cached_month_.load(std::memory_order_relaxed);
    while (latest < month && !latest_cached_month_.compare_exchange_weak(latest, month)) {
    }
  }
  ProjectFigures figures = evaluation.Figures(period, now_unix, previous ? &*previous : nullptr, with_details);
  for (auto it = progress.output_by_month_fen.upper_bound(period.month); it != progress.output_by_month_fen.begin();) {
    figures.output_as_of = (--it)->first;
    break;
  }
  return figures;
}

void Programme::FinishGroup(GroupFigures& g, const ReportingPeriod& period) const {
  // Official baselines replace the events' figures for the months they give.
  auto baseline = plan_.investment_baselines.find({g.type, g.code});
  if (baseline != plan_.investment_baselines.end()) {
    const int previous = period.year() - 1;
    for (const auto& [month, fen] : baseline->second) {
      if (month.year == previous) g.previous_year_months_fen[static_cast<size_t>(month.month - 1)] = fen;
    }
    g.investment_year_to_date_previous_year_fen = 0;
    g.investment_reporting_month_previous_year_fen = 0;
    for (int m = 1; m <= period.month.month; ++m) {
      const Fen fen = g.previous_year_months_fen[static_cast<size_t>(m - 1)];
      g.investment_year_to_date_previous_year_fen += fen;
      if (m >= FirstMonthOfReport(period.month).month) g.investment_reporting_month_previous_year_fen += fen;
    }
  }
  const Fen planned = g.investment_planned_reporting_year_fen;
  // No data is not 0% done: a group of which nothing is reported for the
  // year, or expected by its projects' schedules, has no rate.
  const bool has_figures = g.investment_reporting_year_to_date_fen + g.investment_expected_reporting_year_fen > 0;
  if (has_figures) g.completion_rate = Ratio(g.investment_reporting_year_to_date_fen, planned);
  g.expected_progress = Ratio(g.investment_expected_reporting_year_fen, planned);
  if (g.completion_rate) {
    g.pro_rata_gap_pp = (*g.completion_rate - period.pro_rata()) * 100.0;
    g.schedule_gap_pp = (*g.completion_rate - g.expected_progress.value_or(0)) * 100.0;
  }
  g.schedule_attainment = Ratio(g.investment_reporting_year_to_date_fen, g.investment_expected_reporting_year_fen);
  g.spi = Ratio(g.earned_value_fen, g.planned_value_fen);
  g.reporting_timeliness = g.projects_due_to_report > 0
                               ? std::optional<double>(static_cast<double>(g.projects_reported_on_time) /
                                                       g.projects_due_to_report)
                               : std::nullopt;
  auto growth = [](Fen now, Fen before) -> std::optional<double> {
    auto ratio = Ratio(now, before);
    return ratio ? std::optional<double>(*ratio - 1.0) : std::nullopt;
  };
  g.investment_growth_month =
      growth(g.investment_reporting_month_fen, g.investment_reporting_month_previous_year_fen);
  g.investment_growth_year_to_date =
      growth(g.investment_reporting_year_to_date_fen, g.investment_year_to_date_previous_year_fen);
  // Output is judged as of its last reported month; a cluster without any
  // output report has no output status.
  // The expected share goes out even without a target here: a shard holds
  // the target of a cluster only if it owns the cluster, but the output of
  // the cluster's projects wherever they are (rules/shards.yml).
  if (g.output_as_of && g.output_as_of->year == period.year()) g.output_expected_share = g.output_as_of->month / 12.0;
  if (g.output_target_fen && g.output_expected_share) {
    g.output_completion_rate = Ratio(g.output_year_to_date_fen, *g.output_target_fen);
    if (g.output_completion_rate) {
      g.output_pro_rata_gap_pp = (*g.output_completion_rate - *g.output_expected_share) * 100.0;
    }
  }
  GroupFacts facts;
  facts.reporting_month = period.month;
  facts.projects_due_to_report = g.projects_due_to_report;
  facts.projects_reported = g.projects_reported;
  if (planned > 0 && g.investment_expected_reporting_year_fen > 0) {
    ScheduleFacts schedule;
    schedule.through = period.month;
    schedule.done_fen = g.investment_reporting_year_to_date_fen;
    schedule.expected_fen = g.investment_expected_reporting_year_fen;
    schedule.year_plan_fen = planned;
    schedule.attainment = *g.schedule_attainment;
    schedule.behind_pp = -*g.schedule_gap_pp;
    facts.schedule = schedule;
  }
  // The calendar over the projects that have reported for the year, each
  // as of its last reported month, as a project is judged: no data is not
  // 0% done. (The metric's gap is over the whole group's plan at the
  // reporting month, as an office reports it.)
  if (g.projects_reported > 0 && g.investment_planned_reporting_year_reported_fen > 0) {
    facts.behind_pro_rata_pp =
        static_cast<double>(g.investment_pro_rata_as_of_fen - g.investment_reporting_year_to_date_fen) /
        static_cast<double>(g.investment_planned_reporting_year_reported_fen) * 100.0;
  }
  facts.pro_rata = period.pro_rata();
  if (g.projects_reported > 0) facts.spi = g.spi;
  facts.planned_value_fen = g.planned_value_fen;
  facts.earned_value_fen = g.earned_value_fen;
  if (g.output_pro_rata_gap_pp) facts.output_behind_pro_rata_pp = -*g.output_pro_rata_gap_pp;
  facts.output_through = g.output_as_of;
  g.assessment = AssessGroup(facts, options_.rules);
}

Report Programme::BuildReport(bool with_details) const {
  Report report;
  const std::int64_t now = clock_.NowUnixSeconds();
  report.today = Date::FromUnixSecondsShanghai(now);
  report.period = ReportingPeriodOn(report.today, options_.calendar);
  report.rule_set = options_.rules.name;
  report.statuses_as_of_unix = now;
  const ReportingPeriod& period = report.period;
  const YearMonth january{period.year(), 1};

  std::map<std::string, SourceTimeliness> sources;
  const size_t count = plan_.projects.size();
  report.projects.reserve(count);
  // A few hundred projects per hold of the lock: a report of 10,000
  // projects takes tens of milliseconds, and ingest would wait that long for
  // every event otherwise. An event changes one project (a correction the
  // same project as its target), so every project's figures are still those
  // of whole events; the report may include an event applied meanwhile to a
  // project further down the plan, as a scrape a moment later would.
  constexpr size_t kProjectsPerLock = 256;
  for (size_t first = 0; first < count; first += kProjectsPerLock) {
    std::shared_lock lock(mutex_);
    for (size_t i = first; i < std::min(count, first + kProjectsPerLock); ++i) {
      report.projects.push_back(FiguresLocked(i, period, now, with_details));
      const ProjectFigures& figures = report.projects.back();
      const std::string& source = progress_[i].reporting_source;
      if (figures.report == ReportState::kNotDue || source.empty()) continue;
      SourceTimeliness& timeliness = sources[source];
      ++timeliness.projects_due_to_report;
      timeliness.projects_reported += figures.report != ReportState::kMissing ? 1 : 0;
      timeliness.projects_reported_on_time += figures.report == ReportState::kOnTime ? 1 : 0;
    }
  }
  for (auto& [source, timeliness] : sources) {
    timeliness.source = source;
    report.sources.push_back(std::move(timeliness));
  }
  std::map<std::string, std::pair<Fen, std::optional<YearMonth>>> enterprise_output;  // cluster -> Y-01..A, as of
  {
    std::shared_lock lock(mutex_);
    report.catching_up = CatchingUpLocked(now);
    for (const auto& [cluster, months] : cluster_output_by_month_) {
      auto& [fen, as_of] = enterprise_output[cluster];
      fen = SumMonths(months, january, period.month);
      if (auto after = months.upper_bound(period.month); after != months.begin()) as_of = std::prev(after)->first;
    }
  }
  // While history arrives in bulk, the statuses published before it began.
  std::unique_lock held(held_mutex_, std::defer_lock);
  if (report.catching_up) {
    held.lock();
    if (held_projects_.size() == report.projects.size()) {
      for (size_t i = 0; i < report.projects.size(); ++i) report.projects[i].assessment = held_projects_[i];
      report.statuses_as_of_unix = held_as_of_unix_;
    } else {
      held.unlock();  // nothing published yet: show the live statuses
    }
  }

  // Groups are summed from the project figures, so they equal the sum of
  // their projects by construction.
  auto add_groups = [&](GroupType type, const std::vector<Group>& groups,
                        std::string ProjectPlan::*membership) {
    std::unordered_map<std::string, size_t> slot;
    for (const Group& group : groups) {
      slot.emplace(group.code, report.groups.size());
      report.groups.push_back(NewGroup(type, group.code, group.name));
    }
    for (const ProjectFigures& project : report.projects) {
      auto it = slot.find(project.plan->*membership);
      if (it != slot.end()) report.groups[it->second].Add(project);
    }
  };
  add_groups(GroupType::kArea, plan_.areas, &ProjectPlan::area);
  const size_t first_cluster = report.groups.size();
  add_groups(GroupType::kCluster, plan_.clusters, &ProjectPlan::cluster);
  add_groups(GroupType::kDistrict, plan_.districts, &ProjectPlan::district);
  GroupFigures whole = NewGroup(GroupType::kPlan, plan_.code, plan_.name);
  for (const ProjectFigures& project : report.projects) whole.Add(project);

  // Output counts for clusters (with their enterprises' reports) and the plan.
  whole.output_year_to_date_fen = 0;
  whole.output_as_of.reset();
  auto later = [](std::optional<YearMonth>& into, const std::optional<YearMonth>& month) {
    if (month && (!into || *into < *month)) into = month;
  };
  for (size_t c = 0; c < plan_.clusters.size(); ++c) {
    GroupFigures& cluster = report.groups[first_cluster + c];
    const Group& plan_cluster = plan_.clusters[c];
    auto extra = enterprise_output.find(plan_cluster.code);
    if (extra != enterprise_output.end()) {
      cluster.output_year_to_date_fen += extra->second.first;
      later(cluster.output_as_of, extra->second.second);
    }
    later(whole.output_as_of, cluster.output_as_of);
    auto targets = plan_.cluster_output_targets.find(plan_cluster.code);
    if (targets == plan_.cluster_output_targets.end()) continue;
    auto target = targets->second.find(period.year());
    if (target != targets->second.end()) {
      cluster.output_target_fen = target->second;
      whole.output_target_fen = whole.output_target_fen.value_or(0) + target->second;
    }
  }
  for (const ProjectFigures& project : report.projects) {
    whole.output_year_to_date_fen += project.output_year_to_date_fen;
    later(whole.output_as_of, project.output_as_of);
  }
  for (const auto& [cluster, output] : enterprise_output) whole.output_year_to_date_fen += output.first;
  report.groups.push_back(whole);
  for (GroupFigures& group : report.groups) FinishGroup(group, period);
  if (held.owns_lock() && held_groups_.size() == report.groups.size()) {
    for (size_t i = 0; i < report.groups.size(); ++i) report.groups[i].assessment = held_groups_[i];
  }
  return report;
}

void Programme::PublishStatuses(const Report& report) {
  if (report.catching_up) return;
  std::vector<Assessment> projects;
  projects.reserve(report.projects.size());
  for (const ProjectFigures& project : report.projects) projects.push_back(project.assessment);
  std::vector<Assessment> groups;
  groups.reserve(report.groups.size());
  for (const GroupFigures& group : report.groups) groups.push_back(group.assessment);
  std::lock_guard lock(held_mutex_);
  held_projects_ = std::move(projects);
  held_groups_ = std::move(groups);
  held_as_of_unix_ = report.statuses_as_of_unix;
}

void Programme::FollowCalendarLocked(std::int64_t now_unix) {
  const std::int64_t day = (now_unix + kShanghaiUtcOffsetSeconds) / 86400;
  if (day == calendar_day_) return;
  calendar_day_ = day;
  const YearMonth reporting = options_.calendar.ReportingMonthOn(Date::FromDaysSinceEpoch(day));
  calendar_reporting_month_ = reporting.Index();
  history_before_day_ = FirstDay(FirstMonthOfReport(reporting)).DaysSinceEpoch();
}

void Programme::NoteHistoryLocked(const Event& event, std::int64_t now_unix) {
  if (!event.occurred_at_unix) return;
  // History: dated before the first month the current reporting month's
  // report covers, i.e. well before anything still being reported.
  if ((*event.occurred_at_unix + kShanghaiUtcOffsetSeconds) / 86400 >= history_before_day_) return;
  ++history_events_;
  if (static_cast<double>(now_unix - last_history_unix_) >= options_.catch_up_settle_seconds) history_burst_ = 0;
  ++history_burst_;
  last_history_unix_ = now_unix;
}

bool Programme::CatchingUpLocked(std::int64_t now_unix) const {
  return history_burst_ >= options_.catch_up_min_events &&
         static_cast<double>(now_unix - last_history_unix_) < options_.catch_up_settle_seconds;
}

bool Programme::CatchingUp() const {
  std::shared_lock lock(mutex_);
  return CatchingUpLocked(clock_.NowUnixSeconds());
}

std::uint64_t Programme::HistoryEvents() const {
  std::shared_lock lock(mutex_);
  return history_events_;
}

void Programme::VisitState(ProgrammeStateVisitor& visitor) const {
  std::shared_lock lock(mutex_);
  for (size_t i = 0; i < progress_.size(); ++i) {
    const ProjectProgress& progress = progress_[i];
    if (progress.recent_events.empty()) continue;  // every applied event leaves one
    visitor.Project(plan_.projects[i].code, progress);
  }
  for (const auto& [cluster, months] : cluster_output_by_month_) visitor.ClusterOutput(cluster, months);
  for (const auto& [source, seen] : sequences_) visitor.Sequence(seen);
  for (const auto& [source, last] : source_last_report_) visitor.LastReport({source, last});
  for (const std::string& source : counted_sources_) visitor.CountedSource(source);
}

void Programme::RestoreState(ProgrammeState state) {
  std::unique_lock lock(mutex_);
  ++version_;
  {
    std::lock_guard cache(earlier_months_mutex_);
    earlier_months_.assign(plan_.projects.size(), EarlierMonths{});
  }
  progress_.assign(plan_.projects.size(), ProjectProgress{});
  for (auto& [code, progress] : state.projects) {
    if (const ProjectPlan* project = plan_.FindProject(code)) {
      progress_[static_cast<size_t>(project - plan_.projects.data())] = std::move(progress);
    }
  }
  cluster_output_by_month_ = std::move(state.cluster_output_by_month);
  sequences_.clear();
  for (SourceSequence& seen : state.sequences) sequences_.emplace(seen.source, seen);
  source_last_report_.clear();
  for (const SourceLastReport& last : state.source_last_reports) source_last_report_[last.source] = last.last_report_unix;
  counted_sources_.clear();
  counted_sources_.insert(state.counted_sources.begin(), state.counted_sources.end());
}

std::string Programme::ComputeStateFingerprint() const {
  // Sorted, so that reordering the plan file keeps the fingerprint.
  std::vector<std::string> projects;
  projects.reserve(plan_.projects.size());
  for (const ProjectPlan& project : plan_.projects) {
    std::vector<std::string> lines;
    for (const ProductionLinePlan& line : project.production_lines) lines.push_back(line.id);
    std::sort(lines.begin(), lines.end());
    std::string entry = project.code;
    for (const std::string& line : lines) entry += "\x1f" + line;
    projects.push_back(std::move(entry));
  }
  std::sort(projects.begin(), projects.end());
  std::vector<std::string> clusters;
  for (const Group& cluster : plan_.clusters) clusters.push_back(cluster.code + (plan_.Owns(cluster.code) ? "+" : "-"));
  std::sort(clusters.begin(), clusters.end());
  std::string text = "state-v2\x1e" + std::to_string(validator_.limits().max_source_bytes);
  for (const std::string& project : projects) text += "\x1e" + project;
  text += "\x1d";
  for (const std::string& cluster : clusters) text += "\x1e" + cluster;
  // Not a cryptographic hash: it tells the operator's own plans apart, where
  // an accidental 64-bit collision (with the same length and project count
  // besides) is not a practical concern.
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(Fnv1a64(text)));
  return std::string(hex) + "-" + std::to_string(text.size()) + "-" + std::to_string(plan_.projects.size());
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

std::vector<SourceLastReport> Programme::SourceLastReports() const {
  std::shared_lock lock(mutex_);
  std::vector<SourceLastReport> out;
  out.reserve(source_last_report_.size());
  for (const auto& [source, last] : source_last_report_) out.push_back({source, last});
  return out;
}

std::uint64_t Programme::Version() const {
  std::shared_lock lock(mutex_);
  return version_;
}

std::vector<SourceSequence> Programme::SourceSequences() const {
  std::shared_lock lock(mutex_);
  std::vector<SourceSequence> out;
  out.reserve(sequences_.size());
  for (const auto& [source, seen] : sequences_) out.push_back(seen);
  return out;
}

}  // namespace pipelined::model
