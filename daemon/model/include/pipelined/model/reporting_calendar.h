// The reporting calendar of a programme office (docs/lagging.md, "The
// reporting calendar"): monthly, cumulative reports that arrive in the first
// days of the next month, with January reported together with February.
#pragma once

#include "pipelined/model/calendar.h"

namespace pipelined::model {

inline constexpr int kDefaultReportDueDay = 10;
// Every month has this day, so a due day never moves with the month's length.
inline constexpr int kMaxReportDueDay = 28;

// The report for month M is due by `due_day` of month M+1. January has no
// report of its own: it comes out with February's ("1-2月"), due by `due_day`
// of March. The months that have a report of their own are the *reporting
// months*: February to December.
class ReportingCalendar {
 public:
  ReportingCalendar() : ReportingCalendar(kDefaultReportDueDay) {}
  // REQUIRES: 1 <= due_day <= kMaxReportDueDay.
  explicit ReportingCalendar(int due_day);

  int due_day() const { return due_day_; }

  // The latest reporting month whose report was due before `today`: until
  // the due day has passed, the month before stays the reporting month, so
  // that no figure moves just because the calendar turned.
  YearMonth ReportingMonthOn(const Date& today) const;

  // The day the report covering `month` is due (for January, February's).
  Date DueDate(YearMonth month) const;

  // The reporting month whose report covers `month`: February for January,
  // else the month itself.
  static YearMonth ReportOf(YearMonth month);
  // The first month a reporting month's report covers: January for
  // February, else the month itself.
  static YearMonth FirstMonthOf(YearMonth reporting_month);
  // The reporting month after (before) a reporting month: December is
  // followed by February, February preceded by December.
  static YearMonth Next(YearMonth reporting_month);
  static YearMonth Previous(YearMonth reporting_month);

 private:
  int due_day_;
};

// Where a date stands in the reporting calendar.
struct ReportingPeriod {
  Date today;
  YearMonth month;       // the reporting month ("A" in docs/lagging.md)
  Date due;              // its report was due on this day (before today)
  YearMonth collecting;  // the next reporting month, whose reports are coming in
  Date collecting_due;   // ... and are due on this day (today or later)

  int year() const { return month.year; }
  // The calendar pro-rata progress (序时进度): the share of the reporting
  // year elapsed, month / 12 (2/12 .. 12/12).
  double pro_rata() const { return month.month / 12.0; }
};
ReportingPeriod ReportingPeriodOn(const Date& today, const ReportingCalendar& calendar);

// The first and last day of a month.
Date FirstDay(YearMonth month);
Date LastDay(YearMonth month);

}  // namespace pipelined::model
