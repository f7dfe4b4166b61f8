// Counts of what reached the daemon as a whole message and of what the store
// did with it. Transport-neutral: ingest increments, exporters read.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace pipelined::model {

struct IngestCounters {
  std::atomic<std::uint64_t> batches_decoded{0};        // valid EventBatch messages
  std::atomic<std::uint64_t> messages_malformed{0};     // not an EventBatch
  std::atomic<std::uint64_t> batches_too_large{0};      // refused whole: too many events
  std::atomic<std::uint64_t> replies_undeliverable{0};  // the publisher was gone
  std::atomic<std::uint64_t> rejection_logs_suppressed{0};
  std::atomic<std::uint64_t> auth_failures{0};  // connections refused by CURVE authentication
  std::atomic<std::uint64_t> web_auth_failures{0};  // /metrics requests with wrong basic-auth credentials
  std::atomic<std::int64_t> connections{0};     // open now, including those still in their handshake
  std::atomic<std::uint64_t> connections_refused{0};  // handshakes refused at the connection limit

  std::atomic<std::uint64_t> store_commits{0};
  std::atomic<std::uint64_t> store_commit_errors{0};
  std::atomic<std::uint64_t> store_commit_nanoseconds{0};
  std::atomic<std::uint64_t> store_committed_events{0};
  std::atomic<std::uint64_t> stored_events{0};    // events in the store now
  std::atomic<std::uint64_t> orphaned_events{0};  // stored events the plan no longer has a place for

  std::atomic<std::uint64_t> replayed_events{0};   // applied from the store when the state was built
  std::atomic<std::uint64_t> restored_events{0};   // covered by the snapshot it started from (0: none)
  std::atomic<std::uint64_t> replay_nanoseconds{0};

  // Snapshots of the state (docs/durability.md, "Snapshots").
  std::atomic<std::uint64_t> snapshot_saves_succeeded{0};
  std::atomic<std::uint64_t> snapshot_saves_failed{0};
  std::atomic<double> snapshot_last_success_unix{0};
  std::atomic<std::uint64_t> snapshot_last_save_nanoseconds{0};
  // The whole-store check (quick_check and every checksum): at start before
  // a full replay, or in the background after a start from a snapshot.
  std::atomic<double> store_last_verification_unix{0};  // 0: not finished yet
  std::atomic<bool> store_damaged{false};

  // Reloads of the plan and settings (SIGHUP, POST /-/reload).
  std::atomic<std::uint64_t> reloads_succeeded{0};
  std::atomic<std::uint64_t> reloads_failed{0};
  std::atomic<bool> last_reload_successful{true};
  std::atomic<double> last_reload_success_unix{0};  // the start counts as one
};

// One rejected event or malformed message, as the status page lists it.
struct RecentRejection {
  std::int64_t at_unix = 0;  // when the daemon rejected it (system clock)
  std::string event_id;      // empty for a malformed message
  std::string source;
  std::string project_code;
  std::string type;
  std::string reason;  // a reason code, or "malformed"
  std::string message;
};

}  // namespace pipelined::model
