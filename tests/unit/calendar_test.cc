#include "pipelined/model/calendar.h"

#include <gtest/gtest.h>

namespace pipelined::model {
namespace {

TEST(CalendarTest, DaysSinceEpochRoundTripsAcrossLeapYearsAndCenturies) {
  for (std::int64_t days = -800000; days <= 800000; days += 37) {
    EXPECT_EQ(Date::FromDaysSinceEpoch(days).DaysSinceEpoch(), days);
  }
  EXPECT_EQ((Date{1970, 1, 1}.DaysSinceEpoch()), 0);
  EXPECT_EQ((Date{2000, 3, 1}.DaysSinceEpoch() - Date{2000, 2, 28}.DaysSinceEpoch()), 2) << "2000 is a leap year";
  EXPECT_EQ((Date{1900, 3, 1}.DaysSinceEpoch() - Date{1900, 2, 28}.DaysSinceEpoch()), 1) << "1900 is not";
  EXPECT_EQ((Date{2024, 3, 1}.DaysSinceEpoch() - Date{2024, 2, 28}.DaysSinceEpoch()), 2);
}

TEST(CalendarTest, ShanghaiDateIsUtcPlusEightHours) {
  // 2024-12-31T16:00:00Z is 2025-01-01 00:00 in Shanghai.
  const std::int64_t new_year_utc = Date{2024, 12, 31}.DaysSinceEpoch() * 86400 + 16 * 3600;
  EXPECT_EQ(Date::FromUnixSecondsShanghai(new_year_utc), (Date{2025, 1, 1}));
  EXPECT_EQ(Date::FromUnixSecondsShanghai(new_year_utc - 1), (Date{2024, 12, 31}));
  EXPECT_EQ((Date{2025, 1, 1}.StartUnixSecondsShanghai()), new_year_utc);
}

TEST(CalendarTest, ParsesOnlyValidDates) {
  EXPECT_EQ(Date::Parse("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_FALSE(Date::Parse("2023-02-29")) << "not a leap year";
  EXPECT_FALSE(Date::Parse("2024-13-01"));
  EXPECT_FALSE(Date::Parse("2024-04-31"));
  EXPECT_FALSE(Date::Parse("2024-4-1"));
  EXPECT_FALSE(Date::Parse("2024-04-01x"));
  EXPECT_FALSE(Date::Parse(""));
  EXPECT_EQ((Date{2024, 3, 5}.ToString()), "2024-03-05");
}

TEST(CalendarTest, YearMonthParsesComparesAndAddsMonths) {
  EXPECT_EQ(YearMonth::Parse("2023-03"), (YearMonth{2023, 3}));
  EXPECT_FALSE(YearMonth::Parse("2023-00"));
  EXPECT_FALSE(YearMonth::Parse("2023-3"));
  EXPECT_FALSE(YearMonth::Parse("2023/03"));
  EXPECT_EQ((YearMonth{2023, 11}.AddMonths(3)), (YearMonth{2024, 2}));
  EXPECT_EQ((YearMonth{2024, 1}.AddMonths(-1)), (YearMonth{2023, 12}));
  EXPECT_LT((YearMonth{2023, 12}), (YearMonth{2024, 1}));
  EXPECT_EQ((YearMonth{2021, 1}.ToString()), "2021-01");
}

TEST(CalendarTest, DaysInMonthKnowsFebruary) {
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2025, 2), 28);
  EXPECT_EQ(DaysInMonth(2025, 12), 31);
  EXPECT_EQ(DaysInMonth(2025, 11), 30);
}

}  // namespace
}  // namespace pipelined::model
