// A dry run's verdicts: the daemon's own checks, run here against the plan
// and the clock, so that a dry run reports the reasons the daemon would.
// What only the daemon's store knows (duplicates of earlier imports, the
// targets of corrections and retractions) is not checked.
#pragma once

#include <string>

#include "pipelined/importer/event_sink.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/scope.h"

namespace pipelined::importer {

class DryRunSink final : public EventSink {
 public:
  // `programme` (and `scope`, when given) must outlive the sink. `scope` is
  // what the daemon allows the publisher `publisher_name` (CURVE); nullptr
  // when it does not restrict.
  explicit DryRunSink(const model::Programme& programme, const model::PublisherScope* scope = nullptr,
                      std::string publisher_name = "")
      : programme_(programme), scope_(scope), publisher_name_(std::move(publisher_name)) {}

  // Every event gets kValid or kRejected with the daemon's reason.
  void Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string* error) override;

 private:
  const model::Programme& programme_;
  const model::PublisherScope* scope_;
  std::string publisher_name_;
};

}  // namespace pipelined::importer
