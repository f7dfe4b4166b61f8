#include "metrics_text.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include <cstdlib>
#include <map>
#include <string_view>

namespace pipelined::bench {
namespace {

// `name{a="x",b="y"} 1.5` -> name, labels, value. False when it is not a
// sample line.
bool ParseSample(std::string_view line, std::string* name, prometheus::Labels* labels, double* value) {
  labels->clear();
  std::size_t i = line.find_first_of("{ ");
  if (i == std::string_view::npos) return false;
  name->assign(line.substr(0, i));
  if (line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const std::size_t equals = line.find('=', i);
      if (equals == std::string_view::npos || equals + 1 >= line.size() || line[equals + 1] != '"') return false;
      std::string label(line.substr(i, equals - i)), text;
      std::size_t j = equals + 2;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size()) {
          ++j;
          text += line[j] == 'n' ? '\n' : line[j];
        } else {
          text += line[j];
        }
      }
      (*labels)[label] = text;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    ++i;
  }
  if (i >= line.size()) return false;
  *value = std::strtod(std::string(line.substr(i + 1)).c_str(), nullptr);
  return true;
}

}  // namespace

std::shared_ptr<prometheus::Registry> RegistryFromText(const std::string& text, std::size_t* series) {
  auto registry = std::make_shared<prometheus::Registry>();
  std::map<std::string, std::string> types, helps;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
  *series = 0;
  std::string name;
  prometheus::Labels labels;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const std::size_t space = line.find(' ', 7);
      if (space == std::string_view::npos) continue;
      auto& into = line[2] == 'H' ? helps : types;
      into[std::string(line.substr(7, space - 7))] = std::string(line.substr(space + 1));
      continue;
    }
    double value = 0;
    if (line.empty() || line[0] == '#' || !ParseSample(line, &name, &labels, &value)) continue;
    ++*series;
    if (types[name] == "counter") {
      auto& family = counters[name];
      if (family == nullptr) family = &prometheus::BuildCounter().Name(name).Help(helps[name]).Register(*registry);
      family->Add(labels).Increment(value);
    } else {
      auto& family = gauges[name];
      if (family == nullptr) family = &prometheus::BuildGauge().Name(name).Help(helps[name]).Register(*registry);
      family->Add(labels).Set(value);
    }
  }
  return registry;
}

}  // namespace pipelined::bench
