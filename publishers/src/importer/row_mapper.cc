#include "pipelined/importer/row_mapper.h"

#include "pipelined/importer/amount.h"
#include "pipelined/importer/event_id.h"
#include "pipelined/importer/reasons.h"
#include "pipelined/importer/report_values.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::importer {
namespace {

constexpr char kDefaultSource[] = "pipelined-import";

std::string TrimBlanks(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

MappedRow NotMapped(const char* reason, std::string message) { return {std::nullopt, reason, std::move(message)}; }

}  // namespace

std::string RowMapper::Value(const Record& record, const std::string& field) const {
  auto column = mapping_.columns.find(field);
  if (column != mapping_.columns.end()) {
    if (const std::string* value = record.Find(column->second)) {
      std::string trimmed = TrimBlanks(*value);
      if (!trimmed.empty()) return trimmed;
    }
  }
  if (auto constant = mapping_.constants.find(field); constant != mapping_.constants.end()) {
    return TrimBlanks(constant->second);
  }
  if (column == mapping_.columns.end()) {
    if (const std::string* value = record.Find(field)) return TrimBlanks(*value);
  }
  return "";
}

MappedRow RowMapper::Missing(const Record& record, const std::string& field) const {
  if (auto column = mapping_.columns.find(field); column != mapping_.columns.end()) {
    return NotMapped(reason::kMissingColumn, "no " + field + ": column \"" + column->second + "\" is " +
                                                 (record.Find(column->second) ? "empty" : "not in this row"));
  }
  return NotMapped(reason::kMissingColumn, "no " + field + ": no column \"" + field +
                                               "\" in this row (--map " + field + "=COLUMN or --set " + field +
                                               "=VALUE)");
}

MappedRow RowMapper::Map(const Record& record) {
  if (record.problem) return {std::nullopt, record.problem->reason, record.problem->message};

  const std::string type_text = Value(record, "type");
  if (type_text.empty()) return Missing(record, "type");
  const std::optional<EventType> type = ParseEventType(type_text);
  if (!type) {
    return NotMapped(reason::kUnknownType, "\"" + type_text + "\" is not an event type (e.g. investment, start, "
                                                              "line, completed, output, retraction)");
  }
  publisher::EventHeader header;
  header.project_code = Value(record, "project");
  // Only an enterprise's output report names a cluster instead of a project.
  if (header.project_code.empty() && type != EventType::kOutputReported) return Missing(record, "project");
  const std::string date_text = Value(record, "date");
  if (date_text.empty()) return Missing(record, "date");
  const std::optional<model::Date> date = ParseReportDate(date_text);
  if (!date) return NotMapped(reason::kBadDate, "\"" + date_text + "\" is not a date (YYYY-MM-DD)");
  header.occurred_on = *date;
  header.source = Value(record, "source");
  if (header.source.empty()) header.source = kDefaultSource;

  // Investment and output: an amount in the row's unit and a reporting month.
  model::Fen fen = 0;
  model::YearMonth period = date->Month();
  if (type == EventType::kInvestmentRecorded || type == EventType::kOutputReported) {
    const std::string unit_text = Value(record, "amount_unit");
    std::optional<AmountUnit> unit = unit_text.empty() ? AmountUnit::kYuan : ParseAmountUnit(unit_text);
    if (!unit) return NotMapped(reason::kBadUnit, "\"" + unit_text + "\" is not a unit (yuan, wan_yuan, yi_yuan)");
    const std::string amount_text = Value(record, "amount");
    if (amount_text.empty()) return Missing(record, "amount");
    std::optional<model::Fen> amount = AmountToFen(amount_text, *unit);
    if (!amount) {
      return NotMapped(reason::kBadAmount, "\"" + amount_text + "\" is not an amount in " + AmountUnitName(*unit) +
                                               " (digits, optional thousands separators, at most " +
                                               std::to_string(FenDecimals(*unit)) + " decimals)");
    }
    fen = *amount;
    if (const std::string period_text = Value(record, "period"); !period_text.empty()) {
      std::optional<model::YearMonth> month = ParseReportMonth(period_text);
      if (!month) return NotMapped(reason::kBadPeriod, "\"" + period_text + "\" is not a month (YYYY-MM)");
      period = *month;
    }
  }

  v1::Event event;
  switch (*type) {
    case EventType::kConstructionStarted: event = publisher::ConstructionStartedEvent(header); break;
    case EventType::kProjectCompleted: event = publisher::CompletedEvent(header); break;
    case EventType::kProductionLineLaunched: {
      const std::string line = Value(record, "line");
      if (line.empty()) return Missing(record, "line");
      event = publisher::LineLaunchedEvent(header, line);
      break;
    }
    case EventType::kInvestmentRecorded: event = publisher::InvestmentEvent(header, fen, period); break;
    case EventType::kOutputReported:
      event = publisher::OutputEvent(header, fen, period, Value(record, "cluster"), Value(record, "enterprise"));
      break;
    case EventType::kEventRetracted: {
      const std::string retracts = Value(record, "retracts");
      if (retracts.empty()) return Missing(record, "retracts");
      event = publisher::RetractionEvent(header, retracts, Value(record, "note"));
      break;
    }
  }
  event.set_supersedes_event_id(Value(record, "supersedes"));
  const std::string given_id = Value(record, "event_id");
  event.set_event_id(given_id.empty() ? DerivedEventId(event) : given_id);

  auto [first, inserted] = first_line_of_id_.emplace(event.event_id(), record.line);
  if (!inserted) {
    return NotMapped(reason::kDuplicateRow, "the same event as line " + std::to_string(first->second) + " (id " +
                                                event.event_id() + "); sent once");
  }
  return {std::move(event), "", ""};
}

}  // namespace pipelined::importer
