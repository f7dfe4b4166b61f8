#include "pipelined/detection/detection_score.h"

#include <algorithm>

namespace pipelined::detection {
namespace {

constexpr size_t kFalseAlarmsKept = 50;
const publisher::DemoBehaviour kScriptedBehind[] = {publisher::DemoBehaviour::kLateStart,
                                                    publisher::DemoBehaviour::kStalled,
                                                    publisher::DemoBehaviour::kSlow};

bool IsFlagged(const std::string& status) { return status == "at_risk" || status == "lagging"; }

}  // namespace

int AlertLevel(const std::string& status) {
  if (status == "lagging") return 2;
  if (status == "at_risk") return 1;
  return 0;
}

bool Score::AllDetectedInTime() const {
  for (const BehaviourScore& b : behaviours) {
    if (!b.missed.empty()) return false;
  }
  return true;
}

DetectionScorer::DetectionScorer(std::vector<publisher::DemoTruth> truth, int max_delay_days)
    : max_delay_days_(max_delay_days) {
  for (publisher::DemoTruth& t : truth) projects_.push_back({std::move(t), std::nullopt, std::nullopt, 0});
  score_.projects = static_cast<int>(projects_.size());
  score_.max_delay_days = max_delay_days;
}

DayScore DetectionScorer::Observe(const model::Date& day, const std::map<std::string, Verdict>& verdicts) {
  if (!started_) score_.first_day = day;
  started_ = true;
  score_.last_day = day;
  ++score_.evaluated_days;
  DayScore result;
  result.day = day;
  static const Verdict kOnTrack{"on_track", ""};
  for (Tracked& p : projects_) {
    auto found = verdicts.find(p.truth.project);
    const Verdict& verdict = found == verdicts.end() ? kOnTrack : found->second;
    const bool flagged = IsFlagged(verdict.status);
    result.at_risk += verdict.status == "at_risk" ? 1 : 0;
    result.lagging += verdict.status == "lagging" ? 1 : 0;
    result.not_reported += verdict.status == "not_reported" ? 1 : 0;
    // Behind by the script from the day it falls behind on.
    const bool behind = p.truth.falls_behind_on && !(day < *p.truth.falls_behind_on);
    if (flagged && !behind) {
      ++result.false_alarms;
      if (score_.false_alarms.size() < kFalseAlarmsKept) {
        score_.false_alarms.push_back({day, p.truth.project, publisher::DemoBehaviourName(p.truth.behaviour),
                                       verdict.status, verdict.reasons});
      }
    }
    if (flagged && behind && !p.detected_on) {
      p.detected_on = day;
      ++result.new_detections;
    }
    if (p.last_status && *p.last_status != verdict.status) {
      ++result.status_changes;
      const int before = AlertLevel(*p.last_status);
      const int now = AlertLevel(verdict.status);
      if (before != now) {
        ++p.alert_changes;
        ++score_.alert_changes;
        if (before == 1 && now == 2) ++score_.escalations;
      }
    }
    p.last_status = verdict.status;
  }
  score_.status_changes += result.status_changes;
  score_.not_reported_project_days += result.not_reported;
  score_.false_alarm_project_days += result.false_alarms;
  if (result.false_alarms > 0) ++score_.false_alarm_days;
  score_.most_false_alarms_on_a_day = std::max(score_.most_false_alarms_on_a_day, result.false_alarms);
  return result;
}

Score DetectionScorer::Finish() const {
  Score score = score_;
  const std::int64_t first = score.first_day.DaysSinceEpoch();
  const std::int64_t last = score.last_day.DaysSinceEpoch();
  score.project_years = static_cast<double>(projects_.size()) * static_cast<double>(last - first + 1) / 365.0;
  for (publisher::DemoBehaviour behaviour : kScriptedBehind) {
    BehaviourScore b;
    b.behaviour = publisher::DemoBehaviourName(behaviour);
    for (const Tracked& p : projects_) {
      if (p.truth.behaviour != behaviour) continue;
      ++b.projects;
      if (!p.truth.falls_behind_on || last < p.truth.falls_behind_on->DaysSinceEpoch()) continue;
      const std::int64_t fell = p.truth.falls_behind_on->DaysSinceEpoch();
      if (fell < first) continue;  // before the days evaluated: nothing to time
      const bool timed = last - fell >= max_delay_days_;
      const std::optional<int> delay =
          p.detected_on ? std::optional<int>(static_cast<int>(p.detected_on->DaysSinceEpoch() - fell)) : std::nullopt;
      if (!timed && !(delay && *delay <= max_delay_days_)) {
        ++b.pending;
        continue;
      }
      ++b.fell_behind;
      if (delay && *delay <= max_delay_days_) {
        ++b.detected_in_time;
        b.delays_days.push_back(*delay);
      } else {
        b.missed.push_back(p.truth.project);
      }
    }
    std::sort(b.delays_days.begin(), b.delays_days.end());
    score.behaviours.push_back(std::move(b));
  }
  // Real changes of behaviour in the days evaluated: falling behind, and a
  // project that fell behind completing (it then has nothing left to lag).
  for (const Tracked& p : projects_) {
    int real = 0;
    auto within = [&](const std::optional<model::Date>& date) {
      return date && date->DaysSinceEpoch() >= first && date->DaysSinceEpoch() <= last;
    };
    if (within(p.truth.falls_behind_on)) ++real;
    if (p.truth.falls_behind_on && within(p.truth.completed_on)) ++real;
    score.real_changes += real;
    if (p.alert_changes > real) score.flapping.push_back(p.truth.project);
  }
  return score;
}

}  // namespace pipelined::detection
