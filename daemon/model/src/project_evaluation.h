// Evaluates one project on the reporting calendar (docs/lagging.md): its
// facts for any reporting month, the chain of monthly assessments that
// carries the hysteresis from month to month, and its figures for a report.
// Private to the model: Programme is its only user.
#pragma once

#include <cstdint>
#include <optional>

#include "pipelined/model/lagging.h"
#include "pipelined/model/programme.h"

namespace pipelined::model::internal {

class ProjectEvaluation {
 public:
  // Everything referenced must outlive the evaluation.
  ProjectEvaluation(const Plan& plan, const ProjectPlan& project, const PlannedValueCurve& planned_value,
                    const ProjectProgress& progress, const RuleSet& rules, const ReportingCalendar& calendar);

  // The project's assessment for the reporting month before `month`,
  // reached month by month from its first reporting month so that each
  // month's hysteresis sees the one before. nullopt when no reporting month
  // of the project comes before `month`.
  std::optional<Assessment> AssessMonthsBefore(YearMonth month) const;

  // The project's figures and assessment on `period.today`; `previous` is
  // AssessMonthsBefore(period.month).
  ProjectFigures Figures(const ReportingPeriod& period, std::int64_t now_unix, const Assessment* previous,
                         bool with_details = true) const;

 private:
  // What the rules look at in reporting month `month`, with milestones and
  // completion seen as of `as_of`.
  ProjectFacts FactsAt(YearMonth month, const Date& as_of) const;
  // The first reporting month in which anything is expected of the project
  // or it reported.
  YearMonth FirstReportingMonth() const;
  Fen SumMonths(YearMonth first, YearMonth last) const;
  // Earned value: what the project is taken to have done when its reports
  // begin, plus everything reported since, through `month`.
  Fen EarnedValueThrough(YearMonth month) const;
  // Investment expected by the schedule in `through`'s year up to `through`,
  // counted from the project's first report if that came later in the year.
  Fen ExpectedSinceReporting(YearMonth through) const;
  bool HasReport(YearMonth first, YearMonth last) const;
  std::optional<Date> StartedOn() const;
  std::optional<Date> CompletedOn() const;

  const Plan& plan_;
  const ProjectPlan& project_;
  const ProjectProgress& progress_;
  const RuleSet& rules_;
  const ReportingCalendar& calendar_;
  const PlannedValueCurve& planned_value_;
  // Cumulative completed investment at each entry of
  // investment_completed_by_month_fen, for earned value in one lookup.
  std::vector<Fen> cumulative_fen_;
  // The first month the project reported for, and what it is taken to have
  // done by then: the planned value of the month before. No data is not
  // bad data: what a project did before it reported is not known, so it is
  // not counted as nothing (for a continuing project this is at least the
  // investment done before the period).
  std::optional<YearMonth> first_reported_;
  Fen baseline_fen_ = 0;
};

}  // namespace pipelined::model::internal
