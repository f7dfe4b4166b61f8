#include "pipelined/publisher/demo_history.h"

#include <algorithm>

#include "pipelined/config/split_mix.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::publisher {
namespace {

using model::Date;
using model::Fen;
using model::YearMonth;

using Random = config::SplitMix64;

std::uint64_t HashCode(const std::string& code, std::uint64_t seed) {
  std::uint64_t hash = 1469598103934665603ULL ^ seed;
  for (unsigned char c : code) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

Date DayOf(const YearMonth& month, int day) {
  return Date{month.year, month.month, std::min(day, model::DaysInMonth(month.year, month.month))};
}

Date LastDayOf(const YearMonth& month) { return DayOf(month, 31); }

// Months of `year` in which the project is planned to be under construction.
int ActiveMonthsInYear(const model::ProjectPlan& project, int year) {
  YearMonth first = std::max(project.construction_start, YearMonth{year, 1});
  YearMonth last = std::min(project.completion, YearMonth{year, 12});
  return std::max(1, last.Index() - first.Index() + 1);
}

// Sets the event's id and leaves reported_at to the moment it is sent, so
// that the history depends on nothing but plan, date and seed.
v1::Event Header(v1::Event event, const std::string& id) {
  event.set_event_id(id);
  event.clear_reported_at();
  return event;
}

void AddProjectHistory(const model::ProjectPlan& project, const Date& until, std::uint64_t seed,
                       std::vector<ScheduledEvent>& out) {
  const DemoBehaviour behaviour = BehaviourFor(project.code, seed);
  Random random(HashCode(project.code, seed) ^ 0x5eed);
  const std::string id = "demo-" + project.code;

  int delay_months = 0;
  double pace = random.Uniform() * 0.25 + 0.92;  // share of the planned monthly amount
  switch (behaviour) {
    case DemoBehaviour::kOnTrack: break;
    case DemoBehaviour::kLateStart: delay_months = random.Between(3, 9); break;
    case DemoBehaviour::kStalled: break;
    case DemoBehaviour::kSlow: pace = 0.45 + random.Uniform() * 0.2; delay_months = random.Between(1, 2); break;
  }
  const YearMonth start = project.construction_start.AddMonths(delay_months);
  const Date started_on = DayOf(start, random.Between(1, 25));
  if (until < started_on) return;

  EventHeader header{"", "", 0, project.code, started_on};
  out.push_back({started_on, Header(ConstructionStartedEvent(header), id + "-start")});

  // A stalled project stops reporting somewhere between 6 months after its
  // start and 3 months before `until`.
  YearMonth last_active = until.Month();
  if (behaviour == DemoBehaviour::kStalled) {
    int span = until.Month().Index() - 3 - (start.Index() + 6);
    last_active = span > 0 ? start.AddMonths(6 + random.Between(0, span)) : start;
  }

  // Monthly investment reports, each sent on the period's last day.
  const YearMonth planned_end = project.completion.AddMonths(delay_months);
  for (YearMonth month = start; month <= last_active && month <= planned_end; month = month.AddMonths(1)) {
    const Date reported_on = LastDayOf(month);
    if (until < reported_on) break;
    const YearMonth plan_month = month.AddMonths(-delay_months);
    const Fen planned_year = project.PlannedForYear(plan_month.year);
    if (planned_year <= 0) continue;
    const double jitter = 0.85 + random.Uniform() * 0.3;
    const double yuan = static_cast<double>(planned_year) / model::kFenPerYuan /
                        ActiveMonthsInYear(project, plan_month.year) * pace * jitter;
    const Fen amount = static_cast<Fen>(yuan) * model::kFenPerYuan;  // whole yuan, like the reports
    header.occurred_on = reported_on;
    out.push_back({reported_on, Header(InvestmentEvent(header, amount, month), id + "-inv-" + month.ToString())});
  }

  const int line_delay = delay_months + (behaviour == DemoBehaviour::kSlow ? random.Between(4, 8) : 0);
  for (const auto& line : project.production_lines) {
    const YearMonth launch = line.launch.AddMonths(line_delay + (random.Uniform() < 0.2 ? 1 : 0));
    const Date launched_on = DayOf(launch, random.Between(5, 25));
    if (until < launched_on || launch > last_active) continue;
    header.occurred_on = launched_on;
    out.push_back({launched_on, Header(LineLaunchedEvent(header, line.id), id + "-line-" + line.id)});
  }

  if (behaviour == DemoBehaviour::kOnTrack || behaviour == DemoBehaviour::kLateStart) {
    const Date completed_on = DayOf(project.completion.AddMonths(delay_months), 20);
    if (completed_on <= until) {
      header.occurred_on = completed_on;
      out.push_back({completed_on, Header(CompletedEvent(header), id + "-done")});
    }
  }
}

// Monthly revenue reports of each cluster's enterprises from the start of the
// cluster plan's targets: most clusters near their target path, one behind.
void AddClusterOutput(const model::Plan& plan, const Date& until, std::uint64_t seed,
                      std::vector<ScheduledEvent>& out) {
  for (const auto& [cluster, targets] : plan.cluster_output_targets) {
    if (targets.empty()) continue;
    Random random(HashCode(cluster, seed) ^ 0x0a7);
    const bool behind = random.Uniform() < 0.2;
    const double pace = behind ? 0.7 + random.Uniform() * 0.1 : 0.96 + random.Uniform() * 0.1;
    const std::string enterprise = "demo-enterprises-" + cluster;
    for (YearMonth month{targets.begin()->first, 1};; month = month.AddMonths(1)) {
      const Date reported_on = LastDayOf(month);
      if (until < reported_on) break;
      auto target = targets.find(month.year);
      if (target == targets.end()) continue;
      const double yuan = static_cast<double>(target->second) / model::kFenPerYuan / 12 * pace *
                          (0.9 + random.Uniform() * 0.2);
      EventHeader header{"", "", 0, "", reported_on};
      out.push_back({reported_on, Header(OutputEvent(header, static_cast<Fen>(yuan) * model::kFenPerYuan, month,
                                                     cluster, enterprise),
                                         "demo-output-" + cluster + "-" + month.ToString())});
    }
  }
}

}  // namespace

const char* DemoBehaviourName(DemoBehaviour behaviour) {
  switch (behaviour) {
    case DemoBehaviour::kOnTrack: return "on_track";
    case DemoBehaviour::kLateStart: return "late_start";
    case DemoBehaviour::kStalled: return "stalled";
    case DemoBehaviour::kSlow: return "slow";
  }
  return "unknown";
}

DemoBehaviour BehaviourFor(const std::string& project_code, std::uint64_t seed) {
  const double draw = Random(HashCode(project_code, seed)).Uniform();
  if (draw < 0.72) return DemoBehaviour::kOnTrack;
  if (draw < 0.84) return DemoBehaviour::kLateStart;
  if (draw < 0.93) return DemoBehaviour::kStalled;
  return DemoBehaviour::kSlow;
}

std::vector<ScheduledEvent> BuildDemoHistory(const model::Plan& plan, const Date& until, std::uint64_t seed) {
  std::vector<ScheduledEvent> history;
  for (const auto& project : plan.projects) AddProjectHistory(project, until, seed, history);
  AddClusterOutput(plan, until, seed, history);
  std::stable_sort(history.begin(), history.end(), [](const ScheduledEvent& a, const ScheduledEvent& b) {
    return a.publish_on < b.publish_on;
  });
  return history;
}

}  // namespace pipelined::publisher
