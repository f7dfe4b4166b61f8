// The parts of pipelined-loadgen that need no daemon: percentiles, the event
// mix, the send schedule, the events themselves (checked with the daemon's
// own decoding and validation), reading /metrics, verification, the summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "pipelined/config/plan_loader.h"
#include "pipelined/config/synthetic_plan.h"
#include "pipelined/ingest/batch_codec.h"
#include "pipelined/loadgen/event_generator.h"
#include "pipelined/loadgen/event_mix.h"
#include "pipelined/loadgen/latency_stats.h"
#include "pipelined/loadgen/load_run.h"
#include "pipelined/loadgen/metrics_snapshot.h"
#include "pipelined/loadgen/send_schedule.h"
#include "pipelined/loadgen/summary.h"
#include "pipelined/loadgen/verification.h"
#include "pipelined/model/validation.h"
#include "pipelined/publisher/http_client.h"

namespace pipelined::loadgen {
namespace {

using ::testing::HasSubstr;

std::vector<double> OneTo(int n) {
  std::vector<double> values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), 1.0);
  return values;
}

TEST(LatencyStatsTest, PercentilesAreNearestRank) {
  const std::vector<double> thousand = OneTo(1000);
  EXPECT_EQ(NearestRank(thousand, 500), 500);
  EXPECT_EQ(NearestRank(thousand, 990), 990);
  EXPECT_EQ(NearestRank(thousand, 999), 999);
  EXPECT_EQ(NearestRank(thousand, 1000), 1000);
  // Fewer values than the percentile resolves: the next value up.
  const std::vector<double> hundred = OneTo(100);
  EXPECT_EQ(NearestRank(hundred, 990), 99);
  EXPECT_EQ(NearestRank(hundred, 999), 100);
  EXPECT_EQ(NearestRank(std::vector<double>{7}, 500), 7);
  EXPECT_EQ(NearestRank(OneTo(3), 500), 2);
  EXPECT_EQ(NearestRank(OneTo(4), 500), 2);
}

TEST(LatencyStatsTest, SummarizeSortsAndSummarizes) {
  LatencySummary summary = Summarize({5, 1, 4, 2, 3});
  EXPECT_EQ(summary.count, 5u);
  EXPECT_EQ(summary.p50_ms, 3);
  EXPECT_EQ(summary.p99_ms, 5);
  EXPECT_EQ(summary.max_ms, 5);
  EXPECT_EQ(summary.mean_ms, 3);
  EXPECT_EQ(Summarize({}).count, 0u);
}

TEST(EventMixTest, ParsesWeightsAndPicksInProportion) {
  std::string error;
  auto mix = ParseMix(kDefaultMix, &error);
  ASSERT_TRUE(mix) << error;
  EXPECT_EQ(mix->Total(), 100u);
  EXPECT_EQ(mix->ToString(), kDefaultMix);
  std::map<EventKind, int> picked;
  for (std::uint64_t draw = 0; draw < 1000; ++draw) ++picked[mix->Pick(draw)];
  EXPECT_EQ(picked[EventKind::kInvestment], 900);
  EXPECT_EQ(picked[EventKind::kStarted], 40);
  EXPECT_EQ(picked[EventKind::kLaunched], 40);
  EXPECT_EQ(picked[EventKind::kOutput], 20);
  EXPECT_EQ(picked[EventKind::kCompleted], 0);
}

TEST(EventMixTest, RejectsUnknownRepeatedOrMissingWeights) {
  std::string error;
  EXPECT_FALSE(ParseMix("investment=90,bogus=10", &error));
  EXPECT_THAT(error, HasSubstr("unknown event type \"bogus\""));
  EXPECT_FALSE(ParseMix("output=1,output=2", &error));
  EXPECT_THAT(error, HasSubstr("twice"));
  EXPECT_FALSE(ParseMix("investment=-1", &error));
  EXPECT_FALSE(ParseMix("investment=ten", &error));
  EXPECT_FALSE(ParseMix("investment", &error));
  EXPECT_FALSE(ParseMix("investment=0,started=0", &error));
  EXPECT_THAT(error, HasSubstr("at least one"));
  auto only = ParseMix("completed=1", &error);
  ASSERT_TRUE(only);
  EXPECT_EQ(only->Pick(12345), EventKind::kCompleted);
}

