// Turns one record of a report into one event: which column holds which
// event field (the mapping), constants for fields the file does not have,
// and the unit of the amounts. Rows that cannot be mapped get a reason of
// their own (they are never sent).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/importer/records.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::importer {

// The event fields a mapping can fill, by the names used in flags and the
// mapping file.
inline constexpr const char* kFields[] = {"type", "project", "date", "amount", "period", "line",
                                          "source", "cluster", "enterprise", "event_id"};

enum class AmountUnit { kYuan, kWanYuan };  // 万元: 10,000 yuan
std::optional<AmountUnit> ParseAmountUnit(const std::string& name);  // yuan, wan_yuan

struct Mapping {
  std::map<std::string, std::string> columns;    // field -> column name
  std::map<std::string, std::string> constants;  // field -> value for every row
  AmountUnit amount_unit = AmountUnit::kYuan;
  std::string format;  // csv or jsonl; empty: from the file name
};

// Reason codes of rows that cannot be mapped (docs/import.md).
namespace unmappable {
inline constexpr const char kBadRow[] = "bad_row";
inline constexpr const char kMissingValue[] = "missing_value";
inline constexpr const char kUnknownType[] = "unknown_type";
inline constexpr const char kBadDate[] = "bad_date";
inline constexpr const char kBadPeriod[] = "bad_period";
inline constexpr const char kBadAmount[] = "bad_amount";
inline constexpr const char kDuplicateRow[] = "duplicate_row";
}  // namespace unmappable

struct MappedRow {
  std::optional<v1::Event> event;  // set when the row could be mapped
  std::string reason;              // otherwise a code from `unmappable`
  std::string message;
};

// Reads a mapping file (YAML: format, amount_unit, columns, constants);
// errors as "file:line:column: message".
std::optional<Mapping> LoadMappingFile(const std::string& path, std::vector<std::string>* errors);
// Applies "field=value" overrides (from --map and --set) on top of `mapping`.
bool ApplyOverride(const std::string& assignment, std::map<std::string, std::string>* into,
                   std::string* error);
// Checks the constants (a known event type); one message per problem.
std::vector<std::string> CheckMapping(const Mapping& mapping);
// Checks a mapping against a CSV header: every mapped column exists, and the
// fields every event needs (type, project, date) are mapped, set, or have a
// column of their own name. A field without a mapping is read from the
// column named like it (handy for JSON Lines written for pipelined).
std::vector<std::string> CheckColumns(const Mapping& mapping, const std::vector<std::string>& header);

// Exact conversion of a decimal amount ("1,250,000.50", "125.5") in `unit`
// to fen; nullopt for anything else (signs, exponents, more decimals than
// fen can hold).
std::optional<std::int64_t> AmountToFen(const std::string& text, AmountUnit unit);

// The event id of a row without an event_id column: "imp-" and 32 hex digits
// of a hash of the event's content (source, type, project, dates, amount,
// line, cluster, enterprise), so that importing the same report again, in
// any row order, yields the same ids and the daemon answers DUPLICATE.
std::string DerivedEventId(const v1::Event& event);

class RowMapper {
 public:
  explicit RowMapper(Mapping mapping) : mapping_(std::move(mapping)) {}
  MappedRow Map(const Record& record);

 private:
  std::string Value(const Record& record, const std::string& field) const;

  Mapping mapping_;
  // Imported events carry no sequence number: a file is not a live feed,
  // and re-runs would look like gaps.
  std::map<std::string, int> seen_ids_;  // event id -> first line, within this file
};

}  // namespace pipelined::importer
