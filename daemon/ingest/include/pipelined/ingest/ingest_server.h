// The ingest endpoint: a ZeroMQ ROUTER socket that takes one EventBatch per
// message and sends back one BatchReply. Messages that are waiting together
// (from any number of publishers) are handled as one group, so that the
// store commits once per group.
//
// Threading: Run() owns the socket and must be called from one thread; Stop()
// may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "pipelined/ingest/event_pipeline.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/model/ingest_counters.h"

namespace pipelined::ingest {

struct IngestOptions {
  std::string endpoint = "tcp://0.0.0.0:7010";
  int rejection_logs_per_second = 10;
  // Larger messages make libzmq drop the connection (the publisher sees no
  // reply and reconnects by itself).
  std::int64_t max_message_bytes = 16 << 20;
  // A batch with more events is refused whole (batch_too_large).
  size_t max_events_per_batch = 10000;
  // A group ends when no more messages are waiting or at these bounds.
  size_t max_group_messages = 256;
  // When set (Z85), the socket is a CURVE server with this secret key;
  // authentication then goes through the ZAP handler.
  std::string curve_secret_key;
  // Bigger groups amortise the fsync over more events, but every reply in a
  // group waits for the whole group: this bound keeps acknowledgements fast.
  size_t max_group_events = 8192;
};

class IngestServer {
 public:
  // References must outlive the server.
  IngestServer(zmq::context_t& context, IngestOptions options, EventPipeline& pipeline,
               model::IngestCounters& counters, RejectionLog& rejection_log);

  // Binds the socket; throws zmq::error_t when the endpoint cannot be bound.
  // Returns the bound endpoint (with the real port when the endpoint used
  // a wildcard port such as tcp://127.0.0.1:*).
  std::string Bind();

  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  void Run();
  void Stop() { stopping_.store(true); }

 private:
  struct Message {
    std::vector<zmq::message_t> envelope;  // routing id and any delimiter frames
    DecodedBatch batch;
  };
  // Reads one whole message if one is waiting; false when none is.
  bool ReceiveOne(Message* message);
  void ProcessGroup(std::vector<Message>& group);
  void Send(std::vector<zmq::message_t>& envelope, const v1::BatchReply& reply);

  zmq::socket_t socket_;
  IngestOptions options_;
  EventPipeline& pipeline_;
  model::IngestCounters& counters_;
  RejectionLog& rejection_log_;
  std::atomic<bool> stopping_{false};
};

}  // namespace pipelined::ingest
