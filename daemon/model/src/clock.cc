#include "pipelined/model/clock.h"

namespace pipelined::model {

std::int64_t SystemClock::NowUnixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

VirtualClock::VirtualClock(std::int64_t start_unix_seconds, double rate)
    : start_unix_seconds_(start_unix_seconds), rate_(rate), started_(std::chrono::steady_clock::now()) {}

std::int64_t VirtualClock::NowUnixSeconds() const {
  std::lock_guard lock(mutex_);
  if (rate_ == 0) return start_unix_seconds_;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return start_unix_seconds_ + static_cast<std::int64_t>(elapsed * rate_);
}

void VirtualClock::Set(std::int64_t unix_seconds) {
  std::lock_guard lock(mutex_);
  start_unix_seconds_ = unix_seconds;
  started_ = std::chrono::steady_clock::now();
}

}  // namespace pipelined::model
