// Helpers to build pipelined.v1 events from calendar dates in Asia/Shanghai.
#pragma once

#include <cstdint>
#include <string>

#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

// The fields every event has. `occurred_on` is a local date; the event's
// occurred_at is that date's local noon, which keeps the date unambiguous.
struct EventHeader {
  std::string event_id;
  std::string source;
  std::uint64_t sequence = 0;
  std::string project_code;
  model::Date occurred_on;
};

v1::Event ConstructionStartedEvent(const EventHeader& header);
v1::Event LineLaunchedEvent(const EventHeader& header, const std::string& line_id);
v1::Event InvestmentEvent(const EventHeader& header, model::Fen amount_fen, const model::YearMonth& period);
v1::Event CompletedEvent(const EventHeader& header);
// Output (revenue) for a period: of the header's project, or, with an empty
// project code, of `enterprise` in `cluster`.
v1::Event OutputEvent(const EventHeader& header, model::Fen revenue_fen, const model::YearMonth& period,
                      const std::string& cluster, const std::string& enterprise);
v1::Event RetractionEvent(const EventHeader& header, const std::string& retracted_event_id, const std::string& note);

std::int64_t UnixNowSeconds();
std::uint64_t UnixNowMicros();

}  // namespace pipelined::publisher
