#include "pipelined/importer/mapping.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "pipelined/importer/amount.h"
#include "pipelined/importer/record_reader.h"
#include "pipelined/importer/report_values.h"

namespace pipelined::importer {
namespace {

std::string FieldList() {
  std::string list;
  for (const std::string& field : kMappableFields) list += (list.empty() ? "" : ", ") + field;
  return list;
}

std::string Where(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

// Reads columns: or constants: into `into`; `what` names the values in messages.
void ReadFieldMap(const std::string& file, const std::string& key, const YAML::Node& node,
                  std::map<std::string, std::string>* into, std::vector<std::string>* errors) {
  if (!node.IsMap()) {
    errors->push_back(Where(file, node.Mark()) + key + ": expected a mapping of event field to " +
                      (key == "columns" ? "column name" : "value"));
    return;
  }
  for (const auto& entry : node) {
    const std::string field = entry.first.Scalar();
    if (!IsMappableField(field)) {
      errors->push_back(Where(file, entry.first.Mark()) + key + ": \"" + field + "\" is not an event field (" +
                        FieldList() + ")");
    } else if (!entry.second.IsScalar()) {
      errors->push_back(Where(file, entry.second.Mark()) + key + "." + field + ": expected a single value");
    } else if (!into->emplace(field, entry.second.Scalar()).second) {
      errors->push_back(Where(file, entry.first.Mark()) + key + ": " + field + " is given twice");
    }
  }
}

}  // namespace

const std::vector<std::string> kMappableFields = {
    "type",   "project", "date",    "amount",     "amount_unit", "period",   "line",
    "cluster", "enterprise", "retracts", "note", "source", "event_id", "supersedes"};

bool IsMappableField(const std::string& name) {
  return std::find(kMappableFields.begin(), kMappableFields.end(), name) != kMappableFields.end();
}

std::optional<Mapping> LoadMappingFromString(const std::string& yaml_text, const std::string& file,
                                             std::vector<std::string>* errors) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    errors->push_back(Where(file, e.mark) + e.msg);
    return std::nullopt;
  }
  if (!root.IsMap()) {
    errors->push_back(file + ": expected a mapping with the keys columns, constants, amount_unit, format");
    return std::nullopt;
  }
  const size_t errors_before = errors->size();
  Mapping mapping;
  std::set<std::string> seen;
  std::optional<YAML::Node> unit;  // read after the loop: constants may set it too
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      // yaml-cpp keeps duplicate keys silently; a second "columns:" would be lost.
      errors->push_back(Where(file, entry.first.Mark()) + "\"" + key + "\" is given twice");
    } else if (key == "columns") {
      ReadFieldMap(file, key, entry.second, &mapping.columns, errors);
    } else if (key == "constants") {
      ReadFieldMap(file, key, entry.second, &mapping.constants, errors);
    } else if (key == "amount_unit") {
      unit.emplace();
      unit->reset(entry.second);
    } else if (key == "format") {
      if (!entry.second.IsScalar() || !ParseFormat(entry.second.Scalar())) {
        errors->push_back(Where(file, entry.second.Mark()) + "format: expected csv or jsonl");
      } else {
        mapping.format = entry.second.Scalar();
      }
    } else {
      errors->push_back(Where(file, entry.first.Mark()) + "unknown key \"" + key +
                        "\" (expected columns, constants, amount_unit, format)");
    }
  }
  if (unit) {
    if (!unit->IsScalar() || !ParseAmountUnit(unit->Scalar())) {
      errors->push_back(Where(file, unit->Mark()) + "amount_unit: expected yuan, wan_yuan or yi_yuan");
    } else if (!mapping.constants.emplace("amount_unit", unit->Scalar()).second) {
      errors->push_back(Where(file, unit->Mark()) + "amount_unit is also given under constants");
    }
  }
  if (errors->size() != errors_before) return std::nullopt;
  return mapping;
}

