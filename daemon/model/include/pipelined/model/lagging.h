// Decides whether a project or a group is on track, at risk or lagging, and
// why, by a named rule set. The thresholds of each rule set and the formulas
// are documented in docs/lagging.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/progress.h"

namespace pipelined::model {

enum class Status { kOnTrack = 0, kAtRisk = 1, kLagging = 2 };
const char* StatusName(Status status);  // on_track, at_risk, lagging
inline constexpr Status kAllStatuses[] = {Status::kOnTrack, Status::kAtRisk, Status::kLagging};

namespace lagging_reason {
inline constexpr const char kStartOverdue[] = "start_overdue";
inline constexpr const char kBehindProRata[] = "behind_pro_rata";
inline constexpr const char kSpiLow[] = "spi_low";
inline constexpr const char kMilestoneOverdue[] = "milestone_overdue";
inline constexpr const char kNoInvestmentReported[] = "no_investment_reported";
inline constexpr const char kSourceSilent[] = "source_silent";
inline constexpr const char kOutputBehindProRata[] = "output_behind_pro_rata";
}  // namespace lagging_reason

// One reason why a project or group is not on track.
struct Finding {
  std::string reason;  // a lagging_reason code
  Status level = Status::kAtRisk;  // kAtRisk or kLagging
  std::string detail;  // for people, e.g. "start planned 2024-03, 4 months late"
};

// Thresholds; a check whose thresholds are unset is off. "Behind" figures are
// percentage points below pro-rata progress.
struct RuleSet {
  std::string name;
  std::optional<double> behind_pro_rata_at_risk_pp;   // at_risk when behind by at least this
  std::optional<double> behind_pro_rata_lagging_pp;   // lagging when behind by more than this
  std::optional<double> spi_at_risk_below;            // at_risk when SPI is below this
  std::optional<double> spi_lagging_below;            // lagging when SPI is below this
  std::optional<int> start_overdue_at_risk_months;    // at_risk when the start is this many months late
  std::optional<int> start_overdue_lagging_months;    // lagging from this many months late
  std::optional<int> milestone_overdue_at_risk_months;  // production lines and completion
  std::optional<int> milestone_overdue_lagging_months;
  std::optional<int> no_investment_at_risk_months;    // months in a row without an investment report
  std::optional<int> no_investment_lagging_months;
  std::optional<int> source_silent_at_risk_days;      // days since the project's last report
  std::optional<int> source_silent_lagging_days;
  std::optional<double> output_behind_at_risk_pp;     // clusters' output against their target path
  std::optional<double> output_behind_lagging_pp;

  // The built-in rule sets: "pro_rata" (the default) and "spi".
  static RuleSet ProRata();
  static RuleSet Spi();
  // nullopt when `name` is not built in.
  static std::optional<RuleSet> BuiltIn(const std::string& name);
};

// What the rules look at for one project on one date.
struct ProjectFacts {
  bool completed = false;
  // Construction start, each production line, completion.
  std::vector<Milestone> milestones;
  // Percentage points behind pro-rata (positive = behind); nullopt without an annual plan.
  std::optional<double> behind_pro_rata_pp;
  std::optional<double> spi;
  // Months of the reporting calendar without an investment report, counted
  // from the last reported period (or from the start); nullopt when the
  // project is not under way.
  std::optional<int> months_without_investment;
  // Days since the project's last report; nullopt when none or not under way.
  std::optional<std::int64_t> days_since_report;
};

struct Assessment {
  Status status = Status::kOnTrack;
  std::vector<Finding> findings;  // at most one per reason
};

// A completed project, and one whose work is not yet due, is on track.
Assessment AssessProject(const ProjectFacts& facts, const RuleSet& rules);

struct GroupFacts {
  std::optional<double> behind_pro_rata_pp;
  std::optional<double> spi;
  std::optional<double> output_behind_pro_rata_pp;
};
Assessment AssessGroup(const GroupFacts& facts, const RuleSet& rules);

}  // namespace pipelined::model
