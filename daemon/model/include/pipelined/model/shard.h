// Sharding (docs/scaling.md): several daemons, each serving the projects
// whose code hashes to it. The rule is defined here once, so that the daemon,
// which keeps only its own projects and rejects the others' events
// (wrong_shard), and the publishers' router agree by construction; publishers
// in other languages reimplement ShardOf() from the definition below.
#pragma once

#include <cstdint>
#include <string_view>

namespace pipelined::model {

struct Plan;

// Which shard a daemon is: `index` of `count`. 0 of 1 is an unsharded daemon.
struct ShardSpec {
  int index = 0;
  int count = 1;

  bool Sharded() const { return count > 1; }
};

// 64-bit FNV-1a over the bytes of `key` (UTF-8 for codes): start from
// 14695981039346656037 (0xcbf29ce484222325); for each byte, XOR it into the
// hash, then multiply by 1099511628211 (0x100000001b3) modulo 2^64.
// Fnv1a64("NB14-IND-0001") == 0xfe8481bc55913548.
std::uint64_t Fnv1a64(std::string_view key);

// The shard that owns `key`: Fnv1a64(key) % count. The key is a project's
// code for the project and its events; a group's code for what the plan
// gives the group itself (a cluster's output target and its enterprises'
// output reports, a group's investment baselines).
// REQUIRES: count >= 1.
int ShardOf(std::string_view key, int count);

// The part of `plan` that `shard` serves: the projects it owns, and every
// group (areas, clusters, districts, the plan), so that the shards' group
// figures add up to the whole plan's. Group data goes to the shard that owns
// the group's code: the other shards have no output target for a cluster and
// count 0 for the months of a group's investment baselines (instead of their
// projects' sums, which the baseline replaces). The other shards' project
// codes are kept in projects_elsewhere. Unsharded (count 1): `plan` as is.
Plan PlanForShard(Plan plan, ShardSpec shard);

}  // namespace pipelined::model
