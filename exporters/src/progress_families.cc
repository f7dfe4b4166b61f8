#include "progress_families.h"

#include <functional>
#include <optional>
#include <string>

#include "family_builder.h"

namespace pipelined::exporters {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using model::FenToYuan;
using model::GroupFigures;
using model::ProjectFigures;

using Labels = std::vector<ClientMetric::Label>;

// A gauge that some projects or groups may not have (e.g. SPI without a
// planned value): nullopt emits no series for that one.
template <typename Figures>
struct OptionalGauge {
  const char* name;
  const char* help;
  std::function<std::optional<double>(const Figures&)> value;
};

std::optional<double> Yuan(model::Fen fen) { return FenToYuan(fen); }

double EndOfDayUnix(const model::Date& date) {
  // 24:00 Asia/Shanghai of the date.
  return static_cast<double>((date.DaysSinceEpoch() + 1) * 86400 - model::kShanghaiUtcOffsetSeconds);
}

const std::vector<OptionalGauge<ProjectFigures>>& ProjectGauges() {
  static const std::vector<OptionalGauge<ProjectFigures>> kGauges = {
      {"pipelined_project_investment_completion_rate",
       "Completed investment for the reporting year's periods through the reporting month / the year's plan.",
       [](const ProjectFigures& p) { return p.completion_rate; }},
      {"pipelined_project_pro_rata_gap_percentage_points",
       "(Completion rate - pro-rata progress) x 100; negative means behind.",
       [](const ProjectFigures& p) { return p.pro_rata_gap_pp; }},
      {"pipelined_project_planned_value_yuan",
       "Planned value: planned cumulative investment through the reporting month by the spending profile, in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.planned_value_fen); }},
      {"pipelined_project_earned_value_yuan",
       "Earned value: completed investment reported for periods up to the reporting month, in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.earned_value_fen); }},
      {"pipelined_project_schedule_variance_yuan", "Earned value - planned value, in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.earned_value_fen - p.planned_value_fen); }},
      {"pipelined_project_schedule_performance_index", "Earned value / planned value (SPI).",
       [](const ProjectFigures& p) { return p.spi; }},
      {"pipelined_project_forecast_completion_timestamp_seconds",
       "Forecast completion at the current pace (end of that day, Unix seconds); the actual date once completed.",
       [](const ProjectFigures& p) -> std::optional<double> {
         if (!p.forecast_completion) return std::nullopt;
         return EndOfDayUnix(*p.forecast_completion);
       }},
      {"pipelined_project_planned_completion_timestamp_seconds",
       "End of the project's planned completion month (Unix seconds).",
       [](const ProjectFigures& p) -> std::optional<double> {
         return EndOfDayUnix(model::LastDay(p.plan->completion));
       }},
      {"pipelined_project_last_report_timestamp_seconds",
       "Latest occurred_at of the project's accepted events (Unix seconds).",
       [](const ProjectFigures& p) -> std::optional<double> {
         if (!p.last_report_unix) return std::nullopt;
         return static_cast<double>(*p.last_report_unix);
       }},
  };
  return kGauges;
}

const std::vector<OptionalGauge<GroupFigures>>& GroupGauges() {
  auto count = [](int GroupFigures::*member) {
    return [member](const GroupFigures& g) -> std::optional<double> { return g.*member; };
  };
  auto yuan = [](model::Fen GroupFigures::*member) {
    return [member](const GroupFigures& g) -> std::optional<double> { return FenToYuan(g.*member); };
  };
  auto output_group = [](const GroupFigures& g) {
    return g.type == model::GroupType::kCluster || g.type == model::GroupType::kPlan;
  };
  static const std::vector<OptionalGauge<GroupFigures>> kGauges = {
      {"pipelined_group_investment_completion_rate",
       "Completed investment of the group's projects for the reporting year through the reporting month / their "
       "plans for the year.",
       [](const GroupFigures& g) { return g.completion_rate; }},
      {"pipelined_group_pro_rata_gap_percentage_points",
       "(Group completion rate - pro-rata progress) x 100; negative means behind.",
       [](const GroupFigures& g) { return g.pro_rata_gap_pp; }},
      {"pipelined_group_planned_value_yuan", "Sum of the group's projects' planned values, in yuan.",
       yuan(&GroupFigures::planned_value_fen)},
      {"pipelined_group_earned_value_yuan", "Sum of the group's projects' earned values, in yuan.",
       yuan(&GroupFigures::earned_value_fen)},
      {"pipelined_group_schedule_performance_index", "Group earned value / group planned value (SPI).",
       [](const GroupFigures& g) { return g.spi; }},
      {"pipelined_group_projects_due_to_start", "Projects of the group whose planned start month has begun.",
       count(&GroupFigures::projects_due_to_start)},
      {"pipelined_group_projects_due_started", "Of the projects due to start, those that have started.",
       count(&GroupFigures::projects_due_started)},
      {"pipelined_group_production_lines_due", "Production lines of the group whose planned launch month has begun.",
       count(&GroupFigures::lines_due)},
      {"pipelined_group_production_lines_due_launched", "Of the production lines due, those launched.",
       count(&GroupFigures::lines_due_launched)},
      {"pipelined_group_investment_month_yuan",
       "Completed investment in the reporting month (January and February together when it is February), in yuan.",
       yuan(&GroupFigures::investment_reporting_month_fen)},
      {"pipelined_group_investment_month_previous_year_yuan",
       "Completed investment in the same months one year earlier (the plan's baseline where given), in yuan.",
       yuan(&GroupFigures::investment_reporting_month_previous_year_fen)},
      {"pipelined_group_investment_year_to_date_yuan",
       "Completed investment for the reporting year's periods through the reporting month, in yuan.",
       yuan(&GroupFigures::investment_reporting_year_to_date_fen)},
      {"pipelined_group_investment_planned_reporting_year_yuan",
       "Planned investment of the group's projects for the reporting year: the completion rate's denominator, in "
       "yuan.",
       yuan(&GroupFigures::investment_planned_reporting_year_fen)},
      {"pipelined_group_investment_year_to_date_previous_year_yuan",
       "Completed investment for the same periods one year earlier (the plan's baseline where given), in yuan.",
       yuan(&GroupFigures::investment_year_to_date_previous_year_fen)},
      {"pipelined_group_investment_growth_month_ratio",
       "Year-over-year growth of the reporting month's investment (0.319 = +31.9%).",
       [](const GroupFigures& g) { return g.investment_growth_month; }},
      {"pipelined_group_investment_growth_year_to_date_ratio",
       "Year-over-year growth of the year-to-date investment (0.154 = +15.4%).",
       [](const GroupFigures& g) { return g.investment_growth_year_to_date; }},
      {"pipelined_group_output_revenue_year_to_date_yuan",
       "Output (revenue) reported for the reporting year through the reporting month; clusters and the plan, in yuan.",
       [output_group](const GroupFigures& g) -> std::optional<double> {
         if (!output_group(g)) return std::nullopt;
         return FenToYuan(g.output_year_to_date_fen);
       }},
      {"pipelined_group_output_target_yuan", "Output (revenue) target for the reporting year, in yuan.",
       [](const GroupFigures& g) -> std::optional<double> {
         if (!g.output_target_fen) return std::nullopt;
         return FenToYuan(*g.output_target_fen);
       }},
      {"pipelined_group_output_completion_rate", "Output year to date / the year's output target.",
       [](const GroupFigures& g) { return g.output_completion_rate; }},
      {"pipelined_group_output_pro_rata_gap_percentage_points",
       "(Output completion rate - pro-rata progress) x 100; negative means behind.",
       [](const GroupFigures& g) { return g.output_pro_rata_gap_pp; }},
  };
  return kGauges;
}

Labels GroupLabels(const GroupFigures& g) {
  return {{"group_type", model::GroupTypeName(g.type)}, {"group", g.code}};
}

template <typename Figures>
void AppendOptional(const std::vector<OptionalGauge<Figures>>& gauges, const std::vector<Figures>& all,
                    const std::function<Labels(const Figures&)>& labels, std::vector<MetricFamily>* families) {
  for (const auto& gauge : gauges) {
    FamilyBuilder family(gauge.name, gauge.help, MetricType::Gauge);
    family.Reserve(all.size());
    for (const Figures& figures : all) {
      if (auto value = gauge.value(figures)) family.Add(labels(figures), *value);
    }
    families->push_back(family.Build());
  }
}

void AddStatus(FamilyBuilder& family, const Labels& labels, model::Status status) {
  for (model::Status s : model::kAllStatuses) {
    Labels with = labels;
    with.push_back({"status", model::StatusName(s)});
    family.Add(std::move(with), s == status ? 1 : 0);
  }
}

void AddReasons(FamilyBuilder& family, const Labels& labels, const model::Assessment& assessment) {
  for (const model::Finding& finding : assessment.findings) {
    Labels with = labels;
    with.push_back({"reason", finding.reason});
    with.push_back({"level", model::StatusName(finding.level)});
    family.Add(std::move(with), 1);
  }
}

}  // namespace

void AppendProgressFamilies(const model::Report& report, const model::StatusTracker* tracker,
                            std::vector<MetricFamily>* families) {
  FamilyBuilder pro_rata("pipelined_pro_rata_ratio",
                         "Pro-rata progress: share of the reporting year elapsed, reporting month / 12.",
                         MetricType::Gauge);
  pro_rata.Add({}, report.period.pro_rata());
  families->push_back(pro_rata.Build());
  FamilyBuilder month_end("pipelined_reporting_month_end_timestamp_seconds",
                          "End of the reporting month, the last month whose figures are due (Unix seconds).",
                          MetricType::Gauge);
  month_end.Add({}, EndOfDayUnix(model::LastDay(report.period.month)));
  families->push_back(month_end.Build());
  FamilyBuilder rule_set("pipelined_lagging_rule_set_info", "The lagging rule set in use; always 1.",
                         MetricType::Gauge);
  rule_set.Add({{"rule_set", report.rule_set}}, 1);
  families->push_back(rule_set.Build());

  FamilyBuilder status("pipelined_project_status",
                       "1 for the project's current status (on_track, at_risk, lagging), 0 for the others.",
                       MetricType::Gauge);
  FamilyBuilder reasons("pipelined_project_lagging_reason",
                        "1 while the reason applies to the project, with its level (at_risk or lagging).",
                        MetricType::Gauge);
  FamilyBuilder milestone_state("pipelined_project_milestone_state",
                                "1 for the milestone's current state, 0 for the others.", MetricType::Gauge);
  FamilyBuilder slip("pipelined_project_milestone_slip_days",
                     "Days a milestone is or was late past the end of its planned month; 0 when not late.",
                     MetricType::Gauge);
  status.Reserve(report.projects.size() * 3);
  for (const ProjectFigures& p : report.projects) {
    const Labels project{{"project", p.plan->code}};
    AddStatus(status, project, p.assessment.status);
    AddReasons(reasons, project, p.assessment);
    for (const model::Milestone& m : p.milestones) {
      const Labels labels{{"project", p.plan->code}, {"milestone", model::MilestoneKindName(m.kind)}, {"line", m.line}};
      for (model::MilestoneState state : model::kAllMilestoneStates) {
        Labels with = labels;
        with.push_back({"state", model::MilestoneStateName(state)});
        milestone_state.Add(std::move(with), state == m.state ? 1 : 0);
      }
      slip.Add(labels, m.slip_days);
    }
  }
  families->push_back(status.Build());
  families->push_back(reasons.Build());
  families->push_back(milestone_state.Build());
  families->push_back(slip.Build());
  AppendOptional<ProjectFigures>(ProjectGauges(), report.projects,
                                 [](const ProjectFigures& p) { return Labels{{"project", p.plan->code}}; }, families);

  FamilyBuilder group_status("pipelined_group_status",
                             "1 for the group's current status (on_track, at_risk, lagging), 0 for the others.",
                             MetricType::Gauge);
  FamilyBuilder group_reasons("pipelined_group_lagging_reason",
                              "1 while the reason applies to the group, with its level (at_risk or lagging).",
                              MetricType::Gauge);
  FamilyBuilder by_status("pipelined_group_projects_by_status", "Projects of the group in each status.",
                          MetricType::Gauge);
  for (const GroupFigures& g : report.groups) {
    const Labels labels = GroupLabels(g);
    AddStatus(group_status, labels, g.assessment.status);
    AddReasons(group_reasons, labels, g.assessment);
    for (model::Status s : model::kAllStatuses) {
      Labels with = labels;
      with.push_back({"status", model::StatusName(s)});
      by_status.Add(std::move(with), g.projects_by_status[static_cast<size_t>(s)]);
    }
  }
  families->push_back(group_status.Build());
  families->push_back(group_reasons.Build());
  families->push_back(by_status.Build());
  AppendOptional<GroupFigures>(GroupGauges(), report.groups, GroupLabels, families);

  if (tracker == nullptr) return;
  FamilyBuilder evaluations("pipelined_evaluations_total",
                            "Status evaluations run, by trigger: schedule (the interval passed) or events "
                            "(new events were applied).",
                            MetricType::Counter);
  for (auto trigger : {model::EvaluationTrigger::kSchedule, model::EvaluationTrigger::kEvents}) {
    evaluations.Add({{"trigger", model::EvaluationTriggerName(trigger)}}, double(tracker->Evaluations(trigger)));
  }
  families->push_back(evaluations.Build());
  FamilyBuilder changes("pipelined_project_status_changes_total", "Projects that entered each status.",
                        MetricType::Counter);
  for (model::Status s : model::kAllStatuses) changes.Add({{"status", model::StatusName(s)}}, double(tracker->Changes(s)));
  families->push_back(changes.Build());
}

}  // namespace pipelined::exporters
