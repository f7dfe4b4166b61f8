// Answers libzmq's authentication requests (ZAP, ZeroMQ RFC 27) for the
// ingest socket. The socket has a ZAP domain, so libzmq asks about every new
// connection, in plain mode (mechanism NULL) as well as with CURVE. The
// handler
//  - refuses a handshake while the ingest socket has more than
//    `max_connections` connections open, this one included (ZAP status 300,
//    "temporary": libzmq closes it at the handshake timeout and the
//    publisher's ZeroMQ reconnects by itself, getting in once one closes);
//  - with CURVE, admits only the public keys on the allow-list (status 400
//    for any other key; without a ZAP handler CURVE would admit any client
//    that knows the daemon's public key).
// Refusals are logged (rate-limited) and counted. The number of open
// connections comes from the ingest socket's monitor (ACCEPTED and
// DISCONNECTED events), read in the handler's thread right before each
// answer: libzmq reports ACCEPTED before the handshake starts, so the count
// already includes the connection being asked about.
//
// Threading: Start() and Stop() from one thread; the handler runs its own.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "pipelined/model/ingest_counters.h"

namespace pipelined::ingest {

struct ZapOptions {
  // CURVE mode: only these Z85 public keys get in (key -> publisher name,
  // which becomes the messages' User-Id). Plain mode: the NULL mechanism.
  bool curve = false;
  std::map<std::string, std::string> allowed;
  int max_connections = 64;
  // The inproc endpoint of the ingest socket's monitor
  // (IngestServer::kMonitorEndpoint); empty: connections are not counted.
  std::string monitor_endpoint;
};

class ZapHandler {
 public:
  // `context` must be the ingest socket's context and outlive the handler.
  ZapHandler(zmq::context_t& context, ZapOptions options, model::IngestCounters& counters);
  ~ZapHandler();

  // Binds inproc://zeromq.zap.01, connects to the monitor and starts
  // answering. REQUIRES: called before the ingest socket binds, so that no
  // connection is ever unchecked or uncounted.
  void Start();
  // REQUIRES: the ingest socket is closed first, so that libzmq is not left
  // waiting to deliver monitor events nobody reads.
  void Stop();

  // Replaces the CURVE allow-list (Z85 key -> publisher name), on a reload:
  // handshakes from then on are checked against the new list. Connections
  // already admitted stay open. Thread-safe.
  void SetAllowed(const std::map<std::string, std::string>& allowed);

 private:
  void Run();
  void ReadMonitorEvents();
  void Answer(std::vector<zmq::message_t>& request);
  bool MayLog();

  ZapOptions options_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
  std::mutex allowed_mutex_;
  std::map<std::string, std::string> allowed_by_binary_key_;  // guarded by allowed_mutex_
  model::IngestCounters& counters_;
  std::int64_t open_connections_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::chrono::steady_clock::time_point log_window_{};
  int logged_in_window_ = 0;
};

}  // namespace pipelined::ingest
