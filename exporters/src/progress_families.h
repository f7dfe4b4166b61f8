// The families of progress against plan and lagging status (docs/metrics.md,
// "Progress and lagging"), rendered from one report.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"

namespace pipelined::exporters {

// `tracker` may be nullptr (no status evaluations to report).
void AppendProgressFamilies(const model::Report& report, const model::StatusTracker* tracker,
                            std::vector<prometheus::MetricFamily>* families);

}  // namespace pipelined::exporters
