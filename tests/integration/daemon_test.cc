// Integration tests: the real pipelined binary, published to over real
// ZeroMQ sockets by the real library and CLI, scraped over real HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <zmq.hpp>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/publisher.h"

namespace pipelined::testing {
namespace {

using ::testing::HasSubstr;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";
// Inside the test plan's period: 2024 is the "current year".
const std::string kClock = "--clock.start=2024-06-30";

std::vector<std::string> TestPlanArgs() { return {"--plan.file=" + kTestPlan, kClock}; }

publisher::EventHeader Header(const std::string& id, const std::string& project, const std::string& date) {
  return publisher::EventHeader{id, "itest", 1, project, *model::Date::Parse(date)};
}

v1::BatchReply PublishOrFail(const DaemonProcess& daemon, const std::vector<v1::Event>& events) {
  publisher::Publisher publisher(PlainPublisher(daemon.IngestEndpoint(), 10000));
  v1::EventBatch batch;
  for (const auto& event : events) *batch.add_events() = event;
  std::string error;
  auto reply = publisher.Publish(batch, &error);
  EXPECT_TRUE(reply.has_value()) << error << "\ndaemon log:\n" << daemon.Log();
  return reply.value_or(v1::BatchReply{});
}

Scrape ScrapeOrFail(const DaemonProcess& daemon) {
  auto scrape = ScrapeMetrics(daemon.WebPort());
  EXPECT_TRUE(scrape.has_value()) << "scrape failed";
  return scrape.value_or(Scrape{});
}

std::string Series(const std::string& name, const std::string& labels) { return name + "{" + labels + "}"; }

ProcessResult Publish(const DaemonProcess& daemon, std::vector<std::string> args) {
  args.insert(args.begin() + 1, {"--endpoint", daemon.IngestEndpoint(), "--source", "cli-test"});
  args.insert(args.begin(), PIPELINED_PUBLISH_BINARY);
  return RunProcess(args);
}

// Series whose values a scrape changes by itself (clock, web server stats).
bool IsVolatile(const std::string& series) {
  return series.rfind("pipelined_clock_time_seconds", 0) == 0 || series.rfind("pipelined_http_", 0) == 0 ||
         series.rfind("pipelined_ingest_messages_total", 0) == 0 || series.rfind("pipelined_store_", 0) == 0;
}

std::set<std::string> ChangedSeries(const Scrape& before, const Scrape& after) {
  std::set<std::string> changed;
  for (const auto& [series, value] : after.series) {
    if (IsVolatile(series)) continue;
    auto old = before.series.find(series);
    if (old == before.series.end() || old->second != value) changed.insert(series);
  }
  for (const auto& [series, value] : before.series) {
    if (!IsVolatile(series) && after.series.count(series) == 0) changed.insert(series);
  }
  return changed;
}

TEST(DaemonTest, InvestmentEventChangesExactlyItsProjectAndGroupSeries) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  const Scrape before = ScrapeOrFail(daemon);

  ProcessResult published = Publish(daemon, {"investment", "--project", "T-IND-1", "--date", "2024-05-31",
                                             "--amount-yuan", "1250000.50", "--period", "2024-05", "--event-id",
                                             "inv-1", "--sequence", "7"});
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_THAT(published.output, HasSubstr("accepted inv-1"));

