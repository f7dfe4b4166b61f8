#include "outbox_ledger.h"

#include <sqlite3.h>

#include "pipelined/publisher/event_builder.h"

namespace pipelined::publisher {
namespace {

// The daemon's answer that means "not stored, try again later".
constexpr char kRetryableReason[] = "store_unavailable";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() { return statement_; }
  void Text(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Blob(int index, const std::string& bytes) {
    sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void Int(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  std::string Column(int index) {
    const void* data = sqlite3_column_blob(statement_, index);
    return data ? std::string(static_cast<const char*>(data),
                              static_cast<size_t>(sqlite3_column_bytes(statement_, index)))
                : std::string();
  }
  std::int64_t IntColumn(int index) { return sqlite3_column_int64(statement_, index); }
  int Step() { return sqlite3_step(statement_); }
  void Reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// The states of one event for one replica, as stored in deliveries.state.
constexpr char kOwed[] = "pending";

const char* SettledState(v1::EventStatus status) {
  switch (status) {
    case v1::ACCEPTED:
      return "accepted";
    case v1::DUPLICATE:
      return "duplicate";
    default:
      return "rejected";
  }
}

// How the known replicas stand on one event.
struct Tally {
  std::uint64_t owed = 0, accepted = 0, duplicate = 0, rejected = 0;
  std::uint64_t answered() const { return accepted + duplicate + rejected; }
};

void CountAnswer(v1::EventStatus status, std::uint64_t* accepted, std::uint64_t* duplicates, std::uint64_t* rejected) {
  if (status == v1::ACCEPTED) ++*accepted;
  if (status == v1::DUPLICATE) ++*duplicates;
  if (status == v1::REJECTED) ++*rejected;
}

void Merge(const DeliveryReport& delta, DeliveryReport* report) {
  report->accepted += delta.accepted;
  report->duplicates += delta.duplicates;
  report->rejected += delta.rejected;
  for (const auto& [id, result] : delta.results) report->results[id] = result;
  for (const auto& [name, from] : delta.replicas) {
    ReplicaReport& to = report->replicas[name];
    to.accepted += from.accepted;
    to.duplicates += from.duplicates;
    to.rejected += from.rejected;
  }
  report->disagreements.insert(report->disagreements.end(), delta.disagreements.begin(), delta.disagreements.end());
}

const char kSchemaVersion1[] =
    "CREATE TABLE IF NOT EXISTS outbox(position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
    " body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS rejected(event_id TEXT NOT NULL, body BLOB NOT NULL,"
    " reason TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL);";

// From version 1 (one daemon, an event left once it answered) to 2. Version 1
// events are owed by no replica yet: the first Deliver() names the replicas,
// and each new replica owes every event the file holds.
const char kUpgradeTo2[] =
    "CREATE TABLE replicas(name TEXT PRIMARY KEY, endpoint TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE deliveries(position INTEGER NOT NULL, replica TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('pending', 'accepted', 'duplicate', 'rejected')),"
    " PRIMARY KEY(position, replica)) WITHOUT ROWID;"
    "CREATE INDEX deliveries_owed ON deliveries(replica, position) WHERE state = 'pending';"
    "ALTER TABLE rejected ADD COLUMN replica TEXT NOT NULL DEFAULT '';"
    "PRAGMA user_version = 2;";

}  // namespace

bool IsFinalAnswer(const v1::EventResult& result) {
  return !(result.status() == v1::REJECTED && result.reason() == kRetryableReason);
}

std::unique_ptr<OutboxLedger> OutboxLedger::Open(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    *error = "cannot open outbox " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<OutboxLedger> ledger(new OutboxLedger(db));
  if (!ledger->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", error) || !ledger->Migrate(error)) {
    *error = "cannot use outbox " + path + ": " + *error;
    return nullptr;
  }
  return ledger;
}

OutboxLedger::~OutboxLedger() { sqlite3_close_v2(db_); }

bool OutboxLedger::Finish(bool ok, std::string* error) {
  if (ok) {
    if (Exec("COMMIT", error)) return true;
  } else if (error) {
    *error = sqlite3_errmsg(db_);
  }
  Exec("ROLLBACK", nullptr);
  return false;
}

bool OutboxLedger::Exec(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    if (error) *error = message ? message : "unknown SQLite error";
    sqlite3_free(message);
    return false;
  }
  return true;
}

std::uint64_t OutboxLedger::Count(const char* sql, const std::string& text) {
  Statement count(db_, sql);
  if (sqlite3_bind_parameter_count(count.get()) > 0) count.Text(1, text);
  return count.Step() == SQLITE_ROW ? static_cast<std::uint64_t>(count.IntColumn(0)) : 0;
}

bool OutboxLedger::Migrate(std::string* error) {
  if (Count("PRAGMA user_version") == kFormatVersion) return true;
  // Under the write lock: another process may be upgrading the same file.
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  const std::uint64_t version = Count("PRAGMA user_version");
  if (version > static_cast<std::uint64_t>(kFormatVersion)) {
    Exec("ROLLBACK", nullptr);
    *error = "written by a newer pipelined (outbox format " + std::to_string(version) + ", this one reads up to " +
             std::to_string(kFormatVersion) + ")";
    return false;
  }
  const bool upgraded = version == static_cast<std::uint64_t>(kFormatVersion) ||
                        (Exec(kSchemaVersion1, error) && Exec(kUpgradeTo2, error));
  return Finish(upgraded, error);
}

bool OutboxLedger::Add(const std::vector<v1::Event>& events, std::string* error) {
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  Statement insert(db_, "INSERT INTO outbox(event_id, body) VALUES(?, ?) ON CONFLICT(event_id) DO NOTHING");
  Statement owe(db_, "INSERT INTO deliveries(position, replica, state) SELECT ?, name, 'pending' FROM replicas");
  for (const v1::Event& event : events) {
    insert.Reset();
    insert.Text(1, event.event_id());
    insert.Blob(2, event.SerializeAsString());
    bool ok = insert.Step() == SQLITE_DONE;
    if (ok && sqlite3_changes(db_) > 0) {
      owe.Reset();
      owe.Int(1, sqlite3_last_insert_rowid(db_));
      ok = owe.Step() == SQLITE_DONE;
    }
    if (!ok) return Finish(false, error);
  }
  return Finish(true, error);
}

bool OutboxLedger::AddReplicas(const std::vector<Replica>& replicas, std::string* error) {
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  Statement known(db_, "INSERT INTO replicas(name, endpoint) VALUES(?, ?) ON CONFLICT(name) DO NOTHING");
  Statement owe(db_, "INSERT INTO deliveries(position, replica, state) SELECT position, ?, 'pending' FROM outbox");
  Statement moved(db_, "UPDATE replicas SET endpoint = ? WHERE name = ?");
  for (const Replica& replica : replicas) {
    known.Reset();
    known.Text(1, replica.name);
    known.Text(2, replica.publisher.endpoint);
    bool ok = known.Step() == SQLITE_DONE;
    if (ok && sqlite3_changes(db_) > 0) {
      owe.Reset();
      owe.Text(1, replica.name);
      ok = owe.Step() == SQLITE_DONE;
    } else if (ok) {
      moved.Reset();
      moved.Text(1, replica.publisher.endpoint);
      moved.Text(2, replica.name);
      ok = moved.Step() == SQLITE_DONE;
    }
    if (!ok) return Finish(false, error);
  }
  return Finish(true, error);
}

bool OutboxLedger::ForgetReplica(const std::string& name, std::string* error) {
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  Statement forget(db_, "DELETE FROM replicas WHERE name = ?");
  forget.Text(1, name);
  if (forget.Step() != SQLITE_DONE || sqlite3_changes(db_) == 0) {
    *error = "the outbox has no replica named " + name;
    Exec("ROLLBACK", nullptr);
    return false;
  }
  Statement drop(db_, "DELETE FROM deliveries WHERE replica = ?");
  drop.Text(1, name);
  bool ok = drop.Step() == SQLITE_DONE;
  // With no replica left, events wait for the next one to be named.
  if (ok && Count("SELECT count(*) FROM replicas") > 0) {
    ok = Exec(
        "DELETE FROM outbox WHERE NOT EXISTS (SELECT 1 FROM deliveries d"
        " WHERE d.position = outbox.position AND d.state = 'pending');"
        "DELETE FROM deliveries WHERE position NOT IN (SELECT position FROM outbox);",
        error);
  }
  return Finish(ok, error);
}

std::vector<Replica> OutboxLedger::Replicas() {
  Statement select(db_, "SELECT name, endpoint FROM replicas ORDER BY name");
  std::vector<Replica> replicas;
  while (select.Step() == SQLITE_ROW) {
    Replica replica;
    replica.name = select.Column(0);
    replica.publisher.endpoint = select.Column(1);
    replicas.push_back(std::move(replica));
  }
  return replicas;
}

std::vector<OutboxRow> OutboxLedger::Oldest(const std::string& replica, size_t limit) {
  Statement select(db_,
                   "SELECT o.position, o.event_id, o.body FROM deliveries d JOIN outbox o ON o.position = d.position"
                   " WHERE d.replica = ? AND d.state = 'pending' ORDER BY d.position LIMIT ?");
  select.Text(1, replica);
  select.Int(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxRow> rows;
  while (select.Step() == SQLITE_ROW) rows.push_back({select.IntColumn(0), select.Column(1), select.Column(2)});
  return rows;
}

bool OutboxLedger::Settle(const std::string& replica, const std::vector<OutboxRow>& sent, const v1::BatchReply& reply,
                          Acknowledgement acknowledged_by, DeliveryReport* report) {
  // Counted apart and merged only once committed, so that a failed write
  // reports nothing (the events stay owed and are sent again).
  DeliveryReport delta;
  ReplicaReport& mine = delta.replicas[replica];
  if (!Exec("BEGIN IMMEDIATE", nullptr)) return false;
  Statement settle(db_, "UPDATE deliveries SET state = ? WHERE position = ? AND replica = ? AND state = 'pending'");
  Statement reject(db_,
                   "INSERT INTO rejected(event_id, body, reason, message, rejected_at, replica)"
                   " VALUES(?, ?, ?, ?, ?, ?)");
  Statement tally(db_, "SELECT state, count(*) FROM deliveries WHERE position = ? GROUP BY state");
  Statement earlier_rejection(db_,
                              "SELECT reason, message FROM rejected WHERE event_id = ? ORDER BY rowid DESC LIMIT 1");
  Statement remove(db_, "DELETE FROM deliveries WHERE position = ?");
  Statement remove_event(db_, "DELETE FROM outbox WHERE position = ?");
  bool ok = true;
  for (int i = 0; ok && i < reply.results_size() && i < static_cast<int>(sent.size()); ++i) {
    const v1::EventResult& result = reply.results(i);
    const OutboxRow& row = sent[static_cast<size_t>(i)];
    if (!IsFinalAnswer(result)) continue;
    settle.Reset();
    settle.Text(1, SettledState(result.status()));
    settle.Int(2, row.position);
    settle.Text(3, replica);
    ok = settle.Step() == SQLITE_DONE;
    // Nothing changed: settled before (a second reply to a resent batch), or
    // the replica was forgotten meanwhile.
    if (!ok || sqlite3_changes(db_) == 0) continue;
    CountAnswer(result.status(), &mine.accepted, &mine.duplicates, &mine.rejected);
    if (result.status() == v1::REJECTED) {
      reject.Reset();
      reject.Text(1, row.event_id);
      reject.Blob(2, row.body);
      reject.Text(3, result.reason());
      reject.Text(4, result.message());
      reject.Int(5, UnixNowSeconds());
      reject.Text(6, replica);
      ok = reject.Step() == SQLITE_DONE;
    }
    Tally t;
    tally.Reset();
    tally.Int(1, row.position);
    while (ok && tally.Step() == SQLITE_ROW) {
      const std::string state = tally.Column(0);
      const auto n = static_cast<std::uint64_t>(tally.IntColumn(1));
      if (state == kOwed) {
        t.owed = n;
      } else if (state == SettledState(v1::ACCEPTED)) {
        t.accepted = n;
      } else if (state == SettledState(v1::DUPLICATE)) {
        t.duplicate = n;
      } else {
        t.rejected = n;
      }
    }
    const bool first = t.answered() == 1;
    const bool last = t.owed == 0;
    if (acknowledged_by == Acknowledgement::kAny ? first : last) {
      v1::EventResult decisive = result;
      if (acknowledged_by == Acknowledgement::kAll && result.status() != v1::REJECTED) {
        if (t.rejected > 0) {
          earlier_rejection.Reset();
          earlier_rejection.Text(1, row.event_id);
          if (earlier_rejection.Step() == SQLITE_ROW) {
            decisive.set_status(v1::REJECTED);
            decisive.set_reason(earlier_rejection.Column(0));
            decisive.set_message(earlier_rejection.Column(1));
          }
        } else if (t.accepted > 0 && result.status() != v1::ACCEPTED) {
          decisive.Clear();
          decisive.set_event_id(row.event_id);
          decisive.set_status(v1::ACCEPTED);
        }
      }
      CountAnswer(decisive.status(), &delta.accepted, &delta.duplicates, &delta.rejected);
      delta.results[row.event_id] = decisive;
    }
    if (last && ok) {
      if (t.rejected > 0 && t.accepted + t.duplicate > 0) delta.disagreements.push_back(row.event_id);
      remove.Reset();
      remove.Int(1, row.position);
      remove_event.Reset();
      remove_event.Int(1, row.position);
      ok = remove.Step() == SQLITE_DONE && remove_event.Step() == SQLITE_DONE;
    }
  }
  if (!Finish(ok, nullptr)) return false;
  Merge(delta, report);
  return true;
}

std::uint64_t OutboxLedger::Held() { return Count("SELECT count(*) FROM outbox"); }

std::uint64_t OutboxLedger::Owed(const std::string& replica) {
  return Count("SELECT count(*) FROM deliveries WHERE replica = ? AND state = 'pending'", replica);
}

bool OutboxLedger::Owes(const std::string& replica) {
  return Count("SELECT EXISTS (SELECT 1 FROM deliveries WHERE replica = ? AND state = 'pending')", replica) > 0;
}

std::uint64_t OutboxLedger::Unanswered() {
  return Count(
      "SELECT count(*) FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM deliveries d"
      " WHERE d.position = o.position AND d.state != 'pending')");
}

bool OutboxLedger::AnyUnanswered() {
  return Count(
             "SELECT EXISTS (SELECT 1 FROM outbox o WHERE NOT EXISTS (SELECT 1 FROM deliveries d"
             " WHERE d.position = o.position AND d.state != 'pending'))") > 0;
}

std::vector<Rejection> OutboxLedger::Rejected() {
  Statement select(db_, "SELECT event_id, reason, message, replica FROM rejected ORDER BY rowid");
  std::vector<Rejection> out;
  while (select.Step() == SQLITE_ROW) {
    Rejection rejection;
    rejection.result.set_event_id(select.Column(0));
    rejection.result.set_status(v1::REJECTED);
    rejection.result.set_reason(select.Column(1));
    rejection.result.set_message(select.Column(2));
    rejection.replica = select.Column(3);
    out.push_back(std::move(rejection));
  }
  return out;
}

}  // namespace pipelined::publisher