TEST(SendScheduleTest, PacesEachPublisherAndStaggersThem) {
  // 10,000 events/s in batches of 10 over 4 publishers: each sends a batch
  // every 4 ms, the four a millisecond apart.
  for (int p = 0; p < 4; ++p) {
    SendSchedule schedule(10000, 10, 4, p);
    ASSERT_TRUE(schedule.paced());
    EXPECT_EQ(schedule.interval(), std::chrono::milliseconds(4));
    EXPECT_EQ(schedule.DueAfterStart(0), std::chrono::milliseconds(p));
    EXPECT_EQ(schedule.DueAfterStart(250), std::chrono::milliseconds(1000 + p));
  }
  SendSchedule flat_out(0, 1000, 4, 1);
  EXPECT_FALSE(flat_out.paced());
  EXPECT_EQ(flat_out.DueAfterStart(99), std::chrono::nanoseconds(0));
}

// ---------------------------------------------------------------------------
// The events.

class EventGeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::SyntheticPlanOptions options;
    options.projects = 200;
    config::PlanLoadResult loaded = config::LoadPlanFromString(config::SyntheticPlanYaml(options), "plan.yaml");
    ASSERT_TRUE(loaded.plan) << config::JoinErrors(loaded.errors);
    plan_ = *loaded.plan;
    plan_.Index();
  }

  WorkloadOptions Options(int publisher, int publishers, const std::string& mix) {
    WorkloadOptions options;
    options.run_id = "lgtest";
    options.source = "loadgen-test";
    options.publisher = publisher;
    options.publishers = publishers;
    std::string error;
    options.mix = *ParseMix(mix, &error);
    options.last_date = model::Date{2025, 6, 30};
    options.excluded_project = plan_.projects.back().code;
    return options;
  }

  model::Plan plan_;
};

TEST_F(EventGeneratorTest, EveryEventPassesTheDaemonsValidation) {
  const model::EventValidator validator(plan_);
  // The daemon's clock at the first moment of the last date: events of that
  // date (local noon) are still within its tolerance.
  const std::int64_t now = model::Date{2025, 6, 30}.StartUnixSecondsShanghai();
  std::set<std::string> ids, started, launched, completed, projects;
  std::map<std::string, int> by_type;
  const int publishers = 3;
  for (int p = 0; p < publishers; ++p) {
    EventGenerator generator(plan_, Options(p, publishers, "investment=50,started=15,launched=15,output=10,completed=10"));
    v1::EventBatch batch;
    model::Fen investment = 0;
    for (int i = 0; i < 3000; ++i) investment += generator.Append(&batch);
    model::Fen reported = 0;
    for (const v1::Event& wire : batch.events()) {
      const model::Event event = ingest::FromProto(wire);
      auto rejection = validator.Check(event, now);
      ASSERT_FALSE(rejection) << wire.DebugString() << rejection->reason << ": " << rejection->message;
      EXPECT_TRUE(ids.insert(event.event_id).second) << "id used twice: " << event.event_id;
      EXPECT_NE(event.project_code, plan_.projects.back().code) << "the probe project gets no load";
      EXPECT_LE(model::Date::FromUnixSecondsShanghai(*event.occurred_at_unix), (model::Date{2025, 6, 30}));
      projects.insert(event.project_code);
      ++by_type[model::PayloadTypeName(event.payload)];
      if (std::holds_alternative<model::ConstructionStarted>(event.payload)) {
        EXPECT_TRUE(started.insert(event.project_code).second) << "started twice: " << event.project_code;
      } else if (const auto* line = std::get_if<model::ProductionLineLaunched>(&event.payload)) {
        EXPECT_TRUE(launched.insert(event.project_code + "/" + line->line_id).second);
      } else if (std::holds_alternative<model::ProjectCompleted>(event.payload)) {
        EXPECT_TRUE(completed.insert(event.project_code).second) << "completed twice: " << event.project_code;
      } else if (const auto* recorded = std::get_if<model::InvestmentRecorded>(&event.payload)) {
        reported += recorded->amount_fen;
      }
    }
    EXPECT_EQ(investment, reported) << "Append returns what the investment reports add up to";
  }
  // 3 x 3000 events over 199 projects: every one-off was used up, and the
  // rest of their share went to investment.
  EXPECT_EQ(started.size(), 199u);
  EXPECT_EQ(completed.size(), 199u);
  size_t lines = 0;
  for (size_t i = 0; i + 1 < plan_.projects.size(); ++i) lines += plan_.projects[i].production_lines.size();
  EXPECT_EQ(launched.size(), lines);
  EXPECT_EQ(projects.size(), 199u);
  EXPECT_GT(by_type["investment_recorded"], 4500);
  EXPECT_GT(by_type["output_reported"], 600);
}