  const Scrape after = ScrapeOrFail(daemon);
  const std::set<std::string> expected = {
      Series("pipelined_project_investment_completed_yuan", "project=\"T-IND-1\""),
      Series("pipelined_project_investment_completed_current_year_yuan", "project=\"T-IND-1\""),
      Series("pipelined_group_investment_completed_yuan", "group_type=\"area\",group=\"industry\""),
      Series("pipelined_group_investment_completed_yuan", "group_type=\"cluster\",group=\"materials\""),
      Series("pipelined_group_investment_completed_yuan", "group_type=\"district\",group=\"beilun\""),
      Series("pipelined_group_investment_completed_yuan", "group_type=\"plan\",group=\"test-plan\""),
      Series("pipelined_group_investment_completed_current_year_yuan", "group_type=\"area\",group=\"industry\""),
      Series("pipelined_group_investment_completed_current_year_yuan", "group_type=\"cluster\",group=\"materials\""),
      Series("pipelined_group_investment_completed_current_year_yuan", "group_type=\"district\",group=\"beilun\""),
      Series("pipelined_group_investment_completed_current_year_yuan", "group_type=\"plan\",group=\"test-plan\""),
      Series("pipelined_events_total", "source=\"cli-test\",result=\"accepted\",reason=\"\""),
      Series("pipelined_source_last_sequence", "source=\"cli-test\""),
      Series("pipelined_source_sequence_gaps_total", "source=\"cli-test\""),
  };
  const std::set<std::string> changed = ChangedSeries(before, after);
  for (const std::string& series : expected) EXPECT_EQ(changed.count(series), 1u) << series << " did not change";
  // Everything else that changed belongs to the project, its groups or its
  // source (derived figures such as the completion rate), or counts evaluations.
  const std::vector<std::string> own = {"project=\"T-IND-1\"",
                                        "group_type=\"area\",group=\"industry\"",
                                        "group_type=\"cluster\",group=\"materials\"",
                                        "group_type=\"district\",group=\"beilun\"",
                                        "group_type=\"plan\",group=\"test-plan\"",
                                        "source=\"cli-test\""};
  for (const std::string& series : changed) {
    bool belongs = series.rfind("pipelined_evaluations_total", 0) == 0 ||
                   series.rfind("pipelined_project_status_changes_total", 0) == 0;
    for (const std::string& labels : own) belongs = belongs || series.find(labels) != std::string::npos;
    EXPECT_TRUE(belongs) << series << " changed but belongs to another project or group";
  }
  EXPECT_GT(changed.size(), expected.size()) << "derived figures (completion rate, earned value) must move too";
  // Earned value starts from the project's first report: what it did before
  // is taken as planned (docs/lagging.md, "The baseline"). T-IND-1 is planned
  // from 2023-03 with 200 million in 2023 and 200 million in 2024, linear over
  // its construction months, so by the end of April 2024 it had 200 million
  // + 4/12 of 200 million (66,666,666.66 in whole fen) planned.
  EXPECT_DOUBLE_EQ(after.Value(Series("pipelined_project_earned_value_yuan", "project=\"T-IND-1\"")).value_or(0),
                   200000000.00 + 66666666.66 + 1250000.50);
  EXPECT_EQ(after.Value(Series("pipelined_project_investment_completed_yuan", "project=\"T-IND-1\"")), 1250000.50);
  EXPECT_EQ(after.Value(Series("pipelined_events_total", "source=\"cli-test\",result=\"accepted\",reason=\"\"")), 1);
  EXPECT_EQ(after.Value(Series("pipelined_source_last_sequence", "source=\"cli-test\"")), 7);
}

TEST(DaemonTest, MilestoneEventsSetTheirSeries) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  ASSERT_EQ(Publish(daemon, {"construction-started", "--project", "T-IND-3", "--date", "2024-02-10"}).exit_code, 0);
  ASSERT_EQ(Publish(daemon, {"line-launched", "--project", "T-IND-1", "--date", "2024-04-15", "--line", "line-1"})
                .exit_code,
            0);
  ASSERT_EQ(Publish(daemon, {"completed", "--project", "T-IND-2", "--date", "2024-06-01"}).exit_code, 0);

  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_construction_started", "project=\"T-IND-3\"")), 1);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_construction_started", "project=\"T-IND-1\"")), 0);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_production_lines_launched", "project=\"T-IND-1\"")), 1);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_production_lines_planned", "project=\"T-IND-1\"")), 2);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_completed", "project=\"T-IND-2\"")), 1);
  EXPECT_EQ(scrape.Value(Series("pipelined_group_projects_construction_started",
                                "group_type=\"cluster\",group=\"equipment\"")),
            1);
  EXPECT_EQ(scrape.Value(Series("pipelined_group_production_lines_planned", "group_type=\"plan\",group=\"test-plan\"")),
            3);
}

