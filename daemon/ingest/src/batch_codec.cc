#include "pipelined/ingest/batch_codec.h"

#include <algorithm>
#include <utility>

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace pipelined::ingest {

model::Event FromProto(const v1::Event& event) {
  model::Event out;
  out.event_id = event.event_id();
  out.source = event.source();
  out.sequence = event.sequence();
  out.project_code = event.project_code();
  if (event.has_occurred_at()) out.occurred_at_unix = event.occurred_at().seconds();
  if (event.has_reported_at()) out.reported_at_unix = event.reported_at().seconds();
  out.supersedes_event_id = event.supersedes_event_id();
  switch (event.payload_case()) {
    case v1::Event::kConstructionStarted:
      out.payload = model::ConstructionStarted{};
      break;
    case v1::Event::kProductionLineLaunched:
      out.payload = model::ProductionLineLaunched{event.production_line_launched().line_id()};
      break;
    case v1::Event::kInvestmentRecorded:
      out.payload = model::InvestmentRecorded{event.investment_recorded().amount_fen(),
                                              event.investment_recorded().period()};
      break;
    case v1::Event::kProjectCompleted:
      out.payload = model::ProjectCompleted{};
      break;
    case v1::Event::kEventRetracted:
      out.payload = model::EventRetracted{event.event_retracted().event_id()};
      break;
    case v1::Event::kOutputReported: {
      const v1::OutputReported& output = event.output_reported();
      out.payload = model::OutputReported{output.revenue_fen(), output.period(), output.cluster(), output.enterprise()};
      break;
    }
    case v1::Event::PAYLOAD_NOT_SET:
      // A payload field this build does not know arrives as an unknown field;
      // tell that apart from a publisher that set nothing.
      if (event.GetReflection()->GetUnknownFields(event).empty()) {
        out.payload = model::MissingPayload{};
      } else {
        out.payload = model::UnknownPayload{};
      }
      break;
  }
  return out;
}

namespace {

// The offset and length of each `events` element as it is in the message, in
// order. Storing these bytes instead of re-serializing every decoded event
// saves most of the cost of encoding, and keeps exactly what the publisher
// sent. False if the message does not scan (it then parsed by luck: never
// expected).
bool EventSlices(const void* data, size_t size, std::vector<std::pair<size_t, size_t>>* slices) {
  using google::protobuf::internal::WireFormatLite;
  constexpr std::uint32_t kEventsTag =
      WireFormatLite::MakeTag(v1::EventBatch::kEventsFieldNumber, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  google::protobuf::io::CodedInputStream input(bytes, static_cast<int>(size));
  while (std::uint32_t tag = input.ReadTag()) {
    if (tag != kEventsTag) {
      if (!WireFormatLite::SkipField(&input, tag)) return false;
      continue;
    }
    std::uint32_t length = 0;
    if (!input.ReadVarint32(&length)) return false;
    const int offset = input.CurrentPosition();
    if (!input.Skip(static_cast<int>(length))) return false;
    slices->emplace_back(static_cast<size_t>(offset), length);
  }
  return input.ConsumedEntireMessage();
}

// Parsing on an arena puts a batch's thousands of small messages in a few
// blocks, allocated and freed at once, instead of one malloc and free each.
// The ingest thread decodes batch after batch: its first block is kept.
google::protobuf::ArenaOptions ParseArenaOptions(size_t message_size) {
  constexpr size_t kMaxKeptBlock = 4 << 20;
  thread_local std::vector<char> first_block;
  // A parsed event takes about three times its encoded size.
  const size_t wanted = std::min(kMaxKeptBlock, 4 * message_size + 4096);
  if (first_block.size() < wanted) first_block.resize(wanted);
  google::protobuf::ArenaOptions options;
  options.initial_block = first_block.data();
  options.initial_block_size = first_block.size();
  options.start_block_size = 64 << 10;
  options.max_block_size = 1 << 20;
  return options;
}

}  // namespace

DecodedBatch DecodeBatch(const void* data, size_t size) {
  DecodedBatch decoded;
  google::protobuf::Arena arena(ParseArenaOptions(size));
  auto* batch = google::protobuf::Arena::CreateMessage<v1::EventBatch>(&arena);
  if (size > static_cast<size_t>(INT32_MAX) || !batch->ParseFromArray(data, static_cast<int>(size))) {
    decoded.error = "the message (" + std::to_string(size) +
                    " bytes) is not a serialized pipelined.v1.EventBatch: send one EventBatch per message frame";
    return decoded;
  }
  decoded.ok = true;
  decoded.batch_id = batch->batch_id();
  decoded.events.reserve(batch->events_size());
  decoded.bodies.reserve(batch->events_size());
  for (const v1::Event& event : batch->events()) decoded.events.push_back(FromProto(event));
  std::vector<std::pair<size_t, size_t>> slices;
  slices.reserve(batch->events_size());
  if (EventSlices(data, size, &slices) && slices.size() == decoded.events.size()) {
    const char* bytes = static_cast<const char*>(data);
    decoded.bytes.assign(bytes, bytes + size);
  } else {
    slices.clear();
    for (const v1::Event& event : batch->events()) {
      const std::string body = event.SerializeAsString();
      slices.emplace_back(decoded.bytes.size(), body.size());
      decoded.bytes.insert(decoded.bytes.end(), body.begin(), body.end());
    }
  }
  for (const auto& [offset, length] : slices) decoded.bodies.emplace_back(decoded.bytes.data() + offset, length);
  return decoded;
}

bool DecodeEvent(const std::string& body, model::Event* event) {
  v1::Event decoded;
  return DecodeEvent(body, &decoded, event);
}

bool DecodeEvent(const std::string& body, v1::Event* scratch, model::Event* event) {
  if (!scratch->ParseFromString(body)) return false;
  *event = FromProto(*scratch);
  return true;
}

void FillResult(const std::string& event_id, const model::Outcome& outcome, v1::EventResult* result) {
  result->set_event_id(event_id);
  switch (outcome.status) {
    case model::EventStatus::kAccepted: result->set_status(v1::ACCEPTED); break;
    case model::EventStatus::kDuplicate: result->set_status(v1::DUPLICATE); break;
    case model::EventStatus::kRejected: result->set_status(v1::REJECTED); break;
  }
  // Accepted events, the bulk of the traffic, carry neither.
  if (!outcome.reason.empty()) result->set_reason(outcome.reason);
  if (!outcome.message.empty()) result->set_message(outcome.message);
}

v1::BatchReply MalformedReply(const std::string& error) { return BatchErrorReply(kMalformedBatch, error, ""); }

v1::BatchReply BatchErrorReply(const char* reason, const std::string& message, const std::string& batch_id) {
  v1::BatchReply reply;
  reply.set_batch_id(batch_id);
  reply.mutable_error()->set_reason(reason);
  reply.mutable_error()->set_message(message);
  return reply;
}

}  // namespace pipelined::ingest
