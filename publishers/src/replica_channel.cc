#include "replica_channel.h"

#include <algorithm>

namespace pipelined::publisher {

bool ReplicaChannel::ConnectsAs(const PublisherOptions& options) const {
  return options.endpoint == options_.endpoint && options.curve_server_key == options_.curve_server_key &&
         options.curve_public_key == options_.curve_public_key && options.curve_secret_key == options_.curve_secret_key;
}

void ReplicaChannel::Send(std::vector<OutboxRow> rows, Clock::time_point now) {
  v1::EventBatch batch;
  for (const OutboxRow& row : rows) batch.add_events()->ParseFromString(row.body);
  if (!publisher_) publisher_ = std::make_unique<Publisher>(options_);
  batch_id_ = publisher_->Send(std::move(batch));
  in_flight_ = std::move(rows);
  sent_at_ = now;
}

std::optional<v1::BatchReply> ReplicaChannel::TakeReply() {
  if (!InFlight()) return std::nullopt;
  while (std::optional<v1::BatchReply> reply = publisher_->Receive(std::chrono::milliseconds(0))) {
    // A malformed-message reply has no batch id to match; replies to other
    // batch ids are stale.
    if (reply->batch_id() == batch_id_ || (reply->has_error() && reply->batch_id().empty())) return reply;
  }
  return std::nullopt;
}

void ReplicaChannel::Answered(bool retry_later, Clock::time_point now, const DeliveryOptions& options) {
  in_flight_.clear();
  if (retry_later) {
    BackOff(now, options);
  } else {
    next_backoff_ = std::chrono::milliseconds(0);
    retry_at_ = now;
  }
}

void ReplicaChannel::Failed(Clock::time_point now, const DeliveryOptions& options) {
  in_flight_.clear();
  publisher_.reset();
  BackOff(now, options);
}

void ReplicaChannel::BackOff(Clock::time_point now, const DeliveryOptions& options) {
  const auto wait = next_backoff_.count() > 0 ? next_backoff_ : options.initial_backoff;
  retry_at_ = now + wait;
  next_backoff_ = std::min(wait * 2, options.max_backoff);
}

}  // namespace pipelined::publisher
