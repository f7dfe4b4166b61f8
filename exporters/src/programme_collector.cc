#include "pipelined/exporters/programme_collector.h"

#include <functional>

#include "family_builder.h"
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
  const model::Report report = programme_.BuildReport();
  std::vector<MetricFamily> families;
  families.reserve(ProjectGauges().size() + GroupGauges().size() + 3);

  FamilyBuilder info("pipelined_project_info", "Plan data of a project; always 1.", MetricType::Gauge);
  info.Reserve(report.projects.size());
  for (const ProjectFigures& p : report.projects) {
    info.Add({{"project", p.plan->code},
              {"name", p.plan->name},
              {"area", p.plan->area},
              {"cluster", p.plan->cluster},
              {"district", p.plan->district}},
             1);
  }
  families.push_back(info.Build());

  for (const ProjectGauge& gauge : ProjectGauges()) {
    FamilyBuilder family(gauge.name, gauge.help, MetricType::Gauge);
    family.Reserve(report.projects.size());
    for (const ProjectFigures& p : report.projects) family.Add({{"project", p.plan->code}}, gauge.value(p));
    families.push_back(family.Build());
  }

  FamilyBuilder group_info("pipelined_group_info",
                           "A group of projects (area, cluster, district, or the whole plan); always 1.",
                           MetricType::Gauge);
  for (const GroupFigures& g : report.groups) {
    group_info.Add({{"group_type", model::GroupTypeName(g.type)}, {"group", g.code}, {"name", g.name}}, 1);
  }
  families.push_back(group_info.Build());

  for (const GroupGauge& gauge : GroupGauges()) {
    FamilyBuilder family(gauge.name, gauge.help, MetricType::Gauge);
    family.Reserve(report.groups.size());
    for (const GroupFigures& g : report.groups) {
      family.Add({{"group_type", model::GroupTypeName(g.type)}, {"group", g.code}}, gauge.value(g));
    }
    families.push_back(family.Build());
  }

  FamilyBuilder events("pipelined_events_total",
                       "Events received, by source, result (accepted, duplicate, rejected) and rejection reason.",
                       MetricType::Counter);
  for (const model::EventCount& count : programme_.EventCounts()) {
    events.Add({{"source", count.source},
                {"result", model::EventStatusName(count.status)},
                {"reason", count.reason}},
               double(count.count));
  }
  families.push_back(events.Build());

  FamilyBuilder last("pipelined_source_last_sequence", "The highest sequence number accepted from each source.",
                     MetricType::Gauge);
  FamilyBuilder gaps("pipelined_source_sequence_gaps_total",
                     "Times an accepted event's sequence skipped ahead of the source's last sequence + 1.",
                     MetricType::Counter);
  for (const model::SourceSequence& source : programme_.SourceSequences()) {
    last.Add({{"source", source.source}}, double(source.last_sequence));
    gaps.Add({{"source", source.source}}, double(source.gaps));
  }
  families.push_back(last.Build());
  families.push_back(gaps.Build());

  FamilyBuilder last_report("pipelined_source_last_report_timestamp_seconds",
                            "Latest occurred_at among each source's accepted events "
                            "(Unix seconds).",
                            MetricType::Gauge);
  for (const model::SourceLastReport& source : programme_.SourceLastReports()) {
    last_report.Add({{"source", source.source}}, double(source.last_report_unix));
  }
  families.push_back(last_report.Build());
  AppendProgressFamilies(report, tracker_, &families);
  return families;
}

}  // namespace pipelined::exporters
