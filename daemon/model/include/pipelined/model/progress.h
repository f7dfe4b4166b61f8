// Progress against plan at a date: the reporting calendar (序时进度), planned
// value by spending profile, milestone states and a completion forecast.
// Pure functions of the plan, the facts and a date; docs/lagging.md gives the
// formulas with a worked example.
#pragma once

#include <optional>
#include <string>

#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/model/plan.h"

namespace pipelined::model {

// The month whose figures are due by `today`: the last complete month, except
// that January is reported together with February, so in February the latest
// reporting month is still December of the year before.
struct ReportingPeriod {
  Date today;
  YearMonth month;  // the reporting month ("A" in docs/lagging.md)
  int year() const { return month.year; }
  // Share of the reporting year elapsed: month / 12 (2/12 .. 12/12).
  double pro_rata() const { return month.month / 12.0; }
};
ReportingPeriod ReportingPeriodOn(const Date& today);

// The first and last day of a month.
Date FirstDay(YearMonth month);
Date LastDay(YearMonth month);

// Planned cumulative investment from the project's start through the end of
// `through`, by its spending profile.
Fen PlannedValueThrough(const ProjectPlan& project, YearMonth through);

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
  // Whole months after the planned month (overdue: today's month; done late:
  // the month it was done). 0 otherwise.
  int slip_months = 0;
};

// A milestone planned for `planned` and done on `done_on` (if at all), seen on `today`.
Milestone EvaluateMilestone(MilestoneKind kind, std::string line, YearMonth planned,
                            std::optional<Date> done_on, const Date& today);

// When the project will be complete at its current pace: its planned
// duration (construction_start..completion) stretched by 1 / SPI from the
// planned start; the last day of that month. nullopt without a positive SPI.
// Capped at ten times the planned duration.
std::optional<Date> ForecastCompletion(const ProjectPlan& project, double spi);

}  // namespace pipelined::model
