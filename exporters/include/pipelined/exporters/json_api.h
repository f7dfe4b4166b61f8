// The documents of the JSON query API (/api/v1/..., docs/api.md), rendered
// from the model. Knows nothing of HTTP: the daemon's web server routes
// requests here and sends what comes back.
#pragma once

#include <string>

#include "pipelined/model/programme.h"

namespace pipelined::exporters {

// Query parameters of /api/v1/projects; empty fields match everything.
struct ProjectFilter {
  std::string status;  // on_track, at_risk, lagging
  std::string area;
  std::string cluster;
  std::string district;
};

// /api/v1/projects: every project of the plan that matches, in plan order.
std::string ProjectsJson(const model::Report& report, const ProjectFilter& filter);
// /api/v1/projects/{code}.
std::string ProjectJson(const model::ProjectDetail& detail);
// /api/v1/groups; `type` (area, cluster, district, plan) empty for all.
std::string GroupsJson(const model::Report& report, const std::string& type);
// {"error": message}
std::string ErrorJson(const std::string& message);

}  // namespace pipelined::exporters
