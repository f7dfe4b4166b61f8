#include "pipelined/publisher/shard_router.h"

#include "pipelined/model/shard.h"

namespace pipelined::publisher {

int ShardForEvent(const v1::Event& event, int shard_count) {
  if (!event.project_code().empty()) return model::ShardOf(event.project_code(), shard_count);
  if (event.has_output_reported() && !event.output_reported().cluster().empty()) {
    return model::ShardOf(event.output_reported().cluster(), shard_count);
  }
  return 0;
}

ShardRouter::ShardRouter(const std::vector<PublisherOptions>& shards) {
  shards_.reserve(shards.size());
  for (const PublisherOptions& options : shards) shards_.push_back(std::make_unique<Publisher>(options));
}

std::vector<RoutedResult> ShardRouter::Publish(const v1::EventBatch& batch) {
  const size_t count = shards_.size();
  std::vector<RoutedResult> results(static_cast<size_t>(batch.events_size()));
  std::vector<v1::EventBatch> parts(count);
  std::vector<std::vector<size_t>> positions(count);  // per shard: where its events are in `batch`
  for (size_t i = 0; i < results.size(); ++i) {
    const v1::Event& event = batch.events(static_cast<int>(i));
    const int shard = ShardForEvent(event, shard_count());
    results[i].shard = shard;
    *parts[static_cast<size_t>(shard)].add_events() = event;
    positions[static_cast<size_t>(shard)].push_back(i);
  }

  // All parts go out first, so the shards work on them at the same time.
  const auto sent_at = std::chrono::steady_clock::now();
  std::vector<std::string> batch_ids(count);
  for (size_t s = 0; s < count; ++s) {
    if (positions[s].empty()) continue;
    parts[s].set_batch_id(batch.batch_id());
    batch_ids[s] = shards_[s]->Send(std::move(parts[s]));
  }
  for (size_t s = 0; s < count; ++s) {
    if (positions[s].empty()) continue;
    Publisher& shard = *shards_[s];
    const std::string name = "shard " + std::to_string(s) + " (" + shard.options().endpoint + ")";
    std::optional<v1::BatchReply> reply = shard.AwaitReply(batch_ids[s], sent_at + shard.options().reply_timeout);
    std::string error;
    if (!reply) {
      error = "no reply from " + name + " within " + std::to_string(shard.options().reply_timeout.count()) + " ms";
    } else if (reply->has_error()) {
      error = name + " refused the batch: " + reply->error().reason() + ": " + reply->error().message();
    } else if (static_cast<size_t>(reply->results_size()) != positions[s].size()) {
      error = name + " answered " + std::to_string(reply->results_size()) + " results for " +
              std::to_string(positions[s].size()) + " events";
    }
    for (size_t k = 0; k < positions[s].size(); ++k) {
      RoutedResult& routed = results[positions[s][k]];
      if (error.empty()) {
        routed.result = reply->results(static_cast<int>(k));
      } else {
        if (reply && reply->has_error()) routed.batch_error = reply->error();
        routed.error = error;
      }
    }
  }
  return results;
}

}  // namespace pipelined::publisher
