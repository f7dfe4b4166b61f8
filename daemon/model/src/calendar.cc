#include "pipelined/model/calendar.h"

#include <cstdio>

namespace pipelined::model {
namespace {

// Parses exactly `width` ASCII digits at text[pos..]; -1 when not digits.
int ParseDigits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Floor division, so that dates before 1970 convert correctly.
std::int64_t FloorDiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

std::optional<YearMonth> YearMonth::Parse(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  int year = ParseDigits(text, 0, 4);
  int month = ParseDigits(text, 5, 2);
  if (year < 0 || month < 1 || month > 12) return std::nullopt;
  return YearMonth{year, month};
}

std::string YearMonth::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

// Howard Hinnant's days_from_civil algorithm.
std::int64_t Date::DaysSinceEpoch() const {
  std::int64_t y = year - (month <= 2 ? 1 : 0);
  std::int64_t era = FloorDiv(y, 400);
  std::int64_t yoe = y - era * 400;
  std::int64_t mp = (month + 9) % 12;
  std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::FromDaysSinceEpoch(std::int64_t days) {
  std::int64_t z = days + 719468;
  std::int64_t era = FloorDiv(z, 146097);
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return Date{y, m, d};
}

Date Date::FromUnixSecondsShanghai(std::int64_t unix_seconds) {
  return FromDaysSinceEpoch(FloorDiv(unix_seconds + kShanghaiUtcOffsetSeconds, 86400));
}

std::int64_t Date::StartUnixSecondsShanghai() const {
  return DaysSinceEpoch() * 86400 - kShanghaiUtcOffsetSeconds;
}

std::string ShanghaiDateTime(std::int64_t unix_seconds) {
  const Date day = Date::FromUnixSecondsShanghai(unix_seconds);
  const std::int64_t seconds = unix_seconds - day.StartUnixSecondsShanghai();
  char time[24];
  std::snprintf(time, sizeof time, "T%02d:%02d:%02d+08:00", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return day.ToString() + time;
}

std::optional<Date> Date::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = ParseDigits(text, 0, 4);
  int month = ParseDigits(text, 5, 2);
  int day = ParseDigits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > DaysInMonth(year, month)) return std::nullopt;
  return Date{year, month, day};
}

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

}  // namespace pipelined::model
