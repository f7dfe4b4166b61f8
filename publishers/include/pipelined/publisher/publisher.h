// Client library for publishing events to a pipelined daemon.
//
// A Publisher owns one ZeroMQ DEALER socket connected to the daemon's ROUTER.
// Publish() sends one EventBatch and waits for its BatchReply; Send() and
// Receive() let a caller keep several batches in flight, matching replies by
// batch_id. Not thread-safe: use one Publisher per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

struct PublisherOptions {
  std::string endpoint = "tcp://127.0.0.1:7010";
  // How long Publish() waits for the daemon's reply.
  std::chrono::milliseconds reply_timeout{5000};
  // CURVE (all three Z85, or all empty for plain mode): the daemon's public
  // key and this publisher's key pair, which the daemon must allow.
  std::string curve_server_key;
  std::string curve_public_key;
  std::string curve_secret_key;
};

class Publisher {
 public:
  explicit Publisher(PublisherOptions options);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Sends `batch` (giving it a batch_id when it has none) and waits for the
  // reply to it. Returns nullopt on timeout; *error then says what happened.
  std::optional<v1::BatchReply> Publish(v1::EventBatch batch, std::string* error = nullptr);

  // Sends without waiting; returns the batch_id the reply will carry.
  std::string Send(v1::EventBatch batch);
  // The next reply to arrive within `timeout` (0: only one already here), or nullopt.
  std::optional<v1::BatchReply> Receive(std::chrono::milliseconds timeout);
  // For waiting on several publishers at once (zmq::poll): readable when a
  // reply has arrived.
  zmq::pollitem_t ReplyPollItem() { return {socket_.handle(), 0, ZMQ_POLLIN, 0}; }

  // Waits until `deadline` for the reply to the batch `batch_id` (as Send()
  // returned it), skipping replies to batches no longer waited for; a
  // malformed-message reply, which has no batch id, is returned too.
  // nullopt when none came in time.
  std::optional<v1::BatchReply> AwaitReply(const std::string& batch_id,
                                           std::chrono::steady_clock::time_point deadline);

  const PublisherOptions& options() const { return options_; }

  // Sends raw bytes as one message frame (for tests of malformed input).
  void SendRaw(const std::string& bytes);

 private:
  PublisherOptions options_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::uint64_t next_batch_number_ = 0;
  std::string batch_id_prefix_;
};

}  // namespace pipelined::publisher
