// The daemon's own health metrics: build, plan, clock and ingest counters.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

#include "pipelined/exporters/metric_sink.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/ingest_counters.h"
#include "pipelined/model/plan.h"

namespace pipelined::exporters {

struct BuildInfo {
  std::string version;
  std::string revision;
};

class DaemonCollector final : public prometheus::Collectable {
 public:
  // All references must outlive the collector.
  DaemonCollector(BuildInfo build, const model::Plan& plan, const model::Clock& clock,
                  const model::IngestCounters& ingest, double start_time_seconds, bool curve_enabled)
      : build_(std::move(build)),
        plan_(plan),
        clock_(clock),
        ingest_(ingest),
        start_time_seconds_(start_time_seconds),
        curve_enabled_(curve_enabled) {}
  std::vector<prometheus::MetricFamily> Collect() const override;
  void Write(MetricSink& sink) const;

 private:
  BuildInfo build_;
  const model::Plan& plan_;
  const model::Clock& clock_;
  const model::IngestCounters& ingest_;
  double start_time_seconds_;
  bool curve_enabled_;
};

}  // namespace pipelined::exporters
