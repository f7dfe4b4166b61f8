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
#include <string>

#include "pipelined/model/programme.h"
#include "pipelined/store/status.h"

namespace pipelined::snapshot {

struct Snapshot {
  std::string state_fingerprint;  // model::Programme::StateFingerprint()
  // The last stored event the state includes.
  std::int64_t through_position = 0;
  std::string through_event_id;
  std::uint64_t stored_events = 0;    // events in the store up to through_position
  std::uint64_t orphaned_events = 0;  // of those, events that fit nothing in the plan
  std::int64_t saved_at_unix = 0;
  model::ProgrammeState state;
};

// The snapshot's file in a storage directory.
std::string SnapshotPath(const std::string& storage_directory);

// Writes `snapshot` to `path` atomically: a temporary file, fsync, rename,
// fsync of the directory. A crash leaves the old file or the new one whole.
store::Status Write(const std::string& path, const Snapshot& snapshot);

// Reads a snapshot. *found is false (and the status OK) when there is no
// file; a file that is damaged or of another format is Corruption.
store::Status Read(const std::string& path, Snapshot* snapshot, bool* found);

}  // namespace pipelined::snapshot
