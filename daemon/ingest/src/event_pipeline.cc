#include "pipelined/ingest/event_pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>
#include <unordered_map>

namespace pipelined::ingest {

namespace reason = model::reason;
using model::EventStatus;
using model::Outcome;

struct EventPipeline::Pending {
  const model::Event* event = nullptr;  // in the batch, which outlives Process()
  bool replaces = false;
  model::Event replaced;
  size_t batch = 0;
  size_t index = 0;
};

struct EventPipeline::Group::State {
  std::vector<DecodedBatch*> batches;
  std::int64_t received_at = 0;
  std::vector<std::vector<Outcome>> outcomes;
  std::vector<Pending> pending;
  // Ids accepted within this group, and the targets they replace (views of
  // the batches' strings).
  std::unordered_map<std::string_view, size_t> pending_ids;
  std::unordered_map<std::string_view, size_t> pending_targets;
  // Outcomes that rest on events of this group: if its commit fails they
  // must not stand (a DUPLICATE of an event that was never stored would let
  // a publisher drop it).
  std::vector<std::pair<size_t, size_t>> rests_on_group;
  std::vector<store::NewRecord> records;
  // What Commit() did.
  std::vector<bool> inserted;
  store::Status commit_status;

  void Clear(const std::vector<DecodedBatch*>& new_batches) {
    batches = new_batches;
    outcomes.resize(batches.size());
    pending.clear();
    pending_ids.clear();
    pending_targets.clear();
    rests_on_group.clear();
    records.clear();
    inserted.clear();
    commit_status = store::Status::Ok();
  }
};

EventPipeline::Group::Group() : state_(std::make_unique<State>()) {}
EventPipeline::Group::~Group() = default;

namespace {

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Outcome Duplicate(const std::string& event_id) {
  return {EventStatus::kDuplicate, "", "event_id " + event_id + " was accepted before; nothing changed"};
}

Outcome StoreUnavailable(const std::string& why) {
  return {EventStatus::kRejected, reason::kStoreUnavailable,
          "the event could not be stored (" + why + "); nothing changed: send it again later"};
}

}  // namespace

EventPipeline::EventPipeline(model::Programme& programme, store::EventStore& store, model::IngestCounters& counters,
                             RejectionLog& rejection_log)
    : programme_(&programme),
      store_(store),
      counters_(counters),
      rejection_log_(rejection_log) {}

EventPipeline::~EventPipeline() = default;

store::Status EventPipeline::ApplyStored(const store::EventRecord& record, v1::Event* scratch,
                                         std::uint64_t* replayed, std::uint64_t* orphaned) {
  model::Event event;
  if (!DecodeEvent(record.body, scratch, &event)) {
    return store::Status::Corruption("stored event #" + std::to_string(record.position) + " (" + record.event_id +
                                     ") does not decode");
  }
  model::Event replaced;
  bool replaces = false;
  if (!record.target_event_id.empty()) {
    std::optional<store::EventRecord> target;
    store::Status status = store_.Find(record.target_event_id, &target);
    if (!status.ok()) return status;
    replaces = target && DecodeEvent(target->body, &replaced);
  }
  if (!programme_->Apply(event, replaces ? &replaced : nullptr, model::Programme::Arrival::kReplay)) ++*orphaned;
  programme_->ObserveSequence(record.source, record.sequence);
  ++*replayed;
  return store::Status::Ok();
}

store::Status EventPipeline::Replay() {
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t replayed = 0, orphaned = 0;
  store::Status failure;
  v1::Event scratch;  // reused for every event
  store::Status status = store_.Replay([&](const store::EventRecord& record) {
    if (failure.ok()) failure = ApplyStored(record, &scratch, &replayed, &orphaned);
  });
  if (status.ok()) status = failure;
  const auto elapsed = std::chrono::steady_clock::now() - started;
  counters_.replayed_events = replayed;
  counters_.orphaned_events = orphaned;
  counters_.restored_events = 0;
  counters_.stored_events = store_.Count();
  counters_.replay_nanoseconds =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  return status;
}

store::Status EventPipeline::Recover(std::optional<snapshot::Snapshot> saved, bool* restored, std::string* why_not) {
  *restored = false;
  why_not->clear();
  if (!saved) {
    *why_not = "no snapshot";
  } else if (saved->state_fingerprint != programme_->StateFingerprint()) {
    *why_not = "the snapshot was saved with other projects, lines, clusters or shard";
  } else {
    std::optional<store::EventRecord> last;
    std::uint64_t after = 0;
    store::Status status = store_.FindAt(saved->through_position, &last);
    if (status.ok()) status = store_.CountAfter(saved->through_position, &after);
    // Damage is for the caller to report; a store that merely differs from
    // the one the snapshot was taken of (replaced, restored from an older
    // backup, or repaired with events lost) is replayed whole: the snapshot
    // would count events the store no longer has, twice once resent.
    if (status.code() == store::Status::Code::kCorruption) return status;
    if (!status.ok()) {
      *why_not = "its last event could not be read: " + status.ToString();
    } else if (!last || last->event_id != saved->through_event_id) {
      *why_not = "the store does not hold the snapshot's last event #" + std::to_string(saved->through_position) +
                 " (" + saved->through_event_id + "): the store was replaced or restored";
    } else if (store_.Count() - after != saved->stored_events) {
      *why_not = "the store holds " + std::to_string(store_.Count() - after) + " events up to the snapshot's last, " +
                 "the snapshot " + std::to_string(saved->stored_events) + ": the store was repaired or edited";
    } else {
      const auto started = std::chrono::steady_clock::now();
      programme_->RestoreState(std::move(saved->state));
      std::uint64_t replayed = 0, orphaned = saved->orphaned_events;
      store::Status failure;
      v1::Event scratch;
      status = store_.ReplayAfter(saved->through_position, [&](const store::EventRecord& record) {
        if (failure.ok()) failure = ApplyStored(record, &scratch, &replayed, &orphaned);
      });
      if (status.ok()) status = failure;
      const auto elapsed = std::chrono::steady_clock::now() - started;
      counters_.restored_events = saved->stored_events;
      counters_.replayed_events = replayed;
      counters_.orphaned_events = orphaned;
      counters_.stored_events = store_.Count();
      counters_.replay_nanoseconds =
          static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
      *restored = status.ok();
      return status;
    }
  }
  // A full replay reads every page anyway: check their structure first, so
  // that damage is reported as such rather than as a row that will not read.
  store::Status status = store_.CheckIntegrity();
  if (!status.ok()) return status;
  return Replay();
}

void EventPipeline::SetProgramme(model::Programme& programme) {
  if (applier_ != nullptr) applier_->WaitApplied();
  programme_ = &programme;
}

store::Status EventPipeline::TakeSnapshot(std::unique_ptr<snapshot::EncodedSnapshot>* out) {
  out->reset();
  // The snapshot is of every stored event: those still queued first.
  if (applier_ != nullptr) applier_->WaitApplied();
  std::optional<store::EventRecord> last;
  store::Status status = store_.Last(&last);
  if (!status.ok() || !last) return status;
  snapshot::SnapshotInfo info;
  info.state_fingerprint = programme_->StateFingerprint();
  info.through_position = last->position;
  info.through_event_id = last->event_id;
  info.stored_events = store_.Count();
  info.orphaned_events = counters_.orphaned_events.load();
  info.saved_at_unix = UnixNow();
  *out = std::make_unique<snapshot::EncodedSnapshot>(info, *programme_);
  return store::Status::Ok();
}

bool EventPipeline::FindEvent(const std::string& event_id, const std::vector<Pending>& pending, model::Event* event,
                              bool* found, bool* from_group) {
  // The store first: a pending event with a stored id is a resend that will
  // not be inserted, and the stored version is the one that counts.
  std::optional<store::EventRecord> record;
  if (!store_.Find(event_id, &record).ok()) return false;
  if (record) {
    *found = true;
    return DecodeEvent(record->body, event);
  }
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    if (it->event->event_id == event_id) {
      *event = *it->event;
      *found = true;
      *from_group = true;
      return true;
    }
  }
  *found = false;
  return true;
}

