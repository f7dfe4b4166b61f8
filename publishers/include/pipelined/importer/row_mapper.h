// Turns one record of a report into one event with a Mapping. Rows that
// cannot become an event get a reason of the importer's own (reasons.h) and
// are never sent; whether an event is acceptable is the daemon's business
// (or, in a dry run, its validator's), so values the daemon judges, such as a
// negative amount or an unknown project, are passed through.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "pipelined/importer/mapping.h"
#include "pipelined/importer/record_reader.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::importer {

struct MappedRow {
  std::optional<v1::Event> event;  // set when the row became an event
  std::string reason;              // otherwise a code from reasons.h
  std::string message;
};

// Not thread-safe: it remembers the ids of the rows it mapped, to report a
// row that repeats an earlier one (duplicate_row) instead of sending it.
class RowMapper {
 public:
  explicit RowMapper(Mapping mapping) : mapping_(std::move(mapping)) {}

  // The event of `record`: occurred_at is noon (Asia/Shanghai) of the date,
  // reported_at now, source "pipelined-import" unless mapped, no sequence
  // number (a report is not a live feed: re-runs and reordered rows would
  // look like gaps), and the event_id column's value or DerivedEventId().
  MappedRow Map(const Record& record);

 private:
  // The value of `field` for this row, blanks trimmed: its column's value if
  // that is not empty, else its constant, else (when it has no column) the
  // value of a column named like the field; empty when none.
  std::string Value(const Record& record, const std::string& field) const;
  MappedRow Missing(const Record& record, const std::string& field) const;

  Mapping mapping_;
  std::unordered_map<std::string, int> first_line_of_id_;
};

}  // namespace pipelined::importer
