#include "pipelined/importer/dry_run_context.h"

#include <algorithm>

#include "pipelined/config/curve_certificate.h"
#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"

namespace pipelined::importer {
namespace {

void AddErrors(const std::vector<config::LoadError>& from, std::vector<std::string>* errors) {
  for (const config::LoadError& error : from) errors->push_back(error.ToString());
}

}  // namespace

std::unique_ptr<DryRunContext> LoadDryRunContext(const DryRunSources& sources, std::vector<std::string>* errors) {
  // The settings the daemon would run with, as far as its checks go.
  config::Settings settings;
  if (!sources.config_file.empty()) {
    config::SettingsLoadResult file = config::LoadSettingsFile(sources.config_file);
    if (!file.errors.empty()) {
      AddErrors(file.errors, errors);
      return nullptr;
    }
    if (file.values.plan_file) settings.plan_file = *file.values.plan_file;
    if (file.values.clock_start) settings.clock_start = *file.values.clock_start;
    config::ApplyEventLimits(file.values, &settings.event_limits);
    if (file.values.curve_publishers) settings.curve_publishers = *file.values.curve_publishers;
  }
  if (!sources.plan_file.empty()) settings.plan_file = sources.plan_file;
  if (!sources.clock_start.empty()) settings.clock_start = sources.clock_start;

  auto context = std::make_unique<DryRunContext>();
  if (settings.clock_start.empty()) {
    context->clock = std::make_unique<model::SystemClock>();
  } else if (std::optional<std::int64_t> start = config::ParseClockStart(settings.clock_start)) {
    context->clock = std::make_unique<model::VirtualClock>(*start, 1.0);
  } else {
    errors->push_back("clock start " + settings.clock_start + ": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS");
    return nullptr;
  }
  if (!sources.curve_key_file.empty() && !settings.curve_publishers.empty()) {
    std::string error;
    std::optional<config::CurveKeyPair> own = config::ReadCurveCertificate(sources.curve_key_file, &error);
    if (!own) {
      errors->push_back(error);
      return nullptr;
    }
    for (const config::PublisherKey& key : settings.curve_publishers) {
      if (key.public_key == own->public_key) {
        context->scope = key.scope;
        context->publisher_name = key.name;
      }
    }
  }
  config::PlanLoadResult plan =
      settings.plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(settings.plan_file);
  if (!plan.plan) {
    AddErrors(plan.errors, errors);
    return nullptr;
  }
  context->programme =
      std::make_unique<model::Programme>(std::move(*plan.plan), *context->clock, config::ProgrammeOptionsFrom(settings));
  return context;
}

}  // namespace pipelined::importer
