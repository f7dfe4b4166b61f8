#include "metrics_scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace pipelined::testing {

std::optional<std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return std::nullopt;
  }
  std::string response;
  char buffer[65536];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  if (response.rfind("HTTP/1.1 200", 0) != 0 && response.rfind("HTTP/1.0 200", 0) != 0) return std::nullopt;
  size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return std::nullopt;
  return response.substr(body + 4);
}

Scrape Scrape::Parse(const std::string& text) {
  Scrape scrape;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream words(line.substr(7));
      std::string name;
      words >> name;
      scrape.family_names.insert(name);
      continue;
    }
    if (line[0] == '#') continue;
    // The value follows the last space; label values may contain spaces.
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    scrape.series[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return scrape;
}

std::optional<double> Scrape::Value(const std::string& series_text) const {
  auto it = series.find(series_text);
  if (it == series.end()) return std::nullopt;
  return it->second;
}

size_t Scrape::CountWithPrefix(const std::string& prefix) const {
  size_t count = 0;
  for (const auto& [name, value] : series) count += name.rfind(prefix, 0) == 0 ? 1 : 0;
  return count;
}

std::optional<Scrape> ScrapeMetrics(int port) {
  auto body = HttpGet(port, "/metrics");
  if (!body) return std::nullopt;
  return Scrape::Parse(*body);
}

}  // namespace pipelined::testing
