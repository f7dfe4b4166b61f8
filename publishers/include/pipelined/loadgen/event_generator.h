// The events of one load-generating publisher: valid for the plan the daemon
// runs, so that a correct daemon accepts every one of them.
//
// - investment and output reports for any project of the plan, for a month
//   from the plan's first month to the last date allowed, dated within it;
// - construction started, production line launched and project completed are
//   one-off: each project (line) gets at most one per run, and the publishers
//   share the projects out (publisher p takes projects p, p + P, ...). Once a
//   publisher has sent all of its one-offs of a kind, that kind's share of
//   the mix is sent as investment reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/config/split_mix.h"
#include "pipelined/loadgen/event_mix.h"
#include "pipelined/model/calendar.h"
#include "pipelined/model/money.h"
#include "pipelined/model/plan.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::loadgen {

struct WorkloadOptions {
  std::string run_id;  // part of every event id, so that runs never collide
  std::string source;  // this publisher's source name
  int publisher = 0;   // 0 <= publisher < publishers
  int publishers = 1;
  std::uint64_t seed = 1;
  EventMix mix;
  model::Date last_date;          // no event is dated later; see LastEventDate
  std::string excluded_project;   // kept free of load (the visibility probe's project); may be empty
  std::uint64_t first_sequence = 1;
};

// The latest date events may carry: the daemon's date, but not after the
// plan period. nullopt when the daemon's date is before the plan period (then
// every event would be rejected).
std::optional<model::Date> LastEventDate(const model::Plan& plan, const model::Date& daemon_today);

// The first date events may carry: the first day of the plan period.
model::Date FirstEventDate(const model::Plan& plan);

// An event id: "<run_id>-<publisher, 2 digits>-<n, 10 digits>". Increasing
// with n, which keeps the daemon's id index appending at its end.
std::string LoadEventId(const std::string& run_id, int publisher, std::uint64_t n);

class EventGenerator {
 public:
  // `plan` must outlive the generator. REQUIRES: the plan has a project other
  // than options.excluded_project; options.last_date is not before
  // FirstEventDate(plan).
  EventGenerator(const model::Plan& plan, WorkloadOptions options);

  // Appends the next event to `batch`; returns the investment it reports, in
  // fen (0 when it is not an investment report).
  model::Fen Append(v1::EventBatch* batch);

  // Events generated so far, of one kind.
  std::uint64_t generated(EventKind kind) const { return generated_[static_cast<std::size_t>(kind)]; }
  const std::string& source() const { return options_.source; }

 private:
  struct LineRef {
    const model::ProjectPlan* project;
    const model::ProductionLinePlan* line;
  };

  model::Date Clamp(model::Date date) const;
  model::Date RandomDateInMonth(const model::YearMonth& month);
  model::YearMonth RandomMonth();
  const model::ProjectPlan& RandomProject();

  WorkloadOptions options_;
  config::SplitMix64 random_;
  model::Date first_date_;
  model::YearMonth first_month_;
  int months_ = 0;  // first_month_ .. last_date's month
  std::vector<const model::ProjectPlan*> projects_;
  // This publisher's one-offs not sent yet, used from the back.
  std::vector<const model::ProjectPlan*> starts_;
  std::vector<LineRef> launches_;
  std::vector<const model::ProjectPlan*> completions_;
  std::uint64_t next_ = 0;
  std::uint64_t generated_[kEventKinds] = {};
};

}  // namespace pipelined::loadgen