TEST_F(EventGeneratorTest, OneOffsFallBackToInvestmentWhenUsedUp) {
  EventGenerator generator(plan_, Options(0, 2, "started=1"));
  v1::EventBatch batch;
  for (int i = 0; i < 150; ++i) generator.Append(&batch);
  // Publisher 0 of 2 owns every other project but the probe's: 100 of 199.
  EXPECT_EQ(generator.generated(EventKind::kStarted), 100u);
  EXPECT_EQ(generator.generated(EventKind::kInvestment), 50u);
  EXPECT_TRUE(batch.events(99).has_construction_started());
  EXPECT_TRUE(batch.events(100).has_investment_recorded());
}

TEST_F(EventGeneratorTest, SameSeedSameEventsAndSequencesContinue) {
  WorkloadOptions options = Options(1, 2, kDefaultMix);
  options.first_sequence = 41;
  EventGenerator first(plan_, options), second(plan_, options);
  v1::EventBatch a, b;
  for (int i = 0; i < 100; ++i) {
    first.Append(&a);
    second.Append(&b);
  }
  for (int i = 0; i < 100; ++i) {
    a.mutable_events(i)->clear_reported_at();
    b.mutable_events(i)->clear_reported_at();
    EXPECT_EQ(a.events(i).SerializeAsString(), b.events(i).SerializeAsString());
  }
  EXPECT_EQ(a.events(0).sequence(), 41u);
  EXPECT_EQ(a.events(99).sequence(), 140u);
  EXPECT_EQ(a.events(0).event_id(), "lgtest-01-0000000000");
  EXPECT_EQ(a.events(0).source(), "loadgen-test");
}

TEST_F(EventGeneratorTest, LastEventDateIsTheDaemonsDateWithinThePlan) {
  EXPECT_EQ(LastEventDate(plan_, {2024, 3, 5}), (model::Date{2024, 3, 5}));
  EXPECT_EQ(LastEventDate(plan_, {2030, 1, 1}), (model::Date{2025, 12, 31}));
  EXPECT_EQ(LastEventDate(plan_, {2021, 1, 1}), (model::Date{2021, 1, 1}));
  EXPECT_FALSE(LastEventDate(plan_, {2020, 12, 31}));
}

TEST(LoadRunTest, RunIdsDifferAndSourcesAreNumbered) {
  EXPECT_NE(NewRunId(), NewRunId());
  EXPECT_EQ(NewRunId().size(), 19u);
  EXPECT_EQ(PublisherSource("lg", 3), "lg-p03");
  LoadOptions options;
  options.source_prefix = "lg";
  options.publishers = 2;
  EXPECT_EQ(RunSources(options), (std::vector<std::string>{"lg-p00", "lg-p01"}));
  options.probe.project = "P";
  EXPECT_EQ(RunSources(options), (std::vector<std::string>{"lg-p00", "lg-p01", "lg-probe"}));
  EXPECT_EQ(LoadEventId("lgx", 7, 12), "lgx-07-0000000012");
}

// ---------------------------------------------------------------------------
// Reading /metrics, verification, summary.

