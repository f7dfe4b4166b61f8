// The rejects file: every row that did not get in (rejected by the daemon or
// its dry-run validation, or not mapped), with its line, the reason code and
// the message, then the row's original columns (CSV input) or the original
// line (JSON Lines, column "record"). It is CSV in UTF-8 with a byte-order
// mark, so that a spreadsheet opens the Chinese headers correctly and the
// importer can read it back.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "pipelined/importer/record_reader.h"

namespace pipelined::importer {

// One CSV line (no line end) of `fields`, quoted where RFC 4180 needs it.
std::string CsvLine(const std::vector<std::string>& fields);

class RejectsWriter {
 public:
  // Writes the header: line, reason, message, then `columns` (a CSV file's
  // header) or "record" when `columns` is empty. `out` must outlive the writer.
  RejectsWriter(std::ostream& out, std::vector<std::string> columns);

  void Add(const Record& record, const std::string& reason, const std::string& message);
  bool ok() const { return out_.good(); }

 private:
  std::ostream& out_;
  bool by_column_;
};

}  // namespace pipelined::importer
