#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace pipelined::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

bool HttpExchange(int port, const std::string& method, const std::string& path, const std::string& extra_headers,
                  const std::string& body, int timeout_seconds, HttpAnswer* answer) {
  answer->status = 0;
  answer->headers.clear();
  answer->body.clear();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval timeout{timeout_seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return false;
  }
  std::string request = method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = write(fd, request.data() + sent, request.size() - sent);
    if (n <= 0) {
      close(fd);
      return false;
    }
    sent += static_cast<size_t>(n);
  }
  // Headers first (they end at the first blank line), then the body
  // straight into answer->body.
  std::string& received = answer->headers;
  size_t head_end = std::string::npos;
  char buffer[65536];
  ssize_t n = 0;
  while (head_end == std::string::npos && (n = read(fd, buffer, sizeof buffer)) > 0) {
    received.append(buffer, static_cast<size_t>(n));
    head_end = received.find("\r\n\r\n");
  }
  if (head_end == std::string::npos || received.rfind("HTTP/1.", 0) != 0 || received.size() < 12) {
    close(fd);
    return false;
  }
  answer->body.append(received, head_end + 4, std::string::npos);
  received.resize(head_end);
  for (;;) {
    // Read straight into the body, whose capacity is kept from earlier calls.
    const size_t size = answer->body.size();
    if (answer->body.capacity() - size < sizeof buffer) answer->body.reserve(std::max(2 * size, size + sizeof buffer));
    answer->body.resize(size + sizeof buffer);
    n = read(fd, answer->body.data() + size, sizeof buffer);
    answer->body.resize(size + static_cast<size_t>(std::max<ssize_t>(n, 0)));
    if (n <= 0) break;
  }
  close(fd);
  answer->status = std::atoi(received.c_str() + 9);
  return true;
}

std::optional<HttpAnswer> HttpExchange(int port, const std::string& method, const std::string& path,
                                       const std::string& extra_headers, const std::string& body,
                                       int timeout_seconds) {
  HttpAnswer answer;
  if (!HttpExchange(port, method, path, extra_headers, body, timeout_seconds, &answer)) return std::nullopt;
  return answer;
}

std::optional<std::string> HttpGet(int port, const std::string& path) {
  std::optional<HttpAnswer> answer = HttpExchange(port, "GET", path);
  if (!answer || answer->status != 200) return std::nullopt;
  return std::move(answer->body);
}

}  // namespace pipelined::testing
