#include "pipelined/model/lagging.h"

#include <algorithm>
#include <cstdio>

namespace pipelined::model {
namespace {

// Ratios and percentages come from integer fen through doubles; a figure that
// is exactly on a threshold must count as on it.
constexpr double kEpsilon = 1e-9;

template <typename... Args>
std::string Format(const char* format, Args... args) {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, format, args...);
  return buffer;
}

// "39,000,000" or "1,234.56": whole yuan grouped by thousands.
std::string Yuan(Fen fen) {
  const bool negative = fen < 0;
  const Fen magnitude = negative ? -fen : fen;
  std::string digits = std::to_string(magnitude / kFenPerYuan);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  if (magnitude % kFenPerYuan != 0) out += Format(".%02lld", static_cast<long long>(magnitude % kFenPerYuan));
  return negative ? "-" + out : out;
}

// "2024-06", or "2024-01..02" for February's report, which covers January too.
std::string ReportMonths(YearMonth reporting_month) {
  if (reporting_month.month != 2) return reporting_month.ToString();
  return Format("%04d-01..02", reporting_month.year);
}

std::string Months(double months) { return Format("%g", months); }

// How a level was reached: the threshold that was crossed (after any
// margin), for the detail and the Finding.
struct Grade {
  Status level = Status::kOnTrack;
  double threshold = 0;  // after any margin
  double rule = 0;       // the rule set's threshold for the level

  bool held() const { return threshold != rule; }
};

// ", held from the month before until it reaches 1.00" when a margin kept
// the level; `until` says how the figure leaves it, from the threshold.
template <typename Until>
std::string HeldText(const Grade& grade, Until until) {
  if (!grade.held()) return "";
  return ", held from the month before until " + until(grade.threshold);
}

// A figure that is bad when high: at_risk from `at_risk` (inclusive), lagging
// from `lagging` (inclusive or, when `lagging_exclusive`, above it). A level
// held in the previous month is kept until the figure is below its threshold
// by `margin`.
Grade GradeHigh(double value, const std::optional<double>& at_risk, const std::optional<double>& lagging,
                Status previous, double margin, bool lagging_exclusive = false) {
  if (lagging) {
    const double threshold = *lagging - (previous == Status::kLagging ? margin : 0);
    if (lagging_exclusive ? value > threshold + kEpsilon : value >= threshold - kEpsilon) {
      return {Status::kLagging, threshold, *lagging};
    }
  }
  if (at_risk) {
    const double threshold = *at_risk - (previous >= Status::kAtRisk ? margin : 0);
    if (value >= threshold - kEpsilon) return {Status::kAtRisk, threshold, *at_risk};
  }
  return {};
}

// A figure that is bad when low (SPI): at a level below its threshold.
Grade GradeLow(double value, const std::optional<double>& at_risk, const std::optional<double>& lagging,
               Status previous, double margin) {
  if (lagging) {
    const double threshold = *lagging + (previous == Status::kLagging ? margin : 0);
    if (value < threshold - kEpsilon) return {Status::kLagging, threshold, *lagging};
  }
  if (at_risk) {
    const double threshold = *at_risk + (previous >= Status::kAtRisk ? margin : 0);
    if (value < threshold - kEpsilon) return {Status::kAtRisk, threshold, *at_risk};
  }
  return {};
}

std::optional<double> ToDouble(const std::optional<int>& v) { return v ? std::optional<double>(*v) : std::nullopt; }

// "at_risk from 1, lagging from 3" for the thresholds a rule set has.
template <typename T>
std::string ThresholdsText(const std::optional<T>& at_risk, const std::optional<T>& lagging, const char* word) {
  std::string text;
  if (at_risk) text += "at_risk " + std::string(word) + " " + Format("%g", static_cast<double>(*at_risk));
  if (lagging) {
    text += (text.empty() ? "" : ", ") + std::string("lagging ") + word + " " + Format("%g", static_cast<double>(*lagging));
  }
  return text;
}

class Assessor {
 public:
  Assessor(const Assessment* previous, bool details) : previous_(previous), details_(details) {}

