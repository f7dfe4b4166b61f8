// The outbox file (SQLite): the events waiting, the replicas they go to, and
// per event and replica whether that replica has answered for good. Decides
// when an event counts as delivered and when it leaves the file. Knows
// nothing of sockets; the Outbox does the sending. Format: docs/durability.md.
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipelined/publisher/outbox.h"
#include "pipelined/v1/events.pb.h"

struct sqlite3;

namespace pipelined::publisher {

// One waiting event as stored.
struct OutboxRow {
  std::int64_t position = 0;  // order of Add(), oldest first
  std::string event_id;
  std::string body;  // serialized v1::Event
};

// False only for the answer that means "not stored, try again later".
bool IsFinalAnswer(const v1::EventResult& result);

class OutboxLedger {
 public:
  // The format this code writes (PRAGMA user_version). Files without one
  // were written before replicas were tracked and are upgraded on open.
  static constexpr int kFormatVersion = 2;

  static std::unique_ptr<OutboxLedger> Open(const std::string& path, std::string* error);
  ~OutboxLedger();
  OutboxLedger(const OutboxLedger&) = delete;
  OutboxLedger& operator=(const OutboxLedger&) = delete;

  // Stores the events (fsync), owed by every known replica. An id already
  // waiting is kept once.
  bool Add(const std::vector<v1::Event>& events, std::string* error);

  // Makes the replicas known (and remembers their endpoints); each new one
  // owes every event the file holds.
  bool AddReplicas(const std::vector<Replica>& replicas, std::string* error);
  // Drops `name` and what it owes; events no other replica owes leave.
  bool ForgetReplica(const std::string& name, std::string* error);
  // By name, with the endpoint each was last delivered to.
  std::vector<Replica> Replicas();

  // Up to `limit` events `replica` still owes, oldest first.
  std::vector<OutboxRow> Oldest(const std::string& replica, size_t limit);

  // Records `replica`'s answers to `sent` (reply.results in the same order):
  // a final answer settles the event for that replica; once every known
  // replica has settled it, it leaves the file. Counts into `report` what
  // the replica answered and the events that came to count as delivered
  // under `acknowledged_by`. False (and nothing recorded) on a write error.
  bool Settle(const std::string& replica, const std::vector<OutboxRow>& sent, const v1::BatchReply& reply,
              Acknowledgement acknowledged_by, DeliveryReport* report);

  std::uint64_t Held();                            // events in the file
  std::uint64_t Owed(const std::string& replica);  // events `replica` has not settled
  bool Owes(const std::string& replica);           // Owed(replica) > 0, cheaply
  std::uint64_t Unanswered();                      // events no replica has settled
  bool AnyUnanswered();                            // Unanswered() > 0, cheaply

  std::vector<Rejection> Rejected();

 private:
  explicit OutboxLedger(sqlite3* db) : db_(db) {}
  bool Exec(const char* sql, std::string* error);
  // Ends the transaction: COMMIT when `ok`, else ROLLBACK with SQLite's
  // message in *error (when not null). True only when committed.
  bool Finish(bool ok, std::string* error);
  bool Migrate(std::string* error);
  std::uint64_t Count(const char* sql, const std::string& text = "");

  sqlite3* db_;
};

}  // namespace pipelined::publisher