TEST(DaemonTest, GroupValuesEqualTheSumOfTheirProjects) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  const std::vector<std::string> projects = {"T-IND-1", "T-IND-2", "T-IND-3", "T-TRN-1", "T-TRN-2"};
  std::mt19937 random(7);
  std::vector<v1::Event> events;
  for (int i = 0; i < 300; ++i) {
    const std::string& project = projects[random() % projects.size()];
    const int month = 1 + static_cast<int>(random() % 6);
    char date[16];
    std::snprintf(date, sizeof date, "2024-%02d-20", month);
    auto header = Header("sum-" + std::to_string(i), project, date);
    if (i % 10 == 0) {
      events.push_back(publisher::ConstructionStartedEvent(header));
    } else {
      events.push_back(publisher::InvestmentEvent(header, static_cast<model::Fen>(random() % 100000000),
                                                  model::YearMonth{2024, month}));
    }
  }
  // 2025-dated events are in the daemon's future and are rejected; sums must ignore them.
  events.push_back(publisher::InvestmentEvent(Header("future", "T-TRN-2", "2025-03-01"), 5, {2025, 3}));
  v1::BatchReply reply = PublishOrFail(daemon, events);
  ASSERT_EQ(reply.results_size(), static_cast<int>(events.size()));
  EXPECT_EQ(reply.results(300).reason(), "occurred_in_future");

  const Scrape scrape = ScrapeOrFail(daemon);
  const std::map<std::string, std::vector<std::string>> groups = {
      {"group_type=\"area\",group=\"industry\"", {"T-IND-1", "T-IND-2", "T-IND-3"}},
      {"group_type=\"area\",group=\"transport\"", {"T-TRN-1", "T-TRN-2"}},
      {"group_type=\"cluster\",group=\"materials\"", {"T-IND-1", "T-IND-2"}},
      {"group_type=\"district\",group=\"beilun\"", {"T-IND-1", "T-IND-3"}},
      {"group_type=\"district\",group=\"yinzhou\"", {"T-IND-2", "T-TRN-2"}},
      {"group_type=\"plan\",group=\"test-plan\"", projects},
  };
  const std::vector<std::pair<std::string, std::string>> measures = {
      {"pipelined_group_investment_completed_yuan", "pipelined_project_investment_completed_yuan"},
      {"pipelined_group_investment_planned_yuan", "pipelined_project_investment_planned_yuan"},
      {"pipelined_group_investment_completed_current_year_yuan",
       "pipelined_project_investment_completed_current_year_yuan"},
      {"pipelined_group_projects_construction_started", "pipelined_project_construction_started"},
      {"pipelined_group_production_lines_planned", "pipelined_project_production_lines_planned"},
  };
  for (const auto& [group, members] : groups) {
    for (const auto& [group_metric, project_metric] : measures) {
      double sum_fen = 0;
      for (const auto& project : members) {
        auto value = scrape.Value(Series(project_metric, "project=\"" + project + "\""));
        ASSERT_TRUE(value) << project_metric << " " << project;
        sum_fen += std::llround(*value * 100);
      }
      auto group_value = scrape.Value(Series(group_metric, group));
      ASSERT_TRUE(group_value) << group_metric << " " << group;
      EXPECT_EQ(std::llround(*group_value * 100), sum_fen) << group_metric << " " << group;
    }
  }
  EXPECT_GT(*scrape.Value(Series("pipelined_group_investment_completed_yuan", "group_type=\"plan\",group=\"test-plan\"")),
            0);
}

TEST(DaemonTest, BadEventsAreRejectedWithTheirReasonsAndCounted) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());

  ProcessResult unknown = Publish(daemon, {"investment", "--project", "NOPE-1", "--date", "2024-05-31",
                                           "--amount-yuan", "10"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("reason=unknown_project"));

  ProcessResult negative = Publish(daemon, {"investment", "--project", "T-IND-1", "--date", "2024-05-31",
                                            "--amount-yuan=-10"});
  EXPECT_EQ(negative.exit_code, 1);
  EXPECT_THAT(negative.output, HasSubstr("reason=negative_amount"));

  v1::BatchReply reply = PublishOrFail(
      daemon, {publisher::ConstructionStartedEvent(Header("", "T-IND-1", "2024-03-01")),
               publisher::ConstructionStartedEvent(Header("ok-after-bad", "T-IND-1", "2024-03-01"))});
  ASSERT_EQ(reply.results_size(), 2);
  EXPECT_EQ(reply.results(0).status(), v1::REJECTED);
  EXPECT_EQ(reply.results(0).reason(), "empty_event_id");
  EXPECT_EQ(reply.results(1).status(), v1::ACCEPTED) << "a bad event must not spoil the rest of its batch";

  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.Value(Series("pipelined_events_total",
                                "source=\"cli-test\",result=\"rejected\",reason=\"unknown_project\"")),
            1);
  EXPECT_EQ(scrape.Value(Series("pipelined_events_total",
                                "source=\"cli-test\",result=\"rejected\",reason=\"negative_amount\"")),
            1);
  EXPECT_EQ(scrape.Value(Series("pipelined_events_total", "source=\"itest\",result=\"rejected\",reason=\"empty_event_id\"")),
            1);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_investment_completed_yuan", "project=\"T-IND-1\"")), 0);
  EXPECT_THAT(daemon.Log(), HasSubstr("reason=unknown_project"));
}

