// When each batch of a publisher is due, for an open-loop run at a target
// rate: batches are sent by the clock, not when the previous one is answered,
// so a slow daemon makes batches late instead of making the load smaller. The
// latency of a batch is measured from its due time (not from when it was
// actually sent), so that the time a batch waited for a free slot in the
// window counts: without that, a stalled daemon would hold back exactly the
// sends whose latency would have shown the stall (coordinated omission).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace pipelined::loadgen {

class SendSchedule {
 public:
  // `events_per_second` over all `publishers`; 0 means flat out (no
  // schedule). REQUIRES: batch_size >= 1, 0 <= publisher < publishers.
  SendSchedule(double events_per_second, std::size_t batch_size, int publishers, int publisher);

  bool paced() const { return interval_.count() > 0; }
  // Time between two batches of this publisher.
  std::chrono::nanoseconds interval() const { return interval_; }
  // When batch `index` (0-based) of this publisher is due, after the start
  // of the run. Publishers are staggered evenly within one interval, so
  // that together they send at a steady rate rather than in bursts.
  std::chrono::nanoseconds DueAfterStart(std::uint64_t index) const;

 private:
  std::chrono::nanoseconds interval_{0};
  std::chrono::nanoseconds offset_{0};
};

}  // namespace pipelined::loadgen
