// A milestone event as the model sees it: transport-neutral, decoded from
// whatever the publisher sent (protobuf today) at the ingest edge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
// The publisher set no payload.
struct MissingPayload {};
// A payload type this daemon does not know (sent by a newer publisher).
struct UnknownPayload {};

using Payload = std::variant<MissingPayload, UnknownPayload, ConstructionStarted,
                             ProductionLineLaunched, InvestmentRecorded, ProjectCompleted>;

// The stable event type names used in logs and metrics.
const char* PayloadTypeName(const Payload& payload);

struct Event {
  std::string event_id;
  std::string source;
  std::uint64_t sequence = 0;
  std::string project_code;
  std::optional<std::int64_t> occurred_at_unix;  // seconds; nullopt when absent
  std::optional<std::int64_t> reported_at_unix;
  Payload payload;
};

}  // namespace pipelined::model
