// Copies the write-ahead log into the database on a thread of its own, so
// that a commit (and every acknowledgement waiting for it) does not also pay
// for a checkpoint: with SQLite's automatic checkpoints, every few megabytes
// of WAL one commit copied them into the database and fsynced it, which held
// up ingest for tens to hundreds of milliseconds.
//
// The writer's connection calls Committed() after each commit (from its WAL
// hook) with the WAL's size; past kPagesPerCheckpoint the checkpointer runs a
// PASSIVE checkpoint on its own connection, which never blocks the writer.
// Because a passive checkpoint cannot reset a WAL that the writer keeps
// appending to, the writer checkpoints itself when the WAL passes
// kWriterCheckpointPages; by then nearly every frame has been copied, so that
// costs little.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace pipelined::store {

class Checkpointer {
 public:
  static constexpr int kPagesPerCheckpoint = 1000;       // SQLite's own default (4 MiB of 4 KiB pages)
  static constexpr int kWriterCheckpointPages = 16000;  // 64 MiB: journal_size_limit

  // Opens its own connection to `database_path`, with `synchronous` ("FULL"
  // or "NORMAL", as the writer's), and starts its thread. nullptr when the
  // connection cannot be opened (the writer then keeps SQLite's automatic
  // checkpoints).
  static std::unique_ptr<Checkpointer> Start(const std::string& database_path, const char* synchronous);
  // Stops the thread and closes the connection.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // The writer committed; the WAL holds `wal_pages` pages.
  void Committed(int wal_pages);

 private:
  explicit Checkpointer(sqlite3* db);
  void Run();

  sqlite3* const db_;
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool due_ = false;       // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace pipelined::store
