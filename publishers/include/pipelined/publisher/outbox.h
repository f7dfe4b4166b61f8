// A durable outbox for publishers: events are written to a local SQLite file
// first, then sent, retried with backoff until the daemon answers, and
// removed only once it has ACCEPTED them (or reports them as DUPLICATE, i.e.
// accepted earlier). A publisher that is killed, or a daemon that is down for
// a while, therefore loses nothing; resends are safe because event ids are
// idempotency keys.
//
// Several replicas (a high-availability pair of daemons with the same plan,
// docs/scaling.md): the outbox delivers every event to every replica it
// knows, each on its own connection and with its own backoff, so a replica
// that is down never holds up the others. It keeps, per event and replica,
// whether that replica has answered for good; an event leaves the file only
// once every known replica has. DeliveryOptions::acknowledged_by says when an
// event counts as delivered for the caller.
//
// Not thread-safe: one Outbox per thread (and per file).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipelined/publisher/publisher.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

class OutboxLedger;
class ReplicaChannel;

// One daemon to deliver to. `name` identifies the replica in the outbox file
// for good (what it still owes is kept under this name); by default the
// endpoint as written, so give a name of your own when an address may change.
struct Replica {
  std::string name;
  PublisherOptions publisher;
};

// A replica named after its endpoint: "tcp://a:7010" -> {"tcp://a:7010", ...};
// "NAME=ENDPOINT" (a '=' before any "://") names it NAME.
Replica ReplicaFromSpec(const std::string& spec, PublisherOptions publisher);

// When an event counts as delivered with several replicas.
enum class Acknowledgement {
  kAll,  // every replica the outbox knows has answered it for good
  kAny,  // one replica has; the others still get it, on this or a later call
};

struct DeliveryOptions {
  size_t batch_size = 500;
  // Deliver() returns when every event counts as delivered (acknowledged_by)
  // or this much time has passed.
  std::chrono::milliseconds deadline{30000};
  // Wait for one batch's reply before resending it.
  std::chrono::milliseconds reply_timeout{5000};
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  Acknowledgement acknowledged_by = Acknowledgement::kAll;
};

// What one replica answered in one Deliver() call, and what it still owes.
struct ReplicaReport {
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;  // final rejections by this replica
  std::uint64_t pending = 0;   // events this replica has not answered for good yet
  std::uint64_t attempts_without_reply = 0;
  bool in_this_call = false;  // named in this call; false: known from earlier calls, not sent to
};

struct DeliveryReport {
  // Events that came to count as delivered in this call (acknowledged_by),
  // by their decisive answer: with kAny the first replica's; with kAll a
  // final rejection by any replica, else ACCEPTED if one accepted, else
  // DUPLICATE. With one replica: simply its answers.
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;                // final rejections, no longer sent (to that replica)
  std::uint64_t pending = 0;                 // events not yet counting as delivered when Deliver() returned
  std::uint64_t attempts_without_reply = 0;  // over all replicas
  // The decisive answer for each event counted above, by event id.
  std::map<std::string, v1::EventResult> results;
  // Every replica the outbox knows, by name.
  std::map<std::string, ReplicaReport> replicas;
  // Events one replica accepted and another rejected for good, settled in
  // this call: the replicas' plans or settings differ (docs/scaling.md).
  std::vector<std::string> disagreements;
};

// A final rejection, and which replica gave it.
struct Rejection {
  std::string replica;
  v1::EventResult result;
};

class Outbox {
 public:
  // Opens or creates the outbox file (an outbox written before replicas were
  // tracked is upgraded in place); nullptr and *error on failure.
  static std::unique_ptr<Outbox> Open(const std::string& path, std::string* error);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Writes the events durably (fsync) before returning true. An event whose
  // id is already waiting is kept once.
  bool Add(const std::vector<v1::Event>& events, std::string* error);

  // Events some known replica has not answered for good yet.
  std::uint64_t Pending();
  // Events `replica` has not answered for good yet.
  std::uint64_t PendingFor(const std::string& replica);

  // Sends what waits to each replica, oldest first, in batches, until every
  // event counts as delivered (options.acknowledged_by) or the deadline; see
  // DeliveryOptions. A replica not known yet is added and owes every event
  // the file holds. Known replicas left out of `replicas` keep what they owe.
  // Connections, batches in flight and backoff carry over to the next call,
  // so a kAny call that returns before a slow replica answered loses nothing.
  // Each publisher's reply_timeout is replaced by options.reply_timeout.
  DeliveryReport Deliver(const std::vector<Replica>& replicas, const DeliveryOptions& options);
  // One daemon, named by its endpoint.
  DeliveryReport Deliver(const PublisherOptions& publisher, const DeliveryOptions& options);

  // Stops delivering to `replica` for good: what it still owes is dropped,
  // and events no other replica owes leave the file. For a replica taken out
  // of service or renamed. False and *error if it is not known.
  bool ForgetReplica(const std::string& replica, std::string* error);
  // The replicas the outbox delivers to, by name, each with the endpoint it
  // was last delivered to (and default PublisherOptions otherwise).
  std::vector<Replica> Replicas();

  // Events a replica rejected for good, with reason and message, oldest first.
  std::vector<Rejection> Rejected();

 private:
  explicit Outbox(std::unique_ptr<OutboxLedger> ledger);
  ReplicaChannel& ChannelFor(const Replica& replica);

  std::unique_ptr<OutboxLedger> ledger_;
  std::map<std::string, std::unique_ptr<ReplicaChannel>> channels_;
};

}  // namespace pipelined::publisher
