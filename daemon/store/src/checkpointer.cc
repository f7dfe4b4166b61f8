#include "checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

namespace pipelined::store {

std::unique_ptr<Checkpointer> Checkpointer::Start(const std::string& database_path, const char* synchronous) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  // A checkpoint syncs the database file as this connection's setting says.
  const std::string pragma = std::string("PRAGMA synchronous=") + synchronous;
  if (sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close_v2(db);
    return nullptr;
  }
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(db));
  checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->Run(); });
  return checkpointer;
}

Checkpointer::Checkpointer(sqlite3* db) : db_(db) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_close_v2(db_);
}

void Checkpointer::Committed(int wal_pages) {
  if (wal_pages < kPagesPerCheckpoint) return;
  {
    std::lock_guard lock(mutex_);
    due_ = true;
  }
  wakeup_.notify_one();
}

void Checkpointer::Run() {
  pthread_setname_np(pthread_self(), "checkpoint");
  std::unique_lock lock(mutex_);
  while (true) {
    wakeup_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without waiting for the writer or readers.
    // A failure (say SQLITE_BUSY from another checkpoint) is retried at the
    // next commit; the WAL keeps everything meanwhile.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace pipelined::store
