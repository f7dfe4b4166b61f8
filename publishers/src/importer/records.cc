#include "pipelined/importer/records.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <memory>

namespace pipelined::importer {
namespace {

class CsvReader : public RecordReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  bool Next(Record* record) override {
    if (!header_read_) {
      header_read_ = true;
      std::vector<std::string> header;
      std::string raw;
      if (!ReadRow(&header, &raw)) {
        if (error_.empty()) error_ = "the file is empty: a CSV report needs a header row";
        return false;
      }
      if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0) header[0].erase(0, 3);
      for (std::string& name : header) name = Trim(name);
      columns_ = header;
    }
    for (;;) {
      std::vector<std::string> fields;
      record->line = line_ + 1;
      record->raw.clear();
      if (!ReadRow(&fields, &record->raw)) return false;
      if (fields.size() == 1 && Trim(fields[0]).empty()) continue;  // a blank line
      record->fields.clear();
      record->problem.clear();
      if (fields.size() != columns_.size()) {
        record->problem = std::to_string(fields.size()) + " fields, but the header has " +
                          std::to_string(columns_.size());
        return true;
      }
      for (size_t i = 0; i < fields.size(); ++i) record->fields[columns_[i]] = Trim(fields[i]);
      return true;
    }
  }

 private:
  static std::string Trim(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
  }

  // One row, which may span lines inside quotes; false at the end or on an error.
  bool ReadRow(std::vector<std::string>* fields, std::string* raw) {
    if (in_.peek() == std::char_traits<char>::eof()) return false;
    std::string field;
    bool quoted = false, was_quoted = false;
    const int start_line = line_ + 1;
    for (;;) {
      const int c = in_.get();
      if (c == std::char_traits<char>::eof()) {
        if (quoted) {
          error_ = "line " + std::to_string(start_line) + ": a quoted field is not closed before the end of the file";
          return false;
        }
        fields->push_back(field);
        ++line_;
        return true;
      }
      const char ch = static_cast<char>(c);
      if (ch != '\r' || quoted) *raw += ch;
      if (quoted) {
        if (ch == '"') {
          if (in_.peek() == '"') {
            field += '"';
            *raw += static_cast<char>(in_.get());
          } else {
            quoted = false;
          }
        } else {
          if (ch == '\n') ++line_;
          field += ch;
        }
      } else if (ch == '"' && field.empty() && !was_quoted) {
        quoted = was_quoted = true;
      } else if (ch == ',') {
        fields->push_back(field);
        field.clear();
        was_quoted = false;
      } else if (ch == '\r') {
        continue;  // CRLF line ends
      } else if (ch == '\n') {
        raw->pop_back();
        fields->push_back(field);
        ++line_;
        return true;
      } else {
        field += ch;
      }
    }
  }

  std::istream& in_;
  bool header_read_ = false;
  int line_ = 0;
};

class JsonLinesReader : public RecordReader {
 public:
  explicit JsonLinesReader(std::istream& in) : in_(in) {}

  bool Next(Record* record) override {
    std::string text;
    while (std::getline(in_, text)) {
      ++line_;
      if (!text.empty() && text.back() == '\r') text.pop_back();
      if (line_ == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
      if (text.find_first_not_of(" \t") == std::string::npos) continue;
      const nlohmann::json object = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!object.is_object()) {
        error_ = "line " + std::to_string(line_) + ": not a JSON object";
        return false;
      }
      record->line = line_;
      record->raw = text;
      record->fields.clear();
      record->problem.clear();
      for (const auto& [key, value] : object.items()) {
        if (value.is_string()) {
          record->fields[key] = value.get<std::string>();
        } else if (value.is_null()) {
          record->fields[key] = "";
        } else if (value.is_primitive()) {
          // Numbers as written in their shortest exact form; give amounts as
          // strings to keep the file's own decimals.
          record->fields[key] = value.dump();
        } else {
          error_ = "line " + std::to_string(line_) + ": \"" + key + "\" is an object or array, not a value";
          return false;
        }
      }
      return true;
    }
    return false;
  }

 private:
  std::istream& in_;
  int line_ = 0;
};

}  // namespace

std::optional<Format> ParseFormat(const std::string& name) {
  if (name == "csv") return Format::kCsv;
  if (name == "jsonl" || name == "ndjson" || name == "json") return Format::kJsonLines;
  return std::nullopt;
}

std::optional<Format> FormatOfFile(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string extension = path.substr(dot + 1);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ParseFormat(extension);
}

std::unique_ptr<RecordReader> NewCsvReader(std::istream& in) { return std::make_unique<CsvReader>(in); }
std::unique_ptr<RecordReader> NewJsonLinesReader(std::istream& in) { return std::make_unique<JsonLinesReader>(in); }

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& field = fields[i];
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      line += field;
      continue;
    }
    line += '"';
    for (char c : field) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  return line;
}

}  // namespace pipelined::importer
