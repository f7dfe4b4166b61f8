// Reading the rows of a report file. Each row becomes a Record of column
// name -> text, so that mapping rows to events does not care whether the file
// was CSV or JSON Lines.
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipelined::importer {

// A row the reader could not take apart cleanly; it is reported with this
// reason (docs/import.md) and never sent, and reading goes on.
struct RowProblem {
  std::string reason;  // bad_row or bad_encoding
  std::string message;
};

struct Record {
  int line = 0;  // where the row starts in the file (1-based)
  // column -> value as text, in the file's order (CSV: the header's order;
  // a CSV row with more fields than the header has the extra values under
  // an empty name, so that the rejects file can give them back).
  std::vector<std::pair<std::string, std::string>> fields;
  std::string raw;  // the row as it was in the file, without its line end
  std::optional<RowProblem> problem;

  // The first value of `column`; nullptr when the row has no such column.
  const std::string* Find(const std::string& column) const;
};

enum class Format { kCsv, kJsonLines };
// "csv", "jsonl" or "ndjson"; nullopt otherwise.
std::optional<Format> ParseFormat(const std::string& name);
// From a file name's extension (.csv, .jsonl, .ndjson, any case); nullopt otherwise.
std::optional<Format> FormatOfFile(const std::string& path);

// Reads records one at a time from a stream. Not thread-safe.
class RecordReader {
 public:
  virtual ~RecordReader() = default;

  // Reads what comes before the first row (a CSV header). Called by Next()
  // when needed; false on an error that stops reading (see error()).
  virtual bool Start() = 0;
  // The next record; false at the end of the file or on an error that stops
  // reading (then error() is set and names the line).
  virtual bool Next(Record* record) = 0;

  const std::string& error() const { return error_; }
  // CSV: the header's column names, in order, once Start() succeeded;
  // JSON Lines: empty (every record names its own keys).
  const std::vector<std::string>& columns() const { return columns_; }

 protected:
  std::string error_;
  std::vector<std::string> columns_;
};

// A reader for `format`; `in` must outlive it.
std::unique_ptr<RecordReader> NewRecordReader(Format format, std::istream& in);

}  // namespace pipelined::importer
