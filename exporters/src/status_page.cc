#include "pipelined/exporters/status_page.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>

#include "pipelined/model/money.h"

namespace pipelined::exporters {
namespace {

using model::Fen;

const char kStyle[] = R"(<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}
h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.meta{color:#555}.note{color:#8a5a00}
.on_track{color:#1b7a2f}.not_reported{color:#666;font-style:italic}.at_risk{color:#a86b00}
.lagging{color:#b3261e;font-weight:600}.banner{background:#fff6df;border:1px solid #e8c36a;padding:.5em .8em}
.bar{position:relative;width:120px;height:.8em;background:#eee;display:inline-block}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#4a7bd0}
.bar i{position:absolute;top:-2px;bottom:-2px;width:2px;background:#222}
a{color:#1a4fa0}
</style>)";

std::string Percent(std::optional<double> ratio) {
  if (!ratio) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", *ratio * 100);
  return text;
}

std::string Points(std::optional<double> pp) {
  if (!pp) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f pp", *pp);
  return text;
}

std::string Decimal(std::optional<double> value, int digits = 2) {
  if (!value) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, *value);
  return text;
}

std::string GroupedInteger(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string UtcTime(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "–";
  const std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

std::string StatusSpan(model::Status status) {
  const std::string name = model::StatusName(status);
  return "<span class=\"" + name + "\">" + name + "</span>";
}

// A completion bar with a mark where the figure should be by now.
std::string ProgressBar(std::optional<double> rate, double pro_rata) {
  const double filled = std::clamp(rate.value_or(0), 0.0, 1.0) * 100;
  char html[200];
  std::snprintf(html, sizeof html,
                "<span class=\"bar\" title=\"completion %s, expected %.1f%%\"><span style=\"width:%.1f%%\"></span>"
                "<i style=\"left:%.1f%%\"></i></span>",
                Percent(rate).c_str(), pro_rata * 100, filled, std::clamp(pro_rata, 0.0, 1.0) * 100);
  return html;
}

std::string Reasons(const model::Assessment& assessment) {
  std::string html;
  for (const model::Finding& finding : assessment.findings) {
    if (!html.empty()) html += "<br>";
    html += "<span class=\"" + std::string(model::StatusName(finding.level)) + "\">" + HtmlEscape(finding.reason) +
            "</span>: " + HtmlEscape(finding.detail);
  }
  return html;
}

std::string ProjectLink(const model::ProjectPlan& plan) {
  return "<a href=\"/projects/" + HtmlEscape(plan.code) + "\">" + HtmlEscape(plan.code) + "</a>";
}

std::string PageStart(const std::string& title) {
  return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         HtmlEscape(title) + "</title>" + kStyle + "</head><body>\n";
}

std::string DateLine(const model::Date& today, const model::ReportingPeriod& period, const std::string& rule_set,
                     bool virtual_clock, bool catching_up) {
  char pro_rata[16];
  std::snprintf(pro_rata, sizeof pro_rata, "%.1f%%", period.pro_rata() * 100);
  std::string html = "<p class=\"meta\">Date " + today.ToString() + " (Asia/Shanghai)";
  if (virtual_clock) html += " <span class=\"note\">on a virtual clock</span>";
  html += " · reporting month " + period.month.ToString() + " (due " + period.due.ToString() +
          ") · collecting " + period.collecting.ToString() + " (due " + period.collecting_due.ToString() +
          ") · calendar pro-rata (序时进度) " + pro_rata + " · rule set <code>" + HtmlEscape(rule_set) + "</code></p>\n";
  if (catching_up) {
    html += "<p class=\"banner\" id=\"catching-up\">Catching up: history is arriving in bulk. Figures move on; "
            "statuses and reasons stay as they were evaluated before it began, and are evaluated again once it "
            "stops.</p>\n";
  }
  return html;
}

void GroupTable(std::ostringstream& html, const model::Report& report, model::GroupType type, const char* title) {
  html << "<h2>" << title << "</h2>\n<table><tr><th>Group</th><th class=n>Projects</th><th class=n>On track</th>"
          "<th class=n>Not reported</th><th class=n>At risk</th><th class=n>Lagging</th>"
          "<th class=n>Reported on time</th><th class=n>Completed this year</th>"
          "<th class=n>Annual plan</th><th>Completion vs expected</th><th class=n>Gap to schedule</th>"
          "<th class=n>Gap to pro-rata</th><th class=n>SPI</th><th>Status</th></tr>\n";
  for (const model::GroupFigures& g : report.groups) {
    if (g.type != type) continue;
    html << "<tr><td>" << HtmlEscape(g.name) << " <span class=meta>(" << HtmlEscape(g.code) << ")</span></td>"
         << "<td class=n>" << g.projects << "</td>";
    for (model::Status status : model::kAllStatuses) {
      html << "<td class=n>" << g.projects_by_status[static_cast<size_t>(status)] << "</td>";
    }
    html << "<td class=n>" << g.projects_reported_on_time << " / " << g.projects_due_to_report << "</td>"
         << "<td class=n>" << FormatMoney(g.investment_reporting_year_to_date_fen) << "</td><td class=n>"
         << FormatMoney(g.investment_planned_reporting_year_fen) << "</td><td>"
         << ProgressBar(g.completion_rate, g.expected_progress.value_or(0)) << " " << Percent(g.completion_rate)
         << " / " << Percent(g.expected_progress) << "</td><td class=n>" << Points(g.schedule_gap_pp)
         << "</td><td class=n>" << Points(g.pro_rata_gap_pp) << "</td><td class=n>" << Decimal(g.spi) << "</td><td>"
         << StatusSpan(g.assessment.status) << "</td></tr>\n";
  }
  html << "</table>\n";
}

// The chart of one project: planned, pro-rata and completed cumulative
// investment per month, as an inline SVG.
std::string Chart(const model::ProjectDetail& detail) {
  const auto& months = detail.months;
  if (months.empty()) return "<p class=meta>No planned or reported months to chart.</p>";
  constexpr double kWidth = 760, kHeight = 300, kLeft = 70, kRight = 10, kTop = 10, kBottom = 40;
  Fen top = 1;
  for (const model::MonthlyProgress& m : months) {
    top = std::max({top, m.planned_cumulative_fen, m.pro_rata_cumulative_fen, m.completed_cumulative_fen.value_or(0)});
  }
  const double plot_width = kWidth - kLeft - kRight, plot_height = kHeight - kTop - kBottom;
  auto x = [&](size_t i) { return kLeft + (months.size() == 1 ? 0.0 : plot_width * i / (months.size() - 1)); };
  auto y = [&](Fen fen) { return kTop + plot_height * (1.0 - static_cast<double>(fen) / static_cast<double>(top)); };
  auto polyline = [&](auto value_of, const char* colour, const char* dash, const char* id) {
    std::ostringstream points;
    points.setf(std::ios::fixed);
    points.precision(1);
    for (size_t i = 0; i < months.size(); ++i) {
      const std::optional<Fen> value = value_of(months[i]);
      if (value) points << x(i) << ',' << y(*value) << ' ';
    }
    return std::string("<polyline id=\"") + id + "\" fill=\"none\" stroke=\"" + colour +
           "\" stroke-width=\"2\" stroke-dasharray=\"" + dash + "\" points=\"" + points.str() + "\"/>";
  };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight << "\" role=\"img\" aria-label=\"planned against actual "
      << "cumulative investment\" font-size=\"11\" font-family=\"sans-serif\">";
  // Axes, a grid line at each quarter of the top value and a label per year.
  for (int q = 0; q <= 4; ++q) {
    const Fen value = top / 4 * q;
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\"" << y(value) << "\" y2=\""
        << y(value) << "\" stroke=\"#ddd\"/><text x=\"" << kLeft - 4 << "\" y=\"" << y(value) + 4
        << "\" text-anchor=\"end\">" << HtmlEscape(FormatMoney(value)) << "</text>";
  }
  for (size_t i = 0; i < months.size(); ++i) {
    if (months[i].month.month != 1 && i != 0) continue;
    svg << "<line x1=\"" << x(i) << "\" x2=\"" << x(i) << "\" y1=\"" << kTop << "\" y2=\"" << kHeight - kBottom
        << "\" stroke=\"#eee\"/><text x=\"" << x(i) << "\" y=\"" << kHeight - kBottom + 14
        << "\" text-anchor=\"middle\">" << months[i].month.ToString() << "</text>";
  }
  // Pro-rata last and dashed: for a project under construction all year it
  // lies on the planned line, and must stay visible there.
  svg << polyline([](const model::MonthlyProgress& m) { return std::optional<Fen>(m.planned_cumulative_fen); },
                  "#4a7bd0", "none", "planned")
      << polyline([](const model::MonthlyProgress& m) { return m.completed_cumulative_fen; }, "#1b7a2f", "none",
                  "completed")
      << polyline([](const model::MonthlyProgress& m) { return std::optional<Fen>(m.pro_rata_cumulative_fen); },
                  "#555", "5,4", "pro-rata");
  const double legend_y = kHeight - 8;
  svg << "<g font-size=\"12\"><rect x=\"" << kLeft << "\" y=\"" << legend_y - 9
      << "\" width=\"12\" height=\"3\" fill=\"#4a7bd0\"/><text x=\"" << kLeft + 16 << "\" y=\"" << legend_y
      << "\">planned (spending profile)</text><rect x=\"" << kLeft + 190 << "\" y=\"" << legend_y - 9
      << "\" width=\"12\" height=\"3\" fill=\"#888\"/><text x=\"" << kLeft + 206 << "\" y=\"" << legend_y
      << "\">calendar pro-rata (序时进度)</text><rect x=\"" << kLeft + 400 << "\" y=\"" << legend_y - 9
      << "\" width=\"12\" height=\"3\" fill=\"#1b7a2f\"/><text x=\"" << kLeft + 416 << "\" y=\"" << legend_y
      << "\">completed (reported)</text></g></svg>";
  return svg.str();
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatMoney(Fen fen) {
  const double yuan = model::FenToYuan(fen);
  const double magnitude = std::fabs(yuan);
  char text[64];
  if (magnitude >= 1e8) {
    std::snprintf(text, sizeof text, "%.2f 亿元", yuan / 1e8);
  } else if (magnitude >= 1e4) {
    const double wan = yuan / 1e4;
    std::snprintf(text, sizeof text, "%s.%d 万元", GroupedInteger(static_cast<long long>(wan)).c_str(),
                  static_cast<int>(std::fabs(wan - static_cast<long long>(wan)) * 10));
  } else {
    std::snprintf(text, sizeof text, "%.2f 元", yuan);
  }
  return text;
}

std::string RenderStatusPage(const model::Report& report, const StatusPageInputs& in) {
  std::ostringstream html;
  html << PageStart("pipelined: " + in.plan_name);
  html << "<h1>" << HtmlEscape(in.plan_name) << " <span class=meta>(" << HtmlEscape(in.plan_code) << ", "
       << HtmlEscape(in.plan_period) << ")</span></h1>\n"
       << DateLine(report.today, report.period, report.rule_set, in.virtual_clock, report.catching_up);

  const model::GroupFigures* whole = nullptr;
  for (const model::GroupFigures& g : report.groups) {
    if (g.type == model::GroupType::kPlan) whole = &g;
  }
  if (whole != nullptr && whole->projects_due_to_report > 0 && whole->projects_reported == 0 &&
      whole->investment_completed_fen == 0) {
    html << "<p class=\"banner\" id=\"no-reports\">No reports yet: " << whole->projects_due_to_report
         << " projects are due to report for " << report.period.month.ToString()
         << " and none has. Until they do they are <span class=not_reported>not reported</span>, not behind.</p>\n";
  }
  if (whole != nullptr) {
    html << "<h2>Plan totals</h2>\n<table id=\"plan-totals\">"
         << "<tr><th>Projects</th><td class=n>" << whole->projects << "</td></tr>"
         << "<tr><th>On track / not reported / at risk / lagging</th><td class=n><span class=on_track>"
         << whole->projects_by_status[0] << "</span> / <span class=not_reported>" << whole->projects_by_status[1]
         << "</span> / <span class=at_risk>" << whole->projects_by_status[2] << "</span> / <span class=lagging>"
         << whole->projects_by_status[3] << "</span></td></tr>"
         << "<tr><th>Reports for " << report.period.month.ToString() << " (due " << report.period.due.ToString()
         << "): reported / on time / due</th><td class=n id=\"timeliness\">" << whole->projects_reported << " / "
         << whole->projects_reported_on_time << " / " << whole->projects_due_to_report << " ("
         << Percent(whole->reporting_timeliness) << " on time)</td></tr>"
         << "<tr><th>Reports in for " << report.period.collecting.ToString() << " (due "
         << report.period.collecting_due.ToString() << ")</th><td class=n>" << whole->projects_reported_collecting
         << "</td></tr>"
         << "<tr><th>Planned investment (whole plan)</th><td class=n>" << FormatMoney(whole->investment_planned_fen)
         << "</td></tr><tr><th>Planned in the plan period</th><td class=n>"
         << FormatMoney(whole->investment_planned_period_fen) << "</td></tr>"
         << "<tr><th>Completed in the plan period (reported)</th><td class=n>"
         << FormatMoney(whole->investment_completed_period_fen) << "</td></tr>"
         << "<tr><th>Completed " << report.period.year() << " to " << report.period.month.ToString()
         << "</th><td class=n>" << FormatMoney(whole->investment_reporting_year_to_date_fen) << " of "
         << FormatMoney(whole->investment_planned_reporting_year_fen) << "</td></tr>"
         << "<tr><th>Completion vs expected by schedule</th><td class=n>"
         << ProgressBar(whole->completion_rate, whole->expected_progress.value_or(0)) << " "
         << Percent(whole->completion_rate) << " of " << Percent(whole->expected_progress) << " expected ("
         << Points(whole->schedule_gap_pp) << ")</td></tr>"
         << "<tr><th>Completion vs calendar pro-rata (序时进度)</th><td class=n>"
         << Percent(whole->completion_rate) << " ("
         << Points(whole->pro_rata_gap_pp) << ")</td></tr>"
         << "<tr><th>SPI</th><td class=n>" << Decimal(whole->spi) << "</td></tr>"
         << "<tr><th>Started, of those due to start</th><td class=n>" << whole->projects_due_started << " / "
         << whole->projects_due_to_start << "</td></tr>"
         << "<tr><th>Production lines launched, of those due</th><td class=n>" << whole->lines_due_launched << " / "
         << whole->lines_due << "</td></tr>"
         << "<tr><th>Investment growth, month / year to date</th><td class=n>"
         << Percent(whole->investment_growth_month) << " / " << Percent(whole->investment_growth_year_to_date)
         << "</td></tr></table>\n";
  }

  // Lagging first, then at risk; plan order within each.
  html << "<h2>Projects that are lagging or at risk</h2>\n<table id=\"lagging-projects\"><tr><th>Project</th>"
          "<th>Name</th><th>District</th><th>Status</th><th>Reasons</th></tr>\n";
  int listed = 0;
  for (model::Status status : {model::Status::kLagging, model::Status::kAtRisk}) {
    for (const model::ProjectFigures& f : report.projects) {
      if (f.assessment.status != status) continue;
      ++listed;
      html << "<tr><td>" << ProjectLink(*f.plan) << "</td><td>" << HtmlEscape(f.plan->name) << "</td><td>"
           << HtmlEscape(f.plan->district) << "</td><td>" << StatusSpan(status) << "</td><td>"
           << Reasons(f.assessment) << "</td></tr>\n";
    }
  }
  html << "</table>\n";
  if (listed == 0) html << "<p>No project is lagging or at risk.</p>\n";

  // Not reported: the report is missing, and nothing else is wrong with what
  // the project did report. Long on a first day, so the first few only.
  constexpr int kNotReportedListed = 50;
  const int not_reported = whole != nullptr ? whole->projects_by_status[1] : 0;
  html << "<h2>Projects not reported</h2>\n";
  if (not_reported == 0) {
    html << "<p>Every project due to report for " << report.period.month.ToString() << " has reported.</p>\n";
  } else {
    html << "<table id=\"not-reported-projects\"><tr><th>Project</th><th>Name</th><th>District</th>"
            "<th>Reported through</th><th>Reason</th></tr>\n";
    int shown = 0;
    for (const model::ProjectFigures& f : report.projects) {
      if (f.assessment.status != model::Status::kNotReported) continue;
      if (++shown > kNotReportedListed) break;
      html << "<tr><td>" << ProjectLink(*f.plan) << "</td><td>" << HtmlEscape(f.plan->name) << "</td><td>"
           << HtmlEscape(f.plan->district) << "</td><td>" << (f.as_of ? f.as_of->ToString() : "nothing yet")
           << "</td><td>" << Reasons(f.assessment) << "</td></tr>\n";
    }
    html << "</table>\n";
    if (not_reported > kNotReportedListed) {
      html << "<p class=meta>… and " << not_reported - kNotReportedListed
           << " more: <a href=\"/api/v1/projects?status=not_reported\">all of them</a>.</p>\n";
    }
  }

  GroupTable(html, report, model::GroupType::kArea, "Areas");
  GroupTable(html, report, model::GroupType::kCluster, "Industrial clusters");
  GroupTable(html, report, model::GroupType::kDistrict, "Districts");

  std::map<std::string, std::uint64_t> by_result;
  std::map<std::string, std::uint64_t> rejected_by_reason;
  for (const model::EventCount& count : in.event_counts) {
    by_result[model::EventStatusName(count.status)] += count.count;
    if (count.status == model::EventStatus::kRejected) rejected_by_reason[count.reason] += count.count;
  }
  html << "<h2>Ingest health</h2>\n<table id=\"ingest-health\">";
  for (const char* result : {"accepted", "duplicate", "rejected"}) {
    html << "<tr><th>Events " << result << " since start</th><td class=n>" << GroupedInteger(by_result[result])
         << "</td></tr>";
  }
  html << "<tr><th>Malformed messages</th><td class=n>" << in.malformed_messages << "</td></tr>"
       << "<tr><th>Events in the store</th><td class=n>" << GroupedInteger(in.stored_events) << " ("
       << in.orphaned_events << " orphaned)</td></tr>"
       << "<tr><th>Publisher connections</th><td class=n>" << in.connections << "</td></tr>"
       << "<tr><th>Plan and settings loaded</th><td class=n>" << UtcTime(in.last_reload_success_unix)
       << (in.last_reload_successful ? "" : " <span class=lagging>(the last reload failed: see the log)</span>")
       << "</td></tr></table>\n";
  if (!rejected_by_reason.empty()) {
    html << "<table><tr><th>Rejection reason</th><th class=n>Events</th></tr>";
    for (const auto& [reason, count] : rejected_by_reason) {
      html << "<tr><td><code>" << HtmlEscape(reason) << "</code></td><td class=n>" << GroupedInteger(count)
           << "</td></tr>";
    }
    html << "</table>\n";
  }

  html << "<h2>Recent rejections</h2>\n";
  if (in.recent_rejections.empty()) {
    html << "<p>None since start.</p>\n";
  } else {
    html << "<table id=\"recent-rejections\"><tr><th>When</th><th>Source</th><th>Event</th><th>Project</th>"
            "<th>Reason</th><th>Message</th></tr>\n";
    for (const model::RecentRejection& r : in.recent_rejections) {
      html << "<tr><td>" << UtcTime(r.at_unix) << "</td><td>" << HtmlEscape(r.source) << "</td><td>"
           << HtmlEscape(r.event_id) << " " << HtmlEscape(r.type) << "</td><td>" << HtmlEscape(r.project_code)
           << "</td><td><code>" << HtmlEscape(r.reason) << "</code></td><td>" << HtmlEscape(r.message)
           << "</td></tr>\n";
    }
    html << "</table>\n";
  }
  html << "<p class=meta>pipelined " << HtmlEscape(in.version)
       << " · <a href=\"/metrics\">metrics</a> · <a href=\"/api/v1/projects\">API</a> · figures as of this page's "
          "load; reload to refresh</p></body></html>\n";
  return html.str();
}

std::string RenderProjectPage(const model::ProjectDetail& detail, bool virtual_clock) {
  const model::ProjectFigures& f = detail.figures;
  const model::ProjectPlan& plan = *f.plan;
  std::ostringstream html;
  html << PageStart(plan.code + " " + plan.name);
  html << "<p><a href=\"/\">&larr; status</a></p><h1>" << HtmlEscape(plan.code) << " " << HtmlEscape(plan.name)
       << "</h1>\n"
       << DateLine(detail.today, detail.period, detail.rule_set, virtual_clock, detail.catching_up);
  html << "<p>Area <b>" << HtmlEscape(plan.area) << "</b> · cluster <b>"
       << (plan.cluster.empty() ? "none" : HtmlEscape(plan.cluster)) << "</b> · district <b>"
       << HtmlEscape(plan.district) << "</b>"
       << (plan.illustrative ? " · <span class=note>illustrative plan values</span>" : "") << "</p>\n";
  html << "<p id=\"status\">Status: " << StatusSpan(f.assessment.status) << "</p>";
  if (!f.assessment.findings.empty()) html << "<p>" << Reasons(f.assessment) << "</p>\n";

  html << "<p id=\"report\">Report for " << detail.period.month.ToString() << " (due "
       << detail.period.due.ToString() << "): " << model::ReportStateName(f.report)
       << (f.reported_on ? ", first reported " + f.reported_on->ToString() : std::string()) << " · figures as of "
       << (f.as_of ? f.as_of->ToString() : std::string("nothing reported yet")) << "</p>\n";

  html << "<h2>Plan</h2>\n<table><tr><th>Construction start</th><td>" << plan.construction_start.ToString()
       << (plan.continuing ? " (continuing: started " + plan.continuing->started_on.ToString() + ", " +
                                 FormatMoney(plan.continuing->investment_before_period_fen) + " before the period)"
                           : std::string())
       << "</td></tr><tr><th>Completion</th><td>" << plan.completion.ToString()
       << "</td></tr><tr><th>Total investment</th><td class=n>" << FormatMoney(plan.investment_total_fen)
       << "</td></tr><tr><th>Spending profile</th><td>" << model::SpendingProfileName(plan.spending_profile)
       << "</td></tr>";
  for (const auto& [year, fen] : plan.investment_by_year_fen) {
    html << "<tr><th>Planned for " << year << "</th><td class=n>" << FormatMoney(fen) << "</td></tr>";
  }
  html << "</table>\n";

  const std::string as_of = f.as_of ? f.as_of->ToString() : "–";
  html << "<h2>Progress</h2>\n<table id=\"progress\"><tr><th>Completed (all reported)</th><td class=n>"
       << FormatMoney(f.investment_completed_fen) << "</td></tr><tr><th>Completed "
       << (f.as_of ? std::to_string(f.as_of->year) : std::string()) << " to " << as_of << "</th><td class=n>"
       << FormatMoney(f.investment_as_of_year_to_date_fen) << " of "
       << FormatMoney(f.investment_planned_as_of_year_fen) << "</td></tr><tr><th>Expected by its schedule to "
       << as_of << "</th><td class=n>" << FormatMoney(f.investment_expected_as_of_fen) << " ("
       << Percent(f.expected_progress) << ")</td></tr><tr><th>Completion vs expected</th>"
       << "<td class=n>" << ProgressBar(f.completion_rate, f.expected_progress.value_or(0)) << " "
       << Percent(f.completion_rate) << " (" << Points(f.schedule_gap_pp) << ", " << Percent(f.schedule_attainment)
       << " of expected)</td></tr><tr><th>Completion vs calendar pro-rata</th><td class=n>"
       << Points(f.pro_rata_gap_pp) << "</td></tr>"
       << "<tr><th>Planned value / earned value</th><td class=n>" << FormatMoney(f.planned_value_fen) << " / "
       << FormatMoney(f.earned_value_fen) << "</td></tr><tr><th>SPI</th><td class=n>" << Decimal(f.spi)
       << "</td></tr><tr><th>Behind its planned value</th><td class=n>"
       << (f.delay_months ? Decimal(f.delay_months, 1) + " months" : std::string("–"))
       << "</td></tr><tr><th>Forecast completion</th><td class=n>"
       << (f.forecast_completion ? f.forecast_completion->ToString() : "–") << "</td></tr>"
       << "<tr><th>Last report</th><td class=n>"
       << (f.last_report_unix ? model::Date::FromUnixSecondsShanghai(*f.last_report_unix).ToString() : "none")
       << "</td></tr></table>\n";

  html << "<h2>Cumulative investment</h2>\n" << Chart(detail) << "\n";

  html << "<h2>Milestones</h2>\n<table id=\"milestones\"><tr><th>Milestone</th><th>Planned</th><th>Done</th>"
          "<th>State</th><th class=n>Slip (days)</th><th class=n>Months reported without it</th></tr>\n";
  for (const model::Milestone& m : f.milestones) {
    html << "<tr><td>" << model::MilestoneKindName(m.kind) << (m.line.empty() ? "" : " " + HtmlEscape(m.line))
         << "</td><td>" << m.planned.ToString() << "</td><td>" << (m.done_on ? m.done_on->ToString() : "–")
         << "</td><td>" << model::MilestoneStateName(m.state) << "</td><td class=n>" << m.slip_days
         << "</td><td class=n>" << m.reported_months_late << "</td></tr>\n";
  }
  html << "</table>\n";

  html << "<h2>Recent events</h2>\n";
  if (detail.recent_events.empty()) {
    html << "<p>No events since the daemon started or replayed its store.</p>\n";
  } else {
    html << "<table id=\"recent-events\"><tr><th>Occurred</th><th>Type</th><th>Period</th><th class=n>Amount</th>"
            "<th>Source</th><th>Event id</th></tr>\n";
    for (const model::AppliedEvent& e : detail.recent_events) {
      html << "<tr><td>"
           << (e.occurred_at_unix > 0 ? model::Date::FromUnixSecondsShanghai(e.occurred_at_unix).ToString() : "–")
           << "</td><td>" << HtmlEscape(e.type) << (e.line_id.empty() ? "" : " " + HtmlEscape(e.line_id))
           << (e.target_event_id.empty() ? "" : " (replaces " + HtmlEscape(e.target_event_id) + ")")
           << "</td><td>" << HtmlEscape(e.period) << "</td><td class=n>"
           << (e.period.empty() ? "" : FormatMoney(e.amount_fen)) << "</td><td>" << HtmlEscape(e.source)
           << "</td><td>" << HtmlEscape(e.event_id) << "</td></tr>\n";
    }
    html << "</table>\n";
  }
  html << "<p class=meta><a href=\"/api/v1/projects/" << HtmlEscape(plan.code)
       << "\">this project as JSON</a></p></body></html>\n";
  return html.str();
}

std::string RenderMessagePage(const std::string& title, const std::string& message) {
  return PageStart(title) + "<h1>" + HtmlEscape(title) + "</h1><p>" + HtmlEscape(message) +
         "</p><p><a href=\"/\">status page</a></p></body></html>\n";
}

}  // namespace pipelined::exporters
