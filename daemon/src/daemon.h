// Wires the components of a running daemon: plan -> programme -> ingest
// server, and the web server with its metrics, pages and API. Owns their
// lifetimes, the shutdown order and reloads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "basic_auth.h"
#include "http_server.h"
#include "pipelined/config/settings.h"
#include "pipelined/exporters/daemon_collector.h"
#include "pipelined/exporters/programme_collector.h"
#include "pipelined/ingest/event_pipeline.h"
#include "pipelined/ingest/ingest_server.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/ingest/zap_handler.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"
#include "pipelined/store/event_store.h"

namespace pipelined::daemon {

// The configuration cannot be used (e.g. an unreadable certificate).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The event store cannot be opened or replayed: the daemon must not serve.
class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads the settings again the way they were read at start (the same
// command line over the settings file as it is now); returns the errors.
using SettingsLoader = std::function<std::vector<std::string>(config::Settings*)>;

struct ReloadResult {
  bool ok = false;
  std::string message;  // what was loaded, or why nothing was
};

class Daemon {
 public:
  // `reload_settings` is used by Reload(); without it a reload re-reads the
  // plan, web config and certificates named by the start's settings.
  Daemon(const config::Settings& settings, model::Plan plan, SettingsLoader reload_settings = {});
  ~Daemon();

  // Opens the store, starts the web server (healthy, not yet ready),
  // rebuilds the model from the store, then binds the ingest socket and is
  // ready. Throws StorageError when the store is unusable, ConfigError for
  // a bad web config or certificate and std::runtime_error when an address
  // cannot be bound, each with a message for the operator.
  void Start();
  void Stop();

  // Loads the settings, plan and web config again and switches to them all
  // at once, or to none of them: a bad new configuration is refused, logged
  // and counted, and the running one stays. Settings that only a restart
  // can change (addresses, storage, clock) must be unchanged. Safe to call
  // from any thread; reloads run one at a time. `trigger` is for the log.
  ReloadResult Reload(const std::string& trigger);

 private:
  // Everything a reload replaces together; shared so that a request or an
  // evaluation that started before a reload finishes on what it began with.
  struct Serving {
    config::Settings settings;
    std::shared_ptr<model::Programme> programme;
    std::shared_ptr<exporters::ProgrammeCollector> programme_collector;
    std::shared_ptr<exporters::DaemonCollector> daemon_collector;
    std::shared_ptr<BasicAuth> basic_auth;  // null: the web side is open
  };
  std::shared_ptr<const Serving> Current() const;
  // The parts of a Serving that can be built before anything is switched.
  std::shared_ptr<Serving> Prepare(const config::Settings& settings, model::Plan plan,
                                   std::vector<std::string>* errors);
  void RegisterWebRoutes();
  HttpResponse ServeMetrics(const HttpRequest& request);
  HttpResponse ServeStatusPage(const HttpRequest& request);
  HttpResponse ServeProjectPage(const HttpRequest& request);
  HttpResponse ServeApi(const HttpRequest& request);
  HttpResponse ServeReload(const HttpRequest& request);
  HttpResponse ServeClock(const HttpRequest& request);

  // Re-evaluates every project's status on the interval and after new
  // events, and logs the changes, so a project turns lagging when its
  // deadline passes even if no event arrives.
  void WatchStatuses();
  void LogStatusChanges(const std::vector<model::StatusChange>& changes, const model::Report& report);

  // Waits until every acknowledged event is applied to the model: what a
  // publisher was told is accepted is in the next scrape, page or answer.
  void SeeAcknowledgedEvents();

  // Rebuilds the state from the snapshot and the store (Start()).
  void RecoverState();
  // Saves a snapshot every --storage.snapshot-interval (sooner after a
  // full replay, so that the next start is quick).
  void SaveSnapshots();
  // Saves one now if the state changed since the last; `why` is for the log.
  void SaveSnapshot(const char* why);
  // The whole-store check after a start from a snapshot, at low priority.
  void VerifyStore();

  const config::Settings start_settings_;
  SettingsLoader reload_settings_;
  std::unique_ptr<model::Clock> clock_;
  model::VirtualClock* settable_clock_ = nullptr;  // clock_, when --clock.settable
  const double start_time_seconds_;
  model::IngestCounters ingest_counters_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<ingest::RejectionLog> rejection_log_;
  std::unique_ptr<ingest::EventPipeline> pipeline_;
  std::unique_ptr<ingest::Applier> applier_;  // from ready to Stop()
  zmq::context_t context_;
  std::unique_ptr<ingest::ZapHandler> zap_;
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::thread ingest_thread_;
  std::unique_ptr<HttpServer> web_;
  std::atomic<bool> ready_{false};

  mutable std::mutex serving_mutex_;
  std::shared_ptr<const Serving> serving_;  // guarded by serving_mutex_
  std::shared_ptr<Serving> first_serving_;  // from the constructor until Start()
  std::mutex reload_mutex_;                 // one reload at a time

  model::StatusTracker status_tracker_;
  std::mutex watcher_mutex_;
  std::condition_variable watcher_wakeup_;
  bool watcher_stopping_ = false;
  bool clock_moved_ = false;  // guarded by watcher_mutex_: evaluate at once
  std::thread watcher_thread_;

  std::mutex snapshot_mutex_;
  std::condition_variable snapshot_wakeup_;
  bool snapshot_stopping_ = false;  // guarded by snapshot_mutex_
  bool snapshot_due_ = false;       // save at once (after a full replay)
  std::thread snapshot_thread_;
  // What the last snapshot saved (or restored) was of: SaveSnapshot() and
  // RecoverState() only, which never run at the same time.
  const model::Programme* snapshot_programme_ = nullptr;
  std::uint64_t snapshot_version_ = 0;
  std::atomic<bool> verify_stopping_{false};
  std::thread verify_thread_;
};

// ":9810" -> "0.0.0.0:9810"; anything else unchanged.
std::string CivetListenAddress(const std::string& listen_address);

}  // namespace pipelined::daemon
