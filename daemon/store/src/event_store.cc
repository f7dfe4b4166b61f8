#include "pipelined/store/event_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "checkpointer.h"

namespace pipelined::store {
namespace {

// "PIPE": marks the file as a pipelined store (PRAGMA application_id).
constexpr int kApplicationId = 0x50495045;
constexpr int kFormatVersion = 1;
constexpr char kDatabaseFile[] = "events.db";
constexpr char kLockFile[] = "LOCK";

// Covers every stored field that replay interprets: CRC-32 of the fields,
// each followed by a 0 byte. Computed in one crc32 call over a copy of them,
// which gives the same value as one call per field (CRC-32 runs over a byte
// stream) at a fraction of the cost for fields this short; replay of a large
// store checks one per event.
std::int64_t Checksum(std::string_view event_id, std::string_view source, std::uint64_t sequence,
                      std::string_view project_code, std::string_view target_event_id, std::string_view body) {
  char sequence_text[24];
  const char* sequence_end = std::to_chars(sequence_text, sequence_text + sizeof sequence_text, sequence).ptr;
  const std::string_view fields[] = {event_id,
                                     source,
                                     {sequence_text, static_cast<size_t>(sequence_end - sequence_text)},
                                     project_code,
                                     target_event_id,
                                     body};
  size_t total = 0;
  for (std::string_view field : fields) total += field.size() + 1;
  char small[1024];
  std::string large;
  char* const buffer = total <= sizeof small ? small : (large.resize(total), large.data());
  char* p = buffer;
  for (std::string_view field : fields) {
    std::memcpy(p, field.data(), field.size());
    p += field.size();
    *p++ = '\0';
  }
  return static_cast<std::int64_t>(crc32_z(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(buffer), total));
}

std::int64_t Checksum(const EventRecord& r) {
  return Checksum(r.event_id, r.source, r.sequence, r.project_code, r.target_event_id, r.body);
}

std::string Column(sqlite3_stmt* statement, int column) {
  const void* data = sqlite3_column_blob(statement, column);
  int size = sqlite3_column_bytes(statement, column);
  return data ? std::string(static_cast<const char*>(data), static_cast<size_t>(size)) : std::string();
}

// Reads a row of SELECT position, event_id, source, sequence, project_code,
// target_event_id, received_at, body, checksum.
constexpr char kColumns[] =
    "position, event_id, source, sequence, project_code, target_event_id, received_at, body, checksum";

EventRecord ReadRecord(sqlite3_stmt* statement, std::int64_t* checksum) {
  EventRecord r;
  r.position = sqlite3_column_int64(statement, 0);
  r.event_id = Column(statement, 1);
  r.source = Column(statement, 2);
  r.sequence = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 3));
  r.project_code = Column(statement, 4);
  r.target_event_id = Column(statement, 5);
  r.received_at = sqlite3_column_int64(statement, 6);
  r.body = Column(statement, 7);
  *checksum = sqlite3_column_int64(statement, 8);
  return r;
}

void Bind(sqlite3_stmt* statement, int index, std::string_view text) {
  sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

}  // namespace

std::string Status::ToString() const {
  switch (code_) {
    case Code::kOk: return "OK";
    case Code::kIoError: return "I/O error: " + message_;
    case Code::kCorruption: return "corruption: " + message_;
    case Code::kBusy: return "busy: " + message_;
    case Code::kInvalidArgument: return "invalid argument: " + message_;
  }
  return message_;
}

const char* DurabilityName(Durability durability) { return durability == Durability::kFull ? "full" : "normal"; }

std::optional<Durability> ParseDurability(const std::string& name) {
  if (name == "full") return Durability::kFull;
  if (name == "normal") return Durability::kNormal;
  return std::nullopt;
}

EventStore::EventStore(StoreOptions options, sqlite3* db, int lock_fd)
    : options_(std::move(options)), db_(db), lock_fd_(lock_fd) {}

