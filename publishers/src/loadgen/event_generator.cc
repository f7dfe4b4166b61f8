#include "pipelined/loadgen/event_generator.h"

#include <algorithm>
#include <cstdio>

#include "pipelined/publisher/event_builder.h"

namespace pipelined::loadgen {
namespace {

using model::Date;
using model::Fen;
using model::YearMonth;

constexpr Fen kMaxInvestmentFen = 1'000'000 * model::kFenPerYuan;  // a million yuan per report
constexpr Fen kMaxRevenueFen = 10'000'000 * model::kFenPerYuan;

Date DayOf(const YearMonth& month, int day) {
  return Date{month.year, month.month, std::min(day, model::DaysInMonth(month.year, month.month))};
}

}  // namespace

std::optional<Date> LastEventDate(const model::Plan& plan, const Date& daemon_today) {
  const Date plan_end = DayOf(plan.period_end, 31);
  const Date last = daemon_today < plan_end ? daemon_today : plan_end;
  if (last < FirstEventDate(plan)) return std::nullopt;
  return last;
}

Date FirstEventDate(const model::Plan& plan) { return DayOf(plan.period_start, 1); }

std::string LoadEventId(const std::string& run_id, int publisher, std::uint64_t n) {
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "-%02d-%010llu", publisher, static_cast<unsigned long long>(n));
  return run_id + suffix;
}

EventGenerator::EventGenerator(const model::Plan& plan, WorkloadOptions options)
    : options_(std::move(options)),
      random_(options_.seed * 0x100000001b3ULL + static_cast<std::uint64_t>(options_.publisher)),
      first_date_(FirstEventDate(plan)),
      first_month_(plan.period_start),
      months_(options_.last_date.Month().Index() - plan.period_start.Index() + 1) {
  std::size_t index = 0;
  for (const model::ProjectPlan& project : plan.projects) {
    if (project.code == options_.excluded_project) continue;
    projects_.push_back(&project);
    if (index++ % static_cast<std::size_t>(options_.publishers) != static_cast<std::size_t>(options_.publisher)) {
      continue;
    }
    starts_.push_back(&project);
    completions_.push_back(&project);
    for (const model::ProductionLinePlan& line : project.production_lines) launches_.push_back({&project, &line});
  }
  // Used from the back: keep the plan's order.
  std::reverse(starts_.begin(), starts_.end());
  std::reverse(launches_.begin(), launches_.end());
  std::reverse(completions_.begin(), completions_.end());
}

Date EventGenerator::Clamp(Date date) const {
  if (date < first_date_) return first_date_;
  if (options_.last_date < date) return options_.last_date;
  return date;
}

YearMonth EventGenerator::RandomMonth() { return first_month_.AddMonths(static_cast<int>(random_.Between(0, months_ - 1))); }

Date EventGenerator::RandomDateInMonth(const YearMonth& month) {
  return Clamp(DayOf(month, static_cast<int>(random_.Between(1, 28))));
}

const model::ProjectPlan& EventGenerator::RandomProject() {
  return *projects_[static_cast<std::size_t>(random_.Between(0, static_cast<std::int64_t>(projects_.size()) - 1))];
}

Fen EventGenerator::Append(v1::EventBatch* batch) {
  EventKind kind = options_.mix.Pick(random_.Next());
  if ((kind == EventKind::kStarted && starts_.empty()) || (kind == EventKind::kLaunched && launches_.empty()) ||
      (kind == EventKind::kCompleted && completions_.empty())) {
    kind = EventKind::kInvestment;
  }
  publisher::EventHeader header;
  header.event_id = LoadEventId(options_.run_id, options_.publisher, next_);
  header.source = options_.source;
  header.sequence = options_.first_sequence + next_;
  ++next_;
  ++generated_[static_cast<std::size_t>(kind)];
  Fen investment = 0;
  v1::Event event;
  switch (kind) {
    case EventKind::kInvestment: {
      const YearMonth month = RandomMonth();
      header.project_code = RandomProject().code;
      header.occurred_on = RandomDateInMonth(month);
      investment = random_.Between(1, kMaxInvestmentFen);
      event = publisher::InvestmentEvent(header, investment, month);
      break;
    }
    case EventKind::kOutput: {
      const YearMonth month = RandomMonth();
      header.project_code = RandomProject().code;
      header.occurred_on = RandomDateInMonth(month);
      event = publisher::OutputEvent(header, random_.Between(1, kMaxRevenueFen), month, "", "");
      break;
    }
    case EventKind::kStarted: {
      const model::ProjectPlan& project = *starts_.back();
      starts_.pop_back();
      header.project_code = project.code;
      header.occurred_on = Clamp(DayOf(project.construction_start, 15));
      event = publisher::ConstructionStartedEvent(header);
      break;
    }
    case EventKind::kLaunched: {
      const LineRef line = launches_.back();
      launches_.pop_back();
      header.project_code = line.project->code;
      header.occurred_on = Clamp(DayOf(line.line->launch, 10));
      event = publisher::LineLaunchedEvent(header, line.line->id);
      break;
    }
    case EventKind::kCompleted: {
      const model::ProjectPlan& project = *completions_.back();
      completions_.pop_back();
      header.project_code = project.code;
      header.occurred_on = Clamp(DayOf(project.completion, 28));
      event = publisher::CompletedEvent(header);
      break;
    }
  }
  *batch->add_events() = std::move(event);
  return investment;
}

}  // namespace pipelined::loadgen
