// Where the model gets "now" from. Injected everywhere so that tests and the
// demo can run the daemon inside a plan period that is not today.
#pragma once

#include <chrono>
#include <cstdint>
#include <atomic>

namespace pipelined::model {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowUnixSeconds() const = 0;
  // True when the clock does not follow the system's wall time.
  virtual bool IsVirtual() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowUnixSeconds() const override;
  bool IsVirtual() const override { return false; }
};

// Starts at a chosen instant and then advances with real elapsed time,
// multiplied by `rate` (1 = real time, 0 = stands still). Safe for
// concurrent use, Set() included.
class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(std::int64_t start_unix_seconds, double rate = 1.0);
  std::int64_t NowUnixSeconds() const override;
  bool IsVirtual() const override { return true; }
  // Moves the clock to `unix_seconds`, from where it goes on at its rate.
  void Set(std::int64_t unix_seconds);

 private:
  static double SteadySeconds();
  const double rate_;
  // Now is origin_ + SteadySeconds() * rate_: one value, so that reading the
  // clock takes no lock and a Set() is never seen half done.
  std::atomic<double> origin_;
};

// Never moves unless told to; for tests. Not safe for concurrent Set().
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t unix_seconds) : now_(unix_seconds) {}
  std::int64_t NowUnixSeconds() const override { return now_; }
  bool IsVirtual() const override { return true; }
  void Set(std::int64_t unix_seconds) { now_ = unix_seconds; }

 private:
  std::int64_t now_;
};

}  // namespace pipelined::model
