#include "pipelined/publisher/event_builder.h"

#include <chrono>

namespace pipelined::publisher {
namespace {

v1::Event WithHeader(const EventHeader& header) {
  v1::Event event;
  event.set_event_id(header.event_id);
  event.set_source(header.source);
  event.set_sequence(header.sequence);
  event.set_project_code(header.project_code);
  event.mutable_occurred_at()->set_seconds(header.occurred_on.StartUnixSecondsShanghai() + 12 * 3600);
  event.mutable_reported_at()->set_seconds(UnixNowSeconds());
  return event;
}

}  // namespace

std::int64_t UnixNowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t UnixNowMicros() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

v1::Event ConstructionStartedEvent(const EventHeader& header) {
  v1::Event event = WithHeader(header);
  event.mutable_construction_started();
  return event;
}

v1::Event LineLaunchedEvent(const EventHeader& header, const std::string& line_id) {
  v1::Event event = WithHeader(header);
  event.mutable_production_line_launched()->set_line_id(line_id);
  return event;
}

v1::Event InvestmentEvent(const EventHeader& header, model::Fen amount_fen, const model::YearMonth& period) {
  v1::Event event = WithHeader(header);
  event.mutable_investment_recorded()->set_amount_fen(amount_fen);
  event.mutable_investment_recorded()->set_period(period.ToString());
  return event;
}

v1::Event OutputEvent(const EventHeader& header, model::Fen revenue_fen, const model::YearMonth& period,
                      const std::string& cluster, const std::string& enterprise) {
  v1::Event event = WithHeader(header);
  v1::OutputReported* output = event.mutable_output_reported();
  output->set_revenue_fen(revenue_fen);
  output->set_period(period.ToString());
  output->set_cluster(cluster);
  output->set_enterprise(enterprise);
  return event;
}

v1::Event RetractionEvent(const EventHeader& header, const std::string& retracted_event_id, const std::string& note) {
  v1::Event event = WithHeader(header);
  event.mutable_event_retracted()->set_event_id(retracted_event_id);
  event.mutable_event_retracted()->set_note(note);
  return event;
}

v1::Event CompletedEvent(const EventHeader& header) {
  v1::Event event = WithHeader(header);
  event.mutable_project_completed();
  return event;
}

}  // namespace pipelined::publisher
