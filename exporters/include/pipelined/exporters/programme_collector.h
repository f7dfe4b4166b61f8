// Renders the programme's figures (per project and per group) and the event
// counters as Prometheus metric families at scrape time, straight from the
// model, so that series exist exactly as long as the plan holds them.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "pipelined/model/programme.h"

namespace pipelined::exporters {

class ProgrammeCollector final : public prometheus::Collectable {
 public:
  // `programme` must outlive the collector.
  explicit ProgrammeCollector(const model::Programme& programme) : programme_(programme) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const model::Programme& programme_;
};

}  // namespace pipelined::exporters
