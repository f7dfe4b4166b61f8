#include "pipelined/model/clock.h"

#include <cmath>

namespace pipelined::model {

std::int64_t SystemClock::NowUnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

VirtualClock::VirtualClock(std::int64_t start_unix_seconds, double rate)
    : rate_(rate), origin_(static_cast<double>(start_unix_seconds) - SteadySeconds() * rate) {}

double VirtualClock::SteadySeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t VirtualClock::NowUnixSeconds() const {
  if (rate_ == 0) return static_cast<std::int64_t>(origin_.load(std::memory_order_relaxed));
  // A hair over, so that rounding in the doubles never shows the second before.
  return static_cast<std::int64_t>(std::floor(origin_.load(std::memory_order_relaxed) + SteadySeconds() * rate_ + 1e-6));
}

void VirtualClock::Set(std::int64_t unix_seconds) {
  origin_.store(static_cast<double>(unix_seconds) - SteadySeconds() * rate_, std::memory_order_relaxed);
}

}  // namespace pipelined::model