  Status Previous(const char* reason) const {
    return previous_ == nullptr ? Status::kOnTrack : previous_->LevelOf(reason);
  }

  // `detail` makes the text for people; it is only called when the finding
  // is kept with its details (an evaluation of earlier months needs levels).
  template <typename MakeDetail>
  void Add(const char* reason, Grade grade, double value, MakeDetail detail) {
    if (grade.level == Status::kOnTrack) return;
    assessment_.findings.push_back({reason, grade.level, details_ ? detail() : std::string(), value, grade.threshold});
    assessment_.status = std::max(assessment_.status, grade.level);
  }

  Assessment Take() { return std::move(assessment_); }

 private:
  const Assessment* previous_;
  const bool details_;
  Assessment assessment_;
};

// Year to date against a schedule: below the level's attainment threshold
// and at least the minimum gap behind; a level held last month stays while
// both are within the margins.
void AddBehindSchedule(Assessor& a, const ScheduleFacts& s, const RuleSet& rules, const std::string& what) {
  if (s.expected_fen <= 0) return;
  const Status previous = a.Previous(lagging_reason::kBehindSchedule);
  auto reaches = [&](const std::optional<double>& below, Status level) -> std::optional<double> {
    if (!below) return std::nullopt;
    const bool held = previous >= level;
    const double threshold = *below + (held ? rules.clear_margin_ratio : 0);
    const double min_gap = rules.behind_schedule_min_gap_pp - (held ? rules.clear_margin_pp : 0);
    if (s.attainment < threshold - kEpsilon && s.behind_pp >= min_gap - kEpsilon) return threshold;
    return std::nullopt;
  };
  Grade grade;
  if (auto t = reaches(rules.behind_schedule_lagging_below, Status::kLagging)) {
    grade = {Status::kLagging, *t, *rules.behind_schedule_lagging_below};
  } else if (auto t = reaches(rules.behind_schedule_at_risk_below, Status::kAtRisk)) {
    grade = {Status::kAtRisk, *t, *rules.behind_schedule_at_risk_below};
  }
  if (grade.level == Status::kOnTrack) return;
  a.Add(lagging_reason::kBehindSchedule, grade, s.attainment, [&] {
    std::string held;
    if (grade.held()) {
      held = Format(", held from the month before until it reaches %.0f%% or is less than %g points behind",
                    grade.threshold * 100, rules.behind_schedule_min_gap_pp - rules.clear_margin_pp);
    }
    return what + Format("%04d-01..%02d: ", s.through.year, s.through.month) + Yuan(s.done_fen) + " yuan done of " +
           Yuan(s.expected_fen) + " expected by its schedule, " + Format("%.1f%%", s.attainment * 100) +
           Format(" (%s below %.0f%%), %.1f points of the year's plan behind (at least %g%s)", StatusName(grade.level),
                  grade.rule * 100, s.behind_pp, rules.behind_schedule_min_gap_pp, held.c_str());
  });
}

void AddBehindProRata(Assessor& a, double behind_pp, double pro_rata, const RuleSet& rules, const std::string& what,
                      const char* reason = lagging_reason::kBehindProRata) {
  const Grade grade = GradeHigh(behind_pp, rules.behind_pro_rata_at_risk_pp, rules.behind_pro_rata_lagging_pp,
                                a.Previous(reason), rules.clear_margin_pp, true);
  a.Add(reason, grade, behind_pp, [&] {
    return what + Format("%.1f points behind pro-rata progress %.1f%% (%s from %g points", behind_pp, pro_rata * 100,
                         StatusName(grade.level), grade.rule) +
           HeldText(grade, [](double t) { return Format("it is less than %g points behind", t); }) + ")";
  });
}

void AddSpi(Assessor& a, double spi, Fen earned, Fen planned, YearMonth through, const RuleSet& rules) {
  const Grade grade = GradeLow(spi, rules.spi_at_risk_below, rules.spi_lagging_below,
                               a.Previous(lagging_reason::kSpiLow), rules.clear_margin_ratio);
  a.Add(lagging_reason::kSpiLow, grade, spi, [&] { return std::string(Format("SPI %.2f = earned value ", spi) + Yuan(earned) + " / planned value " + Yuan(planned) +
            " yuan at the end of " + through.ToString() +
            Format(" (%s below %.2f", StatusName(grade.level), grade.rule) +
            HeldText(grade, [](double t) { return Format("it reaches %.2f", t); }) + ")"); });
}

}  // namespace

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOnTrack: return "on_track";
    case Status::kNotReported: return "not_reported";
    case Status::kAtRisk: return "at_risk";
    case Status::kLagging: return "lagging";
  }
  return "unknown";
}

