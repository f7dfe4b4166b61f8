// A snapshot: the model's state as of one stored event, in a file beside the
// event store. A start that finds a snapshot fitting its plan and its store
// restores it and replays only the events stored after it, instead of all of
// them (docs/durability.md, "Snapshots").
//
// The file is only ever a shortcut: deleting it is always safe (the next
// start replays every event), and any file that cannot be read or checked is
// ignored the same way.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "pipelined/model/programme.h"
#include "pipelined/store/status.h"

namespace pipelined::snapshot {

// What a snapshot says about itself, beside the state.
struct SnapshotInfo {
  std::string state_fingerprint;  // model::Programme::StateFingerprint()
  // The last stored event the state includes.
  std::int64_t through_position = 0;
  std::string through_event_id;
  std::uint64_t stored_events = 0;    // events in the store up to through_position
  std::uint64_t orphaned_events = 0;  // of those, events that fit nothing in the plan
  std::int64_t saved_at_unix = 0;
};

struct Snapshot : SnapshotInfo {
  model::ProgrammeState state;
};

// A snapshot being saved, already in its file's format. Encoding the
// programme's state directly (rather than copying the model first) keeps a
// save's memory at one encoded state, held in memory mapped for the
// purpose and given back to the system when this is destroyed: on a large
// plan a save takes tens of megabytes every few minutes, which the heap
// would otherwise keep (docs/benchmarks.md, "Memory over a long run").
class EncodedSnapshot {
 public:
  // Encodes `programme`'s applied state (Programme::VisitState()). Call
  // where the state and the store agree with `info`.
  EncodedSnapshot(const SnapshotInfo& info, const model::Programme& programme);
  explicit EncodedSnapshot(const Snapshot& snapshot);
  ~EncodedSnapshot();
  EncodedSnapshot(const EncodedSnapshot&) = delete;
  EncodedSnapshot& operator=(const EncodedSnapshot&) = delete;

  const SnapshotInfo& info() const { return info_; }
  // Projects with applied events in the state.
  size_t projects() const;

 private:
  friend store::Status Write(const std::string& path, const EncodedSnapshot& snapshot);
  struct Message;
  SnapshotInfo info_;
  std::unique_ptr<Message> message_;
};

// The snapshot's file in a storage directory.
std::string SnapshotPath(const std::string& storage_directory);

// Writes `snapshot` to `path` atomically: a temporary file, fsync, rename,
// fsync of the directory. A crash leaves the old file or the new one whole.
store::Status Write(const std::string& path, const EncodedSnapshot& snapshot);
store::Status Write(const std::string& path, const Snapshot& snapshot);

// Reads a snapshot. *found is false (and the status OK) when there is no
// file; a file that is damaged or of another format is Corruption.
store::Status Read(const std::string& path, Snapshot* snapshot, bool* found);

}  // namespace pipelined::snapshot