EventStore::~EventStore() {
  // The last connection to close checkpoints the WAL and removes it: stop
  // the checkpointer's first.
  checkpointer_.reset();
  sqlite3_finalize(insert_);
  sqlite3_finalize(find_);
  sqlite3_finalize(find_targeting_);
  // Checkpoints the WAL into the database so that the next start is quick.
  sqlite3_close_v2(db_);
  if (lock_fd_ >= 0) close(lock_fd_);
}

std::string EventStore::DatabasePath() const { return options_.directory + "/" + kDatabaseFile; }

Status EventStore::Error(const char* what) const {
  const int code = sqlite3_extended_errcode(db_) & 0xff;
  std::string message = std::string(what) + ": " + sqlite3_errmsg(db_) + " (" + DatabasePath() + ")";
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(message);
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Busy(message);
  return Status::IoError(message);
}

Status EventStore::Open(const StoreOptions& options, std::unique_ptr<EventStore>* out) {
  if (mkdir(options.directory.c_str(), 0750) != 0 && errno != EEXIST) {
    return Status::IoError("cannot create storage directory " + options.directory + ": " + std::strerror(errno));
  }
  // One daemon per directory: a second writer would interleave two logs.
  const std::string lock_path = options.directory + "/" + kLockFile;
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (lock_fd < 0) return Status::IoError("cannot open " + lock_path + ": " + std::strerror(errno));
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return Status::Busy("storage directory " + options.directory + " is in use by another process");
  }
  sqlite3* db = nullptr;
  const std::string path = options.directory + "/" + kDatabaseFile;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::unique_ptr<EventStore> store(new EventStore(options, db, lock_fd));
  if (rc != SQLITE_OK) return store->Error("cannot open the event store");
  sqlite3_extended_result_codes(db, 1);
  Status status = store->Initialize();
  if (!status.ok()) return status;
  *out = std::move(store);
  return Status::Ok();
}

