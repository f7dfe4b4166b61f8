// Investment events with known totals for the integration tests, and the
// figures to check them against in a scrape.
#pragma once

#include <string>
#include <vector>

#include "metrics_scrape.h"
#include "pipelined/model/money.h"
#include "pipelined/v1/events.pb.h"

namespace pipelined::testing {

// The projects of tests/data/test-plan.yaml.
extern const std::vector<std::string> kTestPlanProjects;

// `count` random investment events (ids prefix0, prefix1, ...; sequences 1,
// 2, ...) over the test plan's projects and 2024's first half; *total is the
// sum of their amounts.
std::vector<v1::Event> RandomInvestments(int count, unsigned seed, const std::string& prefix, model::Fen* total,
                                         const std::string& source = "itest");

// Sum of the per-project completed investment, in fen, from a scrape.
model::Fen CompletedFen(const Scrape& scrape);

// The per-project and per-group lines of a /metrics text.
// The lines of a scrape that the stored events determine: every project and
// group series but the count of status changes this process has seen.
std::string FiguresOf(const std::string& metrics);

}  // namespace pipelined::testing
