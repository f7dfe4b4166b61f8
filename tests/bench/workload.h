// The benchmark's event stream: N investment events with unique ids, cut
// into batches of B, the batches dealt round-robin to P publishers. Every
// event is a pure function of its index, so the bare store, every daemon run
// and the pushgateway see the same events and the expected totals are known
// in advance.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pipelined/model/money.h"
#include "pipelined/store/event_store.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::bench {

struct BatchSpec {
  int publisher = 0;
  std::uint64_t first_event = 0;     // global index of the batch's first event
  std::size_t count = 0;
  std::uint64_t first_sequence = 0;  // the publisher's sequence for that event
};

class Workload {
 public:
  // The investment months: January to June 2024, all before the daemon's
  // virtual date 2024-06-30 (kClockStart).
  static constexpr int kYear = 2024;
  static constexpr int kMonths = 6;
  static constexpr const char* kClockStart = "2024-06-30";
  static constexpr model::Fen kMaxAmountFen = 100'000'000;  // 1 million yuan

  Workload(std::vector<std::string> projects, std::uint64_t events, std::size_t batch_size, int publishers);

  const std::vector<BatchSpec>& batches() const { return batches_; }
  const std::vector<std::string>& project_codes() const { return projects_; }
  std::size_t projects() const { return projects_.size(); }
  int publishers() const { return publishers_; }
  // Sizes of what the store keeps per event, from the first batch.
  std::size_t id_bytes() const;
  double mean_body_bytes() const;
  std::uint64_t events() const { return events_; }
  model::Fen total_fen() const { return total_fen_; }

  static std::string Source(int publisher);

  // Event `i` of `batch`: ids like "pipelined-bench-p03-000000012345"
  // (32 bytes, increasing per publisher, as time-based ids are). Sets the
  // event's project index and amount.
  v1::Event Event(const BatchSpec& batch, std::size_t i, std::size_t* project, model::Fen* amount_fen) const;
  v1::EventBatch Batch(const BatchSpec& batch) const;
  // What the daemon would store for the batch's events.
  std::vector<store::EventRecord> Records(const BatchSpec& batch, std::int64_t received_at) const;

 private:
  static model::Fen AmountFen(std::uint64_t k);

  std::vector<std::string> projects_;
  std::uint64_t events_;
  int publishers_;
  std::vector<BatchSpec> batches_;
  model::Fen total_fen_ = 0;
};

}  // namespace pipelined::bench

namespace pipelined::bench {

// The project codes of a plan file, in plan order; empty (and *error) when
// it does not load or has no projects.
std::vector<std::string> LoadProjectCodes(const std::string& plan_file, std::string* error);

}  // namespace pipelined::bench
