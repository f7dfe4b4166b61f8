#include "pipelined/publisher/outbox.h"

#include <sqlite3.h>

#include <thread>

#include "pipelined/publisher/event_builder.h"

namespace pipelined::publisher {
namespace {

// The daemon's answer that means "not stored, try again later".
constexpr char kRetryableReason[] = "store_unavailable";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr); }
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt* get() { return statement_; }
  void Text(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Blob(int index, const std::string& bytes) {
    sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  std::string Column(int index) {
    const void* data = sqlite3_column_blob(statement_, index);
    return data ? std::string(static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(statement_, index)))
                : std::string();
  }
  int Step() { return sqlite3_step(statement_); }
  void Reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

std::unique_ptr<Outbox> Outbox::Open(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    *error = "cannot open outbox " + path + ": " + sqlite3_errmsg(db);
    sqlite3_close_v2(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 5000);
  std::unique_ptr<Outbox> outbox(new Outbox(db));
  if (!outbox->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                    "CREATE TABLE IF NOT EXISTS outbox(position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
                    " body BLOB NOT NULL);"
                    "CREATE TABLE IF NOT EXISTS rejected(event_id TEXT NOT NULL, body BLOB NOT NULL,"
                    " reason TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL);",
                    error)) {
    *error = "cannot use outbox " + path + ": " + *error;
    return nullptr;
  }
  return outbox;
}

Outbox::~Outbox() { sqlite3_close_v2(db_); }

bool Outbox::Exec(const char* sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    if (error) *error = message ? message : "unknown SQLite error";
    sqlite3_free(message);
    return false;
  }
  return true;
}

bool Outbox::Add(const std::vector<v1::Event>& events, std::string* error) {
  if (!Exec("BEGIN IMMEDIATE", error)) return false;
  Statement insert(db_, "INSERT INTO outbox(event_id, body) VALUES(?, ?) ON CONFLICT(event_id) DO NOTHING");
  for (const v1::Event& event : events) {
    insert.Reset();
    insert.Text(1, event.event_id());
    insert.Blob(2, event.SerializeAsString());
    if (insert.Step() != SQLITE_DONE) {
      if (error) *error = sqlite3_errmsg(db_);
      Exec("ROLLBACK", nullptr);
      return false;
    }
  }
  return Exec("COMMIT", error);
}

std::uint64_t Outbox::Pending() {
  Statement count(db_, "SELECT count(*) FROM outbox");
  return count.Step() == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(count.get(), 0)) : 0;
}

std::vector<std::pair<std::string, std::string>> Outbox::Oldest(size_t limit) {
  Statement select(db_, "SELECT event_id, body FROM outbox ORDER BY position LIMIT ?");
  sqlite3_bind_int64(select.get(), 1, static_cast<sqlite3_int64>(limit));
  std::vector<std::pair<std::string, std::string>> rows;
  while (select.Step() == SQLITE_ROW) rows.emplace_back(select.Column(0), select.Column(1));
  return rows;
}

void Outbox::Settle(const std::vector<std::pair<std::string, std::string>>& sent, const v1::BatchReply& reply,
                    DeliveryReport* report) {
  Exec("BEGIN IMMEDIATE", nullptr);
  Statement remove(db_, "DELETE FROM outbox WHERE event_id = ?");
  Statement reject(db_, "INSERT INTO rejected(event_id, body, reason, message, rejected_at) VALUES(?,?,?,?,?)");
  for (int i = 0; i < reply.results_size() && i < static_cast<int>(sent.size()); ++i) {
    const v1::EventResult& result = reply.results(i);
    if (result.status() == v1::REJECTED && result.reason() == kRetryableReason) continue;
    if (result.status() == v1::ACCEPTED) ++report->accepted;
    if (result.status() == v1::DUPLICATE) ++report->duplicates;
    if (result.status() == v1::REJECTED) {
      ++report->rejected;
      reject.Reset();
      reject.Text(1, sent[i].first);
      reject.Blob(2, sent[i].second);
      reject.Text(3, result.reason());
      reject.Text(4, result.message());
      sqlite3_bind_int64(reject.get(), 5, UnixNowSeconds());
      reject.Step();
    }
    remove.Reset();
    remove.Text(1, sent[i].first);
    remove.Step();
    report->results[sent[i].first] = result;
  }
  Exec("COMMIT", nullptr);
}

DeliveryReport Outbox::Deliver(const PublisherOptions& publisher_options, const DeliveryOptions& options) {
  PublisherOptions connection = publisher_options;
  connection.reply_timeout = options.reply_timeout;
  DeliveryReport report;
  const auto deadline = std::chrono::steady_clock::now() + options.deadline;
  auto backoff = options.initial_backoff;
  std::unique_ptr<Publisher> publisher;
  for (;;) {
    const auto rows = Oldest(options.batch_size);
    if (rows.empty() || std::chrono::steady_clock::now() >= deadline) break;
    v1::EventBatch batch;
    for (const auto& row : rows) batch.add_events()->ParseFromString(row.second);
    if (!publisher) publisher = std::make_unique<Publisher>(connection);
    std::optional<v1::BatchReply> reply = publisher->Publish(batch);
    if (reply && !reply->has_error() && reply->results_size() == batch.events_size()) {
      Settle(rows, *reply, &report);
      backoff = options.initial_backoff;
      bool retry_later = false;
      for (const auto& result : reply->results()) retry_later = retry_later || result.reason() == kRetryableReason;
      if (!retry_later) continue;
    } else {
      ++report.attempts_without_reply;
      // A fresh socket drops whatever the old one still queued for a peer
      // that may be gone; the daemon recognises resent events by id.
      publisher.reset();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    std::this_thread::sleep_for(std::min(backoff, left));
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  report.pending = Pending();
  return report;
}

std::vector<v1::EventResult> Outbox::Rejected() {
  Statement select(db_, "SELECT event_id, reason, message FROM rejected ORDER BY rowid");
  std::vector<v1::EventResult> out;
  while (select.Step() == SQLITE_ROW) {
    v1::EventResult result;
    result.set_event_id(select.Column(0));
    result.set_status(v1::REJECTED);
    result.set_reason(select.Column(1));
    result.set_message(select.Column(2));
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace pipelined::publisher
