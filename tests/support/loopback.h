// Loopback helpers shared by the integration tests and the benchmark: a free
// port, and a minimal HTTP/1.0 GET.
#pragma once

#include <optional>
#include <string>

namespace pipelined::testing {

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

// GET http://127.0.0.1:port/path; the body of a 200 answer, or nullopt.
std::optional<std::string> HttpGet(int port, const std::string& path);

struct HttpAnswer {
  int status = 0;
  std::string headers;  // the status line and headers, as received
  std::string body;
};

// One HTTP/1.0 request to 127.0.0.1:port (`extra_headers` are whole lines,
// each ending in \r\n); the answer, or nullopt when the connection fails.
// `timeout_seconds` bounds each read.
std::optional<HttpAnswer> HttpExchange(int port, const std::string& method, const std::string& path,
                                       const std::string& extra_headers = "", const std::string& body = "",
                                       int timeout_seconds = 10);
// The same into `*answer`, whose strings keep their capacity from one call
// to the next (a benchmark scraping hundreds of megabytes again and again
// then measures the server, not its own page faults). False when the
// connection fails or the answer is not HTTP.
bool HttpExchange(int port, const std::string& method, const std::string& path, const std::string& extra_headers,
                  const std::string& body, int timeout_seconds, HttpAnswer* answer);

}  // namespace pipelined::testing
