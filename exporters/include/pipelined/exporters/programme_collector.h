// Renders the programme's figures (per project and per group) and the event
// counters as Prometheus metric families at scrape time, straight from the
// model, so that series exist exactly as long as the plan holds them.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

#include "pipelined/exporters/metric_sink.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"

namespace pipelined::exporters {

class ProgrammeCollector final : public prometheus::Collectable {
 public:
  // `programme` (and `tracker`, when given) must outlive the collector.
  explicit ProgrammeCollector(const model::Programme& programme, const model::StatusTracker* tracker = nullptr)
      : programme_(programme), tracker_(tracker) {}
  std::vector<prometheus::MetricFamily> Collect() const override;
  // The same families, written to `sink` (the daemon's /metrics writes them
  // as text without building MetricFamily objects).
  void Write(MetricSink& sink) const;

 private:
  const model::Programme& programme_;
  const model::StatusTracker* tracker_;
};

}  // namespace pipelined::exporters
