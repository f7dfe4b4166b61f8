// Writes the seed corpus of the batch fuzz target: valid batches of every
// event type for the test plan, so the fuzzer starts from real structure.
// Run once: build/tests/fuzz/pipelined_fuzz_write_seeds tests/fuzz/corpus/batch
#include <fstream>
#include <string>

#include "pipelined/publisher/event_builder.h"

int main(int argc, char** argv) {
  using namespace pipelined;
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  auto header = [](const std::string& id, const std::string& project, model::Date date) {
    return publisher::EventHeader{id, "seed", 1, project, date};
  };
  std::vector<v1::EventBatch> batches(4);
  *batches[0].add_events() = publisher::ConstructionStartedEvent(header("s1", "T-IND-1", {2023, 3, 5}));
  *batches[0].add_events() = publisher::InvestmentEvent(header("i1", "T-IND-1", {2024, 5, 31}), 125000000, {2024, 5});
  *batches[1].add_events() = publisher::LineLaunchedEvent(header("l1", "T-IND-1", {2024, 4, 10}), "line-1");
  *batches[1].add_events() = publisher::CompletedEvent(header("c1", "T-IND-2", {2024, 6, 1}));
  *batches[2].add_events() = publisher::InvestmentEvent(header("i2", "T-IND-3", {2024, 3, 1}), 500, {2024, 2});
  v1::Event correction = publisher::InvestmentEvent(header("i2b", "T-IND-3", {2024, 3, 2}), 400, {2024, 2});
  correction.set_supersedes_event_id("i2");
  *batches[2].add_events() = correction;
  *batches[2].add_events() = publisher::RetractionEvent(header("r1", "T-IND-3", {2024, 3, 3}), "i2b", "typo");
  *batches[3].add_events() =
      publisher::OutputEvent(header("o1", "", {2024, 6, 30}), 99900, {2024, 6}, "materials", "ACME");
  *batches[3].add_events() = publisher::OutputEvent(header("o2", "T-IND-1", {2024, 6, 30}), 100, {2024, 6}, "", "");
  batches[3].set_batch_id("seed-4");
  for (size_t i = 0; i < batches.size(); ++i) {
    std::ofstream(dir + "/seed-" + std::to_string(i + 1), std::ios::binary) << batches[i].SerializeAsString();
  }
  return 0;
}
