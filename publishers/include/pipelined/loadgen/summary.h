// The summary of a load run, for people (text) and for scripts (JSON).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pipelined/loadgen/load_run.h"
#include "pipelined/loadgen/verification.h"

namespace pipelined::loadgen {

struct RunReport {
  const LoadOptions* options = nullptr;
  std::string plan_code;
  std::size_t plan_projects = 0;
  LoadResult result;
  std::optional<Verification> verification;  // nullopt: --no-verify
  int exit_code = 0;
};

// Several lines; the rate line reads "accepted N events in T s: R events/s".
std::string SummaryText(const RunReport& report);
nlohmann::json SummaryJson(const RunReport& report);

}  // namespace pipelined::loadgen
