#include "pipelined/importer/report_values.h"

#include <map>

namespace pipelined::importer {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads the text left to right; every step either consumes what it expects
// or leaves the position alone and says no.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  // Between `min` and `max` digits.
  bool Number(size_t min, size_t max, int* value) {
    size_t n = 0;
    int v = 0;
    while (n < max && pos_ + n < text_.size() && IsDigit(text_[pos_ + n])) v = v * 10 + (text_[pos_ + n++] - '0');
    if (n < min) return false;
    pos_ += n;
    *value = v;
    return true;
  }
  bool Literal(std::string_view what) {
    if (text_.substr(pos_, what.size()) != what) return false;
    pos_ += what.size();
    return true;
  }
  // One of -, / or . ; the same one each time it is asked again.
  bool Separator(char* chosen) {
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if ((*chosen == 0 && (c == '-' || c == '/' || c == '.')) || (*chosen != 0 && c == *chosen)) {
      *chosen = c;
      ++pos_;
      return true;
    }
    return false;
  }
  // The rest is a time of day (" 0:00", "T00:00:00", " 00:00:00.000"), or nothing.
  bool TimeOfDayOrEnd() {
    if (pos_ == text_.size()) return true;
    if (text_[pos_] != ' ' && text_[pos_] != 'T') return false;
    std::string_view rest = text_.substr(pos_ + 1);
    if (rest.empty() || !IsDigit(rest[0])) return false;
    for (char c : rest) {
      if (!IsDigit(c) && c != ':' && c != '.') return false;
    }
    return true;
  }
  bool AtEnd() const { return pos_ == text_.size(); }
  size_t position() const { return pos_; }
  void Reset(size_t position) { pos_ = position; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

std::optional<model::Date> MakeDate(int year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > model::DaysInMonth(year, month)) return std::nullopt;
  return model::Date{year, month, day};
}

std::optional<model::YearMonth> MakeMonth(int year, int month) {
  if (month < 1 || month > 12) return std::nullopt;
  return model::YearMonth{year, month};
}

}  // namespace

std::optional<EventType> ParseEventType(std::string_view text) {
  static const std::map<std::string, EventType, std::less<>> kNames = {
      {"construction_started", EventType::kConstructionStarted},
      {"start", EventType::kConstructionStarted},
      {"开工", EventType::kConstructionStarted},
      {"production_line_launched", EventType::kProductionLineLaunched},
      {"line_launched", EventType::kProductionLineLaunched},
      {"line", EventType::kProductionLineLaunched},
      {"投产", EventType::kProductionLineLaunched},
      {"investment_recorded", EventType::kInvestmentRecorded},
      {"investment", EventType::kInvestmentRecorded},
      {"完成投资", EventType::kInvestmentRecorded},
      {"project_completed", EventType::kProjectCompleted},
      {"completed", EventType::kProjectCompleted},
      {"竣工", EventType::kProjectCompleted},
      {"output_reported", EventType::kOutputReported},
      {"output", EventType::kOutputReported},
      {"营业收入", EventType::kOutputReported},
      {"event_retracted", EventType::kEventRetracted},
      {"retraction", EventType::kEventRetracted},
      {"retract", EventType::kEventRetracted},
      {"撤回", EventType::kEventRetracted},
  };
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  auto it = kNames.find(lower);
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kConstructionStarted: return "construction_started";
    case EventType::kProductionLineLaunched: return "production_line_launched";
    case EventType::kInvestmentRecorded: return "investment_recorded";
    case EventType::kProjectCompleted: return "project_completed";
    case EventType::kOutputReported: return "output_reported";
    case EventType::kEventRetracted: return "event_retracted";
  }
  return "unknown";
}

std::vector<std::string> FieldsNeededBy(EventType type) {
  switch (type) {
    case EventType::kProductionLineLaunched: return {"line"};
    case EventType::kInvestmentRecorded:
    case EventType::kOutputReported: return {"amount"};
    case EventType::kEventRetracted: return {"retracts"};
    default: return {};
  }
}

std::optional<model::Date> ParseReportDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  Cursor cursor(text);
  char separator = 0;
  if (cursor.Number(4, 4, &year) && cursor.Separator(&separator) && cursor.Number(1, 2, &month) &&
      cursor.Separator(&separator) && cursor.Number(1, 2, &day) && cursor.TimeOfDayOrEnd()) {
    return MakeDate(year, month, day);
  }
  cursor.Reset(0);
  if (cursor.Number(4, 4, &year) && cursor.Literal("年") && cursor.Number(1, 2, &month) && cursor.Literal("月") &&
      cursor.Number(1, 2, &day) && cursor.Literal("日") && cursor.AtEnd()) {
    return MakeDate(year, month, day);
  }
  cursor.Reset(0);
  if (cursor.Number(4, 4, &year) && cursor.Number(2, 2, &month) && cursor.Number(2, 2, &day) &&
      cursor.TimeOfDayOrEnd()) {
    return MakeDate(year, month, day);
  }
  return std::nullopt;
}

std::optional<model::YearMonth> ParseReportMonth(std::string_view text) {
  if (auto day = ParseReportDate(text)) return day->Month();
  int year = 0, month = 0;
  Cursor cursor(text);
  char separator = 0;
  if (cursor.Number(4, 4, &year) && cursor.Separator(&separator) && cursor.Number(1, 2, &month) && cursor.AtEnd()) {
    return MakeMonth(year, month);
  }
  cursor.Reset(0);
  if (cursor.Number(4, 4, &year) && cursor.Literal("年") && cursor.Number(1, 2, &month) && cursor.Literal("月") &&
      cursor.AtEnd()) {
    return MakeMonth(year, month);
  }
  cursor.Reset(0);
  if (cursor.Number(4, 4, &year) && cursor.Number(2, 2, &month) && cursor.AtEnd()) return MakeMonth(year, month);
  return std::nullopt;
}

}  // namespace pipelined::importer