bool EventPipeline::IsStored(const std::string& event_id) {
  std::optional<store::EventRecord> record;
  return store_.Find(event_id, &record).ok() && record.has_value();
}

void EventPipeline::Process(const std::vector<DecodedBatch*>& batches, std::vector<v1::BatchReply>* replies) {
  Check(batches, &group_, [] {});
  Commit(&group_);
  Finish(&group_, replies);
}

void EventPipeline::Check(const std::vector<DecodedBatch*>& batches, Group* group,
                          const std::function<void()>& before_store_read) {
  Group::State& state = *group->state_;
  state.Clear(batches);
  std::vector<std::vector<Outcome>>& outcomes = state.outcomes;
  std::vector<Pending>& pending = state.pending;
  auto& pending_ids = state.pending_ids;
  auto& pending_targets = state.pending_targets;
  auto& rests_on_group = state.rests_on_group;
  size_t events = 0;
  for (const DecodedBatch* batch : batches) events += batch->events.size();
  pending.reserve(events);
  pending_ids.reserve(events);
  state.received_at = UnixNow();
  bool store_settled = false;
  auto settle_store = [&] {
    if (!store_settled) before_store_read();
    store_settled = true;
  };

  for (size_t b = 0; b < batches.size(); ++b) {
    const DecodedBatch& batch = *batches[b];
    outcomes[b].assign(batch.events.size(), Outcome{});
    auto scope = scopes_.find(batch.publisher);
    const model::PublisherScope* limits = scope == scopes_.end() ? nullptr : &scope->second;
    // A publisher removed by a reload may still hold a connection that was
    // admitted before: its key no longer counts.
    const bool revoked = authenticated_ && scope == scopes_.end();
    for (size_t i = 0; i < batch.events.size(); ++i) {
      const model::Event& event = batch.events[i];
      Outcome& outcome = outcomes[b][i];
      if (revoked) {
        outcome = {EventStatus::kRejected, reason::kPublisherNotAllowed,
                   "publisher " + batch.publisher +
                       " is no longer in ingest.curve.publishers (removed by a reload); ask the operator to restore "
                       "its key"};
        continue;
      }
      if (pending_ids.count(event.event_id) != 0) {
        outcome = Duplicate(event.event_id);
        rests_on_group.emplace_back(b, i);
        continue;
      }
      if (auto rejection = programme_->Check(event)) {
        // An event accepted earlier stays a DUPLICATE even if it would no
        // longer pass (its project left the plan, the clock moved back):
        // the publisher must not file it as rejected.
        settle_store();
        outcome = IsStored(event.event_id)
                      ? Duplicate(event.event_id)
                      : Outcome{EventStatus::kRejected, std::move(rejection->reason), std::move(rejection->message)};
        continue;
      }
      if (limits != nullptr && !limits->Allows(programme_->plan().FindProject(event.project_code), event)) {
        outcome = {EventStatus::kRejected, reason::kOutOfScope,
                   "publisher " + batch.publisher + " may write " + limits->Describe() + "; not " +
                       model::PayloadTypeName(event.payload) + " for project " + event.project_code};
        continue;
      }
      Pending accepted;
      const std::string& target_id = event.TargetEventId();
      if (!target_id.empty()) {
        // A resent correction must come back DUPLICATE, not "already
        // superseded" (by itself): look its own id up first. Plain events
        // learn that they are duplicates from the insert.
        settle_store();
        std::optional<store::EventRecord> stored;
        if (store::Status status = store_.Find(event.event_id, &stored); !status.ok()) {
          outcome = StoreUnavailable(status.ToString());
          continue;
        }
        if (stored) {
          outcome = Duplicate(event.event_id);
          continue;
        }
        model::TargetState target;
        model::Event target_event, replacing_event;
        bool target_found = false, replacing_found = false, from_group = false;
        if (!FindEvent(target_id, pending, &target_event, &target_found, &from_group)) {
          outcome = StoreUnavailable("lookup of " + target_id + " failed");
          continue;
        }
        if (target_found) target.event = &target_event;
        if (auto it = pending_targets.find(target_id); it != pending_targets.end()) {
          replacing_event = *pending[it->second].event;
          replacing_found = true;
          from_group = true;
        } else {
          std::optional<std::string> replacing_id;
          if (!store_.FindTargeting(target_id, &replacing_id).ok() ||
              (replacing_id && !FindEvent(*replacing_id, pending, &replacing_event, &replacing_found, &from_group))) {
            outcome = StoreUnavailable("lookup of corrections to " + target_id + " failed");
            continue;
          }
        }
        if (replacing_found) target.replaced_by = &replacing_event;
        if (auto verdict = model::CheckTarget(event, target)) {
          outcome = std::move(*verdict);
          if (from_group) rests_on_group.emplace_back(b, i);
          continue;
        }
        accepted.replaces = true;
        accepted.replaced = target_event;
      }
      outcome = {EventStatus::kAccepted, "", ""};
      accepted.event = &event;
      state.records.push_back(store::NewRecord{event.event_id, event.source, event.sequence, event.project_code,
                                               target_id, state.received_at, batch.bodies[i]});
      accepted.batch = b;
      accepted.index = i;
      pending_ids.emplace(event.event_id, pending.size());
      if (!target_id.empty()) pending_targets[target_id] = pending.size();
      pending.push_back(std::move(accepted));
    }
  }
}