TEST(DaemonTest, RepeatedEventIdIsDuplicateAndCountedOnce) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  const std::vector<std::string> args = {"investment", "--project", "T-TRN-1", "--date", "2024-04-30",
                                         "--amount-yuan", "100", "--event-id", "same-id"};
  EXPECT_EQ(Publish(daemon, args).exit_code, 0);
  ProcessResult again = Publish(daemon, args);
  EXPECT_EQ(again.exit_code, 3) << again.output;
  EXPECT_THAT(again.output, HasSubstr("duplicate same-id"));
  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_investment_completed_yuan", "project=\"T-TRN-1\"")), 100);
  EXPECT_EQ(scrape.Value(Series("pipelined_events_total", "source=\"cli-test\",result=\"duplicate\",reason=\"\"")), 1);
}

TEST(DaemonTest, InvalidUtf8IsAMalformedBatchAndDoesNotFloodTheLog) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  publisher::Publisher sender(PlainPublisher(daemon.IngestEndpoint(), 10000));
  // EventBatch{events: [Event{project_code: "\xff"}]}: a proto3 string field
  // must be UTF-8, so the message does not parse.
  const std::string bytes("\x0a\x03\x22\x01\xff", 5);
  for (int i = 0; i < 50; ++i) {
    sender.SendRaw(bytes);
    auto reply = sender.Receive(std::chrono::milliseconds(10000));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error().reason(), "malformed_batch");
  }
  // libprotobuf's own line per message would let any peer fill the log.
  EXPECT_THAT(daemon.Log(), ::testing::Not(HasSubstr("libprotobuf")));
  EXPECT_THAT(daemon.Log(), ::testing::Not(HasSubstr("invalid UTF-8")));
}

TEST(DaemonTest, GarbageOnTheIngestSocketLeavesTheDaemonServingWithItsData) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  v1::BatchReply first = PublishOrFail(
      daemon, {publisher::InvestmentEvent(Header("before", "T-IND-2", "2024-03-31"), 123456, {2024, 3})});
  ASSERT_EQ(first.results(0).status(), v1::ACCEPTED);

  // Random frames through a real ZeroMQ peer: each gets a malformed_batch reply.
  publisher::Publisher garbage(PlainPublisher(daemon.IngestEndpoint(), 10000));
  std::mt19937 random(42);
  int malformed_replies = 0;
  for (int i = 0; i < 200; ++i) {
    std::string bytes(1 + random() % 2048, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    // Make sure the frame cannot parse: 0xff 0xff is an invalid tag/varint start here.
    bytes.insert(0, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11);
    garbage.SendRaw(bytes);
    auto reply = garbage.Receive(std::chrono::milliseconds(10000));
    ASSERT_TRUE(reply) << "no reply to garbage frame " << i;
    EXPECT_EQ(reply->error().reason(), "malformed_batch");
    ++malformed_replies;
  }
  // And raw bytes at the TCP level, which are not even ZMTP.
  {
    zmq::context_t context;
    zmq::socket_t stream(context, zmq::socket_type::stream);
    stream.set(zmq::sockopt::linger, 0);
    stream.connect(daemon.IngestEndpoint());
    zmq::message_t id;
    // A STREAM socket emits a connect notification carrying the peer id.
    ASSERT_TRUE(stream.recv(id, zmq::recv_flags::none));
    zmq::message_t empty;
    (void)stream.recv(empty, zmq::recv_flags::none);
    for (int i = 0; i < 20; ++i) {
      std::string bytes(512, '\0');
      for (char& c : bytes) c = static_cast<char>(random());
      stream.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore);
      stream.send(zmq::buffer(bytes), zmq::send_flags::none);
    }
  }

  EXPECT_TRUE(daemon.Running());
  v1::BatchReply later = PublishOrFail(
      daemon, {publisher::InvestmentEvent(Header("after", "T-IND-2", "2024-04-30"), 1000, {2024, 4})});
  ASSERT_EQ(later.results(0).status(), v1::ACCEPTED);
  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_investment_completed_yuan", "project=\"T-IND-2\"")), 1244.56);
  // Raw TCP bytes may also parse as ZMTP 1.0 frames and count as malformed messages.
  EXPECT_GE(scrape.Value(Series("pipelined_ingest_messages_total", "result=\"malformed\"")).value_or(0), malformed_replies);
}

