#include "pipelined/importer/daemon_sink.h"

#include <algorithm>

#include "pipelined/ingest/batch_codec.h"

namespace pipelined::importer {

void DaemonSink::Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string* error) {
  size_t next = 0;
  while (next < events.size()) {
    const size_t count = std::min(events.size() - next, max_batch_events_);
    v1::EventBatch batch;
    for (size_t i = next; i < next + count; ++i) *batch.add_events() = events[i];
    std::optional<v1::BatchReply> reply;
    for (int attempt = 0; attempt <= retries_ && !reply; ++attempt) reply = publisher_.Publish(batch, error);
    if (!reply) return;  // *error says what happened
    if (reply->has_error()) {
      if (reply->error().reason() == ingest::kBatchTooLarge && count > 1) {
        max_batch_events_ = count / 2;
        continue;
      }
      for (size_t i = 0; i < count; ++i) {
        results->push_back({RowStatus::kRejected, reply->error().reason(), reply->error().message()});
      }
      next += count;
      continue;
    }
    if (reply->results_size() != static_cast<int>(count)) {
      *error = "the daemon answered a batch of " + std::to_string(count) + " events with " +
               std::to_string(reply->results_size()) + " results";
      return;
    }
    for (const v1::EventResult& result : reply->results()) {
      switch (result.status()) {
        case v1::ACCEPTED: results->push_back({RowStatus::kAccepted, "", ""}); break;
        case v1::DUPLICATE: results->push_back({RowStatus::kDuplicate, result.reason(), result.message()}); break;
        default: results->push_back({RowStatus::kRejected, result.reason(), result.message()}); break;
      }
    }
    next += count;
  }
}

}  // namespace pipelined::importer
