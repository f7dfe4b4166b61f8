// Which column of a report holds which event field, constants for fields the
// report does not have, and where they come from: a YAML mapping file and
// the --map/--set flags (docs/import.md, "Mapping").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pipelined::importer {

// The event fields a mapping can fill, by the names used in flags and in the
// mapping file:
//   type, project, date           every event (project: not for an enterprise's output)
//   amount, amount_unit, period   investment and output (amount_unit: yuan, wan_yuan, yi_yuan)
//   line                          production_line_launched
//   cluster, enterprise           output_reported
//   retracts, note                event_retracted
//   source, event_id, supersedes  optional for every event
extern const std::vector<std::string> kMappableFields;
bool IsMappableField(const std::string& name);

struct Mapping {
  std::map<std::string, std::string> columns;    // field -> column name
  // field -> value; for a field that also has a column, the value of the rows
  // whose cell is empty.
  std::map<std::string, std::string> constants;
  std::string format;  // "csv", "jsonl" or empty: from the file name
};

// A mapping file:
//   format: csv                 # optional
//   amount_unit: wan_yuan       # optional, same as constants: {amount_unit: ...}
//   columns: {FIELD: COLUMN, ...}
//   constants: {FIELD: VALUE, ...}
// Errors (unknown keys and fields, duplicates, wrong shapes) as
// "file:line:column: message"; nullopt when there is any.
std::optional<Mapping> LoadMappingFile(const std::string& path, std::vector<std::string>* errors);
std::optional<Mapping> LoadMappingFromString(const std::string& yaml_text, const std::string& file_name,
                                             std::vector<std::string>* errors);

// Applies --map FIELD=COLUMN and --set FIELD=VALUE flags on top of a mapping
// (from a file or empty). A field named by a flag forgets what the file said
// about it; --map and --set for the same field give a column with a default.
// One message per malformed or unknown assignment.
std::vector<std::string> ApplyFlags(const std::vector<std::string>& maps, const std::vector<std::string>& sets,
                                    Mapping* mapping);

// Checks the constants (a known type and unit, dates and months that parse)
// and the format; one message per problem.
std::vector<std::string> CheckMapping(const Mapping& mapping);

// Checks a mapping against a CSV header before any row is used: every mapped
// column is in the header exactly once, and the fields every row needs (type,
// project, date, and what a constant type needs) have a column, a constant,
// or a column named like the field. One message per problem.
std::vector<std::string> CheckColumns(const Mapping& mapping, const std::vector<std::string>& header);

}  // namespace pipelined::importer
