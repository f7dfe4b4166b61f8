// The ingest endpoint: a ZeroMQ ROUTER socket that takes one EventBatch per
// message, hands each event to the programme and sends back one BatchReply.
//
// Threading: Run() owns the socket and must be called from one thread; Stop()
// may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "pipelined/ingest/rejection_log.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/programme.h"

namespace pipelined::ingest {

struct IngestOptions {
  std::string endpoint = "tcp://0.0.0.0:7010";
  int rejection_logs_per_second = 10;
  // Larger messages make libzmq drop the connection (the publisher sees no
  // reply and reconnects by itself).
  std::int64_t max_message_bytes = 16 << 20;
};

class IngestServer {
 public:
  // References must outlive the server.
  IngestServer(zmq::context_t& context, IngestOptions options, model::Programme& programme,
               model::IngestCounters& counters);

  // Binds the socket; throws zmq::error_t when the endpoint cannot be bound.
  // Returns the bound endpoint (with the real port when the endpoint used
  // a wildcard port such as tcp://127.0.0.1:*).
  std::string Bind();

  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  void Run();
  void Stop() { stopping_.store(true); }

 private:
  void HandleMessage(std::vector<zmq::message_t>& frames);

  zmq::socket_t socket_;
  IngestOptions options_;
  model::Programme& programme_;
  model::IngestCounters& counters_;
  RejectionLog rejection_log_;
  std::atomic<bool> stopping_{false};
};

}  // namespace pipelined::ingest
