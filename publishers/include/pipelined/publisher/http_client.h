// A minimal blocking HTTP client for reading a daemon's /metrics and JSON API
// from publisher-side tools: requests without a body over plain HTTP/1.0 (so
// no chunked encoding), one connection per request. No TLS, no redirects, no
// auth.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace pipelined::publisher {

struct HttpUrl {
  std::string host;
  int port = 80;
  std::string path = "/";  // with the query, if any

  // "http://host[:port][/path]"; nullopt (and *error) for anything else,
  // e.g. https:// or a port out of range.
  static std::optional<HttpUrl> Parse(const std::string& url, std::string* error);
  std::string ToString() const;
};

struct HttpResponse {
  int status = 0;  // 0 when no answer was read (error says why)
  std::string body;
  std::string error;

  bool ok() const { return status == 200; }
};

// GET `url`; gives up after `timeout` for connecting and for each read.
HttpResponse HttpGet(const HttpUrl& url, std::chrono::milliseconds timeout);
// The same with another method and an empty body (PUT /-/clock?to=...).
HttpResponse HttpSend(const std::string& method, const HttpUrl& url, std::chrono::milliseconds timeout);

}  // namespace pipelined::publisher
