#include "metrics_scrape.h"

#include <cstdlib>
#include <sstream>

namespace pipelined::testing {

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
