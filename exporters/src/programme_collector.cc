#include "pipelined/exporters/programme_collector.h"

#include <functional>

#include "progress_families.h"

namespace pipelined::exporters {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;
using model::FenToYuan;
using model::GroupFigures;
using model::ProjectFigures;

struct ProjectGauge {
  const char* name;
  const char* help;
  std::function<double(const ProjectFigures&)> value;
};

struct GroupGauge {
  const char* name;
  const char* help;
  std::function<double(const GroupFigures&)> value;
};

const std::vector<ProjectGauge>& ProjectGauges() {
  static const std::vector<ProjectGauge> kGauges = {
      {"pipelined_project_construction_started", "1 if construction of the project has started, else 0.",
       [](const ProjectFigures& p) { return p.construction_started ? 1.0 : 0.0; }},
      {"pipelined_project_production_lines_launched", "Production lines of the project launched so far.",
       [](const ProjectFigures& p) { return double(p.lines_launched); }},
      {"pipelined_project_production_lines_planned", "Production lines planned for the project.",
       [](const ProjectFigures& p) { return double(p.lines_planned); }},
      {"pipelined_project_investment_completed_yuan", "Completed investment reported for the project, in yuan.",
       [](const ProjectFigures& p) { return FenToYuan(p.investment_completed_fen); }},
      {"pipelined_project_investment_planned_yuan", "Planned total investment of the project, in yuan.",
       [](const ProjectFigures& p) { return FenToYuan(p.investment_planned_fen); }},
      {"pipelined_project_investment_planned_period_yuan",
       "Planned investment of the project for the years of the plan period, in yuan.",
       [](const ProjectFigures& p) { return FenToYuan(p.investment_planned_period_fen); }},
      {"pipelined_project_investment_completed_current_year_yuan",
       "Completed investment reported for the project for periods in the current year, in yuan.",
       [](const ProjectFigures& p) { return FenToYuan(p.investment_completed_year_fen); }},
      {"pipelined_project_investment_planned_current_year_yuan",
       "Planned investment of the project for the current year, in yuan.",
       [](const ProjectFigures& p) { return FenToYuan(p.investment_planned_year_fen); }},
      {"pipelined_project_completed", "1 if the project has been completed, else 0.",
       [](const ProjectFigures& p) { return p.completed ? 1.0 : 0.0; }},
  };
  return kGauges;
}

const std::vector<GroupGauge>& GroupGauges() {
  static const std::vector<GroupGauge> kGauges = {
      {"pipelined_group_projects", "Projects in the group.",
       [](const GroupFigures& g) { return double(g.projects); }},
      {"pipelined_group_projects_construction_started", "Projects in the group whose construction has started.",
       [](const GroupFigures& g) { return double(g.projects_started); }},
      {"pipelined_group_projects_completed", "Projects in the group that have been completed.",
       [](const GroupFigures& g) { return double(g.projects_completed); }},
      {"pipelined_group_production_lines_launched", "Production lines launched in the group's projects.",
       [](const GroupFigures& g) { return double(g.lines_launched); }},
      {"pipelined_group_production_lines_planned", "Production lines planned in the group's projects.",
       [](const GroupFigures& g) { return double(g.lines_planned); }},
      {"pipelined_group_investment_completed_yuan", "Completed investment of the group's projects, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_completed_fen); }},
      {"pipelined_group_investment_completed_period_yuan",
       "Completed investment of the group's projects reported for periods inside the plan period, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_completed_period_fen); }},
      {"pipelined_group_investment_planned_yuan", "Planned total investment of the group's projects, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_planned_fen); }},
      {"pipelined_group_investment_planned_period_yuan",
       "Planned investment of the group's projects for the years of the plan period, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_planned_period_fen); }},
      {"pipelined_group_investment_completed_current_year_yuan",
       "Completed investment of the group's projects for periods in the current year, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_completed_year_fen); }},
      {"pipelined_group_investment_planned_current_year_yuan",
       "Planned investment of the group's projects for the current year, in yuan.",
       [](const GroupFigures& g) { return FenToYuan(g.investment_planned_year_fen); }},
  };
  return kGauges;
}

}  // namespace

std::vector<MetricFamily> ProgrammeCollector::Collect() const {
  FamilyMetricSink sink;
  Write(sink);
  return sink.Take();
}

void ProgrammeCollector::Write(MetricSink& sink) const {
  const model::Report report = programme_.BuildReport(/*with_details=*/false);

  sink.Family("pipelined_project_info", "Plan data of a project; always 1.", MetricType::Gauge);
  for (const ProjectFigures& p : report.projects) {
    sink.Sample({{"project", p.plan->code},
                 {"name", p.plan->name},
                 {"area", p.plan->area},
                 {"cluster", p.plan->cluster},
                 {"district", p.plan->district}},
                1);
  }

  for (const ProjectGauge& gauge : ProjectGauges()) {
    sink.Family(gauge.name, gauge.help, MetricType::Gauge);
    for (const ProjectFigures& p : report.projects) sink.Sample({{"project", p.plan->code}}, gauge.value(p));
  }

  sink.Family("pipelined_group_info", "A group of projects (area, cluster, district, or the whole plan); always 1.",
              MetricType::Gauge);
  for (const GroupFigures& g : report.groups) {
    sink.Sample({{"group_type", model::GroupTypeName(g.type)}, {"group", g.code}, {"name", g.name}}, 1);
  }

  for (const GroupGauge& gauge : GroupGauges()) {
    sink.Family(gauge.name, gauge.help, MetricType::Gauge);
    for (const GroupFigures& g : report.groups) {
      sink.Sample({{"group_type", model::GroupTypeName(g.type)}, {"group", g.code}}, gauge.value(g));
    }
  }

  sink.Family("pipelined_history_events_total",
              "Accepted events dated before the reporting month's first month: history arriving late or in bulk.",
              MetricType::Counter);
  sink.Sample({}, static_cast<double>(programme_.HistoryEvents()));

  sink.Family("pipelined_events_total",
              "Events received, by source, result (accepted, duplicate, rejected) and rejection reason.",
              MetricType::Counter);
  for (const model::EventCount& count : programme_.EventCounts()) {
    sink.Sample({{"source", count.source}, {"result", model::EventStatusName(count.status)}, {"reason", count.reason}},
                double(count.count));
  }

  const std::vector<model::SourceSequence> sequences = programme_.SourceSequences();
  sink.Family("pipelined_source_last_sequence", "The highest sequence number accepted from each source.",
              MetricType::Gauge);
  for (const model::SourceSequence& source : sequences) sink.Sample({{"source", source.source}}, double(source.last_sequence));
  sink.Family("pipelined_source_sequence_gaps_total",
              "Times an accepted event's sequence skipped ahead of the source's last sequence + 1.",
              MetricType::Counter);
  for (const model::SourceSequence& source : sequences) sink.Sample({{"source", source.source}}, double(source.gaps));

  sink.Family("pipelined_source_last_report_timestamp_seconds",
              "Latest occurred_at among each source's accepted events "
              "(Unix seconds).",
              MetricType::Gauge);
  for (const model::SourceLastReport& source : programme_.SourceLastReports()) {
    sink.Sample({{"source", source.source}}, double(source.last_report_unix));
  }
  WriteProgressFamilies(report, tracker_, sink);
}

}  // namespace pipelined::exporters
