#include "pipelined/importer/rejects_writer.h"

namespace pipelined::importer {

std::string CsvLine(const std::vector<std::string>& fields) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& field = fields[i];
    // Leading or trailing blanks are quoted too: the reader trims unquoted ones.
    const bool quote = field.find_first_of(",\"\r\n") != std::string::npos ||
                       (!field.empty() && (field.front() == ' ' || field.front() == '\t' ||
                                           field.back() == ' ' || field.back() == '\t'));
    if (!quote) {
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

RejectsWriter::RejectsWriter(std::ostream& out, std::vector<std::string> columns)
    : out_(out), by_column_(!columns.empty()) {
  std::vector<std::string> header = {"line", "reason", "message"};
  if (by_column_) {
    header.insert(header.end(), columns.begin(), columns.end());
  } else {
    header.push_back("record");
  }
  out_ << "\xEF\xBB\xBF" << CsvLine(header) << "\n";
}

void RejectsWriter::Add(const Record& record, const std::string& reason, const std::string& message) {
  std::vector<std::string> fields = {std::to_string(record.line), reason, message};
  if (by_column_) {
    // All of the row's values in the file's order, extra ones of a broken row too.
    for (const auto& [column, value] : record.fields) fields.push_back(value);
  } else {
    fields.push_back(record.raw);
  }
  out_ << CsvLine(fields) << "\n";
}

}  // namespace pipelined::importer
