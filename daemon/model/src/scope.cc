#include "pipelined/model/scope.h"

namespace pipelined::model {
namespace {

bool Within(const std::set<std::string>& allowed, const std::string& value) {
  return allowed.empty() || allowed.count(value) != 0;
}

std::string List(const char* what, const std::set<std::string>& values) {
  if (values.empty()) return "";
  std::string text = what;
  for (const auto& value : values) text += " " + value;
  return text + "; ";
}

}  // namespace

bool PublisherScope::Allows(const ProjectPlan* project, const Event& event) const {
  if (!Within(event_types, PayloadTypeName(event.payload))) return false;
  if (project == nullptr) return districts.empty() && areas.empty() && projects.empty();
  return Within(districts, project->district) && Within(areas, project->area) && Within(projects, project->code);
}

std::string PublisherScope::Describe() const {
  std::string text = List("districts", districts) + List("areas", areas) + List("projects", projects) +
                     List("event types", event_types);
  return text.empty() ? "everything" : text.substr(0, text.size() - 2);
}

}  // namespace pipelined::model
