// A plausible, deterministic history of a plan's projects, for the demo and
// the detection benchmark: most projects on track, some late to start, some
// stalled, some slow. Reports arrive the way they do in an office: each
// month's report between the 1st and the due day of the next month, a few
// late, January's with February's. What the history scripts for each project
// is kept as ground truth (docs/lagging.md, "The detection benchmark").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/model/plan.h"
#include "pipelined/model/reporting_calendar.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::publisher {

enum class DemoBehaviour { kOnTrack, kLateStart, kStalled, kSlow };
const char* DemoBehaviourName(DemoBehaviour behaviour);  // on_track, late_start, stalled, slow

// The behaviour the demo gives a project; depends only on its code, whether
// it is continuing (a continuing project cannot start late) and the seed.
DemoBehaviour BehaviourFor(const model::ProjectPlan& project, std::uint64_t seed);

// What the history scripts for one project.
struct DemoTruth {
  std::string project;
  DemoBehaviour behaviour = DemoBehaviour::kOnTrack;
  // The day the project is behind its plan by the script: a late or slow
  // starter at the end of its planned start month (or, continuing and slow,
  // of the plan period's first month), a stalled one at the end of its first
  // month without work. nullopt when on track, or when that day is after
  // the history's end.
  std::optional<model::Date> falls_behind_on;
  std::optional<model::Date> started_on;    // nullopt: continuing, or not yet started
  std::optional<model::Date> completed_on;  // within the history
  int start_delay_months = 0;
  double pace = 1;  // share of the planned monthly amount done, before the noise
  std::optional<model::YearMonth> stalled_from;
};

struct ScheduledEvent {
  model::Date publish_on;  // the simulated day the event is sent
  v1::Event event;         // source, sequence and reported_at are set when sent
};

struct DemoOptions {
  model::Date until;  // the last simulated day
  std::uint64_t seed = 1;
  model::ReportingCalendar calendar;  // the daemon's due day
};

struct DemoHistory {
  // Every event of the history sent on or before `until`, ordered by
  // publish_on. Event ids are derived from project, kind and period, so a
  // replay of the same history is recognised as duplicates.
  std::vector<ScheduledEvent> events;
  std::vector<DemoTruth> truth;  // in plan order
};

DemoHistory BuildDemoHistory(const model::Plan& plan, const DemoOptions& options);

}  // namespace pipelined::publisher
