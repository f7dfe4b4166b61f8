// Scores a daemon's verdicts against what the demo history scripts for each
// project (docs/lagging.md, "The detection benchmark"): false alarms,
// detections with their delay, and status changes, day by day and in total.
// Knows nothing of how the statuses were read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipelined/model/calendar.h"
#include "pipelined/publisher/demo_history.h"

namespace pipelined::detection {

// What the daemon said of one project on one day.
struct Verdict {
  std::string status;   // on_track, not_reported, at_risk, lagging
  std::string reasons;  // reason codes, for the record of a false alarm
};

struct FalseAlarm {
  model::Date day;
  std::string project;
  std::string behaviour;
  std::string status;
  std::string reasons;
};

struct DayScore {
  model::Date day;
  int at_risk = 0;
  int lagging = 0;
  int not_reported = 0;
  int false_alarms = 0;
  int new_detections = 0;
  int status_changes = 0;  // against the day evaluated before
};

struct BehaviourScore {
  std::string behaviour;
  int projects = 0;
  // Fell behind early enough that the target can be checked (at least the
  // target delay before the last day evaluated).
  int fell_behind = 0;
  int detected_in_time = 0;
  int pending = 0;  // fell behind later: detected or not, not counted
  std::vector<int> delays_days;  // of the detections counted
  std::vector<std::string> missed;  // fell behind and not flagged within the target
};

struct Score {
  model::Date first_day;
  model::Date last_day;
  int evaluated_days = 0;
  int projects = 0;
  int false_alarm_days = 0;
  int false_alarm_project_days = 0;
  int most_false_alarms_on_a_day = 0;
  std::vector<FalseAlarm> false_alarms;  // the first ones, for the record
  std::vector<BehaviourScore> behaviours;
  int not_reported_project_days = 0;
  // Changes between consecutive days evaluated: of the status (four values),
  // and of the alert level (on_track and not_reported alike, at_risk,
  // lagging), with the real changes of behaviour they are measured against.
  int status_changes = 0;
  int alert_changes = 0;
  int escalations = 0;  // at_risk -> lagging
  int real_changes = 0;
  double project_years = 0;
  // Projects whose alert level changed more often than their behaviour did.
  std::vector<std::string> flapping;
  int max_delay_days = 62;

  bool NoFalseAlarms() const { return false_alarm_project_days == 0; }
  bool AllDetectedInTime() const;
  bool NoFlapping() const { return flapping.empty(); }
  bool TargetsMet() const { return NoFalseAlarms() && AllDetectedInTime() && NoFlapping(); }
};

class DetectionScorer {
 public:
  // `max_delay_days`: the detection target.
  DetectionScorer(std::vector<publisher::DemoTruth> truth, int max_delay_days = 62);

  // Scores the verdicts of one day; days come in order. A project missing
  // from `verdicts` counts as on track.
  DayScore Observe(const model::Date& day, const std::map<std::string, Verdict>& verdicts);

  Score Finish() const;

 private:
  struct Tracked {
    publisher::DemoTruth truth;
    std::optional<model::Date> detected_on;
    std::optional<std::string> last_status;
    int alert_changes = 0;
  };
  std::vector<Tracked> projects_;
  int max_delay_days_;
  Score score_;
  bool started_ = false;
};

// "on_track" ... for the alert level: 0 for on_track and not_reported, 1 at
// risk, 2 lagging.
int AlertLevel(const std::string& status);

}  // namespace pipelined::detection
