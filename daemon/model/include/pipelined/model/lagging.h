// Decides whether a project or a group is on track, not reported, at risk or
// lagging, and why, by a named rule set. The thresholds of each rule set and
// the formulas are documented in docs/lagging.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/money.h"
#include "pipelined/model/progress.h"

namespace pipelined::model {

// In order of severity. kNotReported says only that the figures the rules
// need have not come in: it is never an alarm, and a project that is behind
// by what it did report is at risk or lagging whatever it has not reported.
enum class Status { kOnTrack = 0, kNotReported = 1, kAtRisk = 2, kLagging = 3 };
inline constexpr std::size_t kStatusCount = 4;
const char* StatusName(Status status);  // on_track, not_reported, at_risk, lagging
inline constexpr Status kAllStatuses[] = {Status::kOnTrack, Status::kNotReported, Status::kAtRisk,
                                          Status::kLagging};
// at_risk and lagging: the statuses that alert.
inline bool IsFlagged(Status status) { return status >= Status::kAtRisk; }

namespace lagging_reason {
inline constexpr const char kStartOverdue[] = "start_overdue";
inline constexpr const char kMilestoneOverdue[] = "milestone_overdue";
inline constexpr const char kBehindSchedule[] = "behind_schedule";
inline constexpr const char kScheduleDelay[] = "schedule_delay";
inline constexpr const char kStalled[] = "stalled";
inline constexpr const char kBehindProRata[] = "behind_pro_rata";
inline constexpr const char kSpiLow[] = "spi_low";
inline constexpr const char kReportMissing[] = "report_missing";
inline constexpr const char kNoInvestmentReported[] = "no_investment_reported";
inline constexpr const char kSourceSilent[] = "source_silent";
inline constexpr const char kOutputBehindProRata[] = "output_behind_pro_rata";
}  // namespace lagging_reason

// One reason why a project or group is not on track.
struct Finding {
  std::string reason;  // a lagging_reason code
  Status level = Status::kAtRisk;
  std::string detail;  // for people: the values compared and the threshold crossed
  double value = 0;      // the figure the rule compared (points, ratio, months, days)
  double threshold = 0;  // the threshold it crossed for `level` (after any margin)
};

// Thresholds; a check whose thresholds are unset is off. "Behind" figures are
// percentage points of the year's plan below the expected progress.
struct RuleSet {
  std::string name;
  // Year to date against the project's own schedule: at a level when the
  // share of the expected investment done (attainment) is below the level's
  // threshold and the gap is at least behind_schedule_min_gap_pp points.
  std::optional<double> behind_schedule_at_risk_below;
  std::optional<double> behind_schedule_lagging_below;
  double behind_schedule_min_gap_pp = 5;
  // Earned schedule: months behind the planned value.
  std::optional<double> delay_at_risk_months;
  std::optional<double> delay_lagging_months;
  // Reported months in a row, up to the last, with less than
  // stalled_below_share of the month's planned investment done.
  double stalled_below_share = 0.25;
  std::optional<int> stalled_at_risk_months;
  std::optional<int> stalled_lagging_months;
  // Year to date against the calendar's pro-rata progress (序时进度).
  std::optional<double> behind_pro_rata_at_risk_pp;   // at_risk when behind by at least this
  std::optional<double> behind_pro_rata_lagging_pp;   // lagging when behind by more than this
  std::optional<double> spi_at_risk_below;            // at_risk when SPI is below this
  std::optional<double> spi_lagging_below;            // lagging when SPI is below this
  // Months reported since the planned month without the milestone.
  std::optional<int> start_overdue_at_risk_months;
  std::optional<int> start_overdue_lagging_months;
  std::optional<int> milestone_overdue_at_risk_months;  // production lines and completion
  std::optional<int> milestone_overdue_lagging_months;
  // Reporting months in a row without an investment report, once the project
  // has reported at all.
  std::optional<int> no_investment_at_risk_months;
  std::optional<int> no_investment_lagging_months;
  std::optional<int> source_silent_at_risk_days;      // days since the project's last event
  std::optional<int> source_silent_lagging_days;
  std::optional<double> output_behind_at_risk_pp;     // clusters' output against their target path
  std::optional<double> output_behind_lagging_pp;
  // Hysteresis: a project leaves a level only once its figure clears that
  // level's threshold by this margin (ratios, points, months).
  double clear_margin_ratio = 0.05;
  double clear_margin_pp = 3;
  double clear_margin_months = 0.5;

