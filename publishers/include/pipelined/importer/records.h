// Reading the rows of a report file: CSV (RFC 4180, as spreadsheets export
// it) or JSON Lines. Each row becomes a record of column name -> text, so
// that mapping rows to events does not care about the file format.
#pragma once

#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pipelined::importer {

struct Record {
  int line = 0;  // where the row starts in the file (1-based)
  std::map<std::string, std::string> fields;  // column -> value as text
  std::string raw;  // the row as it was in the file (for the rejects file)
  // Set when the row itself is broken (e.g. a CSV row with more fields than
  // the header): it is reported as not mappable, and reading goes on.
  std::string problem;
};

enum class Format { kCsv, kJsonLines };
// From a file name's extension: .csv; .jsonl, .ndjson, .json. nullopt otherwise.
std::optional<Format> FormatOfFile(const std::string& path);
std::optional<Format> ParseFormat(const std::string& name);  // csv, jsonl

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // The next record; false at the end of the file or on an error that stops
  // reading (then error() is set, with the line).
  virtual bool Next(Record* record) = 0;
  const std::string& error() const { return error_; }
  // CSV: the header's column names, in order; JSON Lines: empty.
  const std::vector<std::string>& columns() const { return columns_; }

 protected:
  std::string error_;
  std::vector<std::string> columns_;
};

// `in` must outlive the reader. A CSV file must start with a header row; a
// UTF-8 byte-order mark before it is skipped.
std::unique_ptr<RecordReader> NewCsvReader(std::istream& in);
std::unique_ptr<RecordReader> NewJsonLinesReader(std::istream& in);

// One CSV line of `fields`, quoted where needed (for the rejects file).
std::string CsvLine(const std::vector<std::string>& fields);

}  // namespace pipelined::importer
