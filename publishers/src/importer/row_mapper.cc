#include "pipelined/importer/row_mapper.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "pipelined/model/calendar.h"

namespace pipelined::importer {
namespace {

bool IsField(const std::string& name) {
  return std::find_if(std::begin(kFields), std::end(kFields), [&](const char* f) { return name == f; }) !=
         std::end(kFields);
}

// Event types by their names in events.proto, with the short names and the
// Chinese terms reports use.
std::optional<std::string> CanonicalType(const std::string& text) {
  static const std::map<std::string, std::string> kTypes = {
      {"construction_started", "construction_started"}, {"start", "construction_started"},
      {"开工", "construction_started"},                   {"production_line_launched", "production_line_launched"},
      {"line_launched", "production_line_launched"},     {"line", "production_line_launched"},
      {"投产", "production_line_launched"},               {"investment_recorded", "investment_recorded"},
      {"investment", "investment_recorded"},             {"完成投资", "investment_recorded"},
      {"project_completed", "project_completed"},        {"completed", "project_completed"},
      {"竣工", "project_completed"},                      {"output_reported", "output_reported"},
      {"output", "output_reported"},                     {"营业收入", "output_reported"}};
  auto it = kTypes.find(text);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// "2025-06-30", "2025/6/30", "2025.06.30".
std::optional<model::Date> ParseDate(const std::string& text) {
  int year = 0, month = 0, day = 0;
  char a = 0, b = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d%c%2d%c%2d%n", &year, &a, &month, &b, &day, &consumed) != 5 ||
      consumed != static_cast<int>(text.size()) || a != b || (a != '-' && a != '/' && a != '.')) {
    return std::nullopt;
  }
  char canonical[16];
  std::snprintf(canonical, sizeof canonical, "%04d-%02d-%02d", year, month, day);
  return model::Date::Parse(canonical);
}

// "2025-06", "2025/6".
std::optional<model::YearMonth> ParsePeriod(const std::string& text) {
  int year = 0, month = 0, consumed = 0;
  char separator = 0;
  if (std::sscanf(text.c_str(), "%4d%c%2d%n", &year, &separator, &month, &consumed) != 3 ||
      consumed != static_cast<int>(text.size()) || (separator != '-' && separator != '/' && separator != '.')) {
    return std::nullopt;
  }
  char canonical[16];
  std::snprintf(canonical, sizeof canonical, "%04d-%02d", year, month);
  return model::YearMonth::Parse(canonical);
}

std::uint64_t Fnv1a(const std::string& text, std::uint64_t basis) {
  std::uint64_t hash = basis;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

MappedRow Unmappable(const char* reason, std::string message) { return {std::nullopt, reason, std::move(message)}; }

}  // namespace

std::optional<AmountUnit> ParseAmountUnit(const std::string& name) {
  if (name == "yuan" || name == "元") return AmountUnit::kYuan;
  if (name == "wan_yuan" || name == "万元") return AmountUnit::kWanYuan;
  return std::nullopt;
}

std::optional<std::int64_t> AmountToFen(const std::string& text, AmountUnit unit) {
  std::string digits;
  for (char c : text) {
    if (c != ',' && c != ' ') digits += c;
  }
  const size_t dot = digits.find('.');
  const std::string whole = digits.substr(0, dot);
  const std::string fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
  // Fen per unit: 100 for yuan, 1,000,000 for 万元; as many decimals as that holds.
  const size_t decimals = unit == AmountUnit::kYuan ? 2 : 6;
  const std::int64_t fen_per_unit = unit == AmountUnit::kYuan ? 100 : 1'000'000;
  auto all_digits = [](const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (whole.empty() || whole.size() > 12 || !all_digits(whole) || !all_digits(fraction) ||
      fraction.size() > decimals || (dot != std::string::npos && fraction.empty())) {
    return std::nullopt;
  }
  std::int64_t fen = std::stoll(whole) * fen_per_unit;
  std::int64_t scale = fen_per_unit;
  for (char c : fraction) {
    scale /= 10;
    fen += (c - '0') * scale;
  }
  return fen;
}

std::string DerivedEventId(const v1::Event& event) {
  std::string canonical = event.source() + '\x1f' + event.project_code() + '\x1f' +
                          std::to_string(event.occurred_at().seconds()) + '\x1f';
  switch (event.payload_case()) {
    case v1::Event::kConstructionStarted: canonical += "construction_started"; break;
    case v1::Event::kProductionLineLaunched:
      canonical += "production_line_launched\x1f" + event.production_line_launched().line_id();
      break;
    case v1::Event::kInvestmentRecorded:
      canonical += "investment_recorded\x1f" + event.investment_recorded().period() + '\x1f' +
                   std::to_string(event.investment_recorded().amount_fen());
      break;
    case v1::Event::kProjectCompleted: canonical += "project_completed"; break;
    case v1::Event::kOutputReported:
      canonical += "output_reported\x1f" + event.output_reported().period() + '\x1f' +
                   std::to_string(event.output_reported().revenue_fen()) + '\x1f' + event.output_reported().cluster() +
                   '\x1f' + event.output_reported().enterprise();
      break;
    default: canonical += "other"; break;
  }
  char id[40];
  std::snprintf(id, sizeof id, "imp-%016llx%016llx",
                static_cast<unsigned long long>(Fnv1a(canonical, 0xcbf29ce484222325ULL)),
                static_cast<unsigned long long>(Fnv1a(canonical, 0x84222325cbf29ce4ULL)));
  return id;
}

bool ApplyOverride(const std::string& assignment, std::map<std::string, std::string>* into, std::string* error) {
  const size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    *error = "\"" + assignment + "\": expected FIELD=VALUE";
    return false;
  }
  const std::string field = assignment.substr(0, equals);
  if (!IsField(field)) {
    *error = "\"" + field + "\" is not an event field (type, project, date, amount, period, line, source, cluster, "
                            "enterprise, event_id)";
    return false;
  }
  (*into)[field] = assignment.substr(equals + 1);
  return true;
}

std::optional<Mapping> LoadMappingFile(const std::string& path, std::vector<std::string>* errors) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    errors->push_back(path + ": cannot open mapping file");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors->push_back(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " +
                      e.msg);
    return std::nullopt;
  }
  auto where = [&path](const YAML::Node& node) {
    return path + ":" + std::to_string(node.Mark().line + 1) + ":" + std::to_string(node.Mark().column + 1) + ": ";
  };
  Mapping mapping;
  if (!root.IsMap()) {
    errors->push_back(where(root) + "expected a mapping with columns, constants, amount_unit, format");
    return std::nullopt;
  }
  std::set<std::string> seen;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (!seen.insert(key).second) {
      errors->push_back(where(entry.first) + "duplicate key \"" + key + "\"");
    } else if (key == "columns" || key == "constants") {
      if (!entry.second.IsMap()) {
        errors->push_back(where(entry.second) + key + ": expected a mapping of event field to " +
                          (key == "columns" ? "column name" : "value"));
        continue;
      }
      auto& into = key == "columns" ? mapping.columns : mapping.constants;
      for (const auto& field : entry.second) {
        const std::string name = field.first.Scalar();
        if (!IsField(name)) {
          errors->push_back(where(field.first) + key + ": \"" + name + "\" is not an event field");
        } else if (!field.second.IsScalar()) {
          errors->push_back(where(field.second) + key + "." + name + ": expected a string");
        } else if (!into.emplace(name, field.second.Scalar()).second) {
          errors->push_back(where(field.first) + key + ": duplicate field \"" + name + "\"");
        }
      }
    } else if (key == "amount_unit") {
      auto unit = entry.second.IsScalar() ? ParseAmountUnit(entry.second.Scalar()) : std::nullopt;
      if (!unit) {
        errors->push_back(where(entry.second) + "amount_unit: expected yuan or wan_yuan");
      } else {
        mapping.amount_unit = *unit;
      }
    } else if (key == "format") {
      if (!entry.second.IsScalar() || !ParseFormat(entry.second.Scalar())) {
        errors->push_back(where(entry.second) + "format: expected csv or jsonl");
      } else {
        mapping.format = entry.second.Scalar();
      }
    } else {
      errors->push_back(where(entry.first) + "unknown key \"" + key +
                        "\" (expected one of: columns, constants, amount_unit, format)");
    }
  }
  if (!errors->empty()) return std::nullopt;
  return mapping;
}

