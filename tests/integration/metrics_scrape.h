// Fetching and reading /metrics in tests: a minimal HTTP/1.0 client and a
// parser of the Prometheus text format into series -> value.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "loopback.h"

namespace pipelined::testing {


// Series in the text format: `name{labels}` (as written) -> value.
struct Scrape {
  std::map<std::string, double> series;
  std::set<std::string> family_names;  // from the # TYPE lines

  static Scrape Parse(const std::string& text);
  // The value of a series, e.g. Value("pipelined_project_completed{project=\"X\"}").
  std::optional<double> Value(const std::string& series_text) const;
  size_t CountWithPrefix(const std::string& prefix) const;
};

std::optional<Scrape> ScrapeMetrics(int port);

}  // namespace pipelined::testing
