#include "pipelined/model/progress.h"

#include <algorithm>
#include <cmath>

namespace pipelined::model {

ReportingPeriod ReportingPeriodOn(const Date& today) {
  YearMonth month = today.Month().AddMonths(-1);
  // January has no report of its own: it comes with February's.
  if (month.month == 1) month = month.AddMonths(-1);
  return ReportingPeriod{today, month};
}

Date FirstDay(YearMonth month) { return Date{month.year, month.month, 1}; }
Date LastDay(YearMonth month) { return Date{month.year, month.month, DaysInMonth(month.year, month.month)}; }

namespace {

Fen LinearThrough(const ProjectPlan& project, YearMonth through) {
  Fen total = 0;
  for (const auto& [year, fen] : project.investment_by_year_fen) {
    if (year < through.year) {
      total += fen;
    } else if (year == through.year) {
      total += fen * through.month / 12;
    }
  }
  return total;
}

Fen MonthlyThrough(const ProjectPlan& project, YearMonth through) {
  Fen total = 0;
  for (const auto& [month, fen] : project.investment_by_month_fen) {
    if (month > through) break;
    total += fen;
  }
  return total;
}

// Cumulative share 3t^2 - 2t^3: slow at the start and the end, fastest midway.
Fen SCurveThrough(const ProjectPlan& project, YearMonth through) {
  const int months = project.completion.Index() - project.construction_start.Index() + 1;
  const int elapsed = std::clamp(through.Index() - project.construction_start.Index() + 1, 0, months);
  if (months <= 0) return 0;
  const long double t = static_cast<long double>(elapsed) / months;
  const long double share = t * t * (3 - 2 * t);
  return static_cast<Fen>(std::llround(static_cast<long double>(project.investment_total_fen) * share));
}

}  // namespace

Fen PlannedValueThrough(const ProjectPlan& project, YearMonth through) {
  switch (project.spending_profile) {
    case SpendingProfile::kLinear: return LinearThrough(project, through);
    case SpendingProfile::kSCurve: return SCurveThrough(project, through);
    case SpendingProfile::kMonthly: return MonthlyThrough(project, through);
  }
  return 0;
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
  if (done_on) {
    if (*done_on <= deadline) {
      m.state = MilestoneState::kDoneOnTime;
    } else {
      m.state = MilestoneState::kDoneLate;
      m.slip_days = static_cast<int>(done_on->DaysSinceEpoch() - deadline.DaysSinceEpoch());
      m.slip_months = done_on->Month().Index() - planned.Index();
    }
  } else if (today < FirstDay(planned)) {
    m.state = MilestoneState::kNotDue;
  } else if (today <= deadline) {
    m.state = MilestoneState::kDue;
  } else {
    m.state = MilestoneState::kOverdue;
    m.slip_days = static_cast<int>(today.DaysSinceEpoch() - deadline.DaysSinceEpoch());
    m.slip_months = today.Month().Index() - planned.Index();
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
