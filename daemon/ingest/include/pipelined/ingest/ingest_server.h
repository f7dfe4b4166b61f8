// The ingest endpoint: a ZeroMQ ROUTER socket that takes one EventBatch per
// message and sends back one BatchReply. Messages that are waiting together
// (from any number of publishers) are handled as one group, so that the
// store commits once per group; one group is committed (on a thread of its
// own) while the next is received, decoded and checked.
//
// Threading: Run() owns the socket and must be called from one thread; Stop()
// may be called from any thread.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "pipelined/ingest/event_pipeline.h"
#include "pipelined/ingest/rejection_log.h"
#include "pipelined/model/ingest_counters.h"

namespace pipelined::ingest {

// Every bound below is listed with its effect in docs/security.md, "Limits";
// change both together.
struct IngestOptions {
  std::string endpoint = "tcp://0.0.0.0:7010";
  int rejection_logs_per_second = 10;
  // Larger messages (more exactly: frames) make libzmq drop the connection
  // (the publisher sees no reply and reconnects by itself).
  std::int64_t max_message_bytes = 1 << 20;
  // A batch with more events is refused whole (batch_too_large).
  size_t max_events_per_batch = 2000;
  // Per-connection queues in messages (ZMQ_RCVHWM, ZMQ_SNDHWM). A publisher
  // normally has one batch in flight; a full receive queue only stops
  // reading from that connection (TCP pushes back, nothing is lost), a full
  // send queue drops the reply (counted as undeliverable; the publisher
  // resends after its timeout). Worst case held for publishers:
  // ZapOptions::max_connections x (receive_queue_messages + 1) x
  // max_message_bytes.
  int receive_queue_messages = 2;
  int send_queue_messages = 8;
  // A connection that has not finished its ZeroMQ handshake by then is
  // closed, so that silent TCP connections do not hold a slot. libzmq 4.3
  // also keeps a connection refused at the connection limit (ZAP 300) open
  // until then, so this is how long a refused publisher waits before it
  // reconnects.
  std::chrono::milliseconds handshake_timeout{2000};
  // The daemon pings every connection this often and closes one that sent
  // nothing for heartbeat_timeout (a publisher whose host vanished); any
  // ZeroMQ 4.2+ peer answers pings by itself.
  std::chrono::milliseconds heartbeat_interval{10000};
  std::chrono::milliseconds heartbeat_timeout{30000};
  // A group ends when no more messages are waiting or at these bounds.
  size_t max_group_messages = 256;
  // Payload bytes in one group (a group may pass it by one message).
  size_t max_group_bytes = 16 << 20;
  // When set (Z85), the socket is a CURVE server with this secret key. In
  // both modes every handshake goes through the ZAP handler.
  std::string curve_secret_key;
  // Bigger groups amortise the fsync over more events, but every reply in a
  // group waits for the whole group: this bound keeps acknowledgements fast.
  size_t max_group_events = 8192;
};

class IngestServer {
 public:
  // Where the socket's connection events (ZMQ_EVENT_ACCEPTED and
  // ZMQ_EVENT_DISCONNECTED) are published, for the ZAP handler to count.
  static constexpr const char* kMonitorEndpoint = "inproc://pipelined.ingest.monitor";

  // References must outlive the server. Starts the socket monitor: connect
  // a reader (ZapHandler) to kMonitorEndpoint before Bind().
  IngestServer(zmq::context_t& context, IngestOptions options, EventPipeline& pipeline,
               model::IngestCounters& counters, RejectionLog& rejection_log);
  ~IngestServer();

  // Binds the socket; throws zmq::error_t when the endpoint cannot be bound.
  // Returns the bound endpoint (with the real port when the endpoint used
  // a wildcard port such as tcp://127.0.0.1:*).
  std::string Bind();

  // Serves until Stop() is called. REQUIRES: Bind() succeeded.
  void Run();
  void Stop();

  // Runs `task` on the thread that runs Run(), between two groups of
  // messages, and returns once it has run: how a reload swaps what the
  // pipeline works on without a lock on the hot path. Runs it here when Run()
  // is not running (before the start, after Stop()).
  void RunOnIngestThread(const std::function<void()>& task);

 private:
  struct Message {
    std::vector<zmq::message_t> envelope;  // routing id and any delimiter frames
    DecodedBatch batch;
    size_t payload_bytes = 0;
  };
  // One group's messages on their way through EventPipeline's steps.
  struct Slot {
    std::vector<Message> messages;
    std::vector<DecodedBatch*> batches;
    EventPipeline::Group group;
  };
  // Runs EventPipeline::Commit() of one group at a time on its own thread.
  class CommitThread;

  // Reads what is waiting (up to the group bounds) into `slot`; answers
  // malformed and oversized messages at once. False when no batch is left.
  bool ReceiveGroup(Slot* slot);
  // Reads one whole message if one is waiting; false when none is.
  bool ReceiveOne(Message* message);
  void StartCommit(Slot* slot);
  // Waits for the commit in flight, sends its replies, and starts the
  // commit of the group checked meanwhile, if any.
  void FinishCommit();
  // Finishes every group in flight or checked.
  void Drain();
  void RunPendingTask();
  void Send(std::vector<zmq::message_t>& envelope, const v1::BatchReply& reply);

  zmq::socket_t socket_;
  IngestOptions options_;
  EventPipeline& pipeline_;
  model::IngestCounters& counters_;
  RejectionLog& rejection_log_;
  std::atomic<bool> stopping_{false};
  // While one group is committed (in_flight_), the next is received and
  // checked (checked_), so that the commit's fsync and SQLite work overlap
  // with decoding and checking. At most these two: reading stops while a
  // checked group waits, which pushes back on publishers as before.
  Slot slots_[2];
  Slot* in_flight_ = nullptr;
  Slot* checked_ = nullptr;
  std::vector<v1::BatchReply> replies_;
  std::unique_ptr<CommitThread> commit_thread_;
  // RunOnIngestThread(): at most one task waits at a time.
  std::mutex task_mutex_;
  std::condition_variable task_done_;
  const std::function<void()>* task_ = nullptr;  // guarded by task_mutex_
  bool running_ = false;                          // guarded by task_mutex_
  std::atomic<bool> task_waiting_{false};
  std::mutex task_callers_;  // one caller at a time
};

}  // namespace pipelined::ingest
