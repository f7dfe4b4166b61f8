// Sends events to a running daemon and reads its verdicts.
#pragma once

#include <cstddef>
#include <limits>

#include "pipelined/importer/event_sink.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::importer {

class DaemonSink final : public EventSink {
 public:
  // `publisher` must outlive the sink. A batch without a reply within the
  // publisher's timeout is sent again, `retries` times: the ids are the same,
  // so the daemon takes every event at most once.
  DaemonSink(publisher::Publisher& publisher, int retries) : publisher_(publisher), retries_(retries) {}

  // Sends `events` as one batch. A daemon configured for smaller batches
  // (batch_too_large) gets halves, and the halved size from then on. Another
  // refusal of the whole batch rejects each of its events with that reason.
  void Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string* error) override;

 private:
  publisher::Publisher& publisher_;
  int retries_;
  size_t max_batch_events_ = std::numeric_limits<size_t>::max();
};

}  // namespace pipelined::importer
