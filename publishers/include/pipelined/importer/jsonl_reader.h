// JSON Lines (also called NDJSON): one JSON object per line, its keys the
// columns. Values may be strings, numbers, true/false or null (an empty
// value). Numbers are kept as the text the file has, never converted to
// floating point, so that "amount": 1250000.50 stays exactly that.
//
// A line that is not one flat JSON object (not JSON, an array, a nested
// object as a value, a key twice, not UTF-8) becomes a Record with a
// RowProblem and reading goes on. Blank lines are skipped; a UTF-8
// byte-order mark before the first line and CRLF line ends are accepted.
#pragma once

#include <istream>

#include "pipelined/importer/record_reader.h"

namespace pipelined::importer {

class JsonLinesReader final : public RecordReader {
 public:
  explicit JsonLinesReader(std::istream& in) : in_(in) {}

  bool Start() override { return true; }
  bool Next(Record* record) override;

 private:
  std::istream& in_;
  int line_ = 0;
};

}  // namespace pipelined::importer
