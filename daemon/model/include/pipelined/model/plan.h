// The monitored programme as planned: groups (areas, clusters, districts) and
// projects with their targets. Built by the config loader, immutable after.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/model/shard.h"

namespace pipelined::model {

// The kinds of group a project belongs to; "plan" is the whole programme.
enum class GroupType { kArea, kCluster, kDistrict, kPlan };
const char* GroupTypeName(GroupType type);

struct Group {
  std::string code;
  std::string name;
  std::string level;  // clusters only: trillion, hundred_billion, emerging
};

// How a project's planned investment is spread over time, for planned value.
enum class SpendingProfile {
  kLinear,   // each year's plan evenly over its twelve months
  kSCurve,   // the total over construction_start..completion, slow-fast-slow
  kMonthly,  // explicit monthly values from the plan
};
const char* SpendingProfileName(SpendingProfile profile);

struct ProductionLinePlan {
  std::string id;
  YearMonth launch;
};

// A project already under way when the plan period began (续建): its actual
// start and the investment it had completed before the period. The period's
// planned and earned values both include that investment.
struct ContinuingProject {
  Date started_on;
  Fen investment_before_period_fen = 0;
  YearMonth period_start;  // the plan's, set by the loader
};

struct ProjectPlan {
  std::string code;
  std::string name;
  std::string area;
  std::string cluster;  // empty when the project belongs to no cluster
  std::string district;
  Fen investment_total_fen = 0;
  std::map<int, Fen> investment_by_year_fen;  // calendar year -> planned fen
  YearMonth construction_start;
  std::vector<ProductionLinePlan> production_lines;
  YearMonth completion;
  SpendingProfile spending_profile = SpendingProfile::kLinear;
  std::map<YearMonth, Fen> investment_by_month_fen;  // kMonthly only
  std::optional<ContinuingProject> continuing;  // started before the plan period
  bool illustrative = false;  // some values generated or assumed, not published

  Fen PlannedForYear(int year) const;
  bool HasLine(const std::string& line_id) const;
};

struct Plan {
  std::string code;
  std::string name;
  YearMonth period_start;
  YearMonth period_end;
  std::optional<int> declared_projects;
  std::optional<Fen> declared_investment_fen;

  std::vector<Group> areas;
  std::vector<Group> clusters;
  std::vector<Group> districts;
  std::vector<ProjectPlan> projects;
  // Official completed-investment figures for past months, per group, used
  // instead of the events' sums for year-over-year comparisons. Key: group
  // type and code; value: month -> fen.
  std::map<std::pair<GroupType, std::string>, std::map<YearMonth, Fen>> investment_baselines;
  // Cluster code -> output (revenue) target per calendar year: the path to
  // the cluster plan's final target. Clusters without one are absent.
  std::map<std::string, std::map<int, Fen>> cluster_output_targets;
  // Set by PlanForShard(): the shard this part of a plan is for, and the
  // codes of the whole plan's projects that other shards own (their events
  // are rejected with wrong_shard, not unknown_project).
  ShardSpec shard;
  std::unordered_set<std::string> projects_elsewhere;

  // True when `code` (a project's, or a group's for the group's own data)
  // belongs to this shard: ShardOf(code) is shard.index. Always, unsharded.
  bool Owns(std::string_view code) const;

  // REQUIRES: Index() was called after the last change to projects.
  const ProjectPlan* FindProject(const std::string& code) const;
  bool HasCluster(const std::string& code) const;
  void Index();

  // Planned investment of all projects in the plan period's years.
  Fen PlannedInvestmentInPeriod() const;

 private:
  std::unordered_map<std::string, size_t> project_index_;
};

}  // namespace pipelined::model