TEST(DaemonTest, OversizedMessageIsDroppedAndTheDaemonGoesOn) {
  std::vector<std::string> args = TestPlanArgs();
  args.push_back("--ingest.max-message-bytes=65536");
  DaemonProcess daemon(args);
  ASSERT_TRUE(daemon.Started());
  {
    publisher::Publisher flooder(PlainPublisher(daemon.IngestEndpoint(), 2000));
    flooder.SendRaw(std::string(1 << 20, 'x'));
    EXPECT_FALSE(flooder.Receive(std::chrono::milliseconds(1000))) << "an oversized message gets no reply";
  }
  EXPECT_TRUE(daemon.Running());
  v1::BatchReply reply = PublishOrFail(
      daemon, {publisher::InvestmentEvent(Header("small", "T-IND-2", "2024-03-31"), 100, {2024, 3})});
  ASSERT_EQ(reply.results_size(), 1);
  EXPECT_EQ(reply.results(0).status(), v1::ACCEPTED);
}

TEST(DaemonTest, BatchWithTooManyEventsIsRefusedWholeAndCounted) {
  std::vector<std::string> args = TestPlanArgs();
  args.push_back("--ingest.max-events-per-batch=3");
  DaemonProcess daemon(args);
  ASSERT_TRUE(daemon.Started());
  std::vector<v1::Event> events;
  for (int i = 0; i < 4; ++i) {
    events.push_back(publisher::InvestmentEvent(Header("big-" + std::to_string(i), "T-IND-2", "2024-03-31"), 100,
                                                {2024, 3}));
  }
  v1::BatchReply refused = PublishOrFail(daemon, events);
  EXPECT_EQ(refused.error().reason(), "batch_too_large");
  EXPECT_EQ(refused.results_size(), 0);
  events.pop_back();
  v1::BatchReply taken = PublishOrFail(daemon, events);
  ASSERT_EQ(taken.results_size(), 3);
  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.Value(Series("pipelined_project_investment_completed_yuan", "project=\"T-IND-2\"")), 3);
  EXPECT_EQ(scrape.Value(Series("pipelined_ingest_messages_total", "result=\"too_large\"")), 1);
}

TEST(DaemonTest, EmbeddedPlanServesAll753Projects) {
  DaemonProcess daemon({"--clock.start=2025-06-30"});
  ASSERT_TRUE(daemon.Started());
  const Scrape scrape = ScrapeOrFail(daemon);
  EXPECT_EQ(scrape.CountWithPrefix("pipelined_project_info{"), 753u);
  EXPECT_EQ(scrape.Value(Series("pipelined_group_projects", "group_type=\"plan\",group=\"ningbo-14th-fyp\"")), 753);
  EXPECT_EQ(scrape.Value("pipelined_clock_virtual"), 1);
}

TEST(DaemonTest, DemoHistoryIsAcceptedInFullAndShowsInMetrics) {
  DaemonProcess daemon({"--clock.start=2025-06-30"});
  ASSERT_TRUE(daemon.Started());
  ProcessResult demo = RunProcess({PIPELINED_DEMO_BINARY, "--endpoint", daemon.IngestEndpoint(), "--speed",
                                   "1000000", "--once", "--until", "2025-06-30"},
                                  std::chrono::seconds(240));
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  EXPECT_THAT(demo.output, HasSubstr("history done"));
  EXPECT_THAT(demo.output, ::testing::Not(HasSubstr("rejected")));
  const Scrape scrape = ScrapeOrFail(daemon);
  const double started = *scrape.Value(
      Series("pipelined_group_projects_construction_started", "group_type=\"plan\",group=\"ningbo-14th-fyp\""));
  EXPECT_GT(started, 600);
  EXPECT_LT(started, 753) << "some projects are late to start in the demo";
  EXPECT_GT(*scrape.Value(Series("pipelined_events_total",
                                 "source=\"pipelined-demo\",result=\"accepted\",reason=\"\"")),
            10000);
}

