// Publishing to a sharded pipelined (docs/scaling.md): one Publisher per
// shard, each event sent to the shard that owns it, and the shards' replies
// merged back into one result per event in the order of the batch.
//
// Not thread-safe: use one ShardRouter per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/publisher/publisher.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

// The shard that owns `event` (model::ShardOf): its project's, or for an
// enterprise's output report, which names no project, its cluster's. An
// event with neither goes to shard 0, which rejects it as any daemon would
// (empty_project_code). Corrections and retractions carry the project (or
// cluster) of the event they replace, so they go to the same shard.
int ShardForEvent(const v1::Event& event, int shard_count);

// What became of one event sent through the router.
struct RoutedResult {
  int shard = 0;  // the shard it was sent to
  // The shard's answer for the event. nullopt when the shard did not answer
  // in time, or refused its part of the batch as a whole (batch_error).
  std::optional<v1::EventResult> result;
  std::optional<v1::BatchError> batch_error;
  std::string error;  // why there is no result, for people
};

class ShardRouter {
 public:
  // `shards[i]` says how to reach shard i of shards.size(): the endpoints in
  // shard index order, as the daemons' --shard.index give them.
  // REQUIRES: !shards.empty().
  explicit ShardRouter(const std::vector<PublisherOptions>& shards);

  int shard_count() const { return static_cast<int>(shards_.size()); }

  // Sends every shard its events of `batch`, in their order and with the
  // batch's batch_id, all parts before waiting for any reply; then waits for
  // each shard's reply, up to that shard's reply_timeout after the send.
  // Returns one result per event of `batch`, in the same order.
  std::vector<RoutedResult> Publish(const v1::EventBatch& batch);

 private:
  std::vector<std::unique_ptr<Publisher>> shards_;
};

}  // namespace pipelined::publisher
