#include "pipelined/loadgen/metrics_snapshot.h"

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace pipelined::loadgen {
namespace {

struct Series {
  std::string_view name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// One sample line: name{label="value",...} value [timestamp]. Label values
// may hold escaped quotes, backslashes and newlines, and spaces.
bool ParseLine(std::string_view line, Series* series) {
  size_t at = line.find_first_of("{ ");
  if (at == std::string_view::npos || at == 0) return false;
  series->name = line.substr(0, at);
  series->labels.clear();
  if (line[at] == '{') {
    ++at;
    while (at < line.size() && line[at] != '}') {
      const size_t equals = line.find('=', at);
      if (equals == std::string_view::npos || equals + 1 >= line.size() || line[equals + 1] != '"') return false;
      std::string name(line.substr(at, equals - at));
      std::string value;
      size_t i = equals + 2;
      for (; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          ++i;
          value += line[i] == 'n' ? '\n' : line[i];
        } else {
          value += line[i];
        }
      }
      if (i >= line.size()) return false;
      series->labels.emplace_back(std::move(name), std::move(value));
      at = i + 1;
      if (at < line.size() && line[at] == ',') ++at;
    }
    if (at >= line.size()) return false;
    ++at;  // '}'
  }
  while (at < line.size() && line[at] == ' ') ++at;
  if (at >= line.size()) return false;
  const std::string number(line.substr(at, line.find(' ', at) - at));
  char* end = nullptr;
  series->value = std::strtod(number.c_str(), &end);
  return end != number.c_str();
}

const std::string* Label(const Series& series, const char* name) {
  for (const auto& [key, value] : series.labels) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

model::Fen YuanToFen(double yuan) { return static_cast<model::Fen>(std::llround(yuan * model::kFenPerYuan)); }

MetricsSnapshot ParseMetricsSnapshot(const std::string& text) {
  MetricsSnapshot snapshot;
  Series series;
  const std::string_view all(text);
  for (size_t start = 0; start < all.size();) {
    size_t end = all.find('\n', start);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view line = all.substr(start, end - start);
    start = end + 1;
    // Only the families read below; the others are most of a large scrape.
    if (line.empty() || line[0] == '#' || line.compare(0, 10, "pipelined_") != 0) continue;
    const std::string_view rest = line.substr(10);
    if (rest.compare(0, 6, "events") != 0 && rest.compare(0, 5, "store") != 0 &&
        rest.compare(0, 27, "project_investment_complete") != 0 && rest.compare(0, 5, "clock") != 0 &&
        rest.compare(0, 9, "plan_info") != 0 && rest.compare(0, 20, "source_last_sequence") != 0) {
      continue;
    }
    if (!ParseLine(line, &series)) continue;
    if (series.name == "pipelined_events_total") {
      const std::string* result = Label(series, "result");
      const std::string* source = Label(series, "source");
      if (result && source && *result == "accepted") snapshot.accepted_by_source[*source] += series.value;
    } else if (series.name == "pipelined_store_events") {
      snapshot.store_events = series.value;
    } else if (series.name == "pipelined_project_investment_completed_yuan") {
      if (const std::string* project = Label(series, "project")) {
        snapshot.investment_fen_by_project[*project] = YuanToFen(series.value);
      }
    } else if (series.name == "pipelined_clock_time_seconds") {
      snapshot.clock_unix_seconds = static_cast<std::int64_t>(series.value);
    } else if (series.name == "pipelined_plan_info") {
      if (const std::string* plan = Label(series, "plan")) snapshot.plan_code = *plan;
    } else if (series.name == "pipelined_source_last_sequence") {
      if (const std::string* source = Label(series, "source")) {
        snapshot.last_sequence_by_source[*source] = static_cast<std::uint64_t>(series.value);
      }
    }
  }
  return snapshot;
}

std::optional<double> FindSeriesValue(const std::string& text, const std::string& series) {
  for (size_t at = text.find(series); at != std::string::npos; at = text.find(series, at + 1)) {
    const bool line_start = at == 0 || text[at - 1] == '\n';
    const size_t after = at + series.size();
    if (!line_start || after >= text.size() || text[after] != ' ') continue;
    char* end = nullptr;
    const double value = std::strtod(text.c_str() + after + 1, &end);
    if (end != text.c_str() + after + 1) return value;
  }
  return std::nullopt;
}

}  // namespace pipelined::loadgen