std::vector<std::string> CheckColumns(const Mapping& mapping, const std::vector<std::string>& header) {
  std::vector<std::string> problems;
  auto has = [&header](const std::string& column) {
    return std::find(header.begin(), header.end(), column) != header.end();
  };
  for (const auto& [field, column] : mapping.columns) {
    if (!has(column)) problems.push_back("column \"" + column + "\" (for " + field + ") is not in the file's header");
  }
  for (const char* required : {"type", "project", "date"}) {
    if (mapping.columns.count(required) == 0 && mapping.constants.count(required) == 0 && !has(required)) {
      problems.push_back(std::string("no column or constant for \"") + required + "\" (--map " + required +
                         "=COLUMN or --set " + required + "=VALUE)");
    }
  }
  return problems;
}

std::vector<std::string> CheckMapping(const Mapping& mapping) {
  std::vector<std::string> problems;
  if (auto type = mapping.constants.find("type"); type != mapping.constants.end() && !CanonicalType(type->second)) {
    problems.push_back("--set type=" + type->second + ": not an event type");
  }
  return problems;
}

std::string RowMapper::Value(const Record& record, const std::string& field) const {
  if (auto column = mapping_.columns.find(field); column != mapping_.columns.end()) {
    auto value = record.fields.find(column->second);
    if (value != record.fields.end() && !value->second.empty()) return value->second;
  }
  if (auto constant = mapping_.constants.find(field); constant != mapping_.constants.end()) return constant->second;
  if (mapping_.columns.count(field) == 0) {
    auto same_name = record.fields.find(field);
    if (same_name != record.fields.end()) return same_name->second;
  }
  return "";
}

