#include "pipelined/model/progress.h"

#include <algorithm>
#include <cmath>

namespace pipelined::model {
namespace {

// Cumulative share 3t^2 - 2t^3 of an S-curve over construction_start ..
// completion at the end of `through`: slow at the start and the end.
long double SCurveShare(const ProjectPlan& project, YearMonth through) {
  const int months = project.completion.Index() - project.construction_start.Index() + 1;
  if (months <= 0) return through >= project.construction_start ? 1.0L : 0.0L;
  const int elapsed = std::clamp(through.Index() - project.construction_start.Index() + 1, 0, months);
  const long double t = static_cast<long double>(elapsed) / months;
  return t * t * (3 - 2 * t);
}

Fen Scaled(Fen amount, long double share) {
  return static_cast<Fen>(std::llround(static_cast<long double>(amount) * share));
}

Fen MonthlyPlanThrough(const ProjectPlan& project, YearMonth first, YearMonth last) {
  Fen total = 0;
  for (auto it = project.investment_by_month_fen.lower_bound(first);
       it != project.investment_by_month_fen.end() && it->first <= last; ++it) {
    total += it->second;
  }
  return total;
}

// Planned value by the spending profile alone, from the project's first
// planned month.
Fen ProfileThrough(const ProjectPlan& project, YearMonth through) {
  switch (project.spending_profile) {
    case SpendingProfile::kLinear: {
      Fen total = 0;
      for (const auto& [year, fen] : project.investment_by_year_fen) {
        if (year < through.year) total += fen;
      }
      return total + ExpectedYearToDate(project, through);
    }
    case SpendingProfile::kSCurve:
      return Scaled(project.investment_total_fen, SCurveShare(project, through));
    case SpendingProfile::kMonthly:
      return MonthlyPlanThrough(project, YearMonth{0, 1}, through);
  }
  return 0;
}

}  // namespace

int ActiveMonths(const ProjectPlan& project, int year, int through_month) {
  const YearMonth first = std::max(project.construction_start, YearMonth{year, 1});
  const YearMonth last = std::min(project.completion, YearMonth{year, std::clamp(through_month, 1, 12)});
  return std::max(0, last.Index() - first.Index() + 1);
}

Fen ExpectedYearToDate(const ProjectPlan& project, YearMonth through) {
  const Fen year_plan = project.PlannedForYear(through.year);
  if (year_plan == 0) return 0;
  const Fen calendar = year_plan * through.month / 12;
  switch (project.spending_profile) {
    case SpendingProfile::kMonthly: {
      const Fen whole_year = MonthlyPlanThrough(project, {through.year, 1}, {through.year, 12});
      if (whole_year <= 0) return calendar;
      return MonthlyPlanThrough(project, {through.year, 1}, through);
    }
    case SpendingProfile::kSCurve: {
      const long double before = SCurveShare(project, {through.year - 1, 12});
      const long double in_year = SCurveShare(project, {through.year, 12}) - before;
      if (in_year <= 0) return calendar;
      return Scaled(year_plan, (SCurveShare(project, through) - before) / in_year);
    }
    case SpendingProfile::kLinear: break;
  }
  const int active = ActiveMonths(project, through.year);
  if (active == 0) return calendar;
  return year_plan * ActiveMonths(project, through.year, through.month) / active;
}

Fen PlannedValueThrough(const ProjectPlan& project, YearMonth through) {
  if (!project.continuing) return ProfileThrough(project, through);
  // The period's baseline: what the project had done when the period began
  // counts as planned, and the profile's plan from then on is added to it.
  const ContinuingProject& before = *project.continuing;
  const YearMonth baseline = before.period_start.AddMonths(-1);
  if (through <= baseline) return before.investment_before_period_fen;
  return before.investment_before_period_fen + ProfileThrough(project, through) - ProfileThrough(project, baseline);
}

PlannedValueCurve::PlannedValueCurve(const ProjectPlan& project) {
  YearMonth first = project.construction_start;
  YearMonth last = project.completion;
  if (!project.investment_by_year_fen.empty()) {
    first = std::min(first, YearMonth{project.investment_by_year_fen.begin()->first, 1});
    last = std::max(last, YearMonth{project.investment_by_year_fen.rbegin()->first, 12});
  }
  if (!project.investment_by_month_fen.empty()) {
    first = std::min(first, project.investment_by_month_fen.begin()->first);
    last = std::max(last, project.investment_by_month_fen.rbegin()->first);
  }
  first = first.AddMonths(-1);  // the month before anything is planned: nothing yet
  if (project.continuing) first = std::max(first, project.continuing->period_start.AddMonths(-1));
  first_index_ = first.Index();
  for (YearMonth month = first; month <= last; month = month.AddMonths(1)) {
    // Never decreasing, so that a binary search finds when a value was planned.
    const Fen value = PlannedValueThrough(project, month);
    values_.push_back(values_.empty() ? value : std::max(values_.back(), value));
  }
}

Fen PlannedValueCurve::At(YearMonth month) const {
  if (values_.empty()) return 0;
  const int offset = std::clamp(month.Index() - first_index_, 0, static_cast<int>(values_.size()) - 1);
  return values_[static_cast<size_t>(offset)];
}

std::optional<double> PlannedValueCurve::DelayMonths(Fen earned_value, YearMonth through) const {
  if (values_.empty() || At(through) <= values_.front()) return std::nullopt;
  // The latest month by whose end the plan expected no more than the earned
  // value, and how far into the next month the rest of it reaches (linear
  // within the month): a plateau of the plan counts to its end.
  const auto beyond = std::upper_bound(values_.begin(), values_.end(), earned_value);
  double earned_schedule;  // as a month index
  if (beyond == values_.begin()) {
    earned_schedule = first_index_;
  } else if (beyond == values_.end()) {
    earned_schedule = first_index_ + static_cast<double>(values_.size() - 1);
  } else {
    const size_t i = static_cast<size_t>(beyond - values_.begin());
    const Fen before = values_[i - 1];
    const double fraction =
        static_cast<double>(earned_value - before) / static_cast<double>(values_[i] - before);
    earned_schedule = first_index_ + static_cast<double>(i - 1) + fraction;
  }
  return through.Index() - earned_schedule;
}

const char* MilestoneKindName(MilestoneKind kind) {
  switch (kind) {
    case MilestoneKind::kConstructionStart: return "construction_start";
    case MilestoneKind::kProductionLine: return "production_line";
    case MilestoneKind::kCompletion: return "completion";
  }
  return "unknown";
}

const char* MilestoneStateName(MilestoneState state) {
  switch (state) {
    case MilestoneState::kNotDue: return "not_due";
    case MilestoneState::kDue: return "due";
    case MilestoneState::kDoneOnTime: return "done_on_time";
    case MilestoneState::kDoneLate: return "done_late";
    case MilestoneState::kOverdue: return "overdue";
  }
  return "unknown";
}

Milestone EvaluateMilestone(MilestoneKind kind, std::string line, YearMonth planned, std::optional<Date> done_on,
                            const Date& today) {
  Milestone m{kind, std::move(line), planned, done_on};
  const Date deadline = LastDay(planned);
  // Whole months: those after the planned month that ended before `day`.
  auto whole_months_before = [&planned](const Date& day) {
    return std::max(0, day.Month().Index() - planned.Index() - 1);
  };
  if (done_on) {
    if (*done_on <= deadline) {
      m.state = MilestoneState::kDoneOnTime;
    } else {
      m.state = MilestoneState::kDoneLate;
      m.slip_days = static_cast<int>(done_on->DaysSinceEpoch() - deadline.DaysSinceEpoch());
      m.slip_months = whole_months_before(*done_on);
    }
  } else if (today < FirstDay(planned)) {
    m.state = MilestoneState::kNotDue;
  } else if (today <= deadline) {
    m.state = MilestoneState::kDue;
  } else {
    m.state = MilestoneState::kOverdue;
    m.slip_days = static_cast<int>(today.DaysSinceEpoch() - deadline.DaysSinceEpoch());
    m.slip_months = whole_months_before(today);
  }
  return m;
}

std::optional<Date> ForecastCompletion(const ProjectPlan& project, double spi) {
  if (!(spi > 0)) return std::nullopt;
  const int months = project.completion.Index() - project.construction_start.Index() + 1;
  if (months <= 0) return std::nullopt;
  const double stretched = std::min(std::ceil(months / spi - 1e-9), 10.0 * months);
  const int forecast_months = std::max(1, static_cast<int>(stretched));
  return LastDay(project.construction_start.AddMonths(forecast_months - 1));
}

}  // namespace pipelined::model
