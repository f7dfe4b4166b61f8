#include "first_version_outbox.h"

#include <sqlite3.h>

namespace pipelined::testing {
namespace {

// Runs `sql` once per row, binding the pair's two strings; false on error.
bool InsertEach(sqlite3* db, const char* sql, const std::vector<std::pair<std::string, std::string>>& rows) {
  sqlite3_stmt* insert = nullptr;
  bool ok = sqlite3_prepare_v2(db, sql, -1, &insert, nullptr) == SQLITE_OK;
  for (size_t i = 0; ok && i < rows.size(); ++i) {
    sqlite3_bind_text(insert, 1, rows[i].first.data(), static_cast<int>(rows[i].first.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(insert, 2, rows[i].second.data(), static_cast<int>(rows[i].second.size()), SQLITE_TRANSIENT);
    ok = sqlite3_step(insert) == SQLITE_DONE;
    sqlite3_reset(insert);
  }
  sqlite3_finalize(insert);
  return ok;
}

}  // namespace

std::string WriteFirstVersionOutbox(const std::string& path,
                                    const std::vector<std::pair<std::string, std::string>>& waiting,
                                    const std::vector<std::pair<std::string, std::string>>& rejected) {
  sqlite3* db = nullptr;
  const bool ok =
      sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
      sqlite3_exec(db,
                   "PRAGMA journal_mode=WAL;"
                   "CREATE TABLE outbox(position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
                   " body BLOB NOT NULL);"
                   "CREATE TABLE rejected(event_id TEXT NOT NULL, body BLOB NOT NULL,"
                   " reason TEXT NOT NULL, message TEXT NOT NULL, rejected_at INTEGER NOT NULL);",
                   nullptr, nullptr, nullptr) == SQLITE_OK &&
      InsertEach(db, "INSERT INTO outbox(event_id, body) VALUES(?, ?)", waiting) &&
      InsertEach(db,
                 "INSERT INTO rejected VALUES(?, x'', CAST(? AS TEXT), 'rejected by the first version', 1700000000)",
                 rejected);
  const std::string error = ok ? "" : path + ": " + sqlite3_errmsg(db);
  sqlite3_close(db);
  return error;
}

}  // namespace pipelined::testing