const char kScrape[] = R"(# HELP pipelined_events_total Events received.
# TYPE pipelined_events_total counter
pipelined_events_total{source="lg-p00",result="accepted",reason=""} 1500
pipelined_events_total{source="lg-p01",result="accepted",reason=""} 500
pipelined_events_total{source="lg-p01",result="rejected",reason="unknown_project"} 3
pipelined_events_total{source="other \"quoted\" one",result="accepted",reason=""} 7
pipelined_store_events 2007
pipelined_plan_info{plan="loadgen",name="Synthetic, with spaces"} 1
pipelined_clock_time_seconds 1751212800
pipelined_project_investment_completed_yuan{project="LG-000001"} 1234.56
pipelined_project_investment_completed_yuan{project="LG-000002"} 98765432109.99
pipelined_project_investment_completed_current_year_yuan{project="LG-000001"} 1
pipelined_source_last_sequence{source="lg-p00"} 1500
)";

TEST(MetricsSnapshotTest, ReadsTheSeriesAVerificationNeeds) {
  const MetricsSnapshot snapshot = ParseMetricsSnapshot(kScrape);
  EXPECT_EQ(snapshot.accepted_by_source.at("lg-p00"), 1500);
  EXPECT_EQ(snapshot.accepted_by_source.at("lg-p01"), 500);
  EXPECT_EQ(snapshot.accepted_by_source.at("other \"quoted\" one"), 7);
  EXPECT_EQ(snapshot.store_events, 2007);
  EXPECT_EQ(snapshot.plan_code, "loadgen");
  EXPECT_EQ(snapshot.clock_unix_seconds, 1751212800);
  EXPECT_EQ(snapshot.investment_fen_by_project.at("LG-000001"), 123456);
  EXPECT_EQ(snapshot.investment_fen_by_project.at("LG-000002"), 9876543210999);
  EXPECT_EQ(snapshot.investment_fen_by_project.size(), 2u);
  EXPECT_EQ(snapshot.last_sequence_by_source.at("lg-p00"), 1500u);
}

TEST(MetricsSnapshotTest, FindsOneSeriesByItsExactText) {
  const std::string text = kScrape;
  EXPECT_EQ(FindSeriesValue(text, "pipelined_project_investment_completed_yuan{project=\"LG-000001\"}"), 1234.56);
  EXPECT_EQ(FindSeriesValue(text, "pipelined_store_events"), 2007);
  EXPECT_FALSE(FindSeriesValue(text, "pipelined_project_investment_completed_yuan{project=\"LG-0000\"}"));
  EXPECT_EQ(ProbeValue(ProbeVia::kMetrics, text, "LG-000002"), 9876543210999);
  EXPECT_EQ(ProbeValue(ProbeVia::kApi, R"({"project": {"investment": {"completed_yuan": 12.5}}})", "P"), 1250);
  EXPECT_FALSE(ProbeValue(ProbeVia::kApi, "not json", "P"));
}

class VerificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_.projects.resize(2);
    plan_.projects[0].code = "LG-000001";
    plan_.projects[1].code = "LG-000002";
    before_ = ParseMetricsSnapshot(kScrape);
    after_ = before_;
    after_.accepted_by_source["lg-p00"] += 60;
    after_.accepted_by_source["lg-p01"] += 40;
    after_.store_events = *after_.store_events + 100;
    after_.investment_fen_by_project["LG-000001"] += 700;
    after_.investment_fen_by_project["LG-000002"] += 301;
    acknowledged_.accepted = 100;
    acknowledged_.accepted_investment_fen = 1001;
  }

  Verification Run() { return Verify(before_, after_, acknowledged_, {"lg-p00", "lg-p01"}, plan_); }

  model::Plan plan_;
  MetricsSnapshot before_, after_;
  Acknowledged acknowledged_;
};

TEST_F(VerificationTest, PassesWhenTheDaemonCountedWhatItAcknowledged) {
  const Verification verification = Run();
  EXPECT_TRUE(verification.ok);
  ASSERT_EQ(verification.checks.size(), 4u);
  EXPECT_EQ(verification.checks[3].actual, "10.01");
}

