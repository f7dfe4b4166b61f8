// Wires the components of a running daemon: plan -> programme -> ingest
// server and Prometheus exposer. Owns their lifetimes and shutdown order.
#pragma once

#include <prometheus/exposer.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <zmq.hpp>

#include "basic_auth.h"
#include "pipelined/config/settings.h"
#include "pipelined/exporters/daemon_collector.h"
#include "pipelined/exporters/programme_collector.h"
#include "pipelined/ingest/event_pipeline.h"
#include "pipelined/ingest/ingest_server.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/ingest/zap_handler.h"
#include "pipelined/store/event_store.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"

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

class Daemon {
 public:
  Daemon(const config::Settings& settings, model::Plan plan);
  ~Daemon();

  // Opens the store and rebuilds the model from it, then binds the sockets
  // and starts serving. Throws StorageError when the store is unusable and
  // std::runtime_error when an address cannot be bound, each with a message
  // for the operator.
  void Start();
  void Stop();

 private:
  // Re-evaluates every project's status on the interval and after new
  // events, and logs the changes, so a project turns lagging when its
  // deadline passes even if no event arrives.
  void WatchStatuses();
  void LogStatusChanges(const std::vector<model::StatusChange>& changes);

  config::Settings settings_;
  std::unique_ptr<model::Clock> clock_;
  std::unique_ptr<model::Programme> programme_;
  model::IngestCounters ingest_counters_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<ingest::RejectionLog> rejection_log_;
  std::unique_ptr<ingest::EventPipeline> pipeline_;
  zmq::context_t context_;
  std::unique_ptr<ingest::ZapHandler> zap_;
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::thread ingest_thread_;
  std::shared_ptr<exporters::ProgrammeCollector> programme_collector_;
  std::shared_ptr<exporters::DaemonCollector> daemon_collector_;
  std::unique_ptr<BasicAuth> basic_auth_;  // with --web.config.file
  std::unique_ptr<prometheus::Exposer> exposer_;
  model::StatusTracker status_tracker_;
  std::mutex watcher_mutex_;
  std::condition_variable watcher_wakeup_;
  bool watcher_stopping_ = false;
  std::thread watcher_thread_;
};

// ":9810" -> "0.0.0.0:9810"; anything else unchanged.
std::string CivetListenAddress(const std::string& listen_address);

}  // namespace pipelined::daemon
