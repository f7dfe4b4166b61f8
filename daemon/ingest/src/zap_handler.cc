#include "pipelined/ingest/zap_handler.h"

#include <spdlog/spdlog.h>

namespace pipelined::ingest {
namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
constexpr int kRefusalLogsPerSecond = 10;

std::string Z85(const void* data, size_t size) {
  if (size != 32) return "<" + std::to_string(size) + "-byte key>";
  char text[41] = {};
  zmq_z85_encode(text, static_cast<const uint8_t*>(data), size);
  return text;
}

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, std::map<std::string, std::string> allowed,
                       model::IngestCounters& counters)
    : socket_(context, zmq::socket_type::rep), counters_(counters) {
  socket_.set(zmq::sockopt::linger, 0);
  for (const auto& [z85, name] : allowed) {
    std::string binary(32, '\0');
    zmq_z85_decode(reinterpret_cast<uint8_t*>(binary.data()), z85.c_str());
    allowed_by_binary_key_.emplace(std::move(binary), name);
  }
}

ZapHandler::~ZapHandler() { Stop(); }

void ZapHandler::Start() {
  socket_.bind(kZapEndpoint);
  thread_ = std::thread([this] { Run(); });
}

void ZapHandler::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  socket_.close();
}

void ZapHandler::Run() {
  zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  std::vector<zmq::message_t> request;
  while (!stopping_.load()) {
    zmq::poll(items, 1, std::chrono::milliseconds(100));
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    request.clear();
    do {
      zmq::message_t frame;
      if (!socket_.recv(frame, zmq::recv_flags::none)) break;
      request.push_back(std::move(frame));
    } while (request.back().more());
    Answer(request);
  }
}

void ZapHandler::Answer(std::vector<zmq::message_t>& request) {
  // Request: version, request id, domain, address, routing id, mechanism,
  // then the mechanism's credentials (for CURVE: the client's public key).
  const bool well_formed = request.size() >= 7 && request[0].to_string() == "1.0";
  const std::string mechanism = request.size() > 5 ? request[5].to_string() : "";
  const std::string address = request.size() > 3 ? request[3].to_string() : "?";
  std::string user_id;
  bool admitted = false;
  if (well_formed && mechanism == "CURVE") {
    auto it = allowed_by_binary_key_.find(request[6].to_string());
    if (it != allowed_by_binary_key_.end()) {
      admitted = true;
      user_id = it->second;
    }
  }
  if (!admitted) {
    counters_.auth_failures.fetch_add(1, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now();
    if (now - log_window_ >= std::chrono::seconds(1)) {
      log_window_ = now;
      logged_in_window_ = 0;
    }
    if (logged_in_window_++ < kRefusalLogsPerSecond) {
      spdlog::warn("refused a publisher from {}: {} key {} is not on the allow-list (ingest.curve.publishers)",
                   address, mechanism.empty() ? "no" : mechanism,
                   request.size() >= 7 ? Z85(request[6].data(), request[6].size()) : "<none>");
    }
  }
  const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  socket_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(admitted ? "200" : "400")), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(admitted ? "OK" : "key not allowed")), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
  socket_.send(zmq::str_buffer(""), zmq::send_flags::none);
}

}  // namespace pipelined::ingest