Status Assessment::LevelOf(const char* reason) const {
  for (const Finding& finding : findings) {
    if (finding.reason == reason) return finding.level;
  }
  return Status::kOnTrack;
}

RuleSet RuleSet::Schedule() {
  RuleSet r;
  r.name = "schedule";
  r.behind_schedule_at_risk_below = 0.85;
  r.behind_schedule_lagging_below = 0.7;
  r.behind_schedule_min_gap_pp = 5;
  r.delay_at_risk_months = 2;
  r.delay_lagging_months = 3;
  r.stalled_below_share = 0.25;
  r.stalled_lagging_months = 1;
  r.start_overdue_at_risk_months = 1;
  r.start_overdue_lagging_months = 3;
  r.milestone_overdue_at_risk_months = 1;
  r.milestone_overdue_lagging_months = 3;
  r.no_investment_at_risk_months = 3;
  r.output_behind_at_risk_pp = 10;
  r.output_behind_lagging_pp = 30;
  return r;
}

RuleSet RuleSet::ProRata() {
  RuleSet r;
  r.name = "pro_rata";
  r.behind_pro_rata_at_risk_pp = 10;
  r.behind_pro_rata_lagging_pp = 30;
  r.start_overdue_at_risk_months = 1;
  r.start_overdue_lagging_months = 3;
  r.milestone_overdue_at_risk_months = 1;
  r.milestone_overdue_lagging_months = 3;
  r.no_investment_at_risk_months = 3;
  r.output_behind_at_risk_pp = 10;
  r.output_behind_lagging_pp = 30;
  return r;
}

RuleSet RuleSet::Spi() {
  RuleSet r = ProRata();
  r.name = "spi";
  r.behind_pro_rata_at_risk_pp.reset();
  r.behind_pro_rata_lagging_pp.reset();
  r.spi_at_risk_below = 0.95;
  r.spi_lagging_below = 0.90;
  return r;
}

std::optional<RuleSet> RuleSet::BuiltIn(const std::string& name) {
  if (name == "schedule") return Schedule();
  if (name == "pro_rata") return ProRata();
  if (name == "spi") return Spi();
  return std::nullopt;
}

const std::vector<std::string>& RuleSet::BuiltInNames() {
  static const std::vector<std::string> kNames = {"schedule", "pro_rata", "spi"};
  return kNames;
}

