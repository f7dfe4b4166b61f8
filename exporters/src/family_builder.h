// Small helper to fill a prometheus::MetricFamily without the boilerplate.
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace pipelined::exporters {

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
    family_.name = std::move(name);
    family_.help = std::move(help);
    family_.type = type;
  }

  FamilyBuilder& Reserve(size_t n) {
    family_.metric.reserve(n);
    return *this;
  }

  FamilyBuilder& Add(std::vector<prometheus::ClientMetric::Label> labels, double value) {
    prometheus::ClientMetric metric;
    metric.label = std::move(labels);
    if (family_.type == prometheus::MetricType::Counter) {
      metric.counter.value = value;
    } else {
      metric.gauge.value = value;
    }
    family_.metric.push_back(std::move(metric));
    return *this;
  }

  prometheus::MetricFamily Build() { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

}  // namespace pipelined::exporters
