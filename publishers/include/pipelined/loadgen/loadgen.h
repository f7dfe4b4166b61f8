// pipelined-loadgen as a function: load the plan, read the daemon's metrics,
// run the load, verify, print the summary. The command line is in
// publishers/src/loadgen_main.cc; docs/loadgen.md describes it all.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "pipelined/config/synthetic_plan.h"
#include "pipelined/loadgen/load_run.h"

namespace pipelined::loadgen {

inline constexpr int kExitOk = 0;
inline constexpr int kExitVerificationFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

struct LoadgenConfig {
  // The run; run_id, last_date, last_sequence_by_source and probe (but for
  // its interval) are filled in by RunLoadgen.
  LoadOptions load;
  std::string plan_file;                    // empty: the synthetic plan below
  config::SyntheticPlanOptions synthetic;   // its seed is load.seed
  std::string metrics_url = "http://127.0.0.1:9810/metrics";
  bool verify = true;
  std::optional<bool> probes;               // nullopt: on when a rate is set
  std::string probe_project;                // empty: the plan's last project
  ProbeVia probe_via = ProbeVia::kMetrics;
  std::optional<model::Date> until;         // nullopt: the daemon's date
  bool json = false;
};

// Runs it; the summary goes to `out`, problems to `err`. Returns the exit code.
int RunLoadgen(LoadgenConfig config, std::ostream& out, std::ostream& err);

}  // namespace pipelined::loadgen