std::vector<std::string> CheckRuleSet(const RuleSet& r) {
  std::vector<std::string> problems;
  auto ordered_high = [&](const auto& at_risk, const auto& lagging, const char* at_key, const char* lag_key) {
    if (at_risk && lagging && static_cast<double>(*at_risk) > static_cast<double>(*lagging)) {
      problems.push_back(std::string(at_key) + " (" + Format("%g", static_cast<double>(*at_risk)) + ") is past " +
                         lag_key + " (" + Format("%g", static_cast<double>(*lagging)) +
                         "): a project must be at risk before it is lagging");
    }
  };
  auto ordered_low = [&](const std::optional<double>& at_risk, const std::optional<double>& lagging,
                         const char* at_key, const char* lag_key) {
    if (at_risk && lagging && *at_risk < *lagging) {
      problems.push_back(std::string(at_key) + " (" + Format("%g", *at_risk) + ") is below " + lag_key + " (" +
                         Format("%g", *lagging) + "): a project must be at risk before it is lagging");
    }
  };
  ordered_low(r.behind_schedule_at_risk_below, r.behind_schedule_lagging_below, "behind_schedule_at_risk_below",
              "behind_schedule_lagging_below");
  ordered_high(r.delay_at_risk_months, r.delay_lagging_months, "delay_at_risk_months", "delay_lagging_months");
  ordered_high(r.stalled_at_risk_months, r.stalled_lagging_months, "stalled_at_risk_months",
               "stalled_lagging_months");
  ordered_high(r.behind_pro_rata_at_risk_pp, r.behind_pro_rata_lagging_pp, "behind_pro_rata_at_risk_pp",
               "behind_pro_rata_lagging_pp");
  ordered_low(r.spi_at_risk_below, r.spi_lagging_below, "spi_at_risk_below", "spi_lagging_below");
  ordered_high(r.start_overdue_at_risk_months, r.start_overdue_lagging_months, "start_overdue_at_risk_months",
               "start_overdue_lagging_months");
  ordered_high(r.milestone_overdue_at_risk_months, r.milestone_overdue_lagging_months,
               "milestone_overdue_at_risk_months", "milestone_overdue_lagging_months");
  ordered_high(r.no_investment_at_risk_months, r.no_investment_lagging_months, "no_investment_at_risk_months",
               "no_investment_lagging_months");
  ordered_high(r.source_silent_at_risk_days, r.source_silent_lagging_days, "source_silent_at_risk_days",
               "source_silent_lagging_days");
  ordered_high(r.output_behind_at_risk_pp, r.output_behind_lagging_pp, "output_behind_at_risk_pp",
               "output_behind_lagging_pp");
  for (const auto* ratio : {&r.behind_schedule_at_risk_below, &r.behind_schedule_lagging_below}) {
    if (*ratio && (**ratio <= 0 || **ratio > 1)) {
      problems.push_back("behind_schedule thresholds are shares of the expected investment: between 0 and 1");
      break;
    }
  }
  if (!(r.stalled_below_share > 0 && r.stalled_below_share <= 1)) {
    problems.push_back("stalled_below_share (" + Format("%g", r.stalled_below_share) + ") must be above 0 and at most 1");
  }
  if (r.behind_schedule_min_gap_pp < 0 || r.behind_schedule_min_gap_pp > 100) {
    problems.push_back("behind_schedule_min_gap_pp must be between 0 and 100 points");
  }
  // A margin as wide as the band it guards would hold a level for good.
  if (r.clear_margin_ratio < 0 || r.clear_margin_ratio >= 0.5) {
    problems.push_back("clear_margin_ratio (" + Format("%g", r.clear_margin_ratio) + ") must be at least 0 and below 0.5");
  }
  if (r.clear_margin_pp < 0 || r.clear_margin_pp >= 50) {
    problems.push_back("clear_margin_pp (" + Format("%g", r.clear_margin_pp) + ") must be at least 0 and below 50");
  }
  if (r.clear_margin_months < 0 || r.clear_margin_months >= 12) {
    problems.push_back("clear_margin_months (" + Format("%g", r.clear_margin_months) +
                       ") must be at least 0 and below 12");
  }
  if (r.behind_schedule_lagging_below && r.clear_margin_ratio > 0 &&
      *r.behind_schedule_lagging_below + r.clear_margin_ratio > 1) {
    problems.push_back("behind_schedule_lagging_below plus clear_margin_ratio is above 1: a lagging project could "
                       "never leave that level");
  }
  return problems;
}

