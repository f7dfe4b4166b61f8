// Answers libzmq's authentication requests (ZAP, ZeroMQ RFC 27) for the
// CURVE ingest socket: admits the public keys on the allow-list, refuses
// every other key, logs which key tried (rate-limited) and counts it.
// Without a ZAP handler, CURVE would admit any client that knows the
// daemon's public key.
//
// Threading: Start() and Stop() from one thread; the handler runs its own.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "pipelined/model/ingest_counters.h"

namespace pipelined::ingest {

class ZapHandler {
 public:
  // `allowed`: Z85 public key -> publisher name. `context` must be the
  // ingest socket's context and outlive the handler.
  ZapHandler(zmq::context_t& context, std::map<std::string, std::string> allowed, model::IngestCounters& counters);
  ~ZapHandler();

  // Binds inproc://zeromq.zap.01 and starts answering. REQUIRES: called
  // before the ingest socket binds, so that no connection is ever unchecked.
  void Start();
  void Stop();

 private:
  void Run();
  void Answer(std::vector<zmq::message_t>& request);

  zmq::socket_t socket_;
  std::map<std::string, std::string> allowed_by_binary_key_;
  model::IngestCounters& counters_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::chrono::steady_clock::time_point log_window_{};
  int logged_in_window_ = 0;
};

}  // namespace pipelined::ingest
