// A milestone event as the model sees it: transport-neutral, decoded from
// whatever the publisher sent (protobuf today) at the ingest edge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "pipelined/model/money.h"

namespace pipelined::model {

struct ConstructionStarted {};
struct ProductionLineLaunched {
  std::string line_id;
};
struct InvestmentRecorded {
  Fen amount_fen = 0;
  std::string period;  // "YYYY-MM", validated before it is applied
};
struct ProjectCompleted {};
// Revenue for a period, for a project or for an enterprise of a cluster.
struct OutputReported {
  Fen revenue_fen = 0;
  std::string period;  // "YYYY-MM", validated before it is applied
  std::string cluster;  // required when the event names no project
  std::string enterprise;
};
// Withdraws an earlier event: its effect is removed from the figures.
struct EventRetracted {
  std::string event_id;
};
// The publisher set no payload.
struct MissingPayload {};
// A payload type this daemon does not know (sent by a newer publisher).
struct UnknownPayload {};

using Payload = std::variant<MissingPayload, UnknownPayload, ConstructionStarted, ProductionLineLaunched,
                             InvestmentRecorded, ProjectCompleted, EventRetracted, OutputReported>;

// The stable event type names used in logs and metrics.
const char* PayloadTypeName(const Payload& payload);
// The static string PayloadTypeName() returns for `name`; "unknown" for a
// name it never returns. Lets a restored AppliedEvent point at it again.
const char* InternPayloadTypeName(std::string_view name);

struct Event {
  std::string event_id;
  std::string source;
  std::uint64_t sequence = 0;
  std::string project_code;
  std::optional<std::int64_t> occurred_at_unix;  // seconds; nullopt when absent
  std::optional<std::int64_t> reported_at_unix;
  // When set, this event is a correction: it replaces the event with this id.
  std::string supersedes_event_id;
  Payload payload;

  // The earlier event this one supersedes or retracts; empty when none.
  const std::string& TargetEventId() const;
  bool IsRetraction() const { return std::holds_alternative<EventRetracted>(payload); }
};

}  // namespace pipelined::model
