// The durable log of accepted events: one SQLite database in WAL mode under
// the storage directory. Layout and guarantees: docs/durability.md.
//
// The store does not interpret events: it keeps each one's wire bytes with
// the few fields it indexes (id, target id) and a checksum that replay
// verifies, so that damage is reported instead of served as wrong totals.
//
// Thread-safety: not safe for concurrent use; the ingest thread owns it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelined/store/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pipelined::store {
class Checkpointer;
}

namespace pipelined::store {

enum class Durability {
  kFull,    // fsync on every commit: acknowledged events survive power loss
  kNormal,  // survive a process crash; the last commits may be lost on power loss
};

struct StoreOptions {
  std::string directory = "data";
  Durability durability = Durability::kFull;
};

struct EventRecord {
  std::int64_t position = 0;  // append order, assigned by the store
  std::string event_id;
  std::string source;
  std::uint64_t sequence = 0;
  std::string project_code;
  std::string target_event_id;  // the event this one supersedes or retracts
  std::int64_t received_at = 0;  // Unix seconds
  std::string body;              // the event as received (serialized protobuf)
};

// A record to append, pointing at strings the caller keeps alive for the
// call: ingest appends thousands per commit, and copying each event's id,
// source and body once more would cost more than the checksum.
struct NewRecord {
  std::string_view event_id;
  std::string_view source;
  std::uint64_t sequence = 0;
  std::string_view project_code;
  std::string_view target_event_id;  // empty: none
  std::int64_t received_at = 0;
  std::string_view body;
};

class EventStore {
 public:
  // Opens (creating if needed) the store in options.directory. Fails with
  // Corruption when the file is not a pipelined store or its header or
  // schema cannot be read (damage elsewhere is found by CheckIntegrity(),
  // Replay() and Verify()), and with Busy when another process holds the
  // directory.
  static Status Open(const StoreOptions& options, std::unique_ptr<EventStore>* store);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends all records in one transaction; when it returns OK they are as
  // durable as options.durability promises. A record whose event id is
  // already stored is skipped, and (*inserted)[i] tells which were new; the
  // unique index answers that as part of the insert, which is much cheaper
  // than a lookup per event.
  Status AppendViews(const std::vector<NewRecord>& records, std::vector<bool>* inserted);
  // The same for whole records (their position is ignored).
  Status Append(const std::vector<const EventRecord*>& records, std::vector<bool>* inserted);

  // The record with this id, if any.
  Status Find(const std::string& event_id, std::optional<EventRecord>* record);
  // The id of the latest stored event that supersedes or retracts `event_id`.
  Status FindTargeting(const std::string& event_id, std::optional<std::string>* by);

  // Calls `visit` for every record in append order, verifying checksums;
  // stops with Corruption at the first damaged record, and fails when it
  // read fewer records than the store counts.
  Status Replay(const std::function<void(const EventRecord&)>& visit);
  // The same for the records after `position` only (a snapshot's tail).
  Status ReplayAfter(std::int64_t position, const std::function<void(const EventRecord&)>& visit);
  // The record at `position`, and the latest record; nullopt when none.
  Status FindAt(std::int64_t position, std::optional<EventRecord>* record);
  Status Last(std::optional<EventRecord>* record);
  // How many records are stored after `position`.
  Status CountAfter(std::int64_t position, std::uint64_t* count);

  // PRAGMA quick_check: the structure of every page. Open() does not run it,
  // because it reads the whole file: a full replay runs it first, and a start
  // from a snapshot leaves it to Verify() in the background.
  Status CheckIntegrity();
  // Checks the store in `directory` on a read-only connection of its own,
  // safe while the owner of the store goes on writing: quick_check, then
  // every record's checksum. *events: the records read. Gives up (with an
  // I/O error) soon after *stop becomes true.
  static Status Verify(const std::string& directory, std::uint64_t* events, const std::atomic<bool>* stop);

  std::uint64_t Count() const { return count_; }
  std::string DatabasePath() const;

 private:
  EventStore(StoreOptions options, sqlite3* db, int lock_fd);
  Status Initialize();
  Status Prepare(const char* sql, sqlite3_stmt** statement);
  Status Error(const char* what) const;

  StoreOptions options_;
  sqlite3* db_;
  int lock_fd_;
  std::uint64_t count_ = 0;
  std::unique_ptr<Checkpointer> checkpointer_;  // null: SQLite's automatic checkpoints
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* find_ = nullptr;
  sqlite3_stmt* find_targeting_ = nullptr;
};

const char* DurabilityName(Durability durability);
std::optional<Durability> ParseDurability(const std::string& name);

}  // namespace pipelined::store
