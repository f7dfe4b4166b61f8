#include "pipelined/exporters/json_api.h"

#include <nlohmann/json.hpp>

#include "pipelined/model/money.h"

namespace pipelined::exporters {
namespace {

using nlohmann::json;

// Invalid UTF-8 cannot come from protobuf strings or YAML, but a page must
// never fail on it: replace instead of throwing.
std::string Dump(const json& document) { return document.dump(-1, ' ', false, json::error_handler_t::replace); }

// Money is exact integer fen inside; the API gives yuan, like the metrics.
json Yuan(model::Fen fen) { return model::FenToYuan(fen); }

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json Findings(const model::Assessment& assessment) {
  json reasons = json::array();
  for (const model::Finding& finding : assessment.findings) {
    reasons.push_back({{"reason", finding.reason},
                       {"level", model::StatusName(finding.level)},
                       {"detail", finding.detail},
                       {"value", finding.value},
                       {"threshold", finding.threshold}});
  }
  return reasons;
}

json MonthOrNull(const std::optional<model::YearMonth>& month) {
  return month ? json(month->ToString()) : json(nullptr);
}

json DateOrNull(const std::optional<model::Date>& date) { return date ? json(date->ToString()) : json(nullptr); }

json ProjectSummary(const model::ProjectFigures& f) {
  const model::ProjectPlan& plan = *f.plan;
  return {
      {"code", plan.code},
      {"name", plan.name},
      {"area", plan.area},
      {"cluster", plan.cluster.empty() ? json(nullptr) : json(plan.cluster)},
      {"district", plan.district},
      {"illustrative", plan.illustrative},
      {"continuing", plan.continuing.has_value()},
      {"status", model::StatusName(f.assessment.status)},
      {"reasons", Findings(f.assessment)},
      {"construction_started", f.construction_started},
      {"lines_launched", f.lines_launched},
      {"lines_planned", f.lines_planned},
      {"completed", f.completed},
      {"report",
       {{"state", model::ReportStateName(f.report)},
        {"reported_on", DateOrNull(f.reported_on)},
        {"reported_next_month", f.reported_collecting}}},
      {"reported_through", MonthOrNull(f.as_of)},
      {"investment",
       {{"planned_yuan", Yuan(f.investment_planned_fen)},
        {"completed_yuan", Yuan(f.investment_completed_fen)},
        {"completed_period_yuan", Yuan(f.investment_completed_period_fen)},
        {"planned_reporting_year_yuan", Yuan(f.investment_planned_reporting_year_fen)},
        {"completed_year_to_date_yuan", Yuan(f.investment_reporting_year_to_date_fen)},
        {"as_of_year_to_date_yuan", Yuan(f.investment_as_of_year_to_date_fen)},
        {"expected_as_of_yuan", Yuan(f.investment_expected_as_of_fen)},
        {"planned_as_of_year_yuan", Yuan(f.investment_planned_as_of_year_fen)},
        {"completion_rate", OrNull(f.completion_rate)},
        {"expected_progress", OrNull(f.expected_progress)},
        {"schedule_gap_pp", OrNull(f.schedule_gap_pp)},
        {"schedule_attainment", OrNull(f.schedule_attainment)},
        {"pro_rata_gap_pp", OrNull(f.pro_rata_gap_pp)},
        {"planned_value_yuan", Yuan(f.planned_value_fen)},
        {"earned_value_yuan", Yuan(f.earned_value_fen)},
        {"spi", OrNull(f.spi)},
        {"delay_months", OrNull(f.delay_months)}}},
      {"forecast_completion", DateOrNull(f.forecast_completion)},
      {"last_report", f.last_report_unix ? json(model::Date::FromUnixSecondsShanghai(*f.last_report_unix).ToString())
                                         : json(nullptr)},
  };
}

json ReportHeader(const model::Date& today, const model::ReportingPeriod& period, const std::string& rule_set,
                  bool catching_up) {
  return {{"date", today.ToString()},
          {"reporting_month", period.month.ToString()},
          {"reporting_due", period.due.ToString()},
          {"next_reporting_month", period.collecting.ToString()},
          {"next_reporting_due", period.collecting_due.ToString()},
          {"pro_rata", period.pro_rata()},
          {"rule_set", rule_set},
          {"catching_up", catching_up}};
}

json ReportHeader(const model::Report& report) {
  json header = ReportHeader(report.today, report.period, report.rule_set, report.catching_up);
  header["statuses_evaluated_at"] = model::ShanghaiDateTime(report.statuses_as_of_unix);
  return header;
}

bool Matches(const model::ProjectFigures& f, const ProjectFilter& filter) {
  const model::ProjectPlan& plan = *f.plan;
  return (filter.status.empty() || filter.status == model::StatusName(f.assessment.status)) &&
         (filter.area.empty() || filter.area == plan.area) &&
         (filter.cluster.empty() || filter.cluster == plan.cluster) &&
         (filter.district.empty() || filter.district == plan.district);
}

}  // namespace

std::string ProjectsJson(const model::Report& report, const ProjectFilter& filter) {
  json document = ReportHeader(report);
  json projects = json::array();
  for (const model::ProjectFigures& f : report.projects) {
    if (Matches(f, filter)) projects.push_back(ProjectSummary(f));
  }
  document["count"] = projects.size();
  document["projects"] = std::move(projects);
  return Dump(document);
}

std::string ProjectJson(const model::ProjectDetail& detail) {
  const model::ProjectFigures& f = detail.figures;
  const model::ProjectPlan& plan = *f.plan;
  json document = ReportHeader(detail.today, detail.period, detail.rule_set, detail.catching_up);
  json project = ProjectSummary(f);

  json lines = json::array();
  for (const model::ProductionLinePlan& line : plan.production_lines) {
    lines.push_back({{"id", line.id}, {"launch", line.launch.ToString()}});
  }
  json by_year = json::object();
  for (const auto& [year, fen] : plan.investment_by_year_fen) by_year[std::to_string(year)] = Yuan(fen);
  json continuing = nullptr;
  if (plan.continuing) {
    continuing = {{"started_on", plan.continuing->started_on.ToString()},
                  {"investment_before_period_yuan", Yuan(plan.continuing->investment_before_period_fen)}};
  }
  project["plan"] = {{"construction_start", plan.construction_start.ToString()},
                     {"continuing", std::move(continuing)},
                     {"completion", plan.completion.ToString()},
                     {"investment_total_yuan", Yuan(plan.investment_total_fen)},
                     {"investment_by_year_yuan", std::move(by_year)},
                     {"spending_profile", model::SpendingProfileName(plan.spending_profile)},
                     {"production_lines", std::move(lines)}};

  json milestones = json::array();
  for (const model::Milestone& m : f.milestones) {
    milestones.push_back({{"kind", model::MilestoneKindName(m.kind)},
                          {"line", m.line.empty() ? json(nullptr) : json(m.line)},
                          {"planned", m.planned.ToString()},
                          {"done_on", m.done_on ? json(m.done_on->ToString()) : json(nullptr)},
                          {"state", model::MilestoneStateName(m.state)},
                          {"slip_days", m.slip_days},
                          {"slip_months", m.slip_months},
                          {"reported_months_late", m.reported_months_late}});
  }
  project["milestones"] = std::move(milestones);

  json months = json::array();
  for (const model::MonthlyProgress& point : detail.months) {
    months.push_back({{"month", point.month.ToString()},
                      {"planned_cumulative_yuan", Yuan(point.planned_cumulative_fen)},
                      {"pro_rata_cumulative_yuan", Yuan(point.pro_rata_cumulative_fen)},
                      {"completed_cumulative_yuan", point.completed_cumulative_fen
                                                        ? Yuan(*point.completed_cumulative_fen)
                                                        : json(nullptr)}});
  }
  project["months"] = std::move(months);

  json events = json::array();
  for (const model::AppliedEvent& e : detail.recent_events) {
    json event = {{"event_id", e.event_id},
                  {"source", e.source},
                  {"type", e.type},
                  {"occurred_on", e.occurred_at_unix > 0
                                      ? json(model::Date::FromUnixSecondsShanghai(e.occurred_at_unix).ToString())
                                      : json(nullptr)}};
    if (!e.period.empty()) {
      event["period"] = e.period;
      event["amount_yuan"] = Yuan(e.amount_fen);
    }
    if (!e.line_id.empty()) event["line"] = e.line_id;
    if (!e.target_event_id.empty()) event["target_event_id"] = e.target_event_id;
    events.push_back(std::move(event));
  }
  project["recent_events"] = std::move(events);
  document["project"] = std::move(project);
  return Dump(document);
}

std::string GroupsJson(const model::Report& report, const std::string& type) {
  json document = ReportHeader(report);
  json groups = json::array();
  for (const model::GroupFigures& g : report.groups) {
    if (!type.empty() && type != model::GroupTypeName(g.type)) continue;
    json by_status = json::object();
    for (model::Status status : model::kAllStatuses) {
      by_status[model::StatusName(status)] = g.projects_by_status[static_cast<size_t>(status)];
    }
    json group = {
        {"type", model::GroupTypeName(g.type)},
        {"code", g.code},
        {"name", g.name},
        {"status", model::StatusName(g.assessment.status)},
        {"reasons", Findings(g.assessment)},
        {"projects", g.projects},
        {"projects_by_status", std::move(by_status)},
        {"projects_started", g.projects_started},
        {"projects_due_to_start", g.projects_due_to_start},
        {"projects_due_started", g.projects_due_started},
        {"projects_completed", g.projects_completed},
        {"lines_launched", g.lines_launched},
        {"lines_planned", g.lines_planned},
        {"lines_due", g.lines_due},
        {"lines_due_launched", g.lines_due_launched},
        {"reporting",
         {{"month", report.period.month.ToString()},
          {"due", report.period.due.ToString()},
          {"projects_due", g.projects_due_to_report},
          {"projects_reported", g.projects_reported},
          {"projects_reported_on_time", g.projects_reported_on_time},
          {"timeliness", OrNull(g.reporting_timeliness)},
          {"projects_reported_next_month", g.projects_reported_collecting}}},
        {"investment",
         {{"planned_yuan", Yuan(g.investment_planned_fen)},
          {"completed_yuan", Yuan(g.investment_completed_fen)},
          {"completed_period_yuan", Yuan(g.investment_completed_period_fen)},
          {"planned_reporting_year_yuan", Yuan(g.investment_planned_reporting_year_fen)},
          {"completed_year_to_date_yuan", Yuan(g.investment_reporting_year_to_date_fen)},
          {"expected_year_to_date_yuan", Yuan(g.investment_expected_reporting_year_fen)},
          {"completion_rate", OrNull(g.completion_rate)},
          {"expected_progress", OrNull(g.expected_progress)},
          {"schedule_gap_pp", OrNull(g.schedule_gap_pp)},
          {"schedule_attainment", OrNull(g.schedule_attainment)},
          {"pro_rata_gap_pp", OrNull(g.pro_rata_gap_pp)},
          {"planned_value_yuan", Yuan(g.planned_value_fen)},
          {"earned_value_yuan", Yuan(g.earned_value_fen)},
          {"spi", OrNull(g.spi)},
          {"growth_month", OrNull(g.investment_growth_month)},
          {"growth_year_to_date", OrNull(g.investment_growth_year_to_date)}}},
    };
    if (g.type == model::GroupType::kCluster || g.type == model::GroupType::kPlan) {
      group["output"] = {{"year_to_date_yuan", Yuan(g.output_year_to_date_fen)},
                         {"reported_through", MonthOrNull(g.output_as_of)},
                         {"target_year_yuan", g.output_target_fen ? Yuan(*g.output_target_fen) : json(nullptr)},
                         {"completion_rate", OrNull(g.output_completion_rate)},
                         {"pro_rata_gap_pp", OrNull(g.output_pro_rata_gap_pp)}};
    }
    groups.push_back(std::move(group));
  }
  document["count"] = groups.size();
  document["groups"] = std::move(groups);
  return Dump(document);
}

std::string ErrorJson(const std::string& message) { return Dump(json{{"error", message}}); }

}  // namespace pipelined::exporters
