// The daemon's HTTP server (civetweb): routes requests to handlers, checks
// basic auth, gzips large answers for clients that accept it, and counts
// requests per route. Knows nothing of what the handlers serve.
//
// Why not prometheus-cpp's Exposer: it serves metrics only, and the status
// pages, the API and the lifecycle endpoints share the web port with
// /metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

class CivetServer;
struct mg_connection;

namespace pipelined::daemon {

struct HttpRequest {
  std::string method;  // GET, HEAD, POST, ...
  std::string path;    // URL-decoded, without the query
  std::string query;   // after '?', still encoded
  bool accepts_gzip = false;

  // The URL-decoded value of a query parameter; empty when absent.
  std::string QueryValue(const std::string& name) const;
};

// Sends one piece of a streamed body.
using HttpBodyWriter = std::function<void(std::string_view piece)>;

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Instead of `body`, for answers too large to build whole (/metrics of a
  // plan with 100,000 projects is hundreds of megabytes): called once, after
  // the headers are sent, to send the body in pieces. Such an answer has no
  // Content-Length and ends when the connection closes.
  std::function<void(const HttpBodyWriter& write)> stream;

  static HttpResponse Text(int status, std::string body);
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string listen_address;  // host:port, e.g. 0.0.0.0:9810 or 127.0.0.1:0
  int threads = 4;
  // Whether requests need basic auth now (the web config can change on a
  // reload), and the check of a user and password. Unset: no auth.
  std::function<bool()> auth_required;
  std::function<bool(const std::string& user, const std::string& password)> authenticate;
  // Answers larger than this are gzipped for clients that accept gzip.
  size_t gzip_min_bytes = 1024;
};

struct HttpRouteStats {
  std::string route;
  int status = 0;
  std::uint64_t requests = 0;
  double seconds = 0;  // total time spent answering them
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes `path` (exactly, or every path under it when it ends in '/') to
  // `handler` for the given methods; other methods get 405. `name` labels
  // the route in the request metrics. `open` routes need no credentials
  // even when auth is on (health checks). Call before Start().
  void Route(std::string path, std::string name, std::set<std::string> methods, HttpHandler handler,
             bool open = false);

  // Listens and serves; throws std::runtime_error when it cannot listen.
  void Start();
  void Stop();
  // The ports listened on (the real one when the address said port 0).
  std::vector<int> Ports() const;

  std::vector<HttpRouteStats> Stats() const;

 private:
  class Dispatcher;
  struct RouteEntry {
    std::string path;
    std::string name;
    std::set<std::string> methods;
    HttpHandler handler;
    bool open = false;
  };
  void Handle(mg_connection* connection);
  // Sends the headers, then the body of response.stream, gzipped when the
  // client accepts it.
  void SendStream(mg_connection* connection, const HttpRequest& request, const HttpResponse& response);
  const RouteEntry* Find(const std::string& path) const;
  void Count(const std::string& route, int status, std::chrono::steady_clock::duration elapsed);

  HttpServerOptions options_;
  std::vector<RouteEntry> routes_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<CivetServer> server_;
  mutable std::mutex stats_mutex_;
  std::map<std::pair<std::string, int>, HttpRouteStats> stats_;
};

// "Basic dXNlcjpwYXNz" -> {"user", "pass"}; nullopt when it is not basic
// auth with valid base64 and a colon.
std::optional<std::pair<std::string, std::string>> ParseBasicAuth(const std::string& header);

}  // namespace pipelined::daemon
