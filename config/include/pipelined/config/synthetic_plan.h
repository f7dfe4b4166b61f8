// A generated plan of any size, for load tests: the shape of the Ningbo plan
// (areas, "361"-style clusters, districts, projects with yearly investment
// plans, schedules and production lines) with made-up values. The same
// options always give the same bytes. The YAML is in the plan file format of
// docs/configuration.md and loads with LoadPlanFromString / LoadPlanFile.
#pragma once

#include <cstdint>
#include <string>

namespace pipelined::config {

struct SyntheticPlanOptions {
  int projects = 1000;     // REQUIRES: >= 1
  std::uint64_t seed = 1;  // same seed and sizes, same plan
  int areas = 5;           // REQUIRES: >= 1
  int clusters = 10;       // may be 0: then no project belongs to a cluster
  int districts = 10;      // REQUIRES: >= 1
  // The plan period, whole years. REQUIRES: first_year <= last_year.
  int first_year = 2021;
  int last_year = 2025;
};

// The plan's code: "loadgen".
inline constexpr const char kSyntheticPlanCode[] = "loadgen";

// The code of project `index` (1-based): "LG-000001", "LG-000123".
std::string SyntheticProjectCode(int index);

// The plan as YAML. Every project is marked `illustrative: all`. Projects
// start within the period (at the latest in June of its last year), take 12 to
// 60 months, may run past the period, plan 50 million to 5 billion yuan spread
// over their years, and have 0 to 3 production lines; about 70% belong to a
// cluster. declared_projects and declared_investment_yuan are set, so the
// loader checks the totals.
std::string SyntheticPlanYaml(const SyntheticPlanOptions& options);

}  // namespace pipelined::config
