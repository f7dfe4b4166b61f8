// Progress against plan: expected progress by each project's own schedule
// and by the calendar (序时进度), planned value by spending profile, the
// earned-schedule delay in months, milestone states and a completion
// forecast. Pure functions of the plan, the facts and a date;
// docs/lagging.md gives the formulas with worked examples.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/reporting_calendar.h"

namespace pipelined::model {

// Months of `year` up to and including `through_month` (1..12) in which the
// project is planned to be under construction (construction_start ..
// completion).
int ActiveMonths(const ProjectPlan& project, int year, int through_month = 12);

// The share of year `through.year`'s plan the project is expected to have
// completed by the end of `through`, in fen, by its own schedule: the
// monthly plan when the plan gives one, the S-curve's course within the year
// for kSCurve, else the year's plan spread evenly over the months of the year
// in which it is under construction (a project starting in June is expected
// to have done 1/7 of its year's plan by the end of June, not 6/12). A year
// without construction months falls back to the calendar: month / 12.
Fen ExpectedYearToDate(const ProjectPlan& project, YearMonth through);

// Planned cumulative investment through the end of `through`, by the
// spending profile: for kLinear the earlier years' plans plus
// ExpectedYearToDate(); for a continuing project the investment done before
// the period plus what the profile plans from the period's start.
Fen PlannedValueThrough(const ProjectPlan& project, YearMonth through);

// A project's planned value month by month, for the earned-schedule delay.
class PlannedValueCurve {
 public:
  explicit PlannedValueCurve(const ProjectPlan& project);

  Fen At(YearMonth month) const;

  // Earned schedule: how many months behind its plan the project is at the
  // end of `through`, given its earned value: `through` minus the (fractional)
  // month by whose end the plan expected that much value. Negative when
  // ahead. nullopt when nothing is planned by `through`.
  std::optional<double> DelayMonths(Fen earned_value, YearMonth through) const;

 private:
  int first_index_ = 0;       // YearMonth::Index() of values_[0]
  std::vector<Fen> values_;   // planned value through the end of each month
};

enum class MilestoneKind { kConstructionStart, kProductionLine, kCompletion };
const char* MilestoneKindName(MilestoneKind kind);  // construction_start, production_line, completion

enum class MilestoneState { kNotDue, kDue, kDoneOnTime, kDoneLate, kOverdue };
const char* MilestoneStateName(MilestoneState state);  // not_due, due, done_on_time, done_late, overdue
inline constexpr MilestoneState kAllMilestoneStates[] = {MilestoneState::kNotDue, MilestoneState::kDue,
                                                         MilestoneState::kDoneOnTime, MilestoneState::kDoneLate,
                                                         MilestoneState::kOverdue};

struct Milestone {
  MilestoneKind kind = MilestoneKind::kConstructionStart;
  std::string line;  // production lines only
  YearMonth planned;
  std::optional<Date> done_on;
  MilestoneState state = MilestoneState::kNotDue;
  // Days after the end of the planned month: when done late, to the day it
  // was done; when overdue, to today. 0 otherwise.
  int slip_days = 0;
  // Whole calendar months after the planned month that have ended before it
  // was done (done late) or before today (overdue): one day late is 0
  // months, the first day of the month after next is 1. 0 otherwise.
  int slip_months = 0;
  // Not done: the months after the planned month that the project has
  // reported for without it (docs/lagging.md, "What the rules look at"):
  // what the rules grade, so that a late report is not taken for a late
  // milestone. 0 when done or not yet late.
  int reported_months_late = 0;
};

// A milestone planned for `planned` and done on `done_on` (if at all), seen on `today`.
Milestone EvaluateMilestone(MilestoneKind kind, std::string line, YearMonth planned,
                            std::optional<Date> done_on, const Date& today);

// When the project will be complete at its current pace: its planned
// duration (construction_start..completion) stretched by 1 / SPI from the
// planned start; the last day of that month. nullopt without a positive SPI.
// Capped at ten times the planned duration. Callers never show a date
// before today for a project not completed (ProjectFigures).
std::optional<Date> ForecastCompletion(const ProjectPlan& project, double spi);

}  // namespace pipelined::model