MappedRow RowMapper::Map(const Record& record) {
  auto missing = [&](const char* field) {
    auto column = mapping_.columns.find(field);
    return Unmappable(unmappable::kMissingValue,
                      std::string("no ") + field +
                          (column != mapping_.columns.end() ? " (column \"" + column->second + "\" is empty or absent)"
                                                            : ""));
  };
  if (!record.problem.empty()) return Unmappable(unmappable::kBadRow, record.problem);
  const std::string type_text = Value(record, "type");
  if (type_text.empty()) return missing("type");
  const auto type = CanonicalType(type_text);
  if (!type) return Unmappable(unmappable::kUnknownType, "\"" + type_text + "\" is not an event type");
  const std::string project = Value(record, "project");
  const bool enterprise_output = *type == "output_reported" && project.empty();
  if (project.empty() && !enterprise_output) return missing("project");
  const std::string date_text = Value(record, "date");
  if (date_text.empty()) return missing("date");
  const auto date = ParseDate(date_text);
  if (!date) return Unmappable(unmappable::kBadDate, "\"" + date_text + "\" is not a date YYYY-MM-DD");

  v1::Event event;
  std::string source = Value(record, "source");
  event.set_source(source.empty() ? "pipelined-import" : source);
  event.set_project_code(project);
  // Noon in Asia/Shanghai: the day stays the same whatever the reader's zone.
  event.mutable_occurred_at()->set_seconds(date->StartUnixSecondsShanghai() + 12 * 3600);

  auto period_of = [&](std::string* period) -> std::optional<MappedRow> {
    const std::string text = Value(record, "period");
    if (text.empty()) {
      *period = date->Month().ToString();
      return std::nullopt;
    }
    auto parsed = ParsePeriod(text);
    if (!parsed) return Unmappable(unmappable::kBadPeriod, "\"" + text + "\" is not a month YYYY-MM");
    *period = parsed->ToString();
    return std::nullopt;
  };
  auto amount_of = [&](std::int64_t* fen) -> std::optional<MappedRow> {
    const std::string text = Value(record, "amount");
    if (text.empty()) return missing("amount");
    auto parsed = AmountToFen(text, mapping_.amount_unit);
    if (!parsed) {
      return Unmappable(unmappable::kBadAmount,
                        "\"" + text + "\" is not an amount in " +
                            (mapping_.amount_unit == AmountUnit::kYuan ? "yuan (at most 2 decimals)"
                                                                       : "万元 (at most 6 decimals)"));
    }
    *fen = *parsed;
    return std::nullopt;
  };

  if (*type == "construction_started") {
    event.mutable_construction_started();
  } else if (*type == "project_completed") {
    event.mutable_project_completed();
  } else if (*type == "production_line_launched") {
    const std::string line = Value(record, "line");
    if (line.empty()) return missing("line");
    event.mutable_production_line_launched()->set_line_id(line);
  } else if (*type == "investment_recorded") {
    std::string period;
    std::int64_t fen = 0;
    if (auto bad = period_of(&period)) return *bad;
    if (auto bad = amount_of(&fen)) return *bad;
    event.mutable_investment_recorded()->set_period(period);
    event.mutable_investment_recorded()->set_amount_fen(fen);
  } else {
    std::string period;
    std::int64_t fen = 0;
    if (auto bad = period_of(&period)) return *bad;
    if (auto bad = amount_of(&fen)) return *bad;
    auto* output = event.mutable_output_reported();
    output->set_period(period);
    output->set_revenue_fen(fen);
    output->set_cluster(Value(record, "cluster"));
    output->set_enterprise(Value(record, "enterprise"));
  }

  const std::string given_id = Value(record, "event_id");
  event.set_event_id(given_id.empty() ? DerivedEventId(event) : given_id);
  auto [first, inserted] = seen_ids_.emplace(event.event_id(), record.line);
  if (!inserted) {
    return Unmappable(unmappable::kDuplicateRow,
                      "same event as line " + std::to_string(first->second) + " (id " + event.event_id() + ")");
  }
  return {std::move(event), "", ""};
}

}  // namespace pipelined::importer
