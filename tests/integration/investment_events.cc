#include "investment_events.h"

#include <cmath>
#include <random>
#include <sstream>

#include "pipelined/publisher/event_builder.h"

namespace pipelined::testing {

const std::vector<std::string> kTestPlanProjects = {"T-IND-1", "T-IND-2", "T-IND-3", "T-TRN-1", "T-TRN-2"};

std::vector<v1::Event> RandomInvestments(int count, unsigned seed, const std::string& prefix, model::Fen* total,
                                         const std::string& source) {
  std::mt19937 random(seed);
  std::vector<v1::Event> events;
  *total = 0;
  for (int i = 0; i < count; ++i) {
    const int month = 1 + static_cast<int>(random() % 6);
    const model::Fen fen = 1 + static_cast<model::Fen>(random() % 100'000'000);
    *total += fen;
    const std::string& project = kTestPlanProjects[random() % kTestPlanProjects.size()];
    events.push_back(publisher::InvestmentEvent(
        {prefix + std::to_string(i), source, static_cast<std::uint64_t>(i + 1), project, model::Date{2024, month, 28}},
        fen, {2024, month}));
  }
  return events;
}

model::Fen CompletedFen(const Scrape& scrape) {
  model::Fen total = 0;
  for (const auto& project : kTestPlanProjects) {
    auto value = scrape.Value("pipelined_project_investment_completed_yuan{project=\"" + project + "\"}");
    if (value) total += std::llround(*value * 100);
  }
  return total;
}

std::string FiguresOf(const std::string& metrics) {
  std::istringstream lines(metrics);
  std::string figures;
  for (std::string line; std::getline(lines, line);) {
    // How often this process saw statuses change is its own history, not a
    // figure of the events.
    if (line.rfind("pipelined_project_status_changes_total", 0) == 0) continue;
    if (line.rfind("pipelined_project_", 0) == 0 || line.rfind("pipelined_group_", 0) == 0) figures += line + "\n";
  }
  return figures;
}

}  // namespace pipelined::testing
