#include "pipelined/importer/event_id.h"

#include "pipelined/importer/sha256.h"
#include "pipelined/model/calendar.h"

namespace pipelined::importer {
namespace {

void Add(std::string* content, const char* name, const std::string& value) {
  *content += name;
  *content += '=';
  *content += std::to_string(value.size());
  *content += ':';
  *content += value;
  *content += '\n';
}

}  // namespace

std::string EventIdContent(const v1::Event& event) {
  std::string content = "pipelined-import event id v1\n";
  Add(&content, "source", event.source());
  const char* type = "none";
  switch (event.payload_case()) {
    case v1::Event::kConstructionStarted: type = "construction_started"; break;
    case v1::Event::kProductionLineLaunched: type = "production_line_launched"; break;
    case v1::Event::kInvestmentRecorded: type = "investment_recorded"; break;
    case v1::Event::kProjectCompleted: type = "project_completed"; break;
    case v1::Event::kEventRetracted: type = "event_retracted"; break;
    case v1::Event::kOutputReported: type = "output_reported"; break;
    case v1::Event::PAYLOAD_NOT_SET: break;
  }
  Add(&content, "type", type);
  Add(&content, "project", event.project_code());
  Add(&content, "date", model::Date::FromUnixSecondsShanghai(event.occurred_at().seconds()).ToString());
  Add(&content, "supersedes", event.supersedes_event_id());
  switch (event.payload_case()) {
    case v1::Event::kProductionLineLaunched:
      Add(&content, "line", event.production_line_launched().line_id());
      break;
    case v1::Event::kInvestmentRecorded:
      Add(&content, "period", event.investment_recorded().period());
      Add(&content, "amount_fen", std::to_string(event.investment_recorded().amount_fen()));
      break;
    case v1::Event::kOutputReported:
      Add(&content, "period", event.output_reported().period());
      Add(&content, "revenue_fen", std::to_string(event.output_reported().revenue_fen()));
      Add(&content, "cluster", event.output_reported().cluster());
      Add(&content, "enterprise", event.output_reported().enterprise());
      break;
    case v1::Event::kEventRetracted:
      Add(&content, "retracts", event.event_retracted().event_id());
      break;
    default:
      break;
  }
  return content;
}

std::string DerivedEventId(const v1::Event& event) { return "imp-" + Sha256Hex(EventIdContent(event)).substr(0, 32); }

}  // namespace pipelined::importer
