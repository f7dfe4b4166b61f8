#include "pipelined/model/shard.h"

#include "pipelined/model/plan.h"

namespace pipelined::model {

std::uint64_t Fnv1a64(std::string_view key) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // unsigned: wraps modulo 2^64 as the algorithm requires
  }
  return hash;
}

int ShardOf(std::string_view key, int count) {
  return static_cast<int>(Fnv1a64(key) % static_cast<std::uint64_t>(count));
}

Plan PlanForShard(Plan plan, ShardSpec shard) {
  plan.shard = shard;
  if (!shard.Sharded()) return plan;
  auto owned = [&plan](const std::string& code) { return plan.Owns(code); };
  std::vector<ProjectPlan> kept;
  for (ProjectPlan& project : plan.projects) {
    if (owned(project.code)) {
      kept.push_back(std::move(project));
    } else {
      plan.projects_elsewhere.insert(project.code);
    }
  }
  plan.projects = std::move(kept);
  for (auto& [group, months] : plan.investment_baselines) {
    if (owned(group.second)) continue;
    for (auto& [month, fen] : months) fen = 0;
  }
  for (auto it = plan.cluster_output_targets.begin(); it != plan.cluster_output_targets.end();) {
    it = owned(it->first) ? std::next(it) : plan.cluster_output_targets.erase(it);
  }
  // The loader checked these against the whole plan; a part would not match.
  plan.declared_projects.reset();
  plan.declared_investment_fen.reset();
  plan.Index();
  return plan;
}

}  // namespace pipelined::model
