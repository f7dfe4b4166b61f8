#include "pipelined/publisher/http_client.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pipelined::publisher {
namespace {

// Closes the socket on every return path.
class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::optional<HttpUrl> HttpUrl::Parse(const std::string& url, std::string* error) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) {
    *error = "\"" + url + "\" is not an http:// URL (https is not supported: use a plain HTTP address)";
    return std::nullopt;
  }
  HttpUrl parsed;
  const size_t authority_end = url.find('/', scheme.size());
  std::string authority = url.substr(scheme.size(), authority_end - scheme.size());
  if (authority_end != std::string::npos) parsed.path = url.substr(authority_end);
  if (authority.find('@') != std::string::npos) {
    *error = "\"" + url + "\": credentials in the URL are not supported";
    return std::nullopt;
  }
  const size_t colon = authority.rfind(':');
  // "[::1]:9810" keeps its brackets out of the host name.
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    const std::string port = authority.substr(colon + 1);
    char* end = nullptr;
    const long value = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || value < 1 || value > 65535) {
      *error = "\"" + url + "\": the port must be a number from 1 to 65535";
      return std::nullopt;
    }
    parsed.port = static_cast<int>(value);
    authority.resize(colon);
  }
  if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']') {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) {
    *error = "\"" + url + "\" names no host";
    return std::nullopt;
  }
  parsed.host = authority;
  return parsed;
}

std::string HttpUrl::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
}

HttpResponse HttpGet(const HttpUrl& url, std::chrono::milliseconds timeout) { return HttpSend("GET", url, timeout); }

HttpResponse HttpSend(const std::string& method, const HttpUrl& url, std::chrono::milliseconds timeout) {
  HttpResponse response;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const int resolved = getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &addresses);
  if (resolved != 0) {
    response.error = "cannot resolve " + url.host + ": " + gai_strerror(resolved);
    return response;
  }
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  int fd = -1;
  std::string connect_error = "no address";
  for (addrinfo* address = addresses; address != nullptr && fd < 0; address = address->ai_next) {
    fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
    if (fd < 0) continue;
    // On Linux the send timeout bounds connect() too.
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
      // The send timeout ends a connect() with EINPROGRESS.
      connect_error = errno == EINPROGRESS ? "timed out" : std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(addresses);
  if (fd < 0) {
    response.error = "cannot connect to " + url.ToString() + ": " + connect_error;
    return response;
  }
  Socket socket_guard(fd);
  const std::string request = method + " " + url.path + " HTTP/1.0\r\nHost: " + url.host + ":" +
                              std::to_string(url.port) + "\r\nUser-Agent: pipelined\r\nConnection: close\r\n" +
                              (method == "GET" ? "" : "Content-Length: 0\r\n") + "\r\n";
  if (!SendAll(fd, request)) {
    response.error = "cannot send the request to " + url.ToString() + ": " + std::strerror(errno);
    return response;
  }
  std::string raw;
  char buffer[65536];
  for (;;) {
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      response.error = "reading the answer of " + url.ToString() + " failed: " +
                       (errno == EAGAIN || errno == EWOULDBLOCK
                            ? "no data for " + std::to_string(timeout.count()) + " ms"
                            : std::string(std::strerror(errno)));
      return response;
    }
    if (n == 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  const size_t header_end = raw.find("\r\n\r\n");
  int status = 0;
  if (header_end == std::string::npos || std::sscanf(raw.c_str(), "HTTP/%*d.%*d %d", &status) != 1) {
    response.error = url.ToString() + " did not answer with HTTP";
    return response;
  }
  response.status = status;
  response.body = raw.substr(header_end + 4);
  // A connection closed early leaves a body shorter than announced.
  const std::string headers = Lower(raw.substr(0, header_end));
  const size_t length_at = headers.find("\r\ncontent-length:");
  if (length_at != std::string::npos) {
    const unsigned long long length = std::strtoull(headers.c_str() + length_at + 17, nullptr, 10);
    if (response.body.size() < length) {
      response.error = url.ToString() + ": the answer ended after " + std::to_string(response.body.size()) + " of " +
                       std::to_string(length) + " bytes";
      response.status = 0;
    }
  }
  if (response.status != 200 && response.error.empty()) {
    response.error = url.ToString() + " answered HTTP " + std::to_string(status);
  }
  return response;
}

}  // namespace pipelined::publisher
