#include "pipelined/publisher/outbox.h"

#include <algorithm>
#include <thread>

#include "outbox_ledger.h"
#include "replica_channel.h"

namespace pipelined::publisher {
namespace {

using Clock = ReplicaChannel::Clock;

// A reply that answers every event of the batch, in order.
bool AnswersEveryEvent(const std::vector<OutboxRow>& sent, const v1::BatchReply& reply) {
  if (reply.has_error() || reply.results_size() != static_cast<int>(sent.size())) return false;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (reply.results(static_cast<int>(i)).event_id() != sent[i].event_id) return false;
  }
  return true;
}

bool AsksToRetryLater(const v1::BatchReply& reply) {
  return std::any_of(reply.results().begin(), reply.results().end(),
                     [](const v1::EventResult& result) { return !IsFinalAnswer(result); });
}

}  // namespace

Replica ReplicaFromSpec(const std::string& spec, PublisherOptions publisher) {
  const size_t equals = spec.find('=');
  const size_t scheme = spec.find("://");
  if (equals != std::string::npos && (scheme == std::string::npos || equals < scheme)) {
    publisher.endpoint = spec.substr(equals + 1);
    return {spec.substr(0, equals), std::move(publisher)};
  }
  publisher.endpoint = spec;
  return {spec, std::move(publisher)};
}

std::unique_ptr<Outbox> Outbox::Open(const std::string& path, std::string* error) {
  std::unique_ptr<OutboxLedger> ledger = OutboxLedger::Open(path, error);
  if (!ledger) return nullptr;
  return std::unique_ptr<Outbox>(new Outbox(std::move(ledger)));
}

Outbox::Outbox(std::unique_ptr<OutboxLedger> ledger) : ledger_(std::move(ledger)) {}

Outbox::~Outbox() = default;

bool Outbox::Add(const std::vector<v1::Event>& events, std::string* error) { return ledger_->Add(events, error); }

std::uint64_t Outbox::Pending() { return ledger_->Held(); }

std::uint64_t Outbox::PendingFor(const std::string& replica) { return ledger_->Owed(replica); }

std::vector<Replica> Outbox::Replicas() { return ledger_->Replicas(); }

std::vector<Rejection> Outbox::Rejected() { return ledger_->Rejected(); }

bool Outbox::ForgetReplica(const std::string& replica, std::string* error) {
  channels_.erase(replica);
  return ledger_->ForgetReplica(replica, error);
}

ReplicaChannel& Outbox::ChannelFor(const Replica& replica) {
  std::unique_ptr<ReplicaChannel>& channel = channels_[replica.name];
  if (!channel || !channel->ConnectsAs(replica.publisher)) {
    channel = std::make_unique<ReplicaChannel>(replica.publisher);
  }
  return *channel;
}

DeliveryReport Outbox::Deliver(const PublisherOptions& publisher, const DeliveryOptions& options) {
  return Deliver({Replica{publisher.endpoint, publisher}}, options);
}

DeliveryReport Outbox::Deliver(const std::vector<Replica>& replicas, const DeliveryOptions& options) {
  DeliveryReport report;
  std::vector<std::string> names;
  std::vector<std::pair<std::string, ReplicaChannel*>> channels;
  for (const Replica& replica : replicas) {
    if (std::find(names.begin(), names.end(), replica.name) != names.end()) continue;  // named twice
    names.push_back(replica.name);
    channels.emplace_back(replica.name, &ChannelFor(replica));
  }
  std::string error;
  // Should the file be unwritable, nothing is owed to the new names and the
  // loop below ends at once; the report shows what still waits.
  ledger_->AddReplicas(replicas, &error);

  const bool any = options.acknowledged_by == Acknowledgement::kAny;
  const auto delivered = [&] {
    if (any) return !ledger_->AnyUnanswered();
    return std::none_of(names.begin(), names.end(), [&](const std::string& name) { return ledger_->Owes(name); });
  };
  const auto deadline = Clock::now() + options.deadline;
  for (;;) {
    auto now = Clock::now();
    for (auto& [name, channel] : channels) {
      if (!channel->InFlight()) continue;
      if (std::optional<v1::BatchReply> reply = channel->TakeReply()) {
        if (AnswersEveryEvent(channel->in_flight(), *reply) &&
            ledger_->Settle(name, channel->in_flight(), *reply, options.acknowledged_by, &report)) {
          channel->Answered(AsksToRetryLater(*reply), now, options);
          continue;
        }
      } else if (!channel->ReplyOverdue(now, options.reply_timeout)) {
        continue;
      }
      ++report.replicas[name].attempts_without_reply;
      channel->Failed(now, options);
    }
    if (delivered() || now >= deadline) break;

    for (auto& [name, channel] : channels) {
      if (!channel->CanSend(now)) continue;
      std::vector<OutboxRow> rows = ledger_->Oldest(name, options.batch_size);
      if (!rows.empty()) channel->Send(std::move(rows), now);
    }

    // Wait for a reply, a reply deadline, the end of a backoff, or the deadline.
    auto wake = deadline;
    std::vector<zmq::pollitem_t> items;
    for (auto& [name, channel] : channels) {
      if (channel->InFlight()) {
        items.push_back(channel->ReplyPollItem());
        wake = std::min(wake, channel->WakeAt(options.reply_timeout));
      } else if (channel->WakeAt(options.reply_timeout) > now && ledger_->Owes(name)) {
        wake = std::min(wake, channel->WakeAt(options.reply_timeout));
      }
    }
    // Nothing in flight and nothing to wait for: no channel can make progress.
    if (items.empty() && wake == deadline) break;
    now = Clock::now();
    const auto left =
        std::max(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now), std::chrono::milliseconds(0));
    if (items.empty()) {
      std::this_thread::sleep_for(left);
    } else {
      zmq::poll(items.data(), items.size(), left);
    }
  }

  for (const Replica& known : ledger_->Replicas()) {
    const std::string& name = known.name;
    ReplicaReport& replica = report.replicas[name];
    replica.pending = ledger_->Owed(name);
    replica.in_this_call = std::find(names.begin(), names.end(), name) != names.end();
    report.attempts_without_reply += replica.attempts_without_reply;
  }
  report.pending = any ? ledger_->Unanswered() : ledger_->Held();
  return report;
}

}  // namespace pipelined::publisher
