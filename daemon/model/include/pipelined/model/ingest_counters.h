// Counts of what reached the daemon as a whole message, before any event in
// it is looked at. Transport-neutral: ingest increments, exporters read.
#pragma once

#include <atomic>
#include <cstdint>

namespace pipelined::model {

struct IngestCounters {
  std::atomic<std::uint64_t> batches_decoded{0};     // valid EventBatch messages
  std::atomic<std::uint64_t> messages_malformed{0};  // not an EventBatch
  std::atomic<std::uint64_t> replies_undeliverable{0};  // the publisher was gone
  std::atomic<std::uint64_t> rejection_logs_suppressed{0};
};

}  // namespace pipelined::model