std::optional<Mapping> LoadMappingFile(const std::string& path, std::vector<std::string>* errors) {
  std::ifstream in(path);
  if (!in) {
    errors->push_back(path + ": cannot open the mapping file");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadMappingFromString(text.str(), path, errors);
}

std::vector<std::string> ApplyFlags(const std::vector<std::string>& maps, const std::vector<std::string>& sets,
                                    Mapping* mapping) {
  std::vector<std::string> errors;
  std::map<std::string, std::string> columns, constants;
  auto parse = [&errors](const char* flag, const std::string& assignment, std::map<std::string, std::string>* into) {
    const size_t equals = assignment.find('=');
    const std::string field = assignment.substr(0, equals);
    if (equals == std::string::npos || equals == 0) {
      errors.push_back(std::string(flag) + " " + assignment + ": expected FIELD=" +
                       (std::string(flag) == "--map" ? "COLUMN" : "VALUE"));
    } else if (!IsMappableField(field)) {
      errors.push_back(std::string(flag) + " " + assignment + ": \"" + field + "\" is not an event field (" +
                       FieldList() + ")");
    } else if (!into->emplace(field, assignment.substr(equals + 1)).second) {
      errors.push_back(std::string(flag) + " " + field + " is given twice");
    }
  };
  for (const std::string& assignment : maps) parse("--map", assignment, &columns);
  for (const std::string& assignment : sets) parse("--set", assignment, &constants);
  for (const auto* flags : {&columns, &constants}) {
    for (const auto& [field, value] : *flags) {
      mapping->columns.erase(field);
      mapping->constants.erase(field);
    }
  }
  for (const auto& [field, column] : columns) mapping->columns[field] = column;
  for (const auto& [field, value] : constants) mapping->constants[field] = value;
  return errors;
}

std::vector<std::string> CheckMapping(const Mapping& mapping) {
  std::vector<std::string> problems;
  auto constant = [&mapping](const char* field) -> const std::string* {
    auto it = mapping.constants.find(field);
    return it == mapping.constants.end() ? nullptr : &it->second;
  };
  if (const std::string* type = constant("type"); type && !ParseEventType(*type)) {
    problems.push_back("constant type=" + *type + " is not an event type (e.g. investment, start, line, completed, "
                       "output, retraction)");
  }
  if (const std::string* unit = constant("amount_unit"); unit && !ParseAmountUnit(*unit)) {
    problems.push_back("constant amount_unit=" + *unit + " is not a unit (yuan, wan_yuan, yi_yuan)");
  }
  if (const std::string* date = constant("date"); date && !ParseReportDate(*date)) {
    problems.push_back("constant date=" + *date + " is not a date (YYYY-MM-DD)");
  }
  if (const std::string* period = constant("period"); period && !ParseReportMonth(*period)) {
    problems.push_back("constant period=" + *period + " is not a month (YYYY-MM)");
  }
  for (const auto& [field, column] : mapping.columns) {
    if (column.empty()) problems.push_back("the column for " + field + " has an empty name");
  }
  if (!mapping.format.empty() && !ParseFormat(mapping.format)) {
    problems.push_back("format " + mapping.format + ": expected csv or jsonl");
  }
  return problems;
}

std::vector<std::string> CheckColumns(const Mapping& mapping, const std::vector<std::string>& header) {
  std::vector<std::string> problems;
  auto count = [&header](const std::string& column) { return std::count(header.begin(), header.end(), column); };
  std::string header_list;
  for (const std::string& column : header) header_list += (header_list.empty() ? "" : ", ") + column;
  for (const auto& [field, column] : mapping.columns) {
    const auto n = count(column);
    if (n == 0) {
      problems.push_back("column \"" + column + "\" (for " + field + ") is not in the file's header (" + header_list +
                         ")");
    } else if (n > 1) {
      problems.push_back("column \"" + column + "\" (for " + field + ") appears " + std::to_string(n) +
                         " times in the file's header: rename one");
    }
  }
  auto has = [&](const std::string& field) {
    return mapping.columns.count(field) > 0 || mapping.constants.count(field) > 0 || count(field) > 0;
  };
  std::vector<std::string> needed = {"type", "date"};
  std::optional<EventType> type;
  if (auto constant = mapping.constants.find("type"); constant != mapping.constants.end()) {
    type = ParseEventType(constant->second);
  }
  // An enterprise's output report has no project; with a type column the
  // rows decide, and a row without a project is reported on its own.
  if (type != EventType::kOutputReported) needed.push_back("project");
  if (type) {
    for (const std::string& field : FieldsNeededBy(*type)) needed.push_back(field);
  }
  for (const std::string& field : needed) {
    if (!has(field)) {
      problems.push_back("no column or constant for " + field + " (--map " + field + "=COLUMN, --set " + field +
                         "=VALUE, or a column named " + field + ")");
    }
  }
  return problems;
}

}  // namespace pipelined::importer
