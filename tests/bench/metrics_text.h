// Reading the Prometheus text format back, for the benchmark's comparisons:
// the daemon's scrape turned into a stock prometheus-cpp registry with the
// same series.
#pragma once

#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace pipelined::bench {

// A registry holding every sample of `text` (text format 0.0.4) as a gauge
// or counter of the same name, labels and value, the way an exporter built
// on prometheus-cpp's own families would hold them. *series is the number
// of samples.
std::shared_ptr<prometheus::Registry> RegistryFromText(const std::string& text, std::size_t* series);

}  // namespace pipelined::bench
