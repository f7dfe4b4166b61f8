#include "pipelined/exporters/daemon_collector.h"

namespace pipelined::exporters {

using prometheus::MetricType;

std::vector<prometheus::MetricFamily> DaemonCollector::Collect() const {
  FamilyMetricSink sink;
  Write(sink);
  return sink.Take();
}

void DaemonCollector::Write(MetricSink& sink) const {
  sink.Family("pipelined_build_info", "Version and revision pipelined was built from; always 1.", MetricType::Gauge);
  sink.Sample({{"version", build_.version}, {"revision", build_.revision}}, 1);
  // Served without the flag too (url ""), so that the alerts' links are
  // paths then, and rules can rely on the series.
  sink.Family("pipelined_web_external_url_info",
              "Where people reach the status pages (--web.external-url; empty when not set), for links in alerts; "
              "always 1.",
              MetricType::Gauge);
  sink.Sample({{"url", web_external_url_}}, 1);
  sink.Family("pipelined_plan_info", "The plan the daemon monitors; always 1.", MetricType::Gauge);
  sink.Sample({{"plan", plan_.code}, {"name", plan_.name}}, 1);
  sink.Family("pipelined_shard_info", "This daemon is shard `index` of `count` (0 of 1: unsharded); always 1.",
              MetricType::Gauge);
  sink.Sample({{"index", std::to_string(plan_.shard.index)}, {"count", std::to_string(plan_.shard.count)}}, 1);
  sink.Family("pipelined_start_time_seconds", "When the daemon started, in Unix seconds.", MetricType::Gauge);
  sink.Sample({}, start_time_seconds_);
  sink.Family("pipelined_clock_time_seconds",
              "The daemon's notion of now (virtual or system clock), in Unix seconds.",
              MetricType::Gauge);
  sink.Sample({}, double(clock_.NowUnixSeconds()));
  sink.Family("pipelined_clock_virtual",
              "1 if the daemon runs on a virtual clock (--clock.start), 0 on the system clock.",
              MetricType::Gauge);
  sink.Sample({}, clock_.IsVirtual() ? 1 : 0);
  sink.Family("pipelined_ingest_messages_total",
              "Messages received on the ingest socket, by result (decoded, malformed, too_large).",
              MetricType::Counter);
  sink.Sample({{"result", "decoded"}}, double(ingest_.batches_decoded.load()));
  sink.Sample({{"result", "malformed"}}, double(ingest_.messages_malformed.load()));
  sink.Sample({{"result", "too_large"}}, double(ingest_.batches_too_large.load()));
  sink.Family("pipelined_ingest_replies_undeliverable_total",
              "Replies that could not be sent because the publisher had gone.",
              MetricType::Counter);
  sink.Sample({}, double(ingest_.replies_undeliverable.load()));
  sink.Family("pipelined_rejection_logs_suppressed_total",
              "Rejected events and malformed messages not logged individually because of the log rate limit.",
              MetricType::Counter);
  sink.Sample({}, double(ingest_.rejection_logs_suppressed.load()));
  auto counter = [&sink](const char* name, const char* help, double value) {
    sink.Family(name, help, MetricType::Counter);
    sink.Sample({}, value);
  };
  auto gauge = [&sink](const char* name, const char* help, double value) {
    sink.Family(name, help, MetricType::Gauge);
    sink.Sample({}, value);
  };
  gauge("pipelined_ingest_curve_enabled",
        "1 if ingest requires CURVE encryption and an allowed publisher key, 0 in plain mode.",
        curve_enabled_ ? 1 : 0);
  counter("pipelined_ingest_auth_failures_total",
          "CURVE handshakes refused because the publisher's key is not on the allow-list.",
          double(ingest_.auth_failures.load()));
  counter("pipelined_web_auth_failures_total",
          "Web requests refused for wrong basic-auth credentials (with --web.config.file); requests without "
          "credentials get 401 too but are not counted.",
          double(ingest_.web_auth_failures.load()));
  gauge("pipelined_ingest_connections",
        "Connections open on the ingest socket, including those still in their handshake.",
        double(ingest_.connections.load()));
  counter("pipelined_ingest_connections_refused_total",
          "Handshakes refused because --ingest.max-connections connections were open; the publisher retries.",
          double(ingest_.connections_refused.load()));
  counter("pipelined_store_commits_total", "Transactions committed to the event store (one per group of messages).",
          double(ingest_.store_commits.load()));
  counter("pipelined_store_commit_errors_total",
          "Commits to the event store that failed; their events were rejected with store_unavailable.",
          double(ingest_.store_commit_errors.load()));
  counter("pipelined_store_commit_seconds_total", "Time spent committing to the event store, in seconds.",
          double(ingest_.store_commit_nanoseconds.load()) / 1e9);
  counter("pipelined_store_committed_events_total", "Events committed to the event store since start.",
          double(ingest_.store_committed_events.load()));
  gauge("pipelined_store_events", "Events in the event store.", double(ingest_.stored_events.load()));
  gauge("pipelined_store_orphaned_events",
        "Stored events that change no figure because their project or line is no longer in the plan.",
        double(ingest_.orphaned_events.load()));
  gauge("pipelined_replay_events",
        "Stored events applied to the model at start (after the snapshot, if it started from one) or at the last "
        "reload.",
        double(ingest_.replayed_events.load()));
  gauge("pipelined_snapshot_restored_events",
        "Stored events covered by the snapshot the state was restored from at start; 0 after a full replay.",
        double(ingest_.restored_events.load()));
  sink.Family("pipelined_snapshot_saves_total", "Snapshots of the state written, by result.", MetricType::Counter);
  sink.Sample({{"result", "success"}}, double(ingest_.snapshot_saves_succeeded.load()));
  sink.Sample({{"result", "failure"}}, double(ingest_.snapshot_saves_failed.load()));
  gauge("pipelined_snapshot_last_success_timestamp_seconds",
        "When the last snapshot was written, in Unix seconds; 0 if none since the start.",
        ingest_.snapshot_last_success_unix.load());
  gauge("pipelined_snapshot_save_duration_seconds", "How long writing the last snapshot took.",
        double(ingest_.snapshot_last_save_nanoseconds.load()) / 1e9);
  gauge("pipelined_store_damaged",
        "1 if the check of the whole store (every page and every event's checksum) found damage, else 0.",
        ingest_.store_damaged.load() ? 1 : 0);
  gauge("pipelined_store_last_verification_timestamp_seconds",
        "When the whole store was last checked (at start, or in the background after a start from a snapshot), in "
        "Unix seconds; 0 while the first check runs.",
        ingest_.store_last_verification_unix.load());
  gauge("pipelined_replay_duration_seconds",
        "How long rebuilding the state from the store took at start (or at the last reload).",
        double(ingest_.replay_nanoseconds.load()) / 1e9);
  gauge("pipelined_config_last_reload_successful",
        "1 if the last reload of the plan and settings succeeded (or none was tried), 0 if it was refused.",
        ingest_.last_reload_successful.load() ? 1 : 0);
  gauge("pipelined_config_last_reload_success_timestamp_seconds",
        "When the plan and settings in use were loaded (start or last successful reload), in Unix seconds.",
        ingest_.last_reload_success_unix.load());
  sink.Family("pipelined_config_reloads_total",
              "Reloads of the plan and settings (SIGHUP or POST /-/reload), by result.",
              MetricType::Counter);
  sink.Sample({{"result", "success"}}, double(ingest_.reloads_succeeded.load()));
  sink.Sample({{"result", "failure"}}, double(ingest_.reloads_failed.load()));
}

}  // namespace pipelined::exporters
