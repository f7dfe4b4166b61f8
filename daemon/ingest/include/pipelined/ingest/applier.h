// Applies accepted events to the model on a thread of its own, once they are
// durable, so that the ingest thread can acknowledge them and go on to the
// next group: deciding and storing events, and applying them, then use two
// cores instead of one (docs/benchmarks.md, "Ingest: what bounds it").
//
// Readers that must see every acknowledged event (a scrape, the status page,
// the API, a snapshot, a reload) call WaitApplied() first: it returns once
// everything submitted before the call has been applied. The queue is
// bounded, so under a flood the ingest thread waits for the model instead of
// piling up events in memory, and that wait stays short.
//
// Thread-safety: Submit() from one thread (the ingest thread); WaitApplied()
// from any.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "pipelined/model/event.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"

namespace pipelined::ingest {

// One accepted, stored event, and the event it replaces (supersedes or
// retracts) if any.
struct AcceptedEvent {
  model::Event event;
  std::optional<model::Event> replaced;
};

class Applier {
 public:
  // At most this many events wait to be applied; Submit() blocks beyond it.
  static constexpr size_t kMaxQueuedEvents = 20000;

  // `counters` must outlive the applier (orphaned events are counted there).
  explicit Applier(model::IngestCounters& counters);
  // Applies what is queued, then stops.
  ~Applier();
  Applier(const Applier&) = delete;
  Applier& operator=(const Applier&) = delete;

  // Queues `events` to be applied to `programme`, in order, after everything
  // submitted before. `programme` must stay alive until they are applied
  // (WaitApplied() before switching programmes).
  void Submit(model::Programme& programme, std::vector<AcceptedEvent> events);

  // Returns once every event submitted before the call has been applied.
  void WaitApplied();

 private:
  struct Work {
    model::Programme* programme;
    std::vector<AcceptedEvent> events;
  };
  void Run();

  model::IngestCounters& counters_;
  std::mutex mutex_;
  std::condition_variable work_ready_;    // for the applier's thread
  std::condition_variable work_applied_;  // for Submit() and WaitApplied()
  std::deque<Work> queue_;                // guarded by mutex_
  size_t queued_events_ = 0;              // guarded by mutex_
  std::uint64_t submitted_ = 0;           // works submitted; guarded by mutex_
  std::uint64_t applied_ = 0;             // works applied; guarded by mutex_
  bool stopping_ = false;                 // guarded by mutex_
  std::thread thread_;
};

}  // namespace pipelined::ingest
