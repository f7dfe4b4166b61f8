// Google Benchmark micro-benchmarks of the daemon's hot paths, on a
// synthetic plan of 10,000 projects (docs/benchmarks.md, "Micro-benchmarks"):
//  - decoding a batch of 1,000 events as the ingest thread does, and
//    validating its events against the plan and the clock;
//  - applying events to the model (model::Programme);
//  - building the report a scrape renders, and rendering the metrics as text
//    (the daemon's way, and prometheus-cpp's Collect + TextSerializer).
// Built by default, run by hand: build/tests/bench/pipelined-microbench.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "pipelined/config/plan_loader.h"
#include "pipelined/config/synthetic_plan.h"
#include "pipelined/exporters/metric_sink.h"
#include "pipelined/exporters/programme_collector.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/clock.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/status_tracker.h"
#include "workload.h"

namespace pipelined::bench {
namespace {

constexpr int kProjects = 10000;
constexpr std::size_t kBatch = 1000;

// The plan, a clock on the workload's date, and a batch of the workload.
struct Fixture {
  Fixture() : clock(model::Date{2024, 6, 30}.StartUnixSecondsShanghai()) {
    config::SyntheticPlanOptions options;
    options.projects = kProjects;
    config::PlanLoadResult loaded = config::LoadPlanFromString(config::SyntheticPlanYaml(options), "synthetic");
    if (!loaded.plan) {
      std::cerr << config::JoinErrors(loaded.errors);
      std::abort();
    }
    plan = std::move(*loaded.plan);
    for (int i = 1; i <= kProjects; ++i) codes.push_back(config::SyntheticProjectCode(i));
    const Workload workload(codes, 4 * kProjects, kBatch, 1);
    for (const BatchSpec& spec : workload.batches()) {
      v1::EventBatch batch = workload.Batch(spec);
      batch.set_batch_id("bench-1");
      serialized.push_back(batch.SerializeAsString());
    }
  }
  // A programme holding every event of the workload (four per project).
  std::unique_ptr<model::Programme> FilledProgramme() const {
    auto programme = std::make_unique<model::Programme>(plan, clock);
    for (const std::string& bytes : serialized) {
      for (const model::Event& event : ingest::DecodeBatch(bytes.data(), bytes.size()).events) {
        programme->Apply(event, nullptr);
      }
    }
    return programme;
  }

  model::ManualClock clock;
  model::Plan plan;
  std::vector<std::string> codes;
  std::vector<std::string> serialized;  // batches of kBatch events
};

const Fixture& Shared() {
  static const Fixture fixture;
  return fixture;
}

void BM_DecodeBatch(benchmark::State& state) {
  const std::string& bytes = Shared().serialized.front();
  for (auto _ : state) {
    ingest::DecodedBatch batch = ingest::DecodeBatch(bytes.data(), bytes.size());
    benchmark::DoNotOptimize(batch);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}
BENCHMARK(BM_DecodeBatch);

void BM_DecodeAndValidateBatch(benchmark::State& state) {
  const Fixture& fixture = Shared();
  const model::Programme programme(fixture.plan, fixture.clock);
  const std::string& bytes = fixture.serialized.front();
  for (auto _ : state) {
    ingest::DecodedBatch batch = ingest::DecodeBatch(bytes.data(), bytes.size());
    for (const model::Event& event : batch.events) {
      if (programme.Check(event)) state.SkipWithError("an event of the workload was rejected");
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}
BENCHMARK(BM_DecodeAndValidateBatch);

void BM_ApplyEvents(benchmark::State& state) {
  const Fixture& fixture = Shared();
  model::Programme programme(fixture.plan, fixture.clock);
  const ingest::DecodedBatch batch =
      ingest::DecodeBatch(fixture.serialized.front().data(), fixture.serialized.front().size());
  for (auto _ : state) {
    for (const model::Event& event : batch.events) programme.Apply(event, nullptr);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kBatch));
}
BENCHMARK(BM_ApplyEvents);

void BM_BuildReport(benchmark::State& state) {
  const std::unique_ptr<model::Programme> programme = Shared().FilledProgramme();
  for (auto _ : state) benchmark::DoNotOptimize(programme->BuildReport());
  state.SetItemsProcessed(state.iterations() * kProjects);
  state.SetLabel("items: projects");
}
BENCHMARK(BM_BuildReport)->Unit(benchmark::kMillisecond);

// The filled programme with its statuses evaluated, as a scrape sees it,
// and the number of series one scrape has (for items/s).
struct Scraped {
  Scraped() : programme(Shared().FilledProgramme()), collector(*programme, &tracker) {
    tracker.Update(programme->BuildReport(), model::EvaluationTrigger::kEvents);
    std::string text;
    exporters::TextMetricSink sink(&text);
    collector.Write(sink);
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = text.find('\n', start);
      if (text[start] != '#') ++series;
      start = end + 1;
    }
  }
  std::unique_ptr<model::Programme> programme;
  model::StatusTracker tracker;
  exporters::ProgrammeCollector collector;
  std::int64_t series = 0;
};

void BM_CollectMetricsAsText(benchmark::State& state) {
  const Scraped scraped;
  std::string text;
  for (auto _ : state) {
    text.clear();
    // In pieces, as /metrics sends it.
    exporters::TextMetricSink sink(&text, 256 * 1024, [](std::string* piece) { piece->clear(); });
    scraped.collector.Write(sink);
    sink.Flush();
  }
  state.SetItemsProcessed(state.iterations() * scraped.series);
  state.SetLabel("items: series");
}
BENCHMARK(BM_CollectMetricsAsText)->Unit(benchmark::kMillisecond);

void BM_CollectMetricFamiliesAndSerialize(benchmark::State& state) {
  const Scraped scraped;
  for (auto _ : state) {
    benchmark::DoNotOptimize(prometheus::TextSerializer().Serialize(scraped.collector.Collect()));
  }
  state.SetItemsProcessed(state.iterations() * scraped.series);
  state.SetLabel("items: series; the MetricFamily path");
}
BENCHMARK(BM_CollectMetricFamiliesAndSerialize)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace pipelined::bench

BENCHMARK_MAIN();
