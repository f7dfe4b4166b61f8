#include "workload.h"

#include <algorithm>
#include <cstdio>

#include "pipelined/config/split_mix.h"
#include "pipelined/model/calendar.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::bench {

Workload::Workload(std::vector<std::string> projects, std::uint64_t events, std::size_t batch_size, int publishers)
    : projects_(std::move(projects)), events_(events), publishers_(publishers) {
  std::vector<std::uint64_t> next_sequence(static_cast<std::size_t>(publishers), 1);
  for (std::uint64_t first = 0; first < events; first += batch_size) {
    BatchSpec batch;
    batch.publisher = static_cast<int>(batches_.size() % static_cast<std::size_t>(publishers));
    batch.first_event = first;
    batch.count = static_cast<std::size_t>(std::min<std::uint64_t>(batch_size, events - first));
    batch.first_sequence = next_sequence[static_cast<std::size_t>(batch.publisher)];
    next_sequence[static_cast<std::size_t>(batch.publisher)] += batch.count;
    batches_.push_back(batch);
  }
  for (std::uint64_t k = 0; k < events; ++k) total_fen_ += AmountFen(k);
}

std::size_t Workload::id_bytes() const {
  return batches_.empty() ? 0 : Records(batches_[0], 0)[0].event_id.size();
}

double Workload::mean_body_bytes() const {
  if (batches_.empty()) return 0;
  double total = 0;
  const std::vector<store::EventRecord> records = Records(batches_[0], 0);
  for (const auto& record : records) total += static_cast<double>(record.body.size());
  return total / static_cast<double>(records.size());
}

std::string Workload::Source(int publisher) {
  char text[32];
  std::snprintf(text, sizeof text, "pipelined-bench-p%02d", publisher);
  return text;
}

v1::Event Workload::Event(const BatchSpec& batch, std::size_t i, std::size_t* project, model::Fen* amount_fen) const {
  const std::uint64_t k = batch.first_event + i;
  publisher::EventHeader header;
  header.source = Source(batch.publisher);
  header.sequence = batch.first_sequence + i;
  char id[64];
  std::snprintf(id, sizeof id, "%s-%012llu", header.source.c_str(), static_cast<unsigned long long>(header.sequence));
  header.event_id = id;
  const std::uint64_t n = projects_.size();
  *project = static_cast<std::size_t>(k % n);
  header.project_code = projects_[*project];
  const int month = 1 + static_cast<int>((k / n) % kMonths);
  const int day = 1 + static_cast<int>((k / (n * kMonths)) % 28);
  header.occurred_on = model::Date{kYear, month, day};
  *amount_fen = AmountFen(k);
  return publisher::InvestmentEvent(header, *amount_fen, model::YearMonth{kYear, month});
}

v1::EventBatch Workload::Batch(const BatchSpec& batch) const {
  v1::EventBatch out;
  out.mutable_events()->Reserve(static_cast<int>(batch.count));
  std::size_t project = 0;
  model::Fen amount = 0;
  for (std::size_t i = 0; i < batch.count; ++i) *out.add_events() = Event(batch, i, &project, &amount);
  return out;
}

std::vector<store::EventRecord> Workload::Records(const BatchSpec& batch, std::int64_t received_at) const {
  std::vector<store::EventRecord> records;
  records.reserve(batch.count);
  std::size_t project = 0;
  model::Fen amount = 0;
  for (std::size_t i = 0; i < batch.count; ++i) {
    v1::Event event = Event(batch, i, &project, &amount);
    store::EventRecord record;
    record.event_id = event.event_id();
    record.source = event.source();
    record.sequence = event.sequence();
    record.project_code = event.project_code();
    record.received_at = received_at;
    record.body = event.SerializeAsString();
    records.push_back(std::move(record));
  }
  return records;
}

model::Fen Workload::AmountFen(std::uint64_t k) {
  return 1 + static_cast<model::Fen>(config::SplitMix64(k).Next() % static_cast<std::uint64_t>(kMaxAmountFen));
}

}  // namespace pipelined::bench

#include "bench_section.h"
#include "pipelined/config/plan_loader.h"

namespace pipelined::bench {

std::vector<std::string> LoadProjectCodes(const std::string& plan_file, std::string* error) {
  config::PlanLoadResult plan = config::LoadPlanFile(plan_file);
  std::vector<std::string> codes;
  if (!plan.plan) {
    *error = "cannot load " + plan_file + ":\n" + config::JoinErrors(plan.errors);
    return codes;
  }
  for (const auto& project : plan.plan->projects) codes.push_back(project.code);
  if (codes.empty()) *error = plan_file + " has no projects";
  return codes;
}

std::vector<std::string> PlanProjectsFor(const char* section, const BenchOptions& options, BenchReport* report) {
  std::string error;
  std::vector<std::string> projects = LoadProjectCodes(options.plan, &error);
  if (projects.empty()) report->failures.push_back(std::string(section) + ": " + error);
  return projects;
}

}  // namespace pipelined::bench
