// Decides what happens to each received event, makes the accepted ones
// durable in one commit per group of messages, then applies them to the
// model: ingest -> store -> model. Also rebuilds the model from the store on
// start (replay).
//
// Not thread-safe: owned by the ingest thread (and used before it starts for
// replay).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipelined/ingest/batch_codec.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/scope.h"
#include "pipelined/store/event_store.h"

namespace pipelined::ingest {

class EventPipeline {
 public:
  // References must outlive the pipeline.
  EventPipeline(model::Programme& programme, store::EventStore& store, model::IngestCounters& counters,
                RejectionLog& rejection_log);
  ~EventPipeline();

  // Applies every stored event to the (empty) programme, in the order they
  // were accepted. Fails with Corruption when a stored event is damaged.
  store::Status Replay();

  // Handles the events of several decoded batches (from any publishers) as
  // one group: one commit for all accepted events, so that durability costs
  // one fsync per group instead of one per event. Fills one reply per batch,
  // in order; replies are to be sent only after this returns.
  void Process(const std::vector<const DecodedBatch*>& batches, std::vector<v1::BatchReply>* replies);

  // Limits what authenticated publishers may write (by publisher name).
  // Publishers without an entry, and plain-mode batches, are unrestricted.
  void SetScopes(std::map<std::string, model::PublisherScope> scopes) { scopes_ = std::move(scopes); }
  // CURVE mode: `scopes` names every publisher allowed (an empty scope: no
  // restriction); events from any other publisher name are rejected
  // (publisher_not_allowed). A reload calls this on the ingest thread.
  void SetAllowedPublishers(std::map<std::string, model::PublisherScope> scopes) {
    scopes_ = std::move(scopes);
    authenticated_ = true;
  }

  // Makes `programme` the one that events are checked against and applied
  // to (on a reload); it must outlive its use here.
  void SetProgramme(model::Programme& programme) { programme_ = &programme; }

 private:
  struct Pending;
  // Per-group working memory, kept between groups so that a busy daemon
  // does not allocate (and fault in) megabytes for every group.
  struct Scratch;
  // Looks up a stored or pending event by id (the stored version wins);
  // false on a store error. Sets *from_group when it came from `pending`.
  bool FindEvent(const std::string& event_id, const std::vector<Pending>& pending, model::Event* event,
                 bool* found, bool* from_group);
  // True when an event with this id is stored (false also on a store error).
  bool IsStored(const std::string& event_id);

  model::Programme* programme_;
  store::EventStore& store_;
  model::IngestCounters& counters_;
  RejectionLog& rejection_log_;
  std::map<std::string, model::PublisherScope> scopes_;
  bool authenticated_ = false;
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace pipelined::ingest
