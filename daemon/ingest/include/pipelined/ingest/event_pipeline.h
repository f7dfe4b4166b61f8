// Decides what happens to each received event, makes the accepted ones
// durable in one commit per group of messages, then applies them to the
// model: ingest -> store -> model. Also rebuilds the model from the store on
// start (replay).
//
// Not thread-safe: owned by the ingest thread (and used before it starts for
// replay); only Commit() may run on another thread, as it says.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "pipelined/ingest/applier.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/scope.h"
#include "pipelined/snapshot/snapshot_file.h"
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

  // Rebuilds the (empty) programme at start: from `saved` and the events
  // stored after it when the snapshot fits this plan and this store, else
  // from every stored event, after a structural check of the whole store.
  // *restored tells which; *why_not says why the snapshot was not used.
  store::Status Recover(std::optional<snapshot::Snapshot> saved, bool* restored, std::string* why_not);

  // The programme's state as of the latest stored event, encoded for a
  // snapshot's file; null when the store is empty. Call it where Process()
  // runs (the ingest thread, between groups), so that state and store agree.
  store::Status TakeSnapshot(std::unique_ptr<snapshot::EncodedSnapshot>* snapshot);

  // One group of batches on its way through the three steps of Process().
  // Keeps its working memory from one group to the next, so that a busy
  // daemon does not allocate (and fault in) megabytes for every group.
  class Group {
   public:
    Group();
    ~Group();
    Group(const Group&) = delete;
    Group& operator=(const Group&) = delete;

   private:
    friend class EventPipeline;
    struct State;
    std::unique_ptr<State> state_;
  };

  // Handles the events of several decoded batches (from any publishers) as
  // one group: one commit for all accepted events, so that durability costs
  // one fsync per group instead of one per event. Fills one reply per batch,
  // in order; replies are to be sent only after this returns. Accepted events
  // are moved out of the batches (to the model).
  void Process(const std::vector<DecodedBatch*>& batches, std::vector<v1::BatchReply>* replies);

  // Process() in three steps, for a caller that commits one group on another
  // thread while it checks the next (IngestServer):
  //
  // Check() decides what happens to each event (plan, scope, duplicates in
  // the group) and prepares the accepted ones for the store. It calls
  // `before_store_read` before it first reads the store (to look up a
  // rejected event's id or a correction's target): that is where a caller
  // with another group's Commit() in flight waits for it (and finishes it),
  // because what that commit stores decides these answers.
  void Check(const std::vector<DecodedBatch*>& batches, Group* group, const std::function<void()>& before_store_read);
  // Makes the group's accepted events durable in one commit. Touches only
  // the store and atomic counters: it may run on another thread than
  // Check() and Finish(), one group at a time, and while it runs nothing
  // else may use the store (Check() of the next group waits through
  // before_store_read).
  void Commit(Group* group);
  // After Commit(), on the thread that runs Check(): hands the stored
  // events to the model (moving them out of the batches), counts every
  // outcome and fills one reply per batch.
  void Finish(Group* group, std::vector<v1::BatchReply>* replies);

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
  // to (on a reload); it must outlive its use here. Events accepted before
  // are applied to the previous one first.
  void SetProgramme(model::Programme& programme);

  // From now on, accepted events are applied by `applier` (on its thread)
  // instead of before Process() returns; null: here again. The applier must
  // outlive its use here.
  void SetApplier(Applier* applier) { applier_ = applier; }

 private:
  struct Pending;
  // Looks up a stored or pending event by id (the stored version wins);
  // false on a store error. Sets *from_group when it came from `pending`.
  bool FindEvent(const std::string& event_id, const std::vector<Pending>& pending, model::Event* event,
                 bool* found, bool* from_group);
  // Applies one stored event (replay); counts it in *replayed, *orphaned.
  store::Status ApplyStored(const store::EventRecord& record, v1::Event* scratch, std::uint64_t* replayed,
                            std::uint64_t* orphaned);
  // True when an event with this id is stored (false also on a store error).
  bool IsStored(const std::string& event_id);

  model::Programme* programme_;
  Applier* applier_ = nullptr;
  store::EventStore& store_;
  model::IngestCounters& counters_;
  RejectionLog& rejection_log_;
  std::map<std::string, model::PublisherScope> scopes_;
  bool authenticated_ = false;
  Group group_;  // Process()'s
};

}  // namespace pipelined::ingest
