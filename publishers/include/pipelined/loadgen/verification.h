// Checks, from /metrics before and after a load run, that the daemon counted,
// stored and added up exactly what it acknowledged to the load generator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipelined/loadgen/metrics_snapshot.h"
#include "pipelined/model/plan.h"

namespace pipelined::loadgen {

// What the daemon acknowledged to this run, from its replies.
struct Acknowledged {
  std::uint64_t accepted = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t unanswered_events = 0;  // in batches that got no reply in time
  model::Fen accepted_investment_fen = 0;
};

struct VerificationCheck {
  std::string name;  // what was compared, e.g. "pipelined_store_events increase"
  std::string expected;
  std::string actual;
  bool ok = false;
};

struct Verification {
  bool ok = false;
  std::vector<VerificationCheck> checks;
};

// The checks, all of which must hold:
//  - every event was answered, none rejected and none a duplicate;
//  - the increase of pipelined_events_total{result="accepted"} over
//    `sources` equals the accepted events;
//  - the increase of pipelined_store_events equals the accepted events (so no
//    one else may publish to the daemon during the run);
//  - the increase of pipelined_project_investment_completed_yuan summed over
//    the plan's projects equals the accepted investment, to the fen.
Verification Verify(const MetricsSnapshot& before, const MetricsSnapshot& after, const Acknowledged& acknowledged,
                    const std::vector<std::string>& sources, const model::Plan& plan);

}  // namespace pipelined::loadgen
