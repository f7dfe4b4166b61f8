#include "pipelined/importer/csv_reader.h"

#include <algorithm>

#include "pipelined/importer/reasons.h"
#include "utf8.h"

namespace pipelined::importer {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string TrimBlanks(const std::string& text) {
  size_t first = 0, last = text.size();
  while (first < last && IsBlank(text[first])) ++first;
  while (last > first && IsBlank(text[last - 1])) --last;
  return text.substr(first, last - first);
}

std::string NotUtf8Advice(const std::string& header) {
  if (header.rfind("\xFF\xFE", 0) == 0 || header.rfind("\xFE\xFF", 0) == 0) {
    return "the file is UTF-16 (a spreadsheet's \"Unicode text\"): save it as \"CSV UTF-8\"";
  }
  return "the header is not UTF-8; a Chinese spreadsheet's plain \"CSV\" is usually GBK: save it as "
         "\"CSV UTF-8\" or convert it (iconv -f GBK -t UTF-8 report.csv > report-utf8.csv)";
}

// The parser reads through the stream buffer byte by byte; the first bytes
// may come from the lookahead left by the byte-order mark check.
class Bytes {
 public:
  Bytes(std::istream& in, std::string& lookahead) : buffer_(*in.rdbuf()), lookahead_(lookahead) {}
  int Get() {
    if (!lookahead_.empty()) {
      const int c = static_cast<unsigned char>(lookahead_.front());
      lookahead_.erase(0, 1);
      return c;
    }
    return buffer_.sbumpc();
  }
  int Peek() {
    if (!lookahead_.empty()) return static_cast<unsigned char>(lookahead_.front());
    return buffer_.sgetc();
  }

 private:
  std::streambuf& buffer_;
  std::string& lookahead_;
};

}  // namespace

bool CsvReader::ReadRow(std::vector<std::string>* fields, std::string* raw, std::string* problem) {
  Bytes bytes(in_, lookahead_);
  constexpr int kEof = std::char_traits<char>::eof();
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote } state = State::kFieldStart;
  std::string field;
  bool any = false;  // read anything of this row at all
  const int start_line = line_ + 1;
  auto end_field = [&]() {
    fields->push_back(state == State::kAfterQuote ? field : TrimBlanks(field));
    field.clear();
    state = State::kFieldStart;
  };
  for (;;) {
    const int c = bytes.Get();
    if (c == kEof) {
      if (!any) return false;
      if (state == State::kQuoted) {
        error_ = "line " + std::to_string(start_line) +
                 ": a quoted field starts here and is not closed before the end of the file (a stray \"?)";
        return false;
      }
      end_field();
      ++line_;
      return true;
    }
    any = true;
    const char ch = static_cast<char>(c);
    if (state == State::kQuoted) {
      *raw += ch;
      if (ch == '"') {
        if (bytes.Peek() == '"') {
          bytes.Get();
          *raw += '"';
          field += '"';
        } else {
          state = State::kAfterQuote;
        }
      } else {
        if (ch == '\n') ++line_;
        field += ch;
      }
      continue;
    }
    if (ch == '\r' || ch == '\n') {
      if (ch == '\r' && bytes.Peek() == '\n') bytes.Get();
      end_field();
      ++line_;
      return true;
    }
    *raw += ch;
    if (ch == ',') {
      end_field();
    } else if (state == State::kFieldStart && ch == '"') {
      field.clear();  // blanks before the opening quote
      state = State::kQuoted;
    } else if (state == State::kFieldStart && IsBlank(ch)) {
      field += ch;
    } else if (state == State::kAfterQuote) {
      if (!IsBlank(ch) && problem->empty()) {
        *problem = "field " + std::to_string(fields->size() + 1) +
                   " has text after its closing quote (a quote inside a quoted field is written \"\")";
      }
    } else {
      field += ch;
      state = State::kUnquoted;
    }
  }
}

bool CsvReader::Start() {
  if (started_) return error_.empty();
  started_ = true;
  // A byte-order mark is not part of the first column's name, quoted or not.
  std::string lookahead;
  for (int i = 0; i < 3 && in_.rdbuf()->sgetc() != std::char_traits<char>::eof(); ++i) {
    lookahead += static_cast<char>(in_.rdbuf()->sbumpc());
  }
  if (lookahead == kBom) lookahead.clear();
  lookahead_ = lookahead;
  std::vector<std::string> header;
  std::string raw, problem;
  int header_line = 0;
  do {  // blank lines before the header are skipped like those between rows
    header.clear();
    raw.clear();
    header_line = line_ + 1;
    if (!ReadRow(&header, &raw, &problem)) {
      if (error_.empty()) error_ = "the file is empty: a CSV report starts with a header row naming the columns";
      return false;
    }
  } while (header.size() == 1 && header[0].empty() && problem.empty());
  const std::string where = "line " + std::to_string(header_line) + " (the header): ";
  if (!IsWellFormedUtf8(raw)) {
    error_ = where + NotUtf8Advice(raw);
    return false;
  }
  if (!problem.empty()) {
    error_ = where + problem;
    return false;
  }
  columns_ = header;
  return true;
}

bool CsvReader::Next(Record* record) {
  if (!Start()) return false;
  for (;;) {
    std::vector<std::string> fields;
    std::string raw, problem;
    const int start_line = line_ + 1;
    if (!ReadRow(&fields, &raw, &problem)) return false;
    if (problem.empty() && std::all_of(fields.begin(), fields.end(), [](const std::string& f) { return f.empty(); })) {
      continue;  // a blank line, or a row left over from formatting
    }
    record->line = start_line;
    record->raw = std::move(raw);
    record->fields.clear();
    record->problem.reset();
    for (size_t i = 0; i < fields.size(); ++i) {
      record->fields.emplace_back(i < columns_.size() ? columns_[i] : std::string(), std::move(fields[i]));
    }
    if (!IsWellFormedUtf8(record->raw)) {
      record->problem = RowProblem{reason::kBadEncoding, "the row is not UTF-8 (is the file GBK? convert it to UTF-8)"};
    } else if (!problem.empty()) {
      record->problem = RowProblem{reason::kBadRow, problem};
    } else if (fields.size() != columns_.size()) {
      record->problem = RowProblem{reason::kBadRow, std::to_string(fields.size()) + " fields, but the header has " +
                                                  std::to_string(columns_.size())};
    }
    return true;
  }
}

}  // namespace pipelined::importer
