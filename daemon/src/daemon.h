// Wires the components of a running daemon: plan -> programme -> ingest
// server and Prometheus exposer. Owns their lifetimes and shutdown order.
#pragma once

#include <prometheus/exposer.h>

#include <memory>
#include <thread>
#include <zmq.hpp>

#include "pipelined/config/settings.h"
#include "pipelined/exporters/daemon_collector.h"
#include "pipelined/exporters/programme_collector.h"
#include "pipelined/ingest/ingest_server.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"

namespace pipelined::daemon {

class Daemon {
 public:
  Daemon(const config::Settings& settings, model::Plan plan);
  ~Daemon();

  // Binds the sockets and starts serving. Throws std::runtime_error with a
  // message for the operator when an address cannot be bound.
  void Start();
  void Stop();

 private:
  config::Settings settings_;
  std::unique_ptr<model::Clock> clock_;
  std::unique_ptr<model::Programme> programme_;
  model::IngestCounters ingest_counters_;
  zmq::context_t context_;
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::thread ingest_thread_;
  std::shared_ptr<exporters::ProgrammeCollector> programme_collector_;
  std::shared_ptr<exporters::DaemonCollector> daemon_collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// ":9810" -> "0.0.0.0:9810"; anything else unchanged.
std::string CivetListenAddress(const std::string& listen_address);

}  // namespace pipelined::daemon
