#include "pipelined/ingest/ingest_server.h"

#include <spdlog/spdlog.h>

#include "pipelined/ingest/batch_codec.h"

namespace pipelined::ingest {

IngestServer::IngestServer(zmq::context_t& context, IngestOptions options, model::Programme& programme,
                           model::IngestCounters& counters)
    : socket_(context, zmq::socket_type::router),
      options_(std::move(options)),
      programme_(programme),
      counters_(counters),
      rejection_log_(options_.rejection_logs_per_second, counters) {
  // Never block shutdown on replies to publishers that went away.
  socket_.set(zmq::sockopt::linger, 0);
  // Report (and count) replies to vanished peers instead of dropping silently.
  socket_.set(zmq::sockopt::router_mandatory, 1);
  // Without a bound, a peer's frame header alone can make libzmq allocate
  // any size it claims.
  socket_.set(zmq::sockopt::maxmsgsize, options_.max_message_bytes);
}

std::string IngestServer::Bind() {
  socket_.bind(options_.endpoint);
  return socket_.get(zmq::sockopt::last_endpoint);
}

void IngestServer::Run() {
  std::vector<zmq::message_t> frames;
  zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stopping_.load()) {
    // Wake up regularly to notice Stop().
    zmq::poll(items, 1, std::chrono::milliseconds(100));
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    // Drain what is queued before polling again.
    while (!stopping_.load()) {
      frames.clear();
      zmq::message_t frame;
      if (!socket_.recv(frame, zmq::recv_flags::dontwait)) break;
      frames.push_back(std::move(frame));
      while (frames.back().more()) {
        zmq::message_t next;
        (void)socket_.recv(next, zmq::recv_flags::none);
        frames.push_back(std::move(next));
      }
      HandleMessage(frames);
    }
  }
}

void IngestServer::HandleMessage(std::vector<zmq::message_t>& frames) {
  // frames: [routing id][envelope frames, e.g. the empty delimiter of a REQ
  // socket]...[payload]. A DEALER sends just the payload.
  if (frames.size() < 2) return;
  const zmq::message_t& payload = frames.back();

  v1::BatchReply reply;
  DecodedBatch batch = DecodeBatch(payload.data(), payload.size());
  if (!batch.ok) {
    counters_.messages_malformed.fetch_add(1, std::memory_order_relaxed);
    rejection_log_.Malformed(batch.error);
    reply = MalformedReply(batch.error);
  } else {
    counters_.batches_decoded.fetch_add(1, std::memory_order_relaxed);
    reply.set_batch_id(batch.batch_id);
    for (const model::Event& event : batch.events) {
      model::Outcome outcome = programme_.Submit(event);
      if (outcome.status == model::EventStatus::kRejected) rejection_log_.Rejected(event, outcome);
      *reply.add_results() = ToProto(event.event_id, outcome);
    }
  }

  const std::string bytes = reply.SerializeAsString();
  try {
    for (size_t i = 0; i + 1 < frames.size(); ++i) socket_.send(frames[i], zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(bytes), zmq::send_flags::none);
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the publisher disconnected before its reply.
    counters_.replies_undeliverable.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("could not deliver a reply: {}", e.what());
  }
}

}  // namespace pipelined::ingest
