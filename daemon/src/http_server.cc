#include "http_server.h"

#include <CivetServer.h>
#include <spdlog/spdlog.h>
#include <zlib.h>

#include <cstring>
#include <stdexcept>

namespace pipelined::daemon {
namespace {

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::string> DecodeBase64(const std::string& text) {
  std::string out;
  // Only the low `bits` bits of the buffer are pending; masking keeps it
  // small, so a long header can never overflow the shift.
  int bits = 0;
  unsigned buffer = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] != '='; ++i) {
    const int value = Base64Value(text[i]);
    if (value < 0) return std::nullopt;
    buffer = ((buffer << 6) | static_cast<unsigned>(value)) & 0xffffu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  for (; i < text.size(); ++i) {
    if (text[i] != '=') return std::nullopt;
  }
  return out;
}

std::string UrlDecode(const std::string& text) {
  std::string out(text.size() + 1, '\0');
  const int length = mg_url_decode(text.c_str(), static_cast<int>(text.size()), out.data(),
                                   static_cast<int>(out.size()), /*is_form_url_encoded=*/1);
  out.resize(length < 0 ? 0 : static_cast<size_t>(length));
  return out;
}

// gzip (not raw deflate) at the fastest level: a scrape is compressed on
// every request, and most of the gain comes at level 1.
std::optional<std::string> Gzip(const std::string& body) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
  std::string out(deflateBound(&stream, body.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

// gzip of a body sent in pieces, at the same level as Gzip().
class GzipStream {
 public:
  explicit GzipStream(mg_connection* connection) : connection_(connection), buffer_(1 << 16, '\0') {
    ok_ = deflateInit2(&stream_, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipStream() {
    if (ok_) deflateEnd(&stream_);
  }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  void Write(std::string_view piece) { Deflate(piece, Z_NO_FLUSH); }
  void Finish() { Deflate({}, Z_FINISH); }

 private:
  void Deflate(std::string_view piece, int flush) {
    if (!ok_) return;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    stream_.avail_in = static_cast<uInt>(piece.size());
    int result = Z_OK;
    do {
      stream_.next_out = reinterpret_cast<Bytef*>(buffer_.data());
      stream_.avail_out = static_cast<uInt>(buffer_.size());
      result = deflate(&stream_, flush);
      const size_t produced = buffer_.size() - stream_.avail_out;
      if (produced > 0) mg_write(connection_, buffer_.data(), produced);
    } while (result == Z_OK && (stream_.avail_out == 0 || (flush == Z_FINISH && result != Z_STREAM_END)));
  }

  mg_connection* connection_;
  std::string buffer_;
  z_stream stream_{};
  bool ok_ = false;
};

// The status line and headers; without a length the body ends when the
// connection closes (every answer closes it).
std::string ResponseHead(mg_connection* connection, const HttpResponse& response, std::optional<size_t> length,
                         bool gzipped) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     mg_get_response_code_text(connection, response.status) +
                     "\r\nContent-Type: " + response.content_type + "\r\n";
  if (length) head += "Content-Length: " + std::to_string(*length) + "\r\n";
  head += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
  if (gzipped) head += "Content-Encoding: gzip\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

int LogCivetMessage(const mg_connection*, const char* message) {
  spdlog::debug("web server: {}", message);
  return 1;  // handled: civetweb writes nothing itself
}

}  // namespace

std::optional<std::pair<std::string, std::string>> ParseBasicAuth(const std::string& header) {
  constexpr char kPrefix[] = "Basic ";
  if (header.size() <= sizeof kPrefix - 1 || strncasecmp(header.c_str(), kPrefix, sizeof kPrefix - 1) != 0) {
    return std::nullopt;
  }
  auto decoded = DecodeBase64(header.substr(sizeof kPrefix - 1));
  if (!decoded) return std::nullopt;
  const size_t colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

std::string HttpRequest::QueryValue(const std::string& name) const {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const size_t equals = pair.find('=');
    if (UrlDecode(pair.substr(0, equals)) == name) {
      return equals == std::string::npos ? std::string() : UrlDecode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return "";
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// civetweb calls one handler object per registered URI; this one sends
// every method of every path to HttpServer::Handle.
class HttpServer::Dispatcher : public CivetHandler {
 public:
  explicit Dispatcher(HttpServer& server) : server_(server) {}
  bool handleGet(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handlePost(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handlePut(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handleDelete(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handleOptions(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }
  bool handlePatch(CivetServer*, mg_connection* connection) override { return Dispatch(connection); }

 private:
  bool Dispatch(mg_connection* connection) {
    server_.Handle(connection);
    return true;
  }
  HttpServer& server_;
};

HttpServer::HttpServer(HttpServerOptions options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string path, std::string name, std::set<std::string> methods, HttpHandler handler,
                       bool open) {
  routes_.push_back({std::move(path), std::move(name), std::move(methods), std::move(handler), open});
}

void HttpServer::Start() {
  dispatcher_ = std::make_unique<Dispatcher>(*this);
  const std::vector<std::string> civet_options = {
      "listening_ports", options_.listen_address,
      "num_threads", std::to_string(options_.threads),
      // A client that sends its request this slowly is cut off, so that
      // idle connections cannot hold every worker thread.
      "request_timeout_ms", "30000",
  };
  CivetCallbacks callbacks{};
  callbacks.log_message = LogCivetMessage;
  try {
    server_ = std::make_unique<CivetServer>(civet_options, &callbacks);
  } catch (const CivetException& e) {
    throw std::runtime_error(e.what());
  }
  server_->addHandler("/", dispatcher_.get());
}

void HttpServer::Stop() {
  if (server_) server_->close();
  server_.reset();
}

std::vector<int> HttpServer::Ports() const { return server_ ? server_->getListeningPorts() : std::vector<int>{}; }

const HttpServer::RouteEntry* HttpServer::Find(const std::string& path) const {
  const RouteEntry* best = nullptr;
  for (const RouteEntry& route : routes_) {
    const bool prefix = !route.path.empty() && route.path.back() == '/';
    const bool matches = prefix ? path.compare(0, route.path.size(), route.path) == 0 : path == route.path;
    if (matches && (best == nullptr || route.path.size() > best->path.size())) best = &route;
  }
  return best;
}

void HttpServer::Handle(mg_connection* connection) {
  const auto started = std::chrono::steady_clock::now();
  const mg_request_info* info = mg_get_request_info(connection);
  HttpRequest request;
  request.method = info->request_method != nullptr ? info->request_method : "";
  request.path = info->local_uri != nullptr ? info->local_uri : "/";
  request.query = info->query_string != nullptr ? info->query_string : "";
  const char* encoding = mg_get_header(connection, "Accept-Encoding");
  request.accepts_gzip = encoding != nullptr && std::strstr(encoding, "gzip") != nullptr;

  const RouteEntry* route = Find(request.path);
  const std::string route_name = route != nullptr ? route->name : "other";
  HttpResponse response;
  bool allowed = true;
  if (route != nullptr && !route->open && options_.auth_required && options_.auth_required()) {
    const char* header = mg_get_header(connection, "Authorization");
    auto credentials = header != nullptr ? ParseBasicAuth(header) : std::nullopt;
    // No credentials is how a browser or scraper asks which scheme to use:
    // answered, not counted as a failure. Wrong ones are counted by the check.
    if (!credentials || !options_.authenticate(credentials->first, credentials->second)) {
      response = HttpResponse::Text(401, "401 Unauthorized\n");
      response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"pipelined\", charset=\"UTF-8\"");
      allowed = false;
    }
  }
  if (allowed) {
    if (route == nullptr) {
      response = HttpResponse::Text(404, "404 Not Found: " + request.path + "\n");
    } else if (route->methods.count(request.method) == 0 &&
               !(request.method == "HEAD" && route->methods.count("GET") != 0)) {
      std::string allow;
      for (const std::string& method : route->methods) allow += (allow.empty() ? "" : ", ") + method;
      response = HttpResponse::Text(405, "405 Method Not Allowed: use " + allow + "\n");
      response.headers.emplace_back("Allow", allow);
    } else {
      try {
        response = route->handler(request);
      } catch (const std::exception& e) {
        spdlog::error("web: {} {} failed: {}", request.method, request.path, e.what());
        response = HttpResponse::Text(500, "500 Internal Server Error\n");
      }
    }
  }

  if (response.stream) {
    SendStream(connection, request, response);
    Count(route_name, response.status, std::chrono::steady_clock::now() - started);
    return;
  }
  const std::string* body = &response.body;
  std::optional<std::string> compressed;
  if (request.accepts_gzip && response.body.size() >= options_.gzip_min_bytes) {
    compressed = Gzip(response.body);
    if (compressed) body = &*compressed;
  }
  const std::string head = ResponseHead(connection, response, body->size(), compressed.has_value());
  mg_write(connection, head.data(), head.size());
  if (request.method != "HEAD") mg_write(connection, body->data(), body->size());
  Count(route_name, response.status, std::chrono::steady_clock::now() - started);
}

void HttpServer::SendStream(mg_connection* connection, const HttpRequest& request, const HttpResponse& response) {
  const std::string head = ResponseHead(connection, response, std::nullopt, request.accepts_gzip);
  mg_write(connection, head.data(), head.size());
  if (request.method == "HEAD") return;
  try {
    if (request.accepts_gzip) {
      GzipStream gzip(connection);
      response.stream([&gzip](std::string_view piece) { gzip.Write(piece); });
      gzip.Finish();
    } else {
      response.stream([connection](std::string_view piece) { mg_write(connection, piece.data(), piece.size()); });
    }
  } catch (const std::exception& e) {
    // The status is sent: the client sees a body cut short.
    spdlog::error("web: {} {} failed while sending: {}", request.method, request.path, e.what());
  }
}

void HttpServer::Count(const std::string& route, int status, std::chrono::steady_clock::duration elapsed) {
  std::lock_guard lock(stats_mutex_);
  HttpRouteStats& stats = stats_[{route, status}];
  stats.route = route;
  stats.status = status;
  ++stats.requests;
  stats.seconds += std::chrono::duration<double>(elapsed).count();
}

std::vector<HttpRouteStats> HttpServer::Stats() const {
  std::lock_guard lock(stats_mutex_);
  std::vector<HttpRouteStats> all;
  for (const auto& [key, stats] : stats_) all.push_back(stats);
  return all;
}

}  // namespace pipelined::daemon
