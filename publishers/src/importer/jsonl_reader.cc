#include "pipelined/importer/jsonl_reader.h"

#include <nlohmann/json.hpp>

#include <set>

#include "pipelined/importer/reasons.h"
#include "utf8.h"

namespace pipelined::importer {
namespace {

using Json = nlohmann::json;

// Collects one line's top-level key -> value text through nlohmann's SAX
// interface, which hands over a number's own text: a DOM would have turned
// 1250000.50 into a double first.
class FlatObjectCollector : public nlohmann::json_sax<Json> {
 public:
  explicit FlatObjectCollector(Record* record) : record_(record) {}

  const std::string& problem() const { return problem_; }

  bool null() override { return Value(""); }
  bool boolean(bool value) override { return Value(value ? "true" : "false"); }
  bool number_integer(number_integer_t value) override { return Value(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return Value(std::to_string(value)); }
  bool number_float(number_float_t, const string_t& text) override { return Value(text); }
  bool string(string_t& value) override { return Value(value); }
  bool binary(binary_t&) override { return Value(""); }  // JSON text has no binary values

  bool start_object(std::size_t) override { return Open(/*object=*/true); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(/*object=*/false); }
  bool end_array() override { return Close(); }

  bool key(string_t& name) override {
    if (depth_ == 1) {
      key_ = name;
      if (!keys_.insert(name).second) Problem("key \"" + name + "\" appears twice");
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    // "[json.exception.parse_error.101] parse error at line 1, column 9: ..." without the prefix.
    std::string what = e.what();
    if (const size_t bracket = what.find("] "); what.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
      what.erase(0, bracket + 2);
    }
    problem_ = "not JSON: " + what;  // replaces any earlier problem: this one explains the rest
    return false;
  }

 private:
  bool Value(std::string text) {
    if (depth_ == 0) {
      Problem("the line is a single value, not a JSON object");
    } else if (depth_ == 1) {
      record_->fields.emplace_back(key_, std::move(text));
    }
    return true;
  }
  bool Open(bool object) {
    if (depth_ == 0 && !object) Problem("the line is an array, not a JSON object");
    if (depth_ == 1) {
      Problem("the value of \"" + key_ + "\" is " + (object ? "an object" : "an array") + "; give a plain value");
    }
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  void Problem(std::string message) {
    if (problem_.empty()) problem_ = std::move(message);
  }

  Record* record_;
  int depth_ = 0;
  std::string key_;
  std::set<std::string> keys_;
  std::string problem_;
};

}  // namespace

bool JsonLinesReader::Next(Record* record) {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (line_ == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    record->line = line_;
    record->fields.clear();
    record->problem.reset();
    if (!IsWellFormedUtf8(text)) {
      record->raw = text;
      record->problem = RowProblem{reason::kBadEncoding, "the line is not UTF-8"};
      return true;
    }
    FlatObjectCollector collector(record);
    Json::sax_parse(text, &collector);
    record->raw = std::move(text);
    if (!collector.problem().empty()) record->problem = RowProblem{reason::kBadRow, collector.problem()};
    return true;
  }
  if (in_.bad()) error_ = "reading failed after line " + std::to_string(line_);
  return false;
}

}  // namespace pipelined::importer
