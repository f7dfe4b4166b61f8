#include "progress_families.h"

#include <functional>
#include <optional>
#include <string>

namespace pipelined::exporters {
namespace {

using prometheus::MetricType;
using model::FenToYuan;
using model::GroupFigures;
using model::ProjectFigures;

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

double EndOfMonthUnix(model::YearMonth month) { return EndOfDayUnix(model::LastDay(month)); }

const std::vector<OptionalGauge<ProjectFigures>>& ProjectGauges() {
  static const std::vector<OptionalGauge<ProjectFigures>> kGauges = {
      {"pipelined_project_reported_through_timestamp_seconds",
       "End of the last month up to the reporting month with an investment report: the month the project's "
       "progress figures are as of (Unix seconds); absent when it has reported none.",
       [](const ProjectFigures& p) -> std::optional<double> {
         if (!p.as_of) return std::nullopt;
         return EndOfMonthUnix(*p.as_of);
       }},
      {"pipelined_project_investment_completion_rate",
       "Completed investment of the reported-through month's year, through that month / the year's plan.",
       [](const ProjectFigures& p) { return p.completion_rate; }},
      {"pipelined_project_expected_progress_ratio",
       "Share of the year's plan expected by the end of the reported-through month by the project's own schedule.",
       [](const ProjectFigures& p) { return p.expected_progress; }},
      {"pipelined_project_schedule_gap_percentage_points",
       "(Completion rate - expected progress by the project's schedule) x 100; negative means behind.",
       [](const ProjectFigures& p) { return p.schedule_gap_pp; }},
      {"pipelined_project_schedule_attainment_ratio",
       "Completed investment of the year through the reported-through month / the investment expected by then by "
       "the project's schedule.",
       [](const ProjectFigures& p) { return p.schedule_attainment; }},
      {"pipelined_project_pro_rata_gap_percentage_points",
       "(Completion rate - calendar pro-rata progress of the reported-through month, month / 12) x 100; negative "
       "means behind.",
       [](const ProjectFigures& p) { return p.pro_rata_gap_pp; }},
      {"pipelined_project_planned_value_yuan",
       "Planned value: planned cumulative investment through the reported-through month (the reporting month when "
       "nothing is reported) by the spending profile, with investment before the plan period, in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.planned_value_fen); }},
      {"pipelined_project_earned_value_yuan",
       "Earned value: completed investment reported for periods up to the month the project's figures are as of, "
       "plus what it did before its first report (taken as planned, from its actual start; for a continuing "
       "project, its investment before the plan period), in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.earned_value_fen); }},
      {"pipelined_project_schedule_variance_yuan", "Earned value - planned value, in yuan.",
       [](const ProjectFigures& p) { return Yuan(p.earned_value_fen - p.planned_value_fen); }},
      {"pipelined_project_schedule_performance_index", "Earned value / planned value (SPI).",
       [](const ProjectFigures& p) { return p.spi; }},
      {"pipelined_project_schedule_delay_months",
       "Earned schedule: months the project is behind its planned value at the end of the reported-through month; "
       "negative when ahead.",
       [](const ProjectFigures& p) { return p.delay_months; }},
      {"pipelined_project_forecast_completion_timestamp_seconds",
       "Forecast completion at the current pace, never before today (end of that day, Unix seconds); the actual "
       "date once completed.",
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
       "plans for the year (a completed project's plan counted up to what it completed).",
       [](const GroupFigures& g) { return g.completion_rate; }},
      {"pipelined_group_expected_progress_ratio",
       "Investment expected of the group's projects by their own schedules, each through its reported-through "
       "month / their plans for the year.",
       [](const GroupFigures& g) { return g.expected_progress; }},
      {"pipelined_group_schedule_gap_percentage_points",
       "(Group completion rate - expected progress) x 100; negative means behind.",
       [](const GroupFigures& g) { return g.schedule_gap_pp; }},
      {"pipelined_group_schedule_attainment_ratio",
       "Completed investment of the group's projects for the reporting year / the investment expected of them.",
       [](const GroupFigures& g) { return g.schedule_attainment; }},
      {"pipelined_group_pro_rata_gap_percentage_points",
       "(Group completion rate - calendar pro-rata progress) x 100; negative means behind.",
       [](const GroupFigures& g) { return g.pro_rata_gap_pp; }},
      {"pipelined_group_investment_expected_year_to_date_yuan",
       "Investment expected of the group's projects for the reporting year by their own schedules, each through "
       "its reported-through month (a completed project's up to what it completed), in yuan.",
       yuan(&GroupFigures::investment_expected_reporting_year_fen)},
      {"pipelined_group_planned_value_yuan",
       "Sum of the group's projects' planned values, each through its reported-through month (a completed "
       "project's up to its earned value), in yuan.",
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
      {"pipelined_group_projects_due_to_report",
       "Projects of the group due to report for the reporting month (under way or due to start in it).",
       count(&GroupFigures::projects_due_to_report)},
      {"pipelined_group_projects_reported",
       "Of the projects due to report, those that have reported for the reporting month (on time or late).",
       count(&GroupFigures::projects_reported)},
      {"pipelined_group_projects_reported_on_time",
       "Of the projects due to report, those that reported for the reporting month by its due day.",
       count(&GroupFigures::projects_reported_on_time)},
      {"pipelined_group_reporting_timeliness_ratio",
       "Reporting timeliness (报送及时率): projects reported on time / projects due to report, for the reporting "
       "month.",
       [](const GroupFigures& g) { return g.reporting_timeliness; }},
      {"pipelined_group_projects_reported_next_month",
       "Of the group's projects due to report for the reporting month, those that have already reported for the "
       "month being collected (the next reporting month).",
       count(&GroupFigures::projects_reported_collecting)},
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
      {"pipelined_group_output_expected_ratio",
       "Share of the year's output target expected by the last month with output reports: that month / 12.",
       [](const GroupFigures& g) { return g.output_expected_share; }},
      {"pipelined_group_output_pro_rata_gap_percentage_points",
       "(Output completion rate - expected share of the target by the last month with output reports) x 100; "
       "negative means behind.",
       [](const GroupFigures& g) { return g.output_pro_rata_gap_pp; }},
  };
  return kGauges;
}

// Writes each gauge's family: one sample per figures with a value, labelled
// by `labels` (which returns how many of its array it filled).
template <typename Figures, typename LabelsOf>
void WriteOptional(const std::vector<OptionalGauge<Figures>>& gauges, const std::vector<Figures>& all,
                   LabelsOf labels_of, MetricSink& sink) {
  Label labels[2];
  for (const auto& gauge : gauges) {
    sink.Family(gauge.name, gauge.help, MetricType::Gauge);
    for (const Figures& figures : all) {
      if (auto value = gauge.value(figures)) sink.Sample(labels, labels_of(figures, labels), *value);
    }
  }
}

std::size_t ProjectLabels(const ProjectFigures& p, Label* labels) {
  labels[0] = {"project", p.plan->code};
  return 1;
}

std::size_t GroupLabels(const GroupFigures& g, Label* labels) {
  labels[0] = {"group_type", model::GroupTypeName(g.type)};
  labels[1] = {"group", g.code};
  return 2;
}

// The one-of-three status family: `labels` has room for one more.
void WriteStatus(Label* labels, std::size_t count, model::Status status, MetricSink& sink) {
  for (model::Status s : model::kAllStatuses) {
    labels[count] = {"status", model::StatusName(s)};
    sink.Sample(labels, count + 1, s == status ? 1 : 0);
  }
}

// `labels` has room for two more.
void WriteReasons(Label* labels, std::size_t count, const model::Assessment& assessment, MetricSink& sink) {
  for (const model::Finding& finding : assessment.findings) {
    labels[count] = {"reason", finding.reason};
    labels[count + 1] = {"level", model::StatusName(finding.level)};
    sink.Sample(labels, count + 2, 1);
  }
}

}  // namespace

void WriteProgressFamilies(const model::Report& report, const model::StatusTracker* tracker, MetricSink& sink) {
  sink.Family("pipelined_pro_rata_ratio", "Pro-rata progress: share of the reporting year elapsed, reporting month / 12.",
              MetricType::Gauge);
  sink.Sample({}, report.period.pro_rata());
  sink.Family("pipelined_reporting_month_end_timestamp_seconds",
              "End of the reporting month: the last month whose report's due day has passed (Unix seconds).",
              MetricType::Gauge);
  sink.Sample({}, EndOfMonthUnix(report.period.month));
  sink.Family("pipelined_reporting_due_timestamp_seconds",
              "End of the due day of the reporting month's report (Unix seconds).", MetricType::Gauge);
  sink.Sample({}, EndOfDayUnix(report.period.due));
  sink.Family("pipelined_reporting_next_due_timestamp_seconds",
              "End of the due day of the next reporting month's report, the one being collected (Unix seconds).",
              MetricType::Gauge);
  sink.Sample({}, EndOfDayUnix(report.period.collecting_due));
  sink.Family("pipelined_catching_up",
              "1 while history arrives in bulk and the statuses shown are held as they were before it began.",
              MetricType::Gauge);
  sink.Sample({}, report.catching_up ? 1 : 0);
  sink.Family("pipelined_statuses_evaluated_timestamp_seconds",
              "When the statuses shown were evaluated (Unix seconds): now, or before history began to arrive.",
              MetricType::Gauge);
  sink.Sample({}, static_cast<double>(report.statuses_as_of_unix));
  sink.Family("pipelined_lagging_rule_set_info", "The lagging rule set in use; always 1.", MetricType::Gauge);
  sink.Sample({{"rule_set", report.rule_set}}, 1);

  Label labels[5];
  sink.Family("pipelined_project_status",
              "1 for the project's current status (on_track, not_reported, at_risk, lagging), 0 for the others.",
              MetricType::Gauge);
  for (const ProjectFigures& p : report.projects) {
    WriteStatus(labels, ProjectLabels(p, labels), p.assessment.status, sink);
  }
  sink.Family("pipelined_project_lagging_reason",
              "1 while the reason applies to the project, with its level (not_reported, at_risk or lagging).",
              MetricType::Gauge);
  for (const ProjectFigures& p : report.projects) WriteReasons(labels, ProjectLabels(p, labels), p.assessment, sink);
  sink.Family("pipelined_project_milestone_state", "1 for the milestone's current state, 0 for the others.",
              MetricType::Gauge);
  for (const ProjectFigures& p : report.projects) {
    for (const model::Milestone& m : p.milestones) {
      labels[0] = {"project", p.plan->code};
      labels[1] = {"milestone", model::MilestoneKindName(m.kind)};
      labels[2] = {"line", m.line};
      for (model::MilestoneState state : model::kAllMilestoneStates) {
        labels[3] = {"state", model::MilestoneStateName(state)};
        sink.Sample(labels, 4, state == m.state ? 1 : 0);
      }
    }
  }
  sink.Family("pipelined_project_milestone_slip_days",
              "Days a milestone is or was late past the end of its planned month; 0 when not late.", MetricType::Gauge);
  for (const ProjectFigures& p : report.projects) {
    for (const model::Milestone& m : p.milestones) {
      sink.Sample({{"project", p.plan->code}, {"milestone", model::MilestoneKindName(m.kind)}, {"line", m.line}},
                  m.slip_days);
    }
  }
  WriteOptional(ProjectGauges(), report.projects, ProjectLabels, sink);

  sink.Family("pipelined_group_status",
              "1 for the group's current status (on_track, not_reported, at_risk, lagging), 0 for the others.",
              MetricType::Gauge);
  for (const GroupFigures& g : report.groups) WriteStatus(labels, GroupLabels(g, labels), g.assessment.status, sink);
  sink.Family("pipelined_group_lagging_reason",
              "1 while the reason applies to the group, with its level (not_reported, at_risk or lagging).",
              MetricType::Gauge);
  for (const GroupFigures& g : report.groups) WriteReasons(labels, GroupLabels(g, labels), g.assessment, sink);
  sink.Family("pipelined_group_projects_by_status", "Projects of the group in each status.", MetricType::Gauge);
  for (const GroupFigures& g : report.groups) {
    const std::size_t count = GroupLabels(g, labels);
    for (model::Status s : model::kAllStatuses) {
      labels[count] = {"status", model::StatusName(s)};
      sink.Sample(labels, count + 1, g.projects_by_status[static_cast<size_t>(s)]);
    }
  }
  WriteOptional(GroupGauges(), report.groups, GroupLabels, sink);

  sink.Family("pipelined_source_projects_due_to_report",
              "Projects due to report for the reporting month whose latest investment report came from the source.",
              MetricType::Gauge);
  for (const model::SourceTimeliness& s : report.sources) {
    sink.Sample({{"source", s.source}}, s.projects_due_to_report);
  }
  sink.Family("pipelined_source_projects_reported_on_time",
              "Of those, the projects that reported for the reporting month by its due day.", MetricType::Gauge);
  for (const model::SourceTimeliness& s : report.sources) {
    sink.Sample({{"source", s.source}}, s.projects_reported_on_time);
  }
  sink.Family("pipelined_source_reporting_timeliness_ratio",
              "Reporting timeliness of the source's projects: reported on time / due to report.", MetricType::Gauge);
  for (const model::SourceTimeliness& s : report.sources) {
    if (s.projects_due_to_report > 0) {
      sink.Sample({{"source", s.source}}, static_cast<double>(s.projects_reported_on_time) / s.projects_due_to_report);
    }
  }

  if (tracker == nullptr) return;
  sink.Family("pipelined_evaluations_total",
              "Status evaluations run, by trigger: schedule (the interval passed) or events "
              "(new events were applied); none while catching up on history.",
              MetricType::Counter);
  for (auto trigger : {model::EvaluationTrigger::kSchedule, model::EvaluationTrigger::kEvents}) {
    sink.Sample({{"trigger", model::EvaluationTriggerName(trigger)}}, double(tracker->Evaluations(trigger)));
  }
  sink.Family("pipelined_project_status_changes_total", "Projects that entered each status.", MetricType::Counter);
  for (model::Status s : model::kAllStatuses) {
    sink.Sample({{"status", model::StatusName(s)}}, double(tracker->Changes(s)));
  }
}

}  // namespace pipelined::exporters