Assessment AssessProject(const ProjectFacts& facts, const RuleSet& rules, const Assessment* previous,
                         bool details) {
  Assessor a(previous, details);
  if (facts.completed || !facts.expected) return a.Take();

  if (facts.report_missing) {
    a.Add(lagging_reason::kReportMissing, {Status::kNotReported, 0}, 0, [&] { return std::string("no investment report for " + ReportMonths(facts.reporting_month) + " (due " +
              facts.report_due.ToString() + "); " +
              (facts.reported_through ? "figures are as of " + facts.reported_through->ToString()
                                      : std::string("nothing reported yet"))); });
  }
  // Nothing reported: nothing to judge. Never counted as nothing done.
  if (!facts.reported_through) return a.Take();
  const YearMonth through = *facts.reported_through;

  // Milestones by the months reported since they were due: the start has its
  // own thresholds; lines and completion share one reason, graded by the
  // worst of them.
  const Milestone* worst = nullptr;
  for (const Milestone& m : facts.milestones) {
    if (m.done_on || m.reported_months_late <= 0) continue;
    if (m.kind == MilestoneKind::kConstructionStart) {
      const Grade grade = GradeHigh(m.reported_months_late, ToDouble(rules.start_overdue_at_risk_months),
                                    ToDouble(rules.start_overdue_lagging_months), Status::kOnTrack, 0);
      a.Add(lagging_reason::kStartOverdue, grade, m.reported_months_late, [&] { return std::string("construction start planned " + m.planned.ToString() + ", not reported in the " +
                std::to_string(m.reported_months_late) + " month(s) reported since (to " + through.ToString() +
                "; " + ThresholdsText(rules.start_overdue_at_risk_months, rules.start_overdue_lagging_months, "from") +
                ")"); });
    } else if (worst == nullptr || m.reported_months_late > worst->reported_months_late ||
               (m.reported_months_late == worst->reported_months_late && m.slip_days > worst->slip_days)) {
      worst = &m;
    }
  }
  if (worst != nullptr) {
    const std::string what =
        worst->kind == MilestoneKind::kCompletion ? std::string("completion") : "production line " + worst->line;
    const Grade grade = GradeHigh(worst->reported_months_late, ToDouble(rules.milestone_overdue_at_risk_months),
                                  ToDouble(rules.milestone_overdue_lagging_months), Status::kOnTrack, 0);
    a.Add(lagging_reason::kMilestoneOverdue, grade, worst->reported_months_late, [&] { return std::string(what + " planned " + worst->planned.ToString() + ", not reported in the " +
              std::to_string(worst->reported_months_late) + " month(s) reported since (to " + through.ToString() +
              "), " + std::to_string(worst->slip_days) + " day(s) past its deadline (" +
              ThresholdsText(rules.milestone_overdue_at_risk_months, rules.milestone_overdue_lagging_months, "from") +
              ")"); });
  }

  if (facts.schedule) AddBehindSchedule(a, *facts.schedule, rules, "");
  if (facts.delay_months) {
    const Grade grade = GradeHigh(*facts.delay_months, rules.delay_at_risk_months, rules.delay_lagging_months,
                                  a.Previous(lagging_reason::kScheduleDelay), rules.clear_margin_months);
    a.Add(lagging_reason::kScheduleDelay, grade, *facts.delay_months, [&] { return std::string(Format("%.1f months behind its planned value at the end of ", *facts.delay_months) + through.ToString() +
              " (earned value " + Yuan(facts.earned_value_fen) + " of planned " + Yuan(facts.planned_value_fen) +
              Format(" yuan; %s from %s months", StatusName(grade.level), Months(grade.rule).c_str()) +
              HeldText(grade, [](double t) { return "it is less than " + Months(t) + " months behind"; }) + ")"); });
  }
  if (facts.started && facts.stalled_months > 0) {
    const Grade grade = GradeHigh(facts.stalled_months, ToDouble(rules.stalled_at_risk_months),
                                  ToDouble(rules.stalled_lagging_months), Status::kOnTrack, 0);
    a.Add(lagging_reason::kStalled, grade, facts.stalled_months, [&] { return std::string(std::to_string(facts.stalled_months) + Format(" reported month(s) in a row with under %.0f%%", rules.stalled_below_share * 100) +
              " of the planned investment, the last " + through.ToString() + ": " + Yuan(facts.stalled_done_fen) +
              " of " + Yuan(facts.stalled_planned_fen) + " yuan (" +
              ThresholdsText(rules.stalled_at_risk_months, rules.stalled_lagging_months, "from") + ")"); });
  }
  // The calendar whatever the project's own schedule: that is the point of it.
  if (facts.behind_pro_rata_pp) {
    const double completion_pct = facts.pro_rata * 100.0 - *facts.behind_pro_rata_pp;
    AddBehindProRata(a, *facts.behind_pro_rata_pp, facts.pro_rata, rules,
                     Format("%04d-01..%02d: completion %.1f%% of the year's plan is ", through.year, through.month,
                            completion_pct));
  }
  if (facts.spi) AddSpi(a, *facts.spi, facts.earned_value_fen, facts.planned_value_fen, through, rules);
  if (facts.months_without_investment) {
    const Grade grade = GradeHigh(*facts.months_without_investment, ToDouble(rules.no_investment_at_risk_months),
                                  ToDouble(rules.no_investment_lagging_months), Status::kOnTrack, 0);
    a.Add(lagging_reason::kNoInvestmentReported, grade, *facts.months_without_investment, [&] { return std::string("no investment report for " + std::to_string(*facts.months_without_investment) +
              " reporting month(s), the last for " + through.ToString() + " (" +
              ThresholdsText(rules.no_investment_at_risk_months, rules.no_investment_lagging_months, "from") + ")"); });
  }
  if (facts.days_since_report) {
    const Grade grade =
        GradeHigh(static_cast<double>(*facts.days_since_report), ToDouble(rules.source_silent_at_risk_days),
                  ToDouble(rules.source_silent_lagging_days), Status::kOnTrack, 0);
    a.Add(lagging_reason::kSourceSilent, grade, static_cast<double>(*facts.days_since_report), [&] { return std::string("no report for " + std::to_string(*facts.days_since_report) + " day(s) (" +
              ThresholdsText(rules.source_silent_at_risk_days, rules.source_silent_lagging_days, "from") + ")"); });
  }
  return a.Take();
}

