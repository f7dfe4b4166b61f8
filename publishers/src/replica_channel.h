// One replica's side of an outbox delivery: its connection, the batch in
// flight to it, and its backoff. The Outbox keeps one per replica across
// Deliver() calls and drives them all from one thread with zmq::poll, so a
// replica that does not answer delays only itself.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "outbox_ledger.h"
#include "pipelined/publisher/outbox.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::publisher {

class ReplicaChannel {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ReplicaChannel(PublisherOptions options) : options_(std::move(options)) {}

  // Whether this channel connects as `options` says (endpoint and keys).
  bool ConnectsAs(const PublisherOptions& options) const;

  bool InFlight() const { return !in_flight_.empty(); }
  const std::vector<OutboxRow>& in_flight() const { return in_flight_; }
  // No batch in flight and the backoff is over.
  bool CanSend(Clock::time_point now) const { return !InFlight() && now >= retry_at_; }
  // Sends `rows` as one batch (connecting first if need be).
  void Send(std::vector<OutboxRow> rows, Clock::time_point now);

  // The reply to the batch in flight if it has arrived; never waits.
  std::optional<v1::BatchReply> TakeReply();
  // The reply timeout of the call that waits now applies, also to a batch
  // sent during an earlier call.
  bool ReplyOverdue(Clock::time_point now, std::chrono::milliseconds reply_timeout) const {
    return InFlight() && now >= sent_at_ + reply_timeout;
  }
  // The batch was answered: the next may go at once, or after the backoff
  // when the daemon asked to try again later (store_unavailable).
  void Answered(bool retry_later, Clock::time_point now, const DeliveryOptions& options);
  // No usable answer: the batch goes again on a fresh connection (which drops
  // whatever the old one still queued for a peer that may be gone), after a
  // backoff that doubles each time.
  void Failed(Clock::time_point now, const DeliveryOptions& options);

  // When this channel next needs attention: its reply deadline, or the end
  // of its backoff.
  Clock::time_point WakeAt(std::chrono::milliseconds reply_timeout) const {
    return InFlight() ? sent_at_ + reply_timeout : retry_at_;
  }
  // Only while a batch is in flight.
  zmq::pollitem_t ReplyPollItem() { return publisher_->ReplyPollItem(); }

 private:
  void BackOff(Clock::time_point now, const DeliveryOptions& options);

  PublisherOptions options_;
  std::unique_ptr<Publisher> publisher_;
  std::vector<OutboxRow> in_flight_;
  std::string batch_id_;
  Clock::time_point sent_at_{};
  Clock::time_point retry_at_{};
  std::chrono::milliseconds next_backoff_{0};  // 0: the initial backoff
};

}  // namespace pipelined::publisher
