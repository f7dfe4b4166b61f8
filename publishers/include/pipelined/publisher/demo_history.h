// A plausible, deterministic history of a plan's projects, for the demo:
// most projects on track, some late to start, some stalled, some slow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/plan.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

enum class DemoBehaviour { kOnTrack, kLateStart, kStalled, kSlow };
const char* DemoBehaviourName(DemoBehaviour behaviour);

// The behaviour the demo gives a project; depends only on code and seed.
DemoBehaviour BehaviourFor(const std::string& project_code, std::uint64_t seed);

struct ScheduledEvent {
  model::Date publish_on;  // the simulated day the event is sent
  v1::Event event;         // source, sequence and reported_at are set when sent
};

// Every event of the history up to and including `until`, ordered by
// publish_on. Event ids are derived from project, kind and period, so a
// replay of the same history is recognised as duplicates.
std::vector<ScheduledEvent> BuildDemoHistory(const model::Plan& plan, const model::Date& until, std::uint64_t seed);

}  // namespace pipelined::publisher