TEST(DaemonTest, InvalidPlanIsRefusedWithFileAndLine) {
  const std::string path = ::testing::TempDir() + "/bad-plan.yaml";
  std::ifstream in(kTestPlan);
  std::stringstream text;
  text << in.rdbuf();
  std::string plan = text.str();
  plan.replace(plan.find("district: citywide"), 18, "district: nowhere");
  std::ofstream(path) << plan;
  ProcessResult result = RunProcess({PIPELINED_BINARY, "--plan.file=" + path, "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::ContainsRegex("bad-plan.yaml:[0-9]+:[0-9]+: .*district \"nowhere\""));

  ProcessResult good = RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--check-config"});
  EXPECT_EQ(good.exit_code, 0) << good.output;
}

TEST(DaemonTest, StopsCleanlyOnSigtermAndSigint) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    DaemonProcess daemon(TestPlanArgs());
    ASSERT_TRUE(daemon.Started());
    EXPECT_EQ(daemon.Stop(signal_number), 0);
  }
}

TEST(DaemonTest, PortInUseIsAClearStartupError) {
  DaemonProcess first(TestPlanArgs());
  ASSERT_TRUE(first.Started());
  ProcessResult second = RunProcess({PIPELINED_BINARY, "--plan.file=" + kTestPlan,
                                     "--ingest.endpoint=" + first.IngestEndpoint(),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(FreePort())});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.output, HasSubstr("cannot bind ingest endpoint"));
}

// docs/metrics.md lists every metric family the daemon serves, and nothing else.
TEST(DaemonTest, MetricsDocumentationMatchesTheRealScrape) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  // One of each result so that every family has series, and a year of
  // history so that year-over-year growth, SPI and forecasts exist.
  Publish(daemon, {"investment", "--project", "NOPE", "--date", "2024-05-31", "--amount-yuan", "1"});
  for (const char* period : {"2023-05", "2024-05"}) {
    ASSERT_EQ(Publish(daemon, {"investment", "--project", "T-IND-1", "--date", std::string(period) + "-31",
                               "--amount-yuan", "1000", "--period", period, "--sequence", "1"})
                  .exit_code,
              0);
  }
  ASSERT_EQ(Publish(daemon, {"output", "--project", "T-IND-1", "--date", "2024-05-31", "--revenue-yuan", "5000"})
                .exit_code,
            0);
  const Scrape scrape = ScrapeOrFail(daemon);

  std::ifstream doc(std::string(PIPELINED_SOURCE_DIR) + "/docs/metrics.md");
  ASSERT_TRUE(doc) << "docs/metrics.md is missing";
  std::set<std::string> documented;
  const std::regex row(R"(^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|)");
  for (std::string line; std::getline(doc, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) documented.insert(match[1]);
  }
  std::string undocumented, not_served;
  for (const std::string& name : scrape.family_names) {
    if (documented.count(name) == 0) undocumented += " " + name;
  }
  for (const std::string& name : documented) {
    if (scrape.family_names.count(name) == 0) not_served += " " + name;
  }
  EXPECT_EQ(undocumented, "") << "served but not in docs/metrics.md";
  EXPECT_EQ(not_served, "") << "in docs/metrics.md but not served";
}

// Every pipelined metric that the shipped alert and recording rules and the
// Grafana dashboards use is one the daemon serves: a renamed metric would
// otherwise silently break an alert or an empty panel.
TEST(DaemonTest, RulesAndDashboardsUseOnlyServedMetrics) {
  DaemonProcess daemon(TestPlanArgs());
  ASSERT_TRUE(daemon.Started());
  const Scrape scrape = ScrapeOrFail(daemon);
  ASSERT_FALSE(scrape.family_names.empty());

  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const char* dir : {"/deploy/prometheus/rules", "/deploy/grafana/dashboards"}) {
    const fs::path path = std::string(PIPELINED_SOURCE_DIR) + dir;
    if (!fs::exists(path)) continue;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".yml" || entry.path().extension() == ".json") files.push_back(entry.path());
    }
  }
  ASSERT_FALSE(files.empty());
  // Names defined by recording rules contain a colon and are not scraped.
  const std::regex metric(R"((^|[^a-zA-Z0-9_:])(pipelined_[a-z0-9_]+)(?![a-z0-9_:]))");
  size_t used = 0;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (auto it = std::sregex_iterator(content.begin(), content.end(), metric); it != std::sregex_iterator(); ++it) {
      ++used;
      const std::string name = (*it)[2];
      EXPECT_EQ(scrape.family_names.count(name), 1u) << file.filename() << " uses " << name
                                                      << ", which the daemon does not serve";
    }
  }
  EXPECT_GT(used, 20u);
}

}  // namespace
}  // namespace pipelined::testing