Status EventStore::Initialize() {
  auto exec = [this](const std::string& sql) -> Status {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      sqlite3_free(error);
      return Error(("while running \"" + sql.substr(0, 60) + "\"").c_str());
    }
    return Status::Ok();
  };
  auto pragma_int = [this](const char* sql, int* value) -> Status {
    sqlite3_stmt* statement = nullptr;
    Status status = Prepare(sql, &statement);
    if (!status.ok()) return status;
    int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) *value = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return rc == SQLITE_ROW ? Status::Ok() : Error(sql);
  };

  int application_id = 0, version = 0;
  Status status = pragma_int("PRAGMA application_id", &application_id);
  if (!status.ok()) return status;
  if (application_id != 0 && application_id != kApplicationId) {
    return Status::Corruption(DatabasePath() + " is not a pipelined event store");
  }
  if (!(status = pragma_int("PRAGMA user_version", &version)).ok()) return status;
  if (version > kFormatVersion) {
    return Status::InvalidArgument(DatabasePath() + " has format version " + std::to_string(version) +
                                   ", newer than this pipelined understands (" + std::to_string(kFormatVersion) +
                                   "): upgrade pipelined");
  }
  const char* synchronous = options_.durability == Durability::kFull ? "FULL" : "NORMAL";
  for (const std::string& sql : {std::string("PRAGMA journal_mode=WAL"), "PRAGMA synchronous=" + std::string(synchronous),
                                 std::string("PRAGMA journal_size_limit=67108864"),
                                 std::string("PRAGMA cache_size=-65536")}) {
    if (!(status = exec(sql)).ok()) return status;
  }
  if (auto checkpointer = Checkpointer::Start(DatabasePath(), synchronous)) {
    checkpointer_ = std::move(checkpointer);
    if (!(status = exec("PRAGMA wal_autocheckpoint=0")).ok()) return status;
    sqlite3_wal_hook(
        db_,
        [](void* context, sqlite3* db, const char*, int pages) {
          static_cast<Checkpointer*>(context)->Committed(pages);
          // Past the limit, copy the few frames left here: a passive
          // checkpoint elsewhere cannot let a growing WAL start over.
          if (pages >= Checkpointer::kWriterCheckpointPages) {
            sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
          }
          return SQLITE_OK;
        },
        checkpointer_.get());
  }
  if (version == 0) {
    status = exec(
        "BEGIN;"
        "CREATE TABLE events("
        "  position INTEGER PRIMARY KEY,"
        "  event_id TEXT NOT NULL,"
        "  source TEXT NOT NULL,"
        "  sequence INTEGER NOT NULL,"
        "  project_code TEXT NOT NULL,"
        "  target_event_id TEXT,"
        "  received_at INTEGER NOT NULL,"
        "  body BLOB NOT NULL,"
        "  checksum INTEGER NOT NULL);"
        "CREATE UNIQUE INDEX events_by_id ON events(event_id);"
        "CREATE INDEX events_by_target ON events(target_event_id) WHERE target_event_id IS NOT NULL;"
        "PRAGMA application_id=" + std::to_string(kApplicationId) + ";"
        "PRAGMA user_version=" + std::to_string(kFormatVersion) + ";"
        "COMMIT;");
    if (!status.ok()) return status;
  }
  sqlite3_stmt* count = nullptr;
  if (!(status = Prepare("SELECT count(*) FROM events", &count)).ok()) return status;
  const int rc = sqlite3_step(count);
  count_ = rc == SQLITE_ROW ? static_cast<std::uint64_t>(sqlite3_column_int64(count, 0)) : 0;
  sqlite3_finalize(count);
  if (rc != SQLITE_ROW) return Error("cannot count stored events");

  if (!(status = Prepare("INSERT INTO events(event_id, source, sequence, project_code, target_event_id, "
                         "received_at, body, checksum) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(event_id) DO NOTHING",
                         &insert_))
           .ok()) {
    return status;
  }
  if (!(status = Prepare((std::string("SELECT ") + kColumns + " FROM events WHERE event_id=?").c_str(), &find_))
           .ok()) {
    return status;
  }
  return Prepare("SELECT event_id FROM events WHERE target_event_id=? ORDER BY position DESC LIMIT 1",
                 &find_targeting_);
}

namespace {

// PRAGMA quick_check on `db`: every page's structure.
Status QuickCheck(sqlite3* db, const std::string& path) {
  sqlite3_stmt* check = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &check, nullptr) != SQLITE_OK) {
    return Status::Corruption("cannot check " + path + ": " + sqlite3_errmsg(db));
  }
  const int rc = sqlite3_step(check);
  const std::string verdict = rc == SQLITE_ROW ? Column(check, 0) : "";
  sqlite3_finalize(check);
  if (rc != SQLITE_ROW) return Status::Corruption(path + " failed the integrity check: " + sqlite3_errmsg(db));
  if (verdict != "ok") return Status::Corruption(path + " failed the integrity check: " + verdict);
  return Status::Ok();
}

// Reads the rows of `scan` (SELECT kColumns ...), verifying each checksum,
// and calls `visit` for each; the number read in *seen.
Status ScanVerified(sqlite3_stmt* scan, const std::string& path, std::uint64_t* seen,
                    const std::function<void(const EventRecord&)>& visit) {
  int rc;
  while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
    std::int64_t checksum = 0;
    EventRecord record = ReadRecord(scan, &checksum);
    if (checksum != Checksum(record)) {
      return Status::Corruption("stored event #" + std::to_string(record.position) + " (" + record.event_id +
                                ") fails its checksum in " + path);
    }
    ++*seen;
    if (visit) visit(record);
  }
  if (rc != SQLITE_DONE) {
    const int code = sqlite3_errcode(sqlite3_db_handle(scan)) & 0xff;
    const std::string message =
        "cannot read the stored events: " + std::string(sqlite3_errmsg(sqlite3_db_handle(scan))) + " (" + path + ")";
    return code == SQLITE_CORRUPT || code == SQLITE_NOTADB ? Status::Corruption(message) : Status::IoError(message);
  }
  return Status::Ok();
}

}  // namespace