TEST_F(VerificationTest, FailsOnAFenTooMuchAnEventTooFewOrARejection) {
  after_.investment_fen_by_project["LG-000002"] += 1;
  EXPECT_FALSE(Run().ok);
  after_.investment_fen_by_project["LG-000002"] -= 1;
  after_.store_events = *after_.store_events - 1;
  EXPECT_FALSE(Run().ok);
  after_.store_events = *after_.store_events + 1;
  after_.accepted_by_source["lg-p01"] += 1;
  EXPECT_FALSE(Run().ok);
  after_.accepted_by_source["lg-p01"] -= 1;
  acknowledged_.rejected = 1;
  EXPECT_FALSE(Run().ok);
  acknowledged_.rejected = 0;
  after_.investment_fen_by_project.erase("LG-000002");
  const Verification missing = Run();
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.checks[3].actual, "missing projects");
}

TEST(SummaryTest, TextHasTheRateAndLatenciesAndJsonTheSameFigures) {
  LoadOptions options;
  options.run_id = "lgabc";
  options.publishers = 2;
  std::string error;
  options.mix = *ParseMix(kDefaultMix, &error);
  options.last_date = {2025, 6, 30};
  RunReport report;
  report.options = &options;
  report.plan_code = "loadgen";
  report.plan_projects = 10;
  report.result.reached = true;
  report.result.accepted = 123456;
  report.result.sent_events = 123460;
  report.result.rejected_by_reason["unknown_project"] = 4;
  report.result.elapsed_seconds = 2;
  report.result.ack = Summarize({1.5, 2.5, 30});
  report.verification = Verification{true, {{"x", "1", "1", true}}};
  const std::string text = SummaryText(report);
  EXPECT_THAT(text, HasSubstr("accepted 123456 events in 2.00 s: 61728 events/s"));
  EXPECT_THAT(text, HasSubstr("rejected 4 (unknown_project 4)"));
  EXPECT_THAT(text, HasSubstr("p50 2.50 ms, p99 30.0 ms, p99.9 30.0 ms"));
  EXPECT_THAT(text, HasSubstr("verification: ok"));
  const nlohmann::json json = SummaryJson(report);
  EXPECT_EQ(json["accepted"], 123456);
  EXPECT_EQ(json["accepted_events_per_second"], 61728);
  EXPECT_EQ(json["rejected_by_reason"]["unknown_project"], 4);
  EXPECT_EQ(json["ack_latency_ms"]["p99"], 30);
  EXPECT_EQ(json["verification"]["status"], "ok");
  EXPECT_TRUE(json["visibility"].is_null());
  report.verification.reset();
  EXPECT_EQ(SummaryJson(report)["verification"]["status"], "skipped");
}

TEST(HttpUrlTest, ParsesHostPortAndPath) {
  std::string error;
  auto url = publisher::HttpUrl::Parse("http://127.0.0.1:9810/metrics", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 9810);
  EXPECT_EQ(url->path, "/metrics");
  url = publisher::HttpUrl::Parse("http://[::1]:99", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->path, "/");
  EXPECT_EQ(url->ToString(), "http://[::1]:99/");
  url = publisher::HttpUrl::Parse("http://localhost/a?b=c", &error);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->path, "/a?b=c");
  EXPECT_FALSE(publisher::HttpUrl::Parse("https://localhost/metrics", &error));
  EXPECT_FALSE(publisher::HttpUrl::Parse("http://localhost:0/", &error));
  EXPECT_FALSE(publisher::HttpUrl::Parse("http://localhost:x/", &error));
  EXPECT_FALSE(publisher::HttpUrl::Parse("http://user:pw@localhost/", &error));
  EXPECT_FALSE(publisher::HttpUrl::Parse("http:///metrics", &error));
}

TEST(HttpClientTest, SaysWhyWhenNothingListens) {
  std::string error;
  // Port 1 on loopback: nothing listens there on a test machine.
  auto url = publisher::HttpUrl::Parse("http://127.0.0.1:1/metrics", &error);
  ASSERT_TRUE(url);
  const publisher::HttpResponse response = publisher::HttpGet(*url, std::chrono::milliseconds(2000));
  EXPECT_FALSE(response.ok());
  EXPECT_EQ(response.status, 0);
  EXPECT_THAT(response.error, HasSubstr("cannot connect to http://127.0.0.1:1/metrics"));
}

}  // namespace
}  // namespace pipelined::loadgen
