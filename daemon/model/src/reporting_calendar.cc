#include "pipelined/model/reporting_calendar.h"

#include <algorithm>

namespace pipelined::model {

ReportingCalendar::ReportingCalendar(int due_day) : due_day_(std::clamp(due_day, 1, kMaxReportDueDay)) {}

YearMonth ReportingCalendar::ReportOf(YearMonth month) {
  return month.month == 1 ? YearMonth{month.year, 2} : month;
}

YearMonth ReportingCalendar::FirstMonthOf(YearMonth reporting_month) {
  return reporting_month.month == 2 ? YearMonth{reporting_month.year, 1} : reporting_month;
}

YearMonth ReportingCalendar::Next(YearMonth reporting_month) {
  return ReportOf(reporting_month.AddMonths(1));
}

YearMonth ReportingCalendar::Previous(YearMonth reporting_month) {
  const YearMonth before = reporting_month.AddMonths(-1);
  return before.month == 1 ? before.AddMonths(-1) : before;
}

Date ReportingCalendar::DueDate(YearMonth month) const {
  const YearMonth next = ReportOf(month).AddMonths(1);
  return Date{next.year, next.month, due_day_};
}

YearMonth ReportingCalendar::ReportingMonthOn(const Date& today) const {
  // The report of the month before last is always due by now; last month's
  // only once its due day has passed.
  YearMonth month = today.Month().AddMonths(today.day > due_day_ ? -1 : -2);
  if (month.month == 1) month = month.AddMonths(-1);
  return month;
}

ReportingPeriod ReportingPeriodOn(const Date& today, const ReportingCalendar& calendar) {
  ReportingPeriod period;
  period.today = today;
  period.month = calendar.ReportingMonthOn(today);
  period.due = calendar.DueDate(period.month);
  period.collecting = ReportingCalendar::Next(period.month);
  period.collecting_due = calendar.DueDate(period.collecting);
  return period;
}

Date FirstDay(YearMonth month) { return Date{month.year, month.month, 1}; }
Date LastDay(YearMonth month) { return Date{month.year, month.month, DaysInMonth(month.year, month.month)}; }

}  // namespace pipelined::model