Status EventStore::CheckIntegrity() { return QuickCheck(db_, DatabasePath()); }

Status EventStore::Verify(const std::string& directory, std::uint64_t* events, const std::atomic<bool>* stop) {
  *events = 0;
  const std::string path = directory + "/" + kDatabaseFile;
  sqlite3* db = nullptr;
  // Its own read-only connection: in WAL mode it reads a consistent view
  // while the daemon's connection goes on writing.
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> closer(db, sqlite3_close_v2);
  if (rc != SQLITE_OK) return Status::IoError("cannot open " + path + " to verify it: " + sqlite3_errmsg(db));
  // Called every few thousand steps of the virtual machine: a non-zero
  // return interrupts the statement, quick_check included.
  if (stop != nullptr) {
    sqlite3_progress_handler(
        db, 10000, [](void* flag) { return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0; },
        const_cast<std::atomic<bool>*>(stop));
  }
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);  // one view for both checks
  Status status = QuickCheck(db, path);
  if (!status.ok()) return status;
  sqlite3_stmt* scan = nullptr;
  if (sqlite3_prepare_v2(db, (std::string("SELECT ") + kColumns + " FROM events ORDER BY position").c_str(), -1,
                         &scan, nullptr) != SQLITE_OK) {
    return Status::Corruption("cannot read " + path + ": " + sqlite3_errmsg(db));
  }
  status = ScanVerified(scan, path, events, nullptr);
  sqlite3_finalize(scan);
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  return status;
}

Status EventStore::Prepare(const char* sql, sqlite3_stmt** statement) {
  if (sqlite3_prepare_v2(db_, sql, -1, statement, nullptr) != SQLITE_OK) return Error("cannot prepare a statement");
  return Status::Ok();
}

Status EventStore::Append(const std::vector<const EventRecord*>& records, std::vector<bool>* inserted) {
  std::vector<NewRecord> views;
  views.reserve(records.size());
  for (const EventRecord* r : records) {
    views.push_back({r->event_id, r->source, r->sequence, r->project_code, r->target_event_id, r->received_at, r->body});
  }
  return AppendViews(views, inserted);
}

Status EventStore::AppendViews(const std::vector<NewRecord>& records, std::vector<bool>* inserted) {
  inserted->assign(records.size(), false);
  if (records.empty()) return Status::Ok();
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return Error("cannot begin");
  std::uint64_t added = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const NewRecord& r = records[i];
    sqlite3_reset(insert_);
    Bind(insert_, 1, r.event_id);
    Bind(insert_, 2, r.source);
    sqlite3_bind_int64(insert_, 3, static_cast<sqlite3_int64>(r.sequence));
    Bind(insert_, 4, r.project_code);
    if (r.target_event_id.empty()) {
      sqlite3_bind_null(insert_, 5);
    } else {
      Bind(insert_, 5, r.target_event_id);
    }
    sqlite3_bind_int64(insert_, 6, r.received_at);
    sqlite3_bind_blob(insert_, 7, r.body.data(), static_cast<int>(r.body.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert_, 8,
                       Checksum(r.event_id, r.source, r.sequence, r.project_code, r.target_event_id, r.body));
    if (sqlite3_step(insert_) != SQLITE_DONE) {
      Status status = Error("cannot store an event");
      sqlite3_reset(insert_);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      inserted->assign(records.size(), false);
      return status;
    }
    (*inserted)[i] = sqlite3_changes(db_) == 1;
    added += (*inserted)[i] ? 1 : 0;
  }
  sqlite3_reset(insert_);
  // With synchronous=FULL, COMMIT returns only after the WAL is fsynced.
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    Status status = Error("cannot commit");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    inserted->assign(records.size(), false);
    return status;
  }
  count_ += added;
  return Status::Ok();
}

