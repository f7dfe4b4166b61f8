#include "pipelined/loadgen/verification.h"

#include <cmath>

namespace pipelined::loadgen {
namespace {

std::string Number(double value) {
  return std::isfinite(value) ? std::to_string(std::llround(value)) : "missing";
}

double AcceptedOf(const MetricsSnapshot& snapshot, const std::vector<std::string>& sources) {
  double total = 0;
  for (const std::string& source : sources) {
    auto it = snapshot.accepted_by_source.find(source);
    if (it != snapshot.accepted_by_source.end()) total += it->second;
  }
  return total;
}

// false when a project of the plan is missing from the scrape.
bool InvestmentOf(const MetricsSnapshot& snapshot, const model::Plan& plan, model::Fen* total) {
  *total = 0;
  for (const model::ProjectPlan& project : plan.projects) {
    auto it = snapshot.investment_fen_by_project.find(project.code);
    if (it == snapshot.investment_fen_by_project.end()) return false;
    *total += it->second;
  }
  return true;
}

}  // namespace

Verification Verify(const MetricsSnapshot& before, const MetricsSnapshot& after, const Acknowledged& acknowledged,
                    const std::vector<std::string>& sources, const model::Plan& plan) {
  Verification verification;
  auto check = [&](std::string name, std::string expected, std::string actual) {
    const bool ok = expected == actual;
    verification.checks.push_back({std::move(name), std::move(expected), std::move(actual), ok});
  };
  const double accepted = static_cast<double>(acknowledged.accepted);
  check("events answered, none rejected or duplicate", "0 unanswered, 0 rejected, 0 duplicate",
        std::to_string(acknowledged.unanswered_events) + " unanswered, " + std::to_string(acknowledged.rejected) +
            " rejected, " + std::to_string(acknowledged.duplicates) + " duplicate");
  check("pipelined_events_total{result=\"accepted\"} increase over the run's sources", Number(accepted),
        Number(AcceptedOf(after, sources) - AcceptedOf(before, sources)));
  check("pipelined_store_events increase", Number(accepted),
        before.store_events && after.store_events ? Number(*after.store_events - *before.store_events) : "missing");
  model::Fen invested_before = 0, invested_after = 0;
  const bool complete = InvestmentOf(before, plan, &invested_before) && InvestmentOf(after, plan, &invested_after);
  check("pipelined_project_investment_completed_yuan increase, summed over the plan's projects (yuan)",
        model::FormatYuan(acknowledged.accepted_investment_fen),
        complete ? model::FormatYuan(invested_after - invested_before) : "missing projects");
  verification.ok = true;
  for (const VerificationCheck& c : verification.checks) verification.ok = verification.ok && c.ok;
  return verification;
}

}  // namespace pipelined::loadgen
