#include "pipelined/loadgen/send_schedule.h"

#include <algorithm>
#include <cmath>

namespace pipelined::loadgen {

SendSchedule::SendSchedule(double events_per_second, std::size_t batch_size, int publishers, int publisher) {
  if (events_per_second <= 0) return;
  const double per_publisher = events_per_second / publishers;
  const double interval_ns = static_cast<double>(batch_size) / per_publisher * 1e9;
  interval_ = std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(std::max(interval_ns, 1.0))));
  offset_ = interval_ * publisher / publishers;
}

std::chrono::nanoseconds SendSchedule::DueAfterStart(std::uint64_t index) const {
  if (!paced()) return std::chrono::nanoseconds(0);
  // No overflow: the runs are far shorter than 292 years.
  return offset_ + interval_ * static_cast<std::int64_t>(index);
}

}  // namespace pipelined::loadgen
