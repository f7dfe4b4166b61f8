// Translation between the wire format (pipelined.v1 protobuf) and the model's
// transport-neutral events and outcomes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "pipelined/model/event.h"
#include "pipelined/model/programme.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::ingest {

inline constexpr const char kMalformedBatch[] = "malformed_batch";
inline constexpr const char kBatchTooLarge[] = "batch_too_large";

struct DecodedBatch {
  bool ok = false;
  std::string batch_id;
  std::vector<model::Event> events;
  // Each event's bytes as received (unknown fields kept), for the store:
  // views of `bytes`, which stay valid when the batch is moved.
  std::vector<std::string_view> bodies;
  std::vector<char> bytes;  // the message, or the re-encoded events when it does not scan
  std::string error;  // why the message is not an EventBatch, when !ok
  std::string publisher;  // the CURVE-authenticated publisher's name; empty in plain mode
};

// Copies what it keeps of `data`: the batch does not refer to it.
DecodedBatch DecodeBatch(const void* data, size_t size);

model::Event FromProto(const v1::Event& event);
// Decodes one stored event body; false when it is not a valid v1.Event.
bool DecodeEvent(const std::string& body, model::Event* event);
// The same, parsing into `scratch`: a message reused from one call to the
// next keeps its allocations, which matters when replay decodes millions.
bool DecodeEvent(const std::string& body, v1::Event* scratch, model::Event* event);
// Writes an event's outcome into its place in a reply.
void FillResult(const std::string& event_id, const model::Outcome& outcome, v1::EventResult* result);

// A reply for a message that is not an EventBatch.
v1::BatchReply MalformedReply(const std::string& error);
// A reply refusing a whole batch with `reason`.
v1::BatchReply BatchErrorReply(const char* reason, const std::string& message, const std::string& batch_id);

}  // namespace pipelined::ingest
