#include "pipelined/model/plan.h"

namespace pipelined::model {

const char* GroupTypeName(GroupType type) {
  switch (type) {
    case GroupType::kArea: return "area";
    case GroupType::kCluster: return "cluster";
    case GroupType::kDistrict: return "district";
    case GroupType::kPlan: return "plan";
  }
  return "unknown";
}

Fen ProjectPlan::PlannedForYear(int year) const {
  auto it = investment_by_year_fen.find(year);
  return it == investment_by_year_fen.end() ? 0 : it->second;
}

const char* SpendingProfileName(SpendingProfile profile) {
  switch (profile) {
    case SpendingProfile::kLinear: return "linear";
    case SpendingProfile::kSCurve: return "s_curve";
    case SpendingProfile::kMonthly: return "monthly";
  }
  return "unknown";
}

bool Plan::Owns(std::string_view code) const {
  return !shard.Sharded() || ShardOf(code, shard.count) == shard.index;
}

bool Plan::HasCluster(const std::string& code) const {
  for (const Group& cluster : clusters) {
    if (cluster.code == code) return true;
  }
  return false;
}

bool ProjectPlan::HasLine(const std::string& line_id) const {
  for (const auto& line : production_lines) {
    if (line.id == line_id) return true;
  }
  return false;
}

const ProjectPlan* Plan::FindProject(const std::string& code) const {
  auto it = project_index_.find(code);
  return it == project_index_.end() ? nullptr : &projects[it->second];
}

void Plan::Index() {
  project_index_.clear();
  project_index_.reserve(projects.size());
  for (size_t i = 0; i < projects.size(); ++i) project_index_.emplace(projects[i].code, i);
}

Fen Plan::PlannedInvestmentInPeriod() const {
  Fen total = 0;
  for (const auto& project : projects) {
    for (const auto& [year, fen] : project.investment_by_year_fen) {
      if (year >= period_start.year && year <= period_end.year) total += fen;
    }
  }
  return total;
}

}  // namespace pipelined::model
