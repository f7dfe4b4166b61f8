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
  // `web_external_url`: where people reach the status pages (for links in
  // alerts); empty when not configured.
  DaemonCollector(BuildInfo build, const model::Plan& plan, const model::Clock& clock,
                  const model::IngestCounters& ingest, double start_time_seconds, bool curve_enabled,
                  std::string web_external_url = "")
      : build_(std::move(build)),
        plan_(plan),
        clock_(clock),
        ingest_(ingest),
        start_time_seconds_(start_time_seconds),
        curve_enabled_(curve_enabled),
        web_external_url_(std::move(web_external_url)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;
  void Write(MetricSink& sink) const;

 private:
  BuildInfo build_;
  const model::Plan& plan_;
  const model::Clock& clock_;
  const model::IngestCounters& ingest_;
  double start_time_seconds_;
  bool curve_enabled_;
  std::string web_external_url_;
};

}  // namespace pipelined::exporters
