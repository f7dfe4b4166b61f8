#include "pipelined/importer/dry_run_sink.h"

#include "pipelined/ingest/batch_codec.h"

namespace pipelined::importer {

void DryRunSink::Decide(const std::vector<v1::Event>& events, std::vector<RowResult>* results, std::string*) {
  for (const v1::Event& wire : events) {
    // The daemon's order: the translation from protobuf, the validator, then
    // the publisher's scope (daemon/ingest/src/event_pipeline.cc).
    const model::Event event = ingest::FromProto(wire);
    if (std::optional<model::Rejection> rejection = programme_.Check(event)) {
      results->push_back({RowStatus::kRejected, rejection->reason, rejection->message});
    } else if (scope_ != nullptr && !scope_->Allows(programme_.plan().FindProject(event.project_code), event)) {
      results->push_back({RowStatus::kRejected, model::reason::kOutOfScope,
                          "publisher " + publisher_name_ + " may write " + scope_->Describe() + "; not " +
                              model::PayloadTypeName(event.payload) + " for project " + event.project_code});
    } else {
      results->push_back({RowStatus::kValid, "", ""});
    }
  }
}

}  // namespace pipelined::importer