Status EventStore::Find(const std::string& event_id, std::optional<EventRecord>* record) {
  record->reset();
  sqlite3_reset(find_);
  Bind(find_, 1, event_id);
  int rc = sqlite3_step(find_);
  if (rc == SQLITE_ROW) {
    std::int64_t checksum = 0;
    EventRecord found = ReadRecord(find_, &checksum);
    if (checksum != Checksum(found)) {
      sqlite3_reset(find_);
      return Status::Corruption("stored event " + event_id + " fails its checksum (" + DatabasePath() + ")");
    }
    *record = std::move(found);
  }
  sqlite3_reset(find_);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : Error("cannot look up an event");
}

Status EventStore::FindTargeting(const std::string& event_id, std::optional<std::string>* by) {
  by->reset();
  sqlite3_reset(find_targeting_);
  Bind(find_targeting_, 1, event_id);
  int rc = sqlite3_step(find_targeting_);
  if (rc == SQLITE_ROW) *by = Column(find_targeting_, 0);
  sqlite3_reset(find_targeting_);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? Status::Ok() : Error("cannot look up corrections");
}

Status EventStore::Replay(const std::function<void(const EventRecord&)>& visit) {
  sqlite3_stmt* scan = nullptr;
  Status status = Prepare((std::string("SELECT ") + kColumns + " FROM events ORDER BY position").c_str(), &scan);
  if (!status.ok()) return status;
  std::uint64_t seen = 0;
  status = ScanVerified(scan, DatabasePath(), &seen, visit);
  sqlite3_finalize(scan);
  if (status.ok() && seen != count_) {
    return Status::Corruption("read " + std::to_string(seen) + " events but the store counts " +
                              std::to_string(count_) + " in " + DatabasePath());
  }
  return status;
}

Status EventStore::ReplayAfter(std::int64_t position, const std::function<void(const EventRecord&)>& visit) {
  sqlite3_stmt* scan = nullptr;
  Status status =
      Prepare((std::string("SELECT ") + kColumns + " FROM events WHERE position>? ORDER BY position").c_str(), &scan);
  if (!status.ok()) return status;
  sqlite3_bind_int64(scan, 1, position);
  std::uint64_t seen = 0;
  status = ScanVerified(scan, DatabasePath(), &seen, visit);
  sqlite3_finalize(scan);
  return status;
}

Status EventStore::FindAt(std::int64_t position, std::optional<EventRecord>* record) {
  record->reset();
  sqlite3_stmt* find = nullptr;
  Status status = Prepare((std::string("SELECT ") + kColumns + " FROM events WHERE position=?").c_str(), &find);
  if (!status.ok()) return status;
  sqlite3_bind_int64(find, 1, position);
  std::uint64_t seen = 0;
  status = ScanVerified(find, DatabasePath(), &seen, [record](const EventRecord& found) { *record = found; });
  sqlite3_finalize(find);
  return status;
}

Status EventStore::CountAfter(std::int64_t position, std::uint64_t* count) {
  *count = 0;
  sqlite3_stmt* statement = nullptr;
  Status status = Prepare("SELECT count(*) FROM events WHERE position>?", &statement);
  if (!status.ok()) return status;
  sqlite3_bind_int64(statement, 1, position);
  const int rc = sqlite3_step(statement);
  if (rc == SQLITE_ROW) *count = static_cast<std::uint64_t>(sqlite3_column_int64(statement, 0));
  status = rc == SQLITE_ROW ? Status::Ok() : Error("cannot count stored events");
  sqlite3_finalize(statement);
  return status;
}

Status EventStore::Last(std::optional<EventRecord>* record) {
  record->reset();
  sqlite3_stmt* last = nullptr;
  Status status =
      Prepare((std::string("SELECT ") + kColumns + " FROM events ORDER BY position DESC LIMIT 1").c_str(), &last);
  if (!status.ok()) return status;
  std::uint64_t seen = 0;
  status = ScanVerified(last, DatabasePath(), &seen, [record](const EventRecord& found) { *record = found; });
  sqlite3_finalize(last);
  return status;
}

}  // namespace pipelined::store
