// The values reports write for event types, days and months, in the forms
// spreadsheets and people use, parsed into the model's types.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipelined/model/calendar.h"

namespace pipelined::importer {

enum class EventType {
  kConstructionStarted,
  kProductionLineLaunched,
  kInvestmentRecorded,
  kProjectCompleted,
  kOutputReported,
  kEventRetracted,
};

// The payload names of events.proto (construction_started, ...), short
// names (start, line, investment, completed, output, retraction) and the
// Chinese terms (开工, 投产, 完成投资, 竣工, 营业收入, 撤回); ASCII in any case.
std::optional<EventType> ParseEventType(std::string_view text);
const char* EventTypeName(EventType type);  // the events.proto payload name
// The mapping fields an event of this type needs besides type, project and
// date (amount, line or retracts).
std::vector<std::string> FieldsNeededBy(EventType type);

// A day: 2025-06-30, 2025/6/30, 2025.6.30, 20250630 or 2025年6月30日,
// optionally followed by a time of day that is ignored ("2025/6/30 0:00",
// "2025-06-30T00:00:00", as spreadsheets export date cells).
std::optional<model::Date> ParseReportDate(std::string_view text);
// A month: 2025-06, 2025/6, 2025.6, 202506 or 2025年6月; a day (a spreadsheet
// that turned "2025-06" into a date) stands for its month.
std::optional<model::YearMonth> ParseReportMonth(std::string_view text);

}  // namespace pipelined::importer