void EventPipeline::Commit(Group* group) {
  Group::State& state = *group->state_;
  if (state.pending.empty()) return;
  const auto started = std::chrono::steady_clock::now();
  state.commit_status = store_.AppendViews(state.records, &state.inserted);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (state.commit_status.ok()) {
    counters_.store_commit_nanoseconds.fetch_add(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count()));
    counters_.store_commits.fetch_add(1);
    counters_.stored_events = store_.Count();
  } else {
    counters_.store_commit_errors.fetch_add(1);
    spdlog::error("cannot store {} events: {}", state.pending.size(), state.commit_status.ToString());
  }
}

void EventPipeline::Finish(Group* group, std::vector<v1::BatchReply>* replies) {
  Group::State& state = *group->state_;
  const std::vector<DecodedBatch*>& batches = state.batches;
  std::vector<std::vector<Outcome>>& outcomes = state.outcomes;
  std::vector<Pending>& pending = state.pending;
  replies->assign(batches.size(), v1::BatchReply{});
  if (!pending.empty()) {
    if (state.commit_status.ok()) {
      // Only now, with the events durable, may they count and be acknowledged.
      for (size_t k = 0; k < pending.size(); ++k) {
        if (!state.inserted[k]) {
          outcomes[pending[k].batch][pending[k].index] = Duplicate(pending[k].event->event_id);
        } else {
          counters_.store_committed_events.fetch_add(1);
        }
      }
    } else {
      const std::string why = state.commit_status.ToString();
      for (const Pending& p : pending) outcomes[p.batch][p.index] = StoreUnavailable(why);
      for (const auto& [b, i] : state.rests_on_group) outcomes[b][i] = StoreUnavailable(why);
    }
  }

  // Consecutive events of a batch mostly share source and outcome: count
  // them as one run rather than taking the programme's lock per event.
  const std::string* run_source = nullptr;
  const Outcome* run_outcome = nullptr;
  std::uint64_t run_length = 0;
  auto flush_run = [&] {
    if (run_length > 0) programme_->Count(*run_source, *run_outcome, run_length);
    run_length = 0;
  };
  for (size_t b = 0; b < batches.size(); ++b) {
    v1::BatchReply& reply = (*replies)[b];
    reply.set_batch_id(batches[b]->batch_id);
    reply.mutable_results()->Reserve(static_cast<int>(outcomes[b].size()));
    for (size_t i = 0; i < outcomes[b].size(); ++i) {
      const model::Event& event = batches[b]->events[i];
      const Outcome& outcome = outcomes[b][i];
      if (run_length == 0 || event.source != *run_source || outcome.status != run_outcome->status ||
          outcome.reason != run_outcome->reason) {
        flush_run();
        run_source = &event.source;
        run_outcome = &outcome;
      }
      ++run_length;
      if (outcome.status == EventStatus::kRejected) rejection_log_.Rejected(event, outcome);
      FillResult(event.event_id, outcome, reply.add_results());
    }
  }
  flush_run();

  // Last, as the replies and counts above read the events' ids and sources.
  if (pending.empty() || !state.commit_status.ok()) return;
  std::vector<AcceptedEvent> to_apply;
  if (applier_ != nullptr) to_apply.reserve(pending.size());
  for (size_t k = 0; k < pending.size(); ++k) {
    if (!state.inserted[k]) continue;
    Pending& p = pending[k];
    model::Event& event = batches[p.batch]->events[p.index];
    if (applier_ != nullptr) {
      to_apply.push_back(
          {std::move(event), p.replaces ? std::optional<model::Event>(std::move(p.replaced)) : std::nullopt});
      continue;
    }
    if (!programme_->Apply(event, p.replaces ? &p.replaced : nullptr)) counters_.orphaned_events.fetch_add(1);
    programme_->ObserveSequence(event.source, event.sequence);
  }
  if (applier_ != nullptr) applier_->Submit(*programme_, std::move(to_apply));
}

}  // namespace pipelined::ingest
