// The proportions of event types a load run sends (--mix).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace pipelined::loadgen {

enum class EventKind { kInvestment, kStarted, kLaunched, kOutput, kCompleted };
inline constexpr std::size_t kEventKinds = 5;

// The names used in --mix and in the summary: investment, started, launched,
// output, completed.
const char* EventKindName(EventKind kind);

struct EventMix {
  // Weight of each kind, indexed by EventKind; not all 0.
  std::array<std::uint32_t, kEventKinds> weights{};

  std::uint32_t Weight(EventKind kind) const { return weights[static_cast<std::size_t>(kind)]; }
  std::uint64_t Total() const;
  // The kind for a draw: kinds take shares of [0, Total()) in proportion to
  // their weights. REQUIRES: Total() > 0.
  EventKind Pick(std::uint64_t draw) const;
  // "investment=90,started=4,..." (kinds of weight 0 left out).
  std::string ToString() const;
};

inline constexpr const char kDefaultMix[] = "investment=90,started=4,launched=4,output=2";

// Parses "kind=weight,kind=weight"; weights are integers from 0 to 1000000,
// kinds not named weigh 0, at least one weight must be above 0. nullopt (and
// *error) otherwise.
std::optional<EventMix> ParseMix(const std::string& text, std::string* error);

}  // namespace pipelined::loadgen
