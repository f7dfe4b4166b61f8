// Where collectors put their metric families. A collector describes each
// family once (name, help, type) and then its samples, with labels given as
// views: a sink that writes text needs no per-series allocation, which is
// what keeps a scrape of a plan with 100,000 projects (millions of series)
// fast and small (docs/benchmarks.md). A second sink builds prometheus-cpp
// MetricFamily objects, for Collectable::Collect().
//
// A family's samples follow its Family() call; families do not interleave.
#pragma once

#include <prometheus/metric_family.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace pipelined::exporters {

struct Label {
  std::string_view name;
  std::string_view value;
};

class MetricSink {
 public:
  virtual ~MetricSink() = default;
  // Starts a family; the samples that follow belong to it.
  virtual void Family(std::string_view name, std::string_view help, prometheus::MetricType type) = 0;
  // One sample of the current family. REQUIRES: Family() was called.
  virtual void Sample(const Label* labels, std::size_t count, double value) = 0;

  void Sample(std::initializer_list<Label> labels, double value) { Sample(labels.begin(), labels.size(), value); }
};

// Writes the Prometheus text exposition format (version 0.0.4), byte for byte
// as prometheus::TextSerializer of prometheus-cpp 1.0.1 writes the same
// families (a unit test compares the two), straight into a string. Values
// are written as "Nan", "+Inf", "-Inf", else with 16 significant digits like
// printf's %.16g. Counters, gauges and untyped families only.
class TextMetricSink final : public MetricSink {
 public:
  // Appends to `*out`, which must outlive the sink.
  explicit TextMetricSink(std::string* out) : out_(*out) {}
  // Also hands `*out` to `flush` whenever it holds `flush_bytes` or more;
  // `flush` takes the text and leaves `*out` empty. Call Flush() at the end.
  TextMetricSink(std::string* out, std::size_t flush_bytes, std::function<void(std::string*)> flush)
      : out_(*out), flush_bytes_(flush_bytes), flush_(std::move(flush)) {}
  void Family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void Sample(const Label* labels, std::size_t count, double value) override;
  using MetricSink::Sample;

  // Appends families built elsewhere (e.g. by another Collectable).
  void Append(const std::vector<prometheus::MetricFamily>& families);
  // Hands what is left to the flush function, if there is one.
  void Flush();

 private:
  void MaybeFlush() {
    if (flush_ && out_.size() >= flush_bytes_) flush_(&out_);
  }

  std::string& out_;
  std::size_t flush_bytes_ = 0;
  std::function<void(std::string*)> flush_;
  std::string name_;
};

// Builds prometheus-cpp metric families.
class FamilyMetricSink final : public MetricSink {
 public:
  void Family(std::string_view name, std::string_view help, prometheus::MetricType type) override;
  void Sample(const Label* labels, std::size_t count, double value) override;
  using MetricSink::Sample;

  std::vector<prometheus::MetricFamily> Take() { return std::move(families_); }

 private:
  std::vector<prometheus::MetricFamily> families_;
};

}  // namespace pipelined::exporters
