// CSV as spreadsheets export it (RFC 4180): a header row naming the columns,
// fields separated by commas, "..." quoting with "" for a quote inside and
// commas and line breaks allowed inside, CRLF or LF line ends, UTF-8 with an
// optional byte-order mark.
//
// Leniencies, each chosen because spreadsheets and hand edits produce them:
// spaces around fields and header names are trimmed; blank lines and rows of
// only empty fields (left over from formatting) are skipped; a quote inside
// an unquoted field is kept as a character.
//
// A row that is broken on its own (another number of fields than the header,
// text after a closing quote, bytes that are not UTF-8) becomes a Record with
// a RowProblem and reading goes on. A quote that is never closed stops
// reading: from there on, rows cannot be told apart.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "pipelined/importer/record_reader.h"

namespace pipelined::importer {

class CsvReader final : public RecordReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  bool Start() override;
  bool Next(Record* record) override;

 private:
  // One row, which may span lines inside quotes; false at the end of the
  // input or on an unclosed quote (error_ set).
  bool ReadRow(std::vector<std::string>* fields, std::string* raw, std::string* problem);

  std::istream& in_;
  std::string lookahead_;  // bytes read while looking for a byte-order mark
  bool started_ = false;
  int line_ = 0;  // lines consumed so far
};

}  // namespace pipelined::importer
