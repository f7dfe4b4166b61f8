#include "project_evaluation.h"

#include <algorithm>
#include <iterator>

namespace pipelined::model::internal {
namespace {

std::optional<Date> Earliest(const std::multiset<Date>& dates) {
  return dates.empty() ? std::nullopt : std::optional<Date>(*dates.begin());
}

std::optional<Date> IfBy(const std::optional<Date>& date, const Date& as_of) {
  return date && *date <= as_of ? date : std::nullopt;
}

std::optional<double> Ratio(Fen numerator, Fen denominator) {
  if (denominator <= 0) return std::nullopt;
  return static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

ProjectEvaluation::ProjectEvaluation(const Plan& plan, const ProjectPlan& project,
                                     const PlannedValueCurve& planned_value, const ProjectProgress& progress,
                                     const RuleSet& rules, const ReportingCalendar& calendar)
    : plan_(plan),
      project_(project),
      progress_(progress),
      rules_(rules),
      calendar_(calendar),
      planned_value_(planned_value) {
  cumulative_fen_.reserve(progress.investment_completed_by_month_fen.size());
  Fen running = 0;
  for (const auto& [month, fen] : progress.investment_completed_by_month_fen) {
    running += fen;
    cumulative_fen_.push_back(running);
  }
  if (!progress.investment_reports_by_month.empty()) {
    // What it did before its first report is not known: taken as planned,
    // but only for the months it was actually under way. A project that
    // starts late and reports only from its start did nothing before it.
    first_reported_ = progress.investment_reports_by_month.begin()->first;
    baseline_fen_ = planned_value_.At(first_reported_->AddMonths(-1));
    if (!project.continuing && !progress.construction_started_on.empty()) {
      const YearMonth started = progress.construction_started_on.begin()->Month();
      baseline_fen_ = std::max<Fen>(0, baseline_fen_ - planned_value_.At(started.AddMonths(-1)));
    }
  } else if (project.continuing) {
    baseline_fen_ = project.continuing->investment_before_period_fen;
  }
}

std::optional<Date> ProjectEvaluation::StartedOn() const {
  if (project_.continuing) return project_.continuing->started_on;
  return Earliest(progress_.construction_started_on);
}

std::optional<Date> ProjectEvaluation::CompletedOn() const { return Earliest(progress_.completed_on); }

Fen ProjectEvaluation::SumMonths(YearMonth first, YearMonth last) const {
  Fen total = 0;
  const auto& months = progress_.investment_completed_by_month_fen;
  for (auto it = months.lower_bound(first); it != months.end() && it->first <= last; ++it) total += it->second;
  return total;
}

Fen ProjectEvaluation::EarnedValueThrough(YearMonth month) const {
  const auto& months = progress_.investment_completed_by_month_fen;
  const auto after = months.upper_bound(month);
  const Fen reported =
      after == months.begin() ? 0 : cumulative_fen_[static_cast<size_t>(std::distance(months.begin(), after)) - 1];
  return baseline_fen_ + reported;
}

Fen ProjectEvaluation::ExpectedSinceReporting(YearMonth through) const {
  Fen expected = ExpectedYearToDate(project_, through);
  if (first_reported_ && first_reported_->year == through.year && first_reported_->month > 1 &&
      *first_reported_ <= through) {
    expected -= ExpectedYearToDate(project_, first_reported_->AddMonths(-1));
  }
  return expected;
}

bool ProjectEvaluation::HasReport(YearMonth first, YearMonth last) const {
  const auto it = progress_.investment_reports_by_month.lower_bound(first);
  return it != progress_.investment_reports_by_month.end() && it->first <= last;
}

YearMonth ProjectEvaluation::FirstReportingMonth() const {
  YearMonth first = project_.construction_start;
  if (project_.continuing) first = plan_.period_start;
  if (auto started = StartedOn(); started && started->Month() < first) first = started->Month();
  if (!progress_.investment_reports_by_month.empty()) {
    first = std::min(first, progress_.investment_reports_by_month.begin()->first);
  }
  return ReportingCalendar::ReportOf(std::max(first, plan_.period_start));
}

ProjectFacts ProjectEvaluation::FactsAt(YearMonth month, const Date& as_of) const {
  ProjectFacts facts;
  facts.reporting_month = month;
  facts.report_due = calendar_.DueDate(month);
  const std::optional<Date> started_on = IfBy(StartedOn(), as_of);
  const std::optional<Date> completed_on = IfBy(CompletedOn(), as_of);
  facts.started = started_on.has_value();
  facts.completed = completed_on.has_value();
  // Nothing can be reported for months before the plan period.
  facts.expected = month >= plan_.period_start &&
                   (project_.continuing || facts.started || project_.construction_start <= month);

  const YearMonth first_of_report = ReportingCalendar::FirstMonthOf(month);
  const auto& reports = progress_.investment_reports_by_month;
  if (auto after = reports.upper_bound(month); after != reports.begin()) facts.reported_through = std::prev(after)->first;
  facts.report_missing = facts.expected && !facts.completed && !HasReport(first_of_report, month);

  // Milestones, each judged by the months the project has reported since it
  // was due, not by the calendar: a late report is not a late milestone.
  auto milestone = [&](MilestoneKind kind, std::string line, YearMonth planned, std::optional<Date> done_on) {
    Milestone m = EvaluateMilestone(kind, std::move(line), planned, IfBy(done_on, as_of), as_of);
    if (!m.done_on && facts.reported_through) {
      m.reported_months_late = std::max(0, facts.reported_through->Index() - planned.Index());
    }
    facts.milestones.push_back(std::move(m));
  };
  facts.milestones.reserve(project_.production_lines.size() + 2);
  milestone(MilestoneKind::kConstructionStart, "", project_.construction_start, StartedOn());
  for (const ProductionLinePlan& line : project_.production_lines) {
    auto launched = progress_.lines_launched_on.find(line.id);
    milestone(MilestoneKind::kProductionLine, line.id, line.launch,
              launched == progress_.lines_launched_on.end() ? std::nullopt : Earliest(launched->second));
  }
  milestone(MilestoneKind::kCompletion, "", project_.completion, CompletedOn());
  if (!facts.reported_through) return facts;

  // Investment as of the last reported month.
  const YearMonth through = *facts.reported_through;
  ScheduleFacts schedule;
  schedule.through = through;
  schedule.done_fen = SumMonths({through.year, 1}, through);
  schedule.expected_fen = ExpectedSinceReporting(through);
  schedule.year_plan_fen = project_.PlannedForYear(through.year);
  facts.pro_rata = through.month / 12.0;
  if (schedule.year_plan_fen > 0) {
    const double done_share = static_cast<double>(schedule.done_fen) / static_cast<double>(schedule.year_plan_fen);
    facts.behind_pro_rata_pp = (facts.pro_rata - done_share) * 100.0;
    if (schedule.expected_fen > 0) {
      schedule.attainment = static_cast<double>(schedule.done_fen) / static_cast<double>(schedule.expected_fen);
      schedule.behind_pp = static_cast<double>(schedule.expected_fen - schedule.done_fen) /
                           static_cast<double>(schedule.year_plan_fen) * 100.0;
      facts.schedule = schedule;
    }
  }
  facts.earned_value_fen = EarnedValueThrough(through);
  facts.planned_value_fen = planned_value_.At(through);
  facts.spi = Ratio(facts.earned_value_fen, facts.planned_value_fen);
  facts.delay_months = planned_value_.DelayMonths(facts.earned_value_fen, through);

  // Stalled: reported months in a row, back from the last, with too little
  // done against the month's plan. Only months after the start month count:
  // a start late in its month leaves little done in it. Months the plan
  // gives nothing to (after the planned completion) neither count nor break
  // the run: a project stalled before its planned end stays stalled after it.
  if (facts.started && !facts.completed) {
    for (YearMonth unit = ReportingCalendar::ReportOf(through);; unit = ReportingCalendar::Previous(unit)) {
      const YearMonth first = ReportingCalendar::FirstMonthOf(unit);
      if (first <= started_on->Month() || first < plan_.period_start) break;
      const YearMonth last = std::min(unit, through);
      if (!HasReport(first, last)) continue;
      const Fen planned = planned_value_.At(last) - planned_value_.At(first.AddMonths(-1));
      if (planned <= 0) continue;
      const Fen done = SumMonths(first, last);
      if (static_cast<double>(done) >= rules_.stalled_below_share * static_cast<double>(planned)) break;
      if (facts.stalled_months == 0) {
        facts.stalled_done_fen = done;
        facts.stalled_planned_fen = planned;
      }
      ++facts.stalled_months;
    }
  }

  if (facts.expected && !facts.completed) {
    int missing = 0;
    for (YearMonth unit = ReportingCalendar::ReportOf(through); unit < month; unit = ReportingCalendar::Next(unit)) {
      ++missing;
    }
    facts.months_without_investment = missing;
  }
  return facts;
}

std::optional<Assessment> ProjectEvaluation::AssessMonthsBefore(YearMonth month) const {
  std::optional<Assessment> previous;
  for (YearMonth m = FirstReportingMonth(); m < month; m = ReportingCalendar::Next(m)) {
    // Each earlier month as it stood at its end: what had happened by then.
    Assessment assessment =
        AssessProject(FactsAt(m, LastDay(m)), rules_, previous ? &*previous : nullptr, /*details=*/false);
    previous = std::move(assessment);
  }
  return previous;
}

ProjectFigures ProjectEvaluation::Figures(const ReportingPeriod& period, std::int64_t now_unix,
                                          const Assessment* previous, bool with_details) const {
  const ProjectProgress& progress = progress_;
  const Date& today = period.today;
  const YearMonth a = period.month;
  const int year = period.year();

  ProjectFigures f;
  f.plan = &project_;
  f.construction_started = StartedOn().has_value();
  f.lines_launched = static_cast<int>(progress.lines_launched_on.size());
  f.lines_planned = static_cast<int>(project_.production_lines.size());
  f.investment_completed_fen = progress.investment_completed_fen;
  f.investment_completed_period_fen = SumMonths(plan_.period_start, plan_.period_end);
  f.investment_planned_fen = project_.investment_total_fen;
  for (const auto& [planned_year, fen] : project_.investment_by_year_fen) {
    if (planned_year >= plan_.period_start.year && planned_year <= plan_.period_end.year) {
      f.investment_planned_period_fen += fen;
    }
  }
  auto done_this_year = progress.investment_completed_by_year_fen.find(today.year);
  f.investment_completed_year_fen =
      done_this_year == progress.investment_completed_by_year_fen.end() ? 0 : done_this_year->second;
  f.investment_planned_year_fen = project_.PlannedForYear(today.year);
  const std::optional<Date> completed_on = CompletedOn();
  f.completed = completed_on.has_value();

  // The rules on today's knowledge of the reporting month.
  ProjectFacts facts = FactsAt(a, today);
  if (facts.expected && !facts.completed && progress.last_report_unix > 0) {
    facts.days_since_report = std::max<std::int64_t>(0, (now_unix - progress.last_report_unix) / 86400);
  }
  f.assessment = AssessProject(facts, rules_, previous, with_details);
  f.milestones = facts.milestones;
  if (progress.last_report_unix > 0) f.last_report_unix = progress.last_report_unix;

  // The reporting month's report, and the next one's so far.
  const YearMonth first_of_report = ReportingCalendar::FirstMonthOf(a);
  const bool due = facts.expected && !(completed_on && *completed_on < FirstDay(first_of_report));
  std::optional<std::int32_t> first_day;
  const auto& reports = progress.investment_reports_by_month;
  for (auto it = reports.lower_bound(first_of_report); it != reports.end() && it->first <= a; ++it) {
    first_day = first_day ? std::min(*first_day, it->second.first_day) : it->second.first_day;
  }
  if (first_day) f.reported_on = Date::FromDaysSinceEpoch(*first_day);
  if (!due) {
    f.report = ReportState::kNotDue;
  } else if (!f.reported_on) {
    f.report = ReportState::kMissing;
  } else {
    f.report = *f.reported_on <= period.due ? ReportState::kOnTime : ReportState::kLate;
  }
  f.reported_collecting = HasReport(ReportingCalendar::FirstMonthOf(period.collecting), period.collecting);

  // The project's own progress, as of its last reported month.
  f.as_of = facts.reported_through;
  if (f.as_of) {
    const YearMonth through = *f.as_of;
    f.investment_as_of_year_to_date_fen = SumMonths({through.year, 1}, through);
    f.investment_expected_as_of_fen = ExpectedSinceReporting(through);
    f.investment_planned_as_of_year_fen = project_.PlannedForYear(through.year);
    f.completion_rate = Ratio(f.investment_as_of_year_to_date_fen, f.investment_planned_as_of_year_fen);
    f.expected_progress = Ratio(f.investment_expected_as_of_fen, f.investment_planned_as_of_year_fen);
    if (f.completion_rate) {
      f.pro_rata_gap_pp = (*f.completion_rate - through.month / 12.0) * 100.0;
      if (f.expected_progress) f.schedule_gap_pp = (*f.completion_rate - *f.expected_progress) * 100.0;
    }
    f.schedule_attainment = Ratio(f.investment_as_of_year_to_date_fen, f.investment_expected_as_of_fen);
    f.planned_value_fen = facts.planned_value_fen;
    f.earned_value_fen = facts.earned_value_fen;
    f.spi = facts.spi;
    if (!f.completed) f.delay_months = facts.delay_months;  // a finished project is behind nothing
  } else {
    f.planned_value_fen = planned_value_.At(a);
    f.earned_value_fen = EarnedValueThrough(a);
  }
  if (f.completed) {
    f.forecast_completion = completed_on;
  } else if (f.spi) {
    // At the current pace, but never in the past: it is not done yet.
    f.forecast_completion = ForecastCompletion(project_, *f.spi);
    if (f.forecast_completion && *f.forecast_completion < today) f.forecast_completion = today;
  }

  // What the project adds to its groups for the reporting year.
  const auto& months = progress.investment_completed_by_month_fen;
  const YearMonth january{year, 1};
  f.investment_reporting_year_to_date_fen = SumMonths(january, a);
  f.investment_planned_reporting_year_fen = project_.PlannedForYear(year);
  f.investment_expected_reporting_year_fen =
      f.as_of && f.as_of->year == year ? ExpectedSinceReporting(*f.as_of) : 0;
  f.group_planned_value_fen = f.as_of ? f.planned_value_fen : f.earned_value_fen;
  if (f.completed) {
    f.investment_planned_reporting_year_fen =
        std::min(f.investment_planned_reporting_year_fen, f.investment_reporting_year_to_date_fen);
    f.investment_expected_reporting_year_fen =
        std::min(f.investment_expected_reporting_year_fen, f.investment_reporting_year_to_date_fen);
    f.group_planned_value_fen = std::min(f.group_planned_value_fen, f.earned_value_fen);
  }
  if (f.as_of && f.as_of->year == year) {
    f.investment_planned_reporting_year_reported_fen = f.investment_planned_reporting_year_fen;
    f.investment_pro_rata_as_of_fen = f.investment_planned_reporting_year_fen * f.as_of->month / 12;
  }
  f.investment_reporting_month_fen = SumMonths(first_of_report, a);
  f.investment_reporting_month_previous_year_fen = SumMonths(first_of_report.AddMonths(-12), a.AddMonths(-12));
  f.investment_year_to_date_previous_year_fen = SumMonths(january.AddMonths(-12), a.AddMonths(-12));
  for (int m = 1; m <= 12; ++m) {
    auto it = months.find(YearMonth{year - 1, m});
    f.previous_year_months_fen[static_cast<size_t>(m - 1)] = it == months.end() ? 0 : it->second;
  }
  for (auto it = progress.output_by_month_fen.lower_bound(january);
       it != progress.output_by_month_fen.end() && it->first <= a; ++it) {
    f.output_year_to_date_fen += it->second;
  }
  return f;
}

}  // namespace pipelined::model::internal
