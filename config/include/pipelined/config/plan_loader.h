// Loads a plan (areas, clusters, districts, projects) from YAML. The schema is
// documented in docs/configuration.md; every error is reported, not just the
// first, each with file, line and what was expected.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipelined/config/load_error.h"
#include "pipelined/model/plan.h"

namespace pipelined::config {

struct PlanLoadResult {
  std::optional<model::Plan> plan;  // set only when errors is empty
  std::vector<LoadError> errors;
};

PlanLoadResult LoadPlanFile(const std::string& path);
// `file_name` is only used in error messages.
PlanLoadResult LoadPlanFromString(const std::string& yaml_text, const std::string& file_name);

// The plan built into the binary: Ningbo's 14th Five-Year major projects
// (config/plans/ningbo-14th-fyp.yaml at build time).
const std::string& EmbeddedPlanYaml();
inline constexpr const char kEmbeddedPlanName[] = "<embedded>/ningbo-14th-fyp.yaml";
PlanLoadResult LoadEmbeddedPlan();

}  // namespace pipelined::config
