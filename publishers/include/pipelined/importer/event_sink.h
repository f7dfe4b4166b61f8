// Where the importer's events go to be decided: the daemon (DaemonSink) or,
// for a dry run, the daemon's own validation run locally (DryRunSink).
#pragma once

#include <string>
#include <vector>

#include "pipelined/v1/events.pb.h"

namespace pipelined::importer {

enum class RowStatus {
  kAccepted,   // the daemon stored it
  kDuplicate,  // the daemon had it already
  kRejected,   // refused, with the daemon's reason code
  kValid,      // a dry run found nothing to refuse
};

struct RowResult {
  RowStatus status = RowStatus::kRejected;
  std::string reason;  // the daemon's reason code (docs/protocol.md) when rejected
  std::string message;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Decides `events`, in order: appends one result per decided event to
  // *results. Fewer results than events means the rest could not be decided
  // (the daemon did not answer); *error then says why.
  virtual void Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string* error) = 0;
};

}  // namespace pipelined::importer
