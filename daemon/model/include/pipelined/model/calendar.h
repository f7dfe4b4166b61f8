// Calendar dates and months in the plan's time zone (Asia/Shanghai).
//
// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed
// offset converts instants to local dates exactly for every date a plan can
// hold. Conversions happen at the edges; the model works on these types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipelined::model {

inline constexpr std::int64_t kShanghaiUtcOffsetSeconds = 8 * 3600;

struct YearMonth {
  int year = 0;
  int month = 0;  // 1..12

  // Months since year 0; makes month arithmetic and comparison trivial.
  int Index() const { return year * 12 + (month - 1); }
  static YearMonth FromIndex(int index) { return {index / 12, index % 12 + 1}; }
  YearMonth AddMonths(int n) const { return FromIndex(Index() + n); }

  // "YYYY-MM"; nullopt unless the text is exactly that with a month 01..12.
  static std::optional<YearMonth> Parse(std::string_view text);
  std::string ToString() const;

  friend bool operator==(YearMonth a, YearMonth b) { return a.Index() == b.Index(); }
  friend bool operator!=(YearMonth a, YearMonth b) { return !(a == b); }
  friend bool operator<(YearMonth a, YearMonth b) { return a.Index() < b.Index(); }
  friend bool operator<=(YearMonth a, YearMonth b) { return a.Index() <= b.Index(); }
  friend bool operator>(YearMonth a, YearMonth b) { return b < a; }
  friend bool operator>=(YearMonth a, YearMonth b) { return b <= a; }
};

struct Date {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31

  // Days since 1970-01-01 (proleptic Gregorian).
  std::int64_t DaysSinceEpoch() const;
  static Date FromDaysSinceEpoch(std::int64_t days);

  // The local date in Asia/Shanghai of a Unix instant.
  static Date FromUnixSecondsShanghai(std::int64_t unix_seconds);
  // The Unix instant of local midnight in Asia/Shanghai that starts this date.
  std::int64_t StartUnixSecondsShanghai() const;

  YearMonth Month() const { return {year, month}; }

  // "YYYY-MM-DD"; nullopt unless a valid calendar date.
  static std::optional<Date> Parse(std::string_view text);
  std::string ToString() const;

  friend bool operator==(const Date& a, const Date& b) {
    return a.year == b.year && a.month == b.month && a.day == b.day;
  }
  friend bool operator!=(const Date& a, const Date& b) { return !(a == b); }
  friend bool operator<(const Date& a, const Date& b) {
    return a.DaysSinceEpoch() < b.DaysSinceEpoch();
  }
  friend bool operator<=(const Date& a, const Date& b) { return !(b < a); }
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// "YYYY-MM-DDTHH:MM:SS+08:00": a Unix instant in Asia/Shanghai, ISO 8601.
std::string ShanghaiDateTime(std::int64_t unix_seconds);

}  // namespace pipelined::model
