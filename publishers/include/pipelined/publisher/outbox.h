// A durable outbox for publishers: events are written to a local SQLite file
// first, then sent, retried with backoff until the daemon answers, and
// removed only once it has ACCEPTED them (or reports them as DUPLICATE, i.e.
// accepted earlier). A publisher that is killed, or a daemon that is down for
// a while, therefore loses nothing; resends are safe because event ids are
// idempotency keys.
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

struct sqlite3;

namespace pipelined::publisher {

struct DeliveryOptions {
  size_t batch_size = 500;
  // Deliver() returns when nothing waits or this much time has passed.
  std::chrono::milliseconds deadline{30000};
  // Wait for one batch's reply before resending it.
  std::chrono::milliseconds reply_timeout{5000};
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
};

struct DeliveryReport {
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;  // final rejections, moved out of the queue
  std::uint64_t pending = 0;   // still waiting when Deliver() returned
  std::uint64_t attempts_without_reply = 0;
  // The daemon's answer for each event settled in this call, by event id.
  std::map<std::string, v1::EventResult> results;
};

class Outbox {
 public:
  // Opens or creates the outbox file; nullptr and *error on failure.
  static std::unique_ptr<Outbox> Open(const std::string& path, std::string* error);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Writes the events durably (fsync) before returning true. An event whose
  // id is already waiting is kept once.
  bool Add(const std::vector<v1::Event>& events, std::string* error);

  std::uint64_t Pending();

  // Sends what waits, oldest first, in batches; see DeliveryOptions.
  // `publisher` says where and how to connect; its reply_timeout is replaced
  // by options.reply_timeout.
  DeliveryReport Deliver(const PublisherOptions& publisher, const DeliveryOptions& options);

  // Events the daemon rejected for good, with reason and message.
  std::vector<v1::EventResult> Rejected();

 private:
  explicit Outbox(sqlite3* db) : db_(db) {}
  bool Exec(const char* sql, std::string* error);
  std::vector<std::pair<std::string, std::string>> Oldest(size_t limit);  // (event_id, body)
  void Settle(const std::vector<std::pair<std::string, std::string>>& sent, const v1::BatchReply& reply,
              DeliveryReport* report);

  sqlite3* db_;
};

}  // namespace pipelined::publisher
