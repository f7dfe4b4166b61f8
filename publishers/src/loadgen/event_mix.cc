#include "pipelined/loadgen/event_mix.h"

#include <cstdlib>
#include <sstream>

namespace pipelined::loadgen {

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kInvestment: return "investment";
    case EventKind::kStarted: return "started";
    case EventKind::kLaunched: return "launched";
    case EventKind::kOutput: return "output";
    case EventKind::kCompleted: return "completed";
  }
  return "unknown";
}

std::uint64_t EventMix::Total() const {
  std::uint64_t total = 0;
  for (std::uint32_t weight : weights) total += weight;
  return total;
}

EventKind EventMix::Pick(std::uint64_t draw) const {
  std::uint64_t point = draw % Total();
  for (std::size_t i = 0; i < kEventKinds; ++i) {
    if (point < weights[i]) return static_cast<EventKind>(i);
    point -= weights[i];
  }
  return EventKind::kInvestment;  // not reached
}

std::string EventMix::ToString() const {
  std::string text;
  for (std::size_t i = 0; i < kEventKinds; ++i) {
    if (weights[i] == 0) continue;
    if (!text.empty()) text += ",";
    text += std::string(EventKindName(static_cast<EventKind>(i))) + "=" + std::to_string(weights[i]);
  }
  return text;
}

std::optional<EventMix> ParseMix(const std::string& text, std::string* error) {
  EventMix mix;
  std::array<bool, kEventKinds> seen{};
  std::istringstream items(text);
  for (std::string item; std::getline(items, item, ',');) {
    const size_t equals = item.find('=');
    const std::string name = item.substr(0, equals);
    std::size_t kind = kEventKinds;
    for (std::size_t i = 0; i < kEventKinds; ++i) {
      if (name == EventKindName(static_cast<EventKind>(i))) kind = i;
    }
    if (kind == kEventKinds) {
      *error = "--mix: unknown event type \"" + name +
               "\" (expected investment, started, launched, output or completed, as in " + kDefaultMix + ")";
      return std::nullopt;
    }
    if (seen[kind]) {
      *error = "--mix: " + name + " is given twice";
      return std::nullopt;
    }
    seen[kind] = true;
    const std::string weight = equals == std::string::npos ? "" : item.substr(equals + 1);
    char* end = nullptr;
    const long value = std::strtol(weight.c_str(), &end, 10);
    if (weight.empty() || *end != '\0' || value < 0 || value > 1000000) {
      *error = "--mix: the weight of " + name + " must be an integer from 0 to 1000000, got \"" + weight + "\"";
      return std::nullopt;
    }
    mix.weights[kind] = static_cast<std::uint32_t>(value);
  }
  if (mix.Total() == 0) {
    *error = "--mix: give at least one event type a weight above 0, e.g. " + std::string(kDefaultMix);
    return std::nullopt;
  }
  return mix;
}

}  // namespace pipelined::loadgen
