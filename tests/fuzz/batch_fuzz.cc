// Fuzz target: one ingest message payload through the whole per-event path
// that does not need a socket or a disk: decode, validate, check corrections,
// apply to the model, build the report. Whatever the bytes, nothing may
// crash, and the report's invariants must hold.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "pipelined/config/plan_loader.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/model/programme.h"

namespace {

using namespace pipelined;

const model::Plan& TestPlan() {
  static const model::Plan plan = [] {
    config::PlanLoadResult loaded = config::LoadPlanFile(PIPELINED_SOURCE_DIR "/tests/data/test-plan.yaml");
    if (!loaded.plan) std::abort();
    return *loaded.plan;
  }();
  return plan;
}

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsKnownReason(const std::string& reason) {
  for (const std::string& known : model::AllRejectionReasons()) {
    if (known == reason) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // libprotobuf logs every message with invalid UTF-8; the daemon sends that
  // to debug (DaemonTest.InvalidUtf8...), here it would only slow the fuzzer.
  static const bool quiet = (google::protobuf::SetLogHandler(
                                 [](google::protobuf::LogLevel, const char*, int, const std::string&) {}),
                             true);
  (void)quiet;
  static const model::ManualClock clock(model::Date{2024, 6, 30}.StartUnixSecondsShanghai() + 12 * 3600);
  ingest::DecodedBatch batch = ingest::DecodeBatch(data, size);
  if (!batch.ok) {
    Require(!batch.error.empty());
    return 0;
  }
  model::Programme programme(TestPlan(), clock);
  // Accepted events by id, as the store would hold them, for corrections.
  std::map<std::string, model::Event> accepted;
  std::map<std::string, std::string> replaced_by;
  for (const model::Event& event : batch.events) {
    if (auto rejection = programme.Check(event)) {
      Require(IsKnownReason(rejection->reason));
      Require(!rejection->message.empty());
      continue;
    }
    if (accepted.count(event.event_id) != 0) continue;  // a duplicate
    const std::string& target_id = event.TargetEventId();
    model::TargetState target;
    auto found = accepted.find(target_id);
    if (!target_id.empty() && found != accepted.end()) {
      target.event = &found->second;
      auto by = replaced_by.find(target_id);
      if (by != replaced_by.end()) target.replaced_by = &accepted.at(by->second);
    }
    if (auto outcome = model::CheckTarget(event, target)) {
      Require(IsKnownReason(outcome->reason));
      continue;
    }
    programme.Apply(event, target.event);
    accepted.emplace(event.event_id, event);
    if (!target_id.empty()) replaced_by[target_id] = event.event_id;
  }
  const model::Report report = programme.BuildReport();
  model::GroupFigures sum;
  for (const model::ProjectFigures& project : report.projects) {
    Require(project.investment_completed_fen >= 0);
    sum.Add(project);
  }
  const model::GroupFigures& whole = report.groups.back();
  Require(whole.type == model::GroupType::kPlan);
  Require(whole.investment_completed_fen == sum.investment_completed_fen);
  Require(whole.projects == static_cast<int>(report.projects.size()));
  Require(whole.output_year_to_date_fen >= 0);
  return 0;
}
