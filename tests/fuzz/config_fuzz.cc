// Fuzz target: the bytes as a plan file, a settings file and a web config
// file. Each loader either reports errors, each with a place in the file, or
// returns something that passes its own checks; none may crash.
#include <cstdint>
#include <string>

#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"
#include "pipelined/config/web_config.h"

namespace {

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

template <typename Errors>
void RequirePlaces(const Errors& errors) {
  for (const auto& error : errors) {
    Require(error.file == "fuzz.yaml");
    Require(!error.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pipelined;
  const std::string text(reinterpret_cast<const char*>(data), size);

  config::PlanLoadResult plan = config::LoadPlanFromString(text, "fuzz.yaml");
  RequirePlaces(plan.errors);
  Require(plan.plan.has_value() == plan.errors.empty());
  if (plan.plan) {
    for (const auto& project : plan.plan->projects) {
      Require(plan.plan->FindProject(project.code) != nullptr);
      Require(!(project.completion < project.construction_start));
    }
  }

  config::SettingsLoadResult settings = config::LoadSettingsFromString(text, "fuzz.yaml");
  RequirePlaces(settings.errors);

  config::WebConfigLoadResult web = config::LoadWebConfigFromString(text, "fuzz.yaml");
  RequirePlaces(web.errors);
  for (const auto& [user, hash] : web.config.basic_auth_users) Require(hash.size() == 60);
  return 0;
}
