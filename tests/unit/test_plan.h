// A small in-memory plan for unit tests of the model and exporters.
#pragma once

#include <algorithm>

#include "pipelined/model/plan.h"
#include "pipelined/model/programme.h"

namespace pipelined::testing {

// Areas industry/transport, cluster materials, districts beilun/yinzhou;
// projects P-1 (industry, materials, beilun, lines L1 and L2, 2023-2025),
// P-2 (industry, no cluster, yinzhou) and P-3 (transport, beilun).
inline model::Plan SmallPlan() {
  using model::YearMonth;
  model::Plan plan;
  plan.code = "small";
  plan.name = "Small plan";
  plan.period_start = {2021, 1};
  plan.period_end = {2025, 12};
  plan.areas = {{"industry", "Industry", ""}, {"transport", "Transport", ""}};
  plan.clusters = {{"materials", "Materials", "emerging"}};
  plan.districts = {{"beilun", "Beilun", ""}, {"yinzhou", "Yinzhou", ""}};
  model::ProjectPlan p1;
  p1.code = "P-1";
  p1.name = "Project one";
  p1.area = "industry";
  p1.cluster = "materials";
  p1.district = "beilun";
  p1.investment_total_fen = 300'000;
  p1.investment_by_year_fen = {{2023, 100'000}, {2024, 100'000}, {2025, 100'000}};
  p1.construction_start = YearMonth{2023, 3};
  p1.production_lines = {{"L1", YearMonth{2024, 4}}, {"L2", YearMonth{2025, 3}}};
  p1.completion = YearMonth{2025, 12};
  model::ProjectPlan p2 = p1;
  p2.code = "P-2";
  p2.cluster = "";
  p2.district = "yinzhou";
  p2.production_lines.clear();
  model::ProjectPlan p3 = p2;
  p3.code = "P-3";
  p3.area = "transport";
  p3.district = "beilun";
  plan.projects = {p1, p2, p3};
  plan.Index();
  return plan;
}

// The figures of one project or group in a report (which must hold it).
inline const model::ProjectFigures& Project(const model::Report& report, const std::string& code) {
  return *std::find_if(report.projects.begin(), report.projects.end(),
                       [&](const model::ProjectFigures& p) { return p.plan->code == code; });
}

inline const model::GroupFigures& Group(const model::Report& report, model::GroupType type, const std::string& code) {
  return *std::find_if(report.groups.begin(), report.groups.end(),
                       [&](const model::GroupFigures& g) { return g.type == type && g.code == code; });
}

// Checks, applies and counts an event the way the ingest pipeline does, but
// without a store: no duplicate detection and no corrections.
inline model::Outcome Submit(model::Programme& programme, const model::Event& event) {
  model::Outcome outcome{model::EventStatus::kAccepted, "", ""};
  if (auto rejection = programme.Check(event)) {
    outcome = {model::EventStatus::kRejected, rejection->reason, rejection->message};
  } else {
    programme.Apply(event, nullptr);
  }
  programme.Count(event.source, outcome);
  return outcome;
}

}  // namespace pipelined::testing
