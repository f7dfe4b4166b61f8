#include "pipelined/publisher/demo_history.h"

#include <algorithm>

#include "pipelined/config/split_mix.h"
#include "pipelined/model/progress.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::publisher {
namespace {

using model::Date;
using model::Fen;
using model::ReportingCalendar;
using model::YearMonth;

using Random = config::SplitMix64;

// A few reports come in after the due day, by up to this many days.
constexpr double kLateReportShare = 0.06;
constexpr int kMostDaysLate = 10;
// Monthly amounts vary around the plan, but what is reported adds up: each
// month's noise takes back the month before's, so the cumulative figure
// stays within this share of a month's work of the project's pace.
constexpr double kMonthlyNoise = 0.10;

std::uint64_t HashCode(const std::string& code, std::uint64_t seed) {
  std::uint64_t hash = 1469598103934665603ULL ^ seed;
  for (unsigned char c : code) hash = (hash ^ c) * 1099511628211ULL;
  return hash;
}

Date DayOf(const YearMonth& month, int day) {
  return Date{month.year, month.month, std::min(day, model::DaysInMonth(month.year, month.month))};
}

// Sets the event's id and leaves reported_at to the moment it is sent, so
// that the history depends on nothing but plan, date and seed.
v1::Event Header(v1::Event event, const std::string& id) {
  event.set_event_id(id);
  event.clear_reported_at();
  return event;
}

// When the report covering `month` arrives from `who`: between the 1st and
// the due day of the month after, a few of them up to kMostDaysLate days
// after the due day. Its own random stream per reporter and report, so that
// it depends on nothing else.
Date ArrivalOf(const std::string& who, YearMonth month, const DemoOptions& options) {
  const YearMonth report = ReportingCalendar::ReportOf(month);
  Random random(HashCode(who, options.seed) ^ (static_cast<std::uint64_t>(report.Index()) * 0x9e3779b97f4a7c15ULL));
  const int due_day = options.calendar.due_day();
  const int day = random.Uniform() < kLateReportShare
                      ? due_day + static_cast<int>(random.Between(1, kMostDaysLate))
                      : static_cast<int>(random.Between(1, due_day));
  return DayOf(report.AddMonths(1), day);
}

// The planned amount for a month of the plan: the year's plan spread evenly
// over the year's construction months, as ExpectedYearToDate() expects it.
Fen PlannedForMonth(const model::ProjectPlan& project, YearMonth month) {
  if (month < project.construction_start || month > project.completion) return 0;
  const int active = model::ActiveMonths(project, month.year);
  if (active == 0) return 0;
  return project.PlannedForYear(month.year) / active;
}

void AddProjectHistory(const model::Plan& plan, const model::ProjectPlan& project, const DemoOptions& options,
                       DemoHistory& out) {
  const Date& until = options.until;
  DemoTruth truth;
  truth.project = project.code;
  truth.behaviour = BehaviourFor(project, options.seed);
  Random random(HashCode(project.code, options.seed) ^ 0x5eed);
  const std::string id = "demo-" + project.code;
  const bool continuing = project.continuing.has_value();

  switch (truth.behaviour) {
    case DemoBehaviour::kOnTrack:
    case DemoBehaviour::kStalled: truth.pace = 0.98 + random.Uniform() * 0.08; break;
    // Exactly its plan, started late: it stays as many months behind.
    case DemoBehaviour::kLateStart: truth.start_delay_months = static_cast<int>(random.Between(3, 9)); break;
    case DemoBehaviour::kSlow:
      truth.pace = 0.45 + random.Uniform() * 0.2;
      if (!continuing) truth.start_delay_months = static_cast<int>(random.Between(1, 2));
      break;
  }
  const int delay = truth.start_delay_months;
  // A continuing project reports from the plan period's start; the others
  // from their planned start month, with 0 yuan until they start.
  const YearMonth first_month = continuing ? plan.period_start : project.construction_start;
  const YearMonth start_month = project.construction_start.AddMonths(delay);
  const int start_day = static_cast<int>(random.Between(1, 25));
  if (!continuing) truth.started_on = DayOf(start_month, start_day);
  const YearMonth planned_end = project.completion.AddMonths(delay);
  const YearMonth working_from = continuing ? plan.period_start : start_month;
  if (truth.behaviour == DemoBehaviour::kStalled) {
    // Work stops at least four months in and, where the history allows, at
    // least three months before its end; reports go on, with nothing done.
    const YearMonth earliest = working_from.AddMonths(4);
    const YearMonth latest = std::min(planned_end, until.Month().AddMonths(-3));
    const int span = std::max(0, latest.Index() - earliest.Index());
    truth.stalled_from = std::min(earliest.AddMonths(static_cast<int>(random.Between(0, span))), planned_end);
  }
  const bool completes = truth.behaviour == DemoBehaviour::kOnTrack || truth.behaviour == DemoBehaviour::kLateStart;
  const YearMonth last_month = completes ? planned_end : until.Month();
  switch (truth.behaviour) {
    case DemoBehaviour::kOnTrack: break;
    case DemoBehaviour::kLateStart:
    case DemoBehaviour::kSlow:
      truth.falls_behind_on = model::LastDay(continuing ? plan.period_start : project.construction_start);
      break;
    case DemoBehaviour::kStalled: truth.falls_behind_on = model::LastDay(*truth.stalled_from); break;
  }
  if (truth.falls_behind_on && until < *truth.falls_behind_on) truth.falls_behind_on.reset();

  EventHeader header{"", "", 0, project.code, until};
  auto send = [&](const Date& on, v1::Event event) { out.events.push_back({on, std::move(event)}); };

  // Monthly investment reports, each dated the day it arrives.
  double noise_before = 0;
  for (YearMonth month = first_month; month <= last_month; month = month.AddMonths(1)) {
    const Date arrives = ArrivalOf(project.code, month, options);
    if (until < arrives) break;
    Fen amount = 0;
    const bool working = month >= working_from && (!truth.stalled_from || month < *truth.stalled_from);
    if (working) {
      const Fen base = PlannedForMonth(project, month.AddMonths(-delay));
      const double noise = (random.Uniform() * 2 - 1) * kMonthlyNoise;
      const double yuan = static_cast<double>(base) / model::kFenPerYuan * truth.pace * (1 + noise - noise_before);
      noise_before = noise;
      amount = static_cast<Fen>(std::max(0.0, yuan)) * model::kFenPerYuan;  // whole yuan, like the reports
    }
    header.occurred_on = arrives;
    send(arrives, Header(InvestmentEvent(header, amount, month), id + "-inv-" + month.ToString()));
  }

  // Milestones come with the report of the month they happened in, dated
  // the day they happened.
  auto send_milestone = [&](const Date& happened, v1::Event event) {
    const Date arrives = ArrivalOf(project.code, happened.Month(), options);
    if (!(until < arrives)) send(arrives, std::move(event));
  };
  if (truth.started_on) {
    header.occurred_on = *truth.started_on;
    send_milestone(*truth.started_on, Header(ConstructionStartedEvent(header), id + "-start"));
    if (until < *truth.started_on) truth.started_on.reset();
  }
  const int line_delay = delay + (truth.behaviour == DemoBehaviour::kSlow ? static_cast<int>(random.Between(4, 8)) : 0);
  for (const auto& line : project.production_lines) {
    const YearMonth launch = line.launch.AddMonths(line_delay + (random.Uniform() < 0.2 ? 1 : 0));
    const Date launched_on = DayOf(launch, static_cast<int>(random.Between(5, 25)));
    if (launch > last_month || (truth.stalled_from && launch >= *truth.stalled_from) || launch < working_from) continue;
    header.occurred_on = launched_on;
    send_milestone(launched_on, Header(LineLaunchedEvent(header, line.id), id + "-line-" + line.id));
  }
  if (completes) {
    const Date completed_on = DayOf(planned_end, 20);
    header.occurred_on = completed_on;
    send_milestone(completed_on, Header(CompletedEvent(header), id + "-done"));
    if (!(until < completed_on)) truth.completed_on = completed_on;
  }
  out.truth.push_back(std::move(truth));
}

// Monthly revenue reports of each cluster's enterprises from the start of the
// cluster plan's targets: most clusters near their target path, one behind.
void AddClusterOutput(const model::Plan& plan, const DemoOptions& options, DemoHistory& out) {
  for (const auto& [cluster, targets] : plan.cluster_output_targets) {
    if (targets.empty()) continue;
    Random random(HashCode(cluster, options.seed) ^ 0x0a7);
    const bool behind = random.Uniform() < 0.2;
    const double pace = behind ? 0.7 + random.Uniform() * 0.1 : 0.96 + random.Uniform() * 0.1;
    const std::string enterprise = "demo-enterprises-" + cluster;
    for (YearMonth month{targets.begin()->first, 1};; month = month.AddMonths(1)) {
      const Date arrives = ArrivalOf(enterprise, month, options);
      if (options.until < arrives) break;
      auto target = targets.find(month.year);
      if (target == targets.end()) continue;
      const double yuan = static_cast<double>(target->second) / model::kFenPerYuan / 12 * pace *
                          (0.9 + random.Uniform() * 0.2);
      EventHeader header{"", "", 0, "", arrives};
      out.events.push_back({arrives, Header(OutputEvent(header, static_cast<Fen>(yuan) * model::kFenPerYuan, month,
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

DemoBehaviour BehaviourFor(const model::ProjectPlan& project, std::uint64_t seed) {
  const double draw = Random(HashCode(project.code, seed)).Uniform();
  if (draw < 0.72) return DemoBehaviour::kOnTrack;
  // A project under way before the plan period cannot start late.
  if (draw < 0.84) return project.continuing ? DemoBehaviour::kOnTrack : DemoBehaviour::kLateStart;
  if (draw < 0.93) return DemoBehaviour::kStalled;
  return DemoBehaviour::kSlow;
}

DemoHistory BuildDemoHistory(const model::Plan& plan, const DemoOptions& options) {
  DemoHistory history;
  for (const auto& project : plan.projects) AddProjectHistory(plan, project, options, history);
  AddClusterOutput(plan, options, history);
  std::stable_sort(history.events.begin(), history.events.end(),
                   [](const ScheduledEvent& a, const ScheduledEvent& b) { return a.publish_on < b.publish_on; });
  return history;
}

}  // namespace pipelined::publisher
