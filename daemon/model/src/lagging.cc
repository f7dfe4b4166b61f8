#include "pipelined/model/lagging.h"

#include <algorithm>
#include <cstdio>

namespace pipelined::model {
namespace {

// Ratios and percentages come from integer fen through doubles; a figure that
// is exactly on a threshold must count as on it.
constexpr double kEpsilon = 1e-9;

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

class Assessor {
 public:
  void Add(const char* reason, Status level, std::string detail) {
    if (level == Status::kOnTrack) return;
    assessment_.findings.push_back({reason, level, std::move(detail)});
    assessment_.status = std::max(assessment_.status, level);
  }

  // Level for a value that is bad when high: at_risk from `at_risk` (inclusive),
  // lagging above `lagging` (exclusive) or from it (inclusive), as the rule says.
  static Status Grade(double value, const std::optional<double>& at_risk, const std::optional<double>& lagging,
                      bool lagging_inclusive) {
    if (lagging && (lagging_inclusive ? value >= *lagging - kEpsilon : value > *lagging + kEpsilon)) {
      return Status::kLagging;
    }
    if (at_risk && value >= *at_risk - kEpsilon) return Status::kAtRisk;
    return Status::kOnTrack;
  }

  static Status GradeBelow(double value, const std::optional<double>& at_risk, const std::optional<double>& lagging) {
    if (lagging && value < *lagging - kEpsilon) return Status::kLagging;
    if (at_risk && value < *at_risk - kEpsilon) return Status::kAtRisk;
    return Status::kOnTrack;
  }

  static std::optional<double> ToDouble(const std::optional<int>& v) {
    return v ? std::optional<double>(*v) : std::nullopt;
  }

  Assessment Take() { return std::move(assessment_); }

 private:
  Assessment assessment_;
};

// Investment against pro-rata and SPI, judged alike for projects and groups.
void AddInvestmentFindings(Assessor& a, const std::optional<double>& behind_pp, const std::optional<double>& spi,
                           const RuleSet& rules, const std::string& what) {
  if (behind_pp) {
    a.Add(lagging_reason::kBehindProRata,
          Assessor::Grade(*behind_pp, rules.behind_pro_rata_at_risk_pp, rules.behind_pro_rata_lagging_pp, false),
          what + Format("%.1f percentage points behind pro-rata progress", *behind_pp));
  }
  if (spi) {
    a.Add(lagging_reason::kSpiLow, Assessor::GradeBelow(*spi, rules.spi_at_risk_below, rules.spi_lagging_below),
          Format("schedule performance index %.2f", *spi));
  }
}

}  // namespace

const char* StatusName(Status status) {
  switch (status) {
    case Status::kOnTrack: return "on_track";
    case Status::kAtRisk: return "at_risk";
    case Status::kLagging: return "lagging";
  }
  return "unknown";
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
  r.source_silent_at_risk_days = 45;
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
  if (name == "pro_rata") return ProRata();
  if (name == "spi") return Spi();
  return std::nullopt;
}

Assessment AssessProject(const ProjectFacts& facts, const RuleSet& rules) {
  Assessor a;
  if (facts.completed) return a.Take();

  // Milestones: the start has its own thresholds; lines and completion share
  // one reason, graded by the worst of them.
  const Milestone* worst = nullptr;
  for (const Milestone& m : facts.milestones) {
    if (m.state != MilestoneState::kOverdue) continue;
    if (m.kind == MilestoneKind::kConstructionStart) {
      a.Add(lagging_reason::kStartOverdue,
            Assessor::Grade(m.slip_months, Assessor::ToDouble(rules.start_overdue_at_risk_months),
                            Assessor::ToDouble(rules.start_overdue_lagging_months), true),
            "construction start planned " + m.planned.ToString() + ", not reported; " +
                std::to_string(m.slip_months) + " month(s) late");
    } else if (worst == nullptr || m.slip_days > worst->slip_days) {
      worst = &m;
    }
  }
  if (worst != nullptr) {
    const std::string what = worst->kind == MilestoneKind::kCompletion
                                 ? std::string("completion")
                                 : "production line " + worst->line;
    a.Add(lagging_reason::kMilestoneOverdue,
          Assessor::Grade(worst->slip_months, Assessor::ToDouble(rules.milestone_overdue_at_risk_months),
                          Assessor::ToDouble(rules.milestone_overdue_lagging_months), true),
          what + " planned " + worst->planned.ToString() + ", " + std::to_string(worst->slip_days) +
              " day(s) overdue");
  }
  AddInvestmentFindings(a, facts.behind_pro_rata_pp, facts.spi, rules, "");
  if (facts.months_without_investment) {
    a.Add(lagging_reason::kNoInvestmentReported,
          Assessor::Grade(*facts.months_without_investment, Assessor::ToDouble(rules.no_investment_at_risk_months),
                          Assessor::ToDouble(rules.no_investment_lagging_months), true),
          "no investment reported for " + std::to_string(*facts.months_without_investment) + " month(s)");
  }
  if (facts.days_since_report) {
    a.Add(lagging_reason::kSourceSilent,
          Assessor::Grade(static_cast<double>(*facts.days_since_report),
                          Assessor::ToDouble(rules.source_silent_at_risk_days),
                          Assessor::ToDouble(rules.source_silent_lagging_days), true),
          "no report for " + std::to_string(*facts.days_since_report) + " day(s)");
  }
  return a.Take();
}

Assessment AssessGroup(const GroupFacts& facts, const RuleSet& rules) {
  Assessor a;
  AddInvestmentFindings(a, facts.behind_pro_rata_pp, facts.spi, rules, "investment ");
  if (facts.output_behind_pro_rata_pp) {
    a.Add(lagging_reason::kOutputBehindProRata,
          Assessor::Grade(*facts.output_behind_pro_rata_pp, rules.output_behind_at_risk_pp,
                          rules.output_behind_lagging_pp, false),
          Format("output %.1f percentage points behind its target path", *facts.output_behind_pro_rata_pp));
  }
  return a.Take();
}

}  // namespace pipelined::model
