#include "pipelined/publisher/publisher.h"

#include <unistd.h>

#include <algorithm>
#include <random>

namespace pipelined::publisher {

Publisher::Publisher(PublisherOptions options)
    : options_(std::move(options)), context_(1), socket_(context_, zmq::socket_type::dealer) {
  // Pending batches are not worth hanging the process at exit.
  socket_.set(zmq::sockopt::linger, 0);
  if (!options_.curve_server_key.empty()) {
    socket_.set(zmq::sockopt::curve_serverkey, options_.curve_server_key);
    socket_.set(zmq::sockopt::curve_publickey, options_.curve_public_key);
    socket_.set(zmq::sockopt::curve_secretkey, options_.curve_secret_key);
  }
  socket_.connect(options_.endpoint);
  // batch ids only need to be unique per connection; pid + random tells
  // concurrent publishers' logs apart.
  std::random_device random;
  batch_id_prefix_ = std::to_string(getpid()) + "-" + std::to_string(random() % 100000) + "-";
}

Publisher::~Publisher() {
  socket_.close();
  context_.close();
}

std::string Publisher::Send(v1::EventBatch batch) {
  if (batch.batch_id().empty()) batch.set_batch_id(batch_id_prefix_ + std::to_string(++next_batch_number_));
  const std::string bytes = batch.SerializeAsString();
  socket_.send(zmq::buffer(bytes), zmq::send_flags::none);
  return batch.batch_id();
}

void Publisher::SendRaw(const std::string& bytes) { socket_.send(zmq::buffer(bytes), zmq::send_flags::none); }

std::optional<v1::BatchReply> Publisher::Receive(std::chrono::milliseconds timeout) {
  zmq::pollitem_t items[] = {ReplyPollItem()};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::max(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()),
        std::chrono::milliseconds(0));
    zmq::poll(items, 1, left);
    zmq::message_t message;
    if (!(items[0].revents & ZMQ_POLLIN) || !socket_.recv(message, zmq::recv_flags::dontwait)) {
      if (left.count() == 0) return std::nullopt;
      continue;
    }
    // Skip any envelope frames; the reply is the last frame.
    while (message.more()) {
      zmq::message_t next;
      (void)socket_.recv(next, zmq::recv_flags::none);
      message = std::move(next);
    }
    v1::BatchReply reply;
    if (reply.ParseFromArray(message.data(), static_cast<int>(message.size()))) return reply;
  }
}

std::optional<v1::BatchReply> Publisher::AwaitReply(const std::string& batch_id,
                                                    std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::optional<v1::BatchReply> reply = Receive(std::max(left, std::chrono::milliseconds(0)));
    if (!reply) return std::nullopt;
    // Replies to earlier batches that timed out are stale: skip them. A
    // malformed-message reply has no batch id to match.
    if (reply->batch_id() == batch_id || (reply->has_error() && reply->batch_id().empty())) return reply;
  }
}

std::optional<v1::BatchReply> Publisher::Publish(v1::EventBatch batch, std::string* error) {
  const std::string batch_id = Send(std::move(batch));
  std::optional<v1::BatchReply> reply = AwaitReply(batch_id, std::chrono::steady_clock::now() + options_.reply_timeout);
  if (!reply && error) {
    *error = "no reply from " + options_.endpoint + " within " + std::to_string(options_.reply_timeout.count()) +
             " ms: is pipelined running there?";
  }
  return reply;
}

}  // namespace pipelined::publisher