  // The built-in rule sets: "schedule" (the default), "pro_rata" and "spi".
  static RuleSet Schedule();
  static RuleSet ProRata();
  static RuleSet Spi();
  // nullopt when `name` is not built in.
  static std::optional<RuleSet> BuiltIn(const std::string& name);
  static const std::vector<std::string>& BuiltInNames();
};

// What is wrong with a rule set: an at-risk threshold past its lagging one,
// a share or margin out of range. One message per problem; empty when usable.
std::vector<std::string> CheckRuleSet(const RuleSet& rules);

// Year to date against the project's own schedule, through the month the
// figures are as of.
struct ScheduleFacts {
  YearMonth through;
  Fen done_fen = 0;
  Fen expected_fen = 0;
  Fen year_plan_fen = 0;
  double attainment = 0;   // done / expected
  double behind_pp = 0;    // (expected - done) / year plan x 100; negative when ahead
};

// What the rules look at for one project in one reporting month.
struct ProjectFacts {
  bool completed = false;
  // Something is expected of the project in the reporting month: it has
  // started, or its planned start month has come (or it is continuing).
  bool expected = false;
  bool started = false;
  YearMonth reporting_month;
  Date report_due;
  // The last month up to the reporting month with an investment report: the
  // month the investment figures are as of. nullopt when none.
  std::optional<YearMonth> reported_through;
  bool report_missing = false;  // none for the reporting month's months
  // Construction start, each production line, completion.
  std::vector<Milestone> milestones;
  std::optional<ScheduleFacts> schedule;
  std::optional<double> behind_pro_rata_pp;  // calendar: points behind month / 12
  double pro_rata = 0;
  std::optional<double> spi;
  Fen planned_value_fen = 0;
  Fen earned_value_fen = 0;
  std::optional<double> delay_months;
  // Stalled months in a row up to reported_through, and the last of them.
  int stalled_months = 0;
  Fen stalled_done_fen = 0;
  Fen stalled_planned_fen = 0;
  std::optional<int> months_without_investment;
  std::optional<std::int64_t> days_since_report;
};

struct Assessment {
  Status status = Status::kOnTrack;
  std::vector<Finding> findings;  // at most one per reason

  // The level of `reason`'s finding; kOnTrack when there is none.
  Status LevelOf(const char* reason) const;
};

// `previous`: the project's assessment for the reporting month before, for
// hysteresis; nullptr for the first. A completed project, and one of which
// nothing is expected yet, is on track. Without `details` the findings carry
// levels and values but no text (cheaper, for earlier months).
Assessment AssessProject(const ProjectFacts& facts, const RuleSet& rules, const Assessment* previous = nullptr,
                         bool details = true);

struct GroupFacts {
  YearMonth reporting_month;
  int projects_due_to_report = 0;
  int projects_reported = 0;
  std::optional<ScheduleFacts> schedule;
  std::optional<double> behind_pro_rata_pp;
  double pro_rata = 0;
  std::optional<double> spi;
  Fen planned_value_fen = 0;
  Fen earned_value_fen = 0;
  std::optional<double> output_behind_pro_rata_pp;
  std::optional<YearMonth> output_through;
};
// A group none of whose projects due to report has reported is not reported.
Assessment AssessGroup(const GroupFacts& facts, const RuleSet& rules);

}  // namespace pipelined::model
