// SplitMix64: a small, fast, well-mixed generator whose output depends only on
// its seed, on every platform (unlike the std:: distributions). For generated
// data that must be the same for the same seed: the synthetic plan, the demo
// history, the load generator's events. Not for anything secret.
#pragma once

#include <cstdint>

namespace pipelined::config {

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) / static_cast<double>(1ULL << 53); }
  // Uniform in [low, high]. REQUIRES: low <= high.
  std::int64_t Between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(Next() % (static_cast<std::uint64_t>(high - low) + 1));
  }

 private:
  std::uint64_t state_;
};

}  // namespace pipelined::config
