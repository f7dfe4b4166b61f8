// What a dry run checks against, taken as the daemon takes it: the plan (the
// embedded one, or a plan file), the clock (the system's, or a virtual one
// from a start day), the event limits, and the scope of this publisher's
// CURVE key, from the daemon's settings file and flags over it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/clock.h"
#include "pipelined/model/programme.h"
#include "pipelined/model/scope.h"

namespace pipelined::importer {

struct DryRunSources {
  std::string config_file;     // the daemon's settings file (plan, clock, ingest.limits, curve publishers); optional
  std::string plan_file;       // over the settings file's; empty: the settings file's, or the embedded plan
  std::string clock_start;     // over the settings file's; empty: the settings file's, or the system clock
  std::string curve_key_file;  // this publisher's certificate: its scope, if the settings list its key
};

struct DryRunContext {
  std::unique_ptr<model::Clock> clock;
  std::unique_ptr<model::Programme> programme;  // uses *clock
  std::optional<model::PublisherScope> scope;   // set when the settings list this publisher's key
  std::string publisher_name;
};

// nullptr with one message per problem (files with file:line:column).
std::unique_ptr<DryRunContext> LoadDryRunContext(const DryRunSources& sources, std::vector<std::string>* errors);

}  // namespace pipelined::importer