Assessment AssessGroup(const GroupFacts& facts, const RuleSet& rules) {
  Assessor a(nullptr, true);
  if (facts.projects_due_to_report > 0 && facts.projects_reported == 0) {
    a.Add(lagging_reason::kReportMissing, {Status::kNotReported, 0}, 0, [&] { return std::string("none of the " + std::to_string(facts.projects_due_to_report) +
              " projects due to report for " + ReportMonths(facts.reporting_month) + " has reported"); });
  }
  if (facts.schedule) AddBehindSchedule(a, *facts.schedule, rules, "investment ");
  if (facts.behind_pro_rata_pp) AddBehindProRata(a, *facts.behind_pro_rata_pp, facts.pro_rata, rules, "investment ");
  if (facts.spi) AddSpi(a, *facts.spi, facts.earned_value_fen, facts.planned_value_fen, facts.reporting_month, rules);
  if (facts.output_behind_pro_rata_pp && facts.output_through) {
    const Grade grade = GradeHigh(*facts.output_behind_pro_rata_pp, rules.output_behind_at_risk_pp,
                                  rules.output_behind_lagging_pp, Status::kOnTrack, 0, true);
    a.Add(lagging_reason::kOutputBehindProRata, grade, *facts.output_behind_pro_rata_pp, [&] { return std::string(Format("output through %s %.1f points behind its target path (%s from %g points)",
                 facts.output_through->ToString().c_str(), *facts.output_behind_pro_rata_pp, StatusName(grade.level),
                 grade.rule)); });
  }
  return a.Take();
}

}  // namespace pipelined::model
