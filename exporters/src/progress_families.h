// The families of progress against plan and lagging status (docs/metrics.md,
// "Progress and lagging"), rendered from one report.
#pragma once

#include "pipelined/exporters/metric_sink.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"

namespace pipelined::exporters {

// `tracker` may be nullptr (no status evaluations to report).
void WriteProgressFamilies(const model::Report& report, const model::StatusTracker* tracker, MetricSink& sink);

}  // namespace pipelined::exporters
