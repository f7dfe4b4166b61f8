#include "pipelined/importer/record_reader.h"

#include <cctype>

#include "pipelined/importer/csv_reader.h"
#include "pipelined/importer/jsonl_reader.h"

namespace pipelined::importer {

const std::string* Record::Find(const std::string& column) const {
  for (const auto& [name, value] : fields) {
    if (name == column) return &value;
  }
  return nullptr;
}

std::optional<Format> ParseFormat(const std::string& name) {
  if (name == "csv") return Format::kCsv;
  if (name == "jsonl" || name == "ndjson") return Format::kJsonLines;
  return std::nullopt;
}

std::optional<Format> FormatOfFile(const std::string& path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return std::nullopt;
  std::string extension = path.substr(dot + 1);
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ParseFormat(extension);
}

std::unique_ptr<RecordReader> NewRecordReader(Format format, std::istream& in) {
  if (format == Format::kCsv) return std::make_unique<CsvReader>(in);
  return std::make_unique<JsonLinesReader>(in);
}

}  // namespace pipelined::importer
