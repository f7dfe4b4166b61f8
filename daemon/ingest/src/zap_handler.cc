#include "pipelined/ingest/zap_handler.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <cstring>

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

ZapHandler::ZapHandler(zmq::context_t& context, ZapOptions options, model::IngestCounters& counters)
    : options_(std::move(options)),
      socket_(context, zmq::socket_type::rep),
      monitor_(context, zmq::socket_type::pair),
      counters_(counters) {
  socket_.set(zmq::sockopt::linger, 0);
  monitor_.set(zmq::sockopt::linger, 0);
  SetAllowed(options_.allowed);
}

void ZapHandler::SetAllowed(const std::map<std::string, std::string>& allowed) {
  std::map<std::string, std::string> by_binary_key;
  for (const auto& [z85, name] : allowed) {
    std::string binary(32, '\0');
    zmq_z85_decode(reinterpret_cast<uint8_t*>(binary.data()), z85.c_str());
    by_binary_key.emplace(std::move(binary), name);
  }
  std::lock_guard lock(allowed_mutex_);
  allowed_by_binary_key_ = std::move(by_binary_key);
}

ZapHandler::~ZapHandler() { Stop(); }

void ZapHandler::Start() {
  socket_.bind(kZapEndpoint);
  if (!options_.monitor_endpoint.empty()) monitor_.connect(options_.monitor_endpoint);
  thread_ = std::thread([this] { Run(); });
}

void ZapHandler::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
  socket_.close();
  monitor_.close();
}

void ZapHandler::Run() {
  pthread_setname_np(pthread_self(), "zap");
  zmq::pollitem_t items[] = {{socket_.handle(), 0, ZMQ_POLLIN, 0}, {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
  std::vector<zmq::message_t> request;
  while (!stopping_.load()) {
    zmq::poll(items, options_.monitor_endpoint.empty() ? 1 : 2, std::chrono::milliseconds(100));
    ReadMonitorEvents();
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    request.clear();
    do {
      zmq::message_t frame;
      if (!socket_.recv(frame, zmq::recv_flags::none)) break;
      request.push_back(std::move(frame));
    } while (request.back().more());
    // The connection asked about was ACCEPTED before its handshake began:
    // take that event (and any disconnects) into the count first.
    ReadMonitorEvents();
    Answer(request);
  }
}

void ZapHandler::ReadMonitorEvents() {
  if (options_.monitor_endpoint.empty()) return;
  for (;;) {
    // Each event: [uint16 event, uint32 value][endpoint address].
    zmq::message_t event;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait)) break;
    while (event.more()) {
      zmq::message_t rest;
      (void)monitor_.recv(rest, zmq::recv_flags::none);
      if (!rest.more()) break;
    }
    if (event.size() < sizeof(std::uint16_t)) continue;
    std::uint16_t id = 0;
    std::memcpy(&id, event.data(), sizeof(id));
    if (id == ZMQ_EVENT_ACCEPTED) ++open_connections_;
    if (id == ZMQ_EVENT_DISCONNECTED && open_connections_ > 0) --open_connections_;
  }
  counters_.connections.store(open_connections_, std::memory_order_relaxed);
}

bool ZapHandler::MayLog() {
  const auto now = std::chrono::steady_clock::now();
  if (now - log_window_ >= std::chrono::seconds(1)) {
    log_window_ = now;
    logged_in_window_ = 0;
  }
  return logged_in_window_++ < kRefusalLogsPerSecond;
}

void ZapHandler::Answer(std::vector<zmq::message_t>& request) {
  // Request: version, request id, domain, address, routing id, mechanism,
  // then the mechanism's credentials (for CURVE: the client's public key;
  // none for NULL).
  const bool well_formed = request.size() >= 6 && request[0].to_string() == "1.0";
  const std::string mechanism = request.size() > 5 ? request[5].to_string() : "";
  const std::string address = request.size() > 3 ? request[3].to_string() : "?";
  std::string user_id;
  const char* status = "400";
  const char* text = options_.curve ? "key not allowed" : "mechanism not allowed";
  if (options_.curve) {
    if (well_formed && mechanism == "CURVE" && request.size() >= 7) {
      std::lock_guard lock(allowed_mutex_);
      auto it = allowed_by_binary_key_.find(request[6].to_string());
      if (it != allowed_by_binary_key_.end()) {
        status = "200";
        user_id = it->second;
      }
    }
    if (std::strcmp(status, "200") != 0) {
      counters_.auth_failures.fetch_add(1, std::memory_order_relaxed);
      if (MayLog()) {
        spdlog::warn("refused a publisher from {}: {} key {} is not on the allow-list (ingest.curve.publishers)",
                     address, mechanism.empty() ? "no" : mechanism,
                     request.size() >= 7 ? Z85(request[6].data(), request[6].size()) : "<none>");
      }
    }
  } else if (well_formed && mechanism == "NULL") {
    status = "200";
  }
  if (std::strcmp(status, "200") == 0 && open_connections_ > options_.max_connections) {
    // 300 is ZAP's temporary failure: libzmq sends the publisher no ERROR
    // command and closes the connection at the handshake timeout, after
    // which the publisher reconnects by itself. (After 400 its ZeroMQ would
    // give up for good.)
    status = "300";
    text = "too many connections";
    user_id.clear();
    counters_.connections_refused.fetch_add(1, std::memory_order_relaxed);
    if (MayLog()) {
      spdlog::warn("refused a connection from {}: {} connections are open, the limit is {} "
                   "(--ingest.max-connections); it will retry",
                   address, open_connections_, options_.max_connections);
    }
  }
  const std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  const bool admitted = std::strcmp(status, "200") == 0;
  socket_.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(status)), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(std::string(admitted ? "OK" : text)), zmq::send_flags::sndmore);
  socket_.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
  socket_.send(zmq::str_buffer(""), zmq::send_flags::none);
}

}  // namespace pipelined::ingest
