#include "pipelined/ingest/applier.h"

#include <pthread.h>

namespace pipelined::ingest {

Applier::Applier(model::IngestCounters& counters) : counters_(counters), thread_([this] { Run(); }) {}

Applier::~Applier() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  thread_.join();
}

void Applier::Submit(model::Programme& programme, std::vector<AcceptedEvent> events) {
  if (events.empty()) return;
  std::unique_lock lock(mutex_);
  // A group larger than the bound goes in alone, once the queue is empty.
  work_applied_.wait(lock, [this, &events] {
    return queued_events_ == 0 || queued_events_ + events.size() <= kMaxQueuedEvents;
  });
  queued_events_ += events.size();
  queue_.push_back(Work{&programme, std::move(events)});
  ++submitted_;
  lock.unlock();
  work_ready_.notify_one();
}

void Applier::WaitApplied() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = submitted_;
  work_applied_.wait(lock, [this, target] { return applied_ >= target; });
}

void Applier::Run() {
  pthread_setname_np(pthread_self(), "apply");
  std::unique_lock lock(mutex_);
  while (true) {
    work_ready_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // stopping, and everything applied
    Work work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    for (const AcceptedEvent& accepted : work.events) {
      const model::Event* replaced = accepted.replaced ? &*accepted.replaced : nullptr;
      if (!work.programme->Apply(accepted.event, replaced)) counters_.orphaned_events.fetch_add(1);
      work.programme->ObserveSequence(accepted.event.source, accepted.event.sequence);
    }
    lock.lock();
    queued_events_ -= work.events.size();
    ++applied_;
    work_applied_.notify_all();
  }
}

}  // namespace pipelined::ingest
