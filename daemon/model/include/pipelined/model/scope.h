// What an authenticated publisher may write: some districts, areas or
// projects, and some event types. An empty list does not restrict.
#pragma once

#include <set>
#include <string>

#include "pipelined/model/event.h"
#include "pipelined/model/plan.h"

namespace pipelined::model {

struct PublisherScope {
  std::set<std::string> districts;
  std::set<std::string> areas;
  std::set<std::string> projects;
  std::set<std::string> event_types;  // PayloadTypeName() values

  // True when the event's project and type are within the scope. `project`
  // is nullptr for an enterprise's output report, which names only a
  // cluster: only a scope without district, area or project limits allows it.
  bool Allows(const ProjectPlan* project, const Event& event) const;
  // A short description for messages, e.g. "districts yinzhou; types investment_recorded".
  std::string Describe() const;
};

}  // namespace pipelined::model
