// The web port besides /metrics, over real HTTP: the status pages (also in
// a real headless browser), the JSON API, health and readiness, and reloads
// by SIGHUP and POST /-/reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/store/event_store.h"

namespace pipelined::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

const std::string kTestPlan = std::string(PIPELINED_SOURCE_DIR) + "/tests/data/test-plan.yaml";

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// curl prints the body, then the status code on a line of its own.
HttpAnswer Fetch(int port, const std::string& path, const std::string& method = "GET") {
  ProcessResult result = RunProcess({"/usr/bin/curl", "-s", "--max-time", "30", "-X", method, "-w", "\n%{http_code}",
                                     "http://127.0.0.1:" + std::to_string(port) + path});
  HttpAnswer answer;
  const size_t last_line = result.output.rfind('\n');
  if (last_line == std::string::npos) return answer;
  answer.status = std::atoi(result.output.c_str() + last_line + 1);
  answer.body = result.output.substr(0, last_line);
  return answer;
}

json FetchJson(int port, const std::string& path, int expected_status = 200) {
  HttpAnswer answer = Fetch(port, path);
  EXPECT_EQ(answer.status, expected_status) << path << ": " << answer.body;
  return json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ProcessResult Publish(const DaemonProcess& daemon, std::vector<std::string> args) {
  args.insert(args.begin(), PIPELINED_PUBLISH_BINARY);
  args.insert(args.end(), {"--endpoint", daemon.IngestEndpoint(), "--source", "web-test"});
  return RunProcess(args);
}

// On 2024-06-30 (reporting month 2024-05): T-IND-1 started and reported 80
// million yuan of its 200 million for 2024 (40%, on track); T-IND-3 was due
// to start in 2024-02 and has not (lagging).
void PublishScenario(const DaemonProcess& daemon) {
  ASSERT_EQ(Publish(daemon, {"construction-started", "--project", "T-IND-1", "--date", "2023-03-10", "--event-id", "s-1"}).exit_code,
            0);
  for (int month = 1; month <= 5; ++month) {
    const std::string period = "2024-0" + std::to_string(month);
    ProcessResult sent = Publish(daemon, {"investment", "--project", "T-IND-1", "--date", period + "-25",
                                          "--amount-yuan", "16000000", "--period", period, "--event-id",
                                          "inv-" + period});
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
  }
  ASSERT_EQ(Publish(daemon, {"line-launched", "--project", "T-IND-1", "--line", "line-1", "--date", "2024-04-20",
                             "--event-id", "line-1"})
                .exit_code,
            0);
  // T-IND-3, planned to start in February, reports every month that it has
  // not: nothing done.
  for (int month = 2; month <= 5; ++month) {
    const std::string period = "2024-0" + std::to_string(month);
    ProcessResult sent = Publish(daemon, {"investment", "--project", "T-IND-3", "--date",
                                          "2024-0" + std::to_string(month + 1) + "-05", "--amount-yuan", "0",
                                          "--period", period, "--event-id", "t3-" + period});
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
  }
  // One rejection, for the status page's list.
  ASSERT_EQ(Publish(daemon, {"construction-started", "--project", "T-NOPE", "--date", "2024-03-01", "--event-id", "bad-1"}).exit_code,
            1);
}

bool WaitForLog(const DaemonProcess& daemon, const std::string& text, int times = 1) {
  for (int i = 0; i < 200; ++i) {
    const std::string log = daemon.Log();
    int seen = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++seen;
    if (seen >= times) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(WebTest, HealthAndReadinessAnswerWithoutCredentials) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  EXPECT_EQ(Fetch(daemon.WebPort(), "/-/healthy").status, 200);
  HttpAnswer ready = Fetch(daemon.WebPort(), "/-/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "Ready.\n");
  EXPECT_EQ(Fetch(daemon.WebPort(), "/-/healthy", "POST").status, 405);
}

TEST(WebTest, LargeAnswersAreGzippedForClientsThatAskForIt) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  const std::string url = "http://127.0.0.1:" + std::to_string(daemon.WebPort()) + "/metrics";
  ProcessResult headers =
      RunProcess({"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", url});
  EXPECT_THAT(headers.output, HasSubstr("Content-Encoding: gzip"));
  EXPECT_THAT(RunProcess({"/usr/bin/curl", "-s", "-D", "-", "-o", "/dev/null", url}).output,
              Not(HasSubstr("Content-Encoding")));
  ProcessResult decoded = RunProcess({"/usr/bin/curl", "-s", "--compressed", url});
  EXPECT_THAT(decoded.output, HasSubstr("pipelined_build_info{"));
}

// A store big enough that replaying it takes a visible while.
void FillStore(const std::string& directory, int events) {
  std::unique_ptr<store::EventStore> events_store;
  ASSERT_TRUE(store::EventStore::Open({directory, store::Durability::kNormal}, &events_store).ok());
  constexpr int kPerCommit = 20000;
  for (int first = 0; first < events; first += kPerCommit) {
    std::vector<store::EventRecord> records(kPerCommit);
    std::vector<const store::EventRecord*> pointers;
    for (int i = 0; i < kPerCommit; ++i) {
      store::EventRecord& record = records[static_cast<size_t>(i)];
      record.event_id = "fill-" + std::to_string(first + i);
      record.source = "fill";
      record.project_code = "T-TRN-1";
      record.body = publisher::InvestmentEvent({record.event_id, "fill", 0, "T-TRN-1", model::Date{2024, 3, 20}}, 1,
                                               model::YearMonth{2024, 3})
                        .SerializeAsString();
      pointers.push_back(&record);
    }
    std::vector<bool> inserted;
    ASSERT_TRUE(events_store->Append(pointers, &inserted).ok());
  }
}

TEST(WebTest, HealthyButNotReadyWhileTheStoreIsReplayed) {
  TempDir storage;
  FillStore(storage.path(), 600000);
  if (HasFatalFailure()) return;
  const int web_port = FreePort();
  BackgroundProcess daemon({PIPELINED_BINARY, "--plan.file=" + kTestPlan, "--clock.start=2024-06-30",
                            "--storage.path=" + storage.path(),
                            "--ingest.endpoint=tcp://127.0.0.1:" + std::to_string(FreePort()),
                            "--web.listen-address=127.0.0.1:" + std::to_string(web_port)},
                           storage.path() + "/daemon.log");
  bool seen_starting = false, seen_ready = false, metrics_before_ready = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!seen_ready && std::chrono::steady_clock::now() < deadline) {
    const bool healthy = HttpGet(web_port, "/-/healthy").has_value();
    const bool ready = HttpGet(web_port, "/-/ready").has_value();
    if (healthy && !ready) {
      seen_starting = true;
      // The daemon may become ready between the two requests, so a 200 from /metrics only counts
      // as an early answer when /-/ready still refuses after it (readiness never goes back).
      if (HttpGet(web_port, "/metrics").has_value() && !HttpGet(web_port, "/-/ready").has_value()) {
        metrics_before_ready = true;
      }
    }
    seen_ready = ready;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(seen_starting) << "never saw /-/healthy up and /-/ready not yet:\n" << daemon.Log();
  EXPECT_TRUE(seen_ready) << daemon.Log();
  EXPECT_FALSE(metrics_before_ready) << "/metrics answered 200 before the state was rebuilt";
  auto scrape = ScrapeMetrics(web_port);
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_replay_events"), 600000);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-TRN-1\"}"), 6000);
}

TEST(WebTest, StatusPageListsLaggingProjectsWithReasonsAndRecentRejections) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  HttpAnswer page = Fetch(daemon.WebPort(), "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>Test plan"));
  EXPECT_THAT(page.body, HasSubstr("on a virtual clock"));
  EXPECT_THAT(page.body, HasSubstr("reporting month 2024-05"));
  // T-IND-3 is listed with its reason; T-IND-1 (on track) is not.
  const std::string lagging = page.body.substr(page.body.find("id=\"lagging-projects\""));
  const std::string lagging_table = lagging.substr(0, lagging.find("</table>"));
  EXPECT_THAT(lagging_table, HasSubstr("<a href=\"/projects/T-IND-3\">T-IND-3</a>"));
  EXPECT_THAT(lagging_table, HasSubstr("start_overdue"));
  EXPECT_THAT(lagging_table, HasSubstr("start planned 2024-02"));
  EXPECT_THAT(lagging_table, Not(HasSubstr("T-IND-1<")));
  // The projects that reported nothing are listed as not reported, not behind.
  const std::string not_reported = page.body.substr(page.body.find("id=\"not-reported-projects\""));
  EXPECT_THAT(not_reported.substr(0, not_reported.find("</table>")), HasSubstr("T-TRN-1"));
  EXPECT_THAT(page.body, HasSubstr("id=\"timeliness\">2 / 2 / 4 (50.0% on time)"));
  // Ingest health: 11 accepted, 1 rejected, and the rejection itself.
  EXPECT_THAT(page.body, HasSubstr("<tr><th>Events accepted since start</th><td class=n>11</td></tr>"));
  EXPECT_THAT(page.body, HasSubstr("<tr><th>Events rejected since start</th><td class=n>1</td></tr>"));
  const std::string recent = page.body.substr(page.body.find("id=\"recent-rejections\""));
  EXPECT_THAT(recent, HasSubstr("bad-1"));
  EXPECT_THAT(recent, HasSubstr("<code>unknown_project</code>"));
  EXPECT_EQ(Fetch(daemon.WebPort(), "/no-such-page").status, 404);
}

TEST(WebTest, ProjectPageShowsPlanMilestonesEventsAndChart) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  HttpAnswer page = Fetch(daemon.WebPort(), "/projects/T-IND-1");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>T-IND-1 Backsheet film base</h1>"));
  EXPECT_THAT(page.body, HasSubstr("Status: <span class=\"on_track\">on_track</span>"));
  EXPECT_THAT(page.body, HasSubstr("<td>production_line line-1</td><td>2024-04</td><td>2024-04-20</td>"
                                   "<td>done_on_time</td>"));
  // The chart's three lines, and the newest event first.
  for (const char* line : {"<polyline id=\"planned\"", "<polyline id=\"pro-rata\"", "<polyline id=\"completed\""}) {
    EXPECT_THAT(page.body, HasSubstr(line));
  }
  const std::string events = page.body.substr(page.body.find("id=\"recent-events\""));
  EXPECT_LT(events.find("line-1"), events.find("inv-2024-05"));
  EXPECT_THAT(events, HasSubstr("1,600.0 万元"));
  EXPECT_EQ(Fetch(daemon.WebPort(), "/projects/T-NOPE").status, 404);
}

TEST(WebTest, ApiGivesProjectsGroupsAndOneProjectWithItsMonths) {
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  const int port = daemon.WebPort();

  json all = FetchJson(port, "/api/v1/projects");
  ASSERT_TRUE(all.is_object());
  EXPECT_EQ(all["date"], "2024-06-30");
  EXPECT_EQ(all["reporting_month"], "2024-05");
  EXPECT_EQ(all["rule_set"], "schedule");
  EXPECT_EQ(all["reporting_due"], "2024-06-10");
  EXPECT_EQ(all["catching_up"], false);
  EXPECT_EQ(all["count"], 5);
  json lagging = FetchJson(port, "/api/v1/projects?status=lagging");
  ASSERT_TRUE(lagging.is_object());
  std::vector<std::string> codes;
  for (const json& project : lagging["projects"]) codes.push_back(project["code"]);
  EXPECT_THAT(codes, ::testing::Contains("T-IND-3"));
  EXPECT_THAT(codes, Not(::testing::Contains("T-IND-1")));
  json beilun = FetchJson(port, "/api/v1/projects?district=beilun&area=industry");
  EXPECT_EQ(beilun["count"], 2);  // T-IND-1 and T-IND-3
  json not_reported = FetchJson(port, "/api/v1/projects?status=not_reported");
  EXPECT_EQ(not_reported["count"], 2);  // T-IND-2 and T-TRN-1: nothing reported at all
  EXPECT_EQ(not_reported["projects"][0]["reasons"][0]["reason"], "report_missing");
  EXPECT_TRUE(not_reported["projects"][0]["investment"]["completion_rate"].is_null()) << "no data is not 0% done";

  json one = FetchJson(port, "/api/v1/projects/T-IND-1");
  ASSERT_TRUE(one.is_object());
  const json& project = one["project"];
  EXPECT_EQ(project["status"], "on_track");
  EXPECT_EQ(project["report"]["state"], "on_time");
  EXPECT_EQ(project["reported_through"], "2024-05");
  EXPECT_EQ(project["investment"]["completed_yuan"], 80000000.0);
  EXPECT_EQ(project["investment"]["completed_year_to_date_yuan"], 80000000.0);
  EXPECT_DOUBLE_EQ(project["investment"]["completion_rate"].get<double>(), 0.4);
  EXPECT_EQ(project["plan"]["construction_start"], "2023-03");
  EXPECT_EQ(project["recent_events"].size(), 7u);
  EXPECT_EQ(project["recent_events"][0]["event_id"], "line-1");
  bool found_may = false;
  for (const json& month : project["months"]) {
    if (month["month"] == "2024-05") {
      found_may = true;
      EXPECT_EQ(month["completed_cumulative_yuan"], 80000000.0);
      // 2023's 200 million, then 5/12 of 2024's 200 million.
      EXPECT_NEAR(month["pro_rata_cumulative_yuan"].get<double>(), 283333333.33, 0.01);
    }
    if (month["month"] == "2024-06") {
      EXPECT_TRUE(month["completed_cumulative_yuan"].is_null()) << "nothing is due for June yet";
    }
  }
  EXPECT_TRUE(found_may);

  json areas = FetchJson(port, "/api/v1/groups?type=area");
  ASSERT_EQ(areas["count"], 2);
  EXPECT_EQ(areas["groups"][0]["code"], "industry");
  EXPECT_EQ(areas["groups"][0]["projects"], 3);
  EXPECT_EQ(areas["groups"][0]["investment"]["completed_year_to_date_yuan"], 80000000.0);
  EXPECT_EQ(areas["groups"][0]["reporting"]["projects_due"], 3);
  EXPECT_EQ(areas["groups"][0]["reporting"]["projects_reported_on_time"], 2);
  EXPECT_EQ(FetchJson(port, "/api/v1/groups")["count"], 2 + 2 + 3 + 1);

  EXPECT_THAT(FetchJson(port, "/api/v1/projects?status=late", 400)["error"].get<std::string>(),
              HasSubstr("on_track, not_reported, at_risk or lagging"));
  EXPECT_THAT(FetchJson(port, "/api/v1/projects/T-NOPE", 404)["error"].get<std::string>(), HasSubstr("T-NOPE"));
  FetchJson(port, "/api/v2/anything", 404);
}

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_ = dir_.path() + "/plan.yaml";
    settings_ = dir_.path() + "/pipelined.yaml";
    std::ofstream(plan_) << ReadAll(kTestPlan);
    WriteSettings("pro_rata");
  }
  void WriteSettings(const std::string& rule_set, const std::string& extra = "") {
    std::ofstream(settings_) << "plan: {file: " << plan_ << "}\nlagging: {rule_set: " << rule_set << "}\n" << extra;
  }
  std::vector<std::string> Args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"--config.file=" + settings_, "--clock.start=2024-06-30"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  TempDir dir_;
  std::string plan_;
  std::string settings_;
};

TEST_F(ReloadTest, SighupSwitchesToTheNewRuleSetAndKeepsFiguresAndCounters) {
  DaemonProcess daemon(Args());
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  WriteSettings("spi");
  ASSERT_EQ(kill(daemon.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(daemon, "reloaded: plan test-plan with 5 projects, rule set spi")) << daemon.Log();

  EXPECT_EQ(FetchJson(daemon.WebPort(), "/api/v1/projects")["rule_set"], "spi");
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_config_reloads_total{result=\"success\"}"), 1);
  EXPECT_EQ(scrape->Value("pipelined_config_last_reload_successful"), 1);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 80000000);
  EXPECT_EQ(scrape->Value("pipelined_events_total{source=\"web-test\",result=\"accepted\",reason=\"\"}"), 11)
      << "counters carry over a reload: the scenario's 11 accepted events";
  // Events keep flowing into the new programme.
  ASSERT_EQ(Publish(daemon, {"investment", "--project", "T-IND-1", "--date", "2024-06-20", "--amount-yuan", "5",
                             "--period", "2024-06", "--event-id", "after-reload"})
                .exit_code,
            0);
  scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 80000005);
}

TEST_F(ReloadTest, ABrokenPlanIsRefusedAndTheRunningOneStays) {
  DaemonProcess daemon(Args());
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  std::ofstream(plan_, std::ios::app) << "\n  - code: T-IND-1\n    name: duplicate\n";
  ASSERT_EQ(kill(daemon.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(daemon, "reload refused, still running the previous configuration")) << daemon.Log();
  EXPECT_THAT(daemon.Log(), HasSubstr("plan.yaml:"));

  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_config_last_reload_successful"), 0);
  EXPECT_EQ(scrape->Value("pipelined_config_reloads_total{result=\"failure\"}"), 1);
  EXPECT_EQ(scrape->Value("pipelined_project_investment_completed_yuan{project=\"T-IND-1\"}"), 80000000);
  EXPECT_EQ(FetchJson(daemon.WebPort(), "/api/v1/projects")["count"], 5);
  EXPECT_THAT(Fetch(daemon.WebPort(), "/").body, HasSubstr("the last reload failed"));

  // Fixed, the next reload goes through.
  std::ofstream(plan_) << ReadAll(kTestPlan);
  ASSERT_EQ(kill(daemon.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(daemon, "reloaded: plan")) << daemon.Log();
  scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->Value("pipelined_config_last_reload_successful"), 1);
}

TEST_F(ReloadTest, ASettingThatNeedsARestartMakesTheReloadFail) {
  DaemonProcess daemon(Args());
  ASSERT_TRUE(daemon.Started());
  WriteSettings("spi", "ingest: {max_connections: 10}\n");
  ASSERT_EQ(kill(daemon.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForLog(daemon, "ingest.max_connections changed: it takes effect only at a restart"))
      << daemon.Log();
  EXPECT_EQ(FetchJson(daemon.WebPort(), "/api/v1/projects")["rule_set"], "pro_rata")
      << "nothing of the refused settings applies, not even the rule set";
}

TEST_F(ReloadTest, PostReloadNeedsTheLifecycleFlagAndLoadsANewProject) {
  {
    DaemonProcess closed(Args());
    ASSERT_TRUE(closed.Started());
    HttpAnswer refused = Fetch(closed.WebPort(), "/-/reload", "POST");
    EXPECT_EQ(refused.status, 403);
    EXPECT_THAT(refused.body, HasSubstr("--web.enable-lifecycle"));
  }
  DaemonProcess daemon(Args({"--web.enable-lifecycle"}));
  ASSERT_TRUE(daemon.Started());
  EXPECT_EQ(Fetch(daemon.WebPort(), "/-/reload").status, 405) << "GET must not reload";
  std::string plan = ReadAll(kTestPlan);
  plan.replace(plan.find("declared_projects: 5"), 20, "declared_projects: 6");
  plan.replace(plan.find("declared_investment_yuan: 1900000000"), 36, "declared_investment_yuan: 1901000000");
  std::ofstream(plan_) << plan << "\n  - code: T-NEW-1\n    name: \"New plant\"\n    area: industry\n"
                                      << "    district: beilun\n    investment_total_yuan: 1000000\n"
                                      << "    investment_plan_yuan: {2025: 1000000}\n"
                                      << "    construction_start: 2025-01\n    completion: 2025-12\n";
  HttpAnswer reloaded = Fetch(daemon.WebPort(), "/-/reload", "POST");
  EXPECT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_THAT(reloaded.body, HasSubstr("with 6 projects"));
  EXPECT_EQ(FetchJson(daemon.WebPort(), "/api/v1/projects/T-NEW-1")["project"]["name"], "New plant");

  std::ofstream(plan_) << "not: [a plan";
  HttpAnswer failed = Fetch(daemon.WebPort(), "/-/reload", "POST");
  EXPECT_EQ(failed.status, 500);
  EXPECT_THAT(failed.body, HasSubstr("plan.yaml:"));
  EXPECT_EQ(FetchJson(daemon.WebPort(), "/api/v1/projects")["count"], 6);
}

// The pages in a real browser: Debian's chromium, headless.
class BrowserTest : public ::testing::Test {
 protected:
  ProcessResult Chromium(std::vector<std::string> args) {
    std::vector<std::string> argv = {CHROMIUM_BINARY, "--headless", "--no-sandbox", "--disable-gpu",
                                     "--no-first-run", "--user-data-dir=" + profile_.path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, std::chrono::seconds(90));
  }
  TempDir profile_;
};

TEST_F(BrowserTest, StatusAndProjectPagesRenderInHeadlessChromium) {
  ASSERT_TRUE(fs::exists(CHROMIUM_BINARY)) << CHROMIUM_BINARY << " is missing: scripts/install-deps installs it";
  DaemonProcess daemon({"--plan.file=" + kTestPlan, "--clock.start=2024-06-30"});
  ASSERT_TRUE(daemon.Started());
  PublishScenario(daemon);
  const std::string base = "http://127.0.0.1:" + std::to_string(daemon.WebPort());

  // --dump-dom prints the DOM as the browser built it from the page.
  ProcessResult status = Chromium({"--dump-dom", base + "/"});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("<table id=\"lagging-projects\">"));
  EXPECT_THAT(status.output, HasSubstr("href=\"/projects/T-IND-3\""));
  ProcessResult project = Chromium({"--dump-dom", base + "/projects/T-IND-1"});
  ASSERT_EQ(project.exit_code, 0) << project.output;
  EXPECT_THAT(project.output, HasSubstr("<svg"));
  EXPECT_THAT(project.output, HasSubstr("<polyline id=\"completed\""));

  // And it paints: a screenshot of the project page is a real PNG.
  const std::string png = profile_.path() + "/project.png";
  ProcessResult shot = Chromium({"--window-size=1000,1400", "--screenshot=" + png, base + "/projects/T-IND-1"});
  ASSERT_EQ(shot.exit_code, 0) << shot.output;
  const std::string image = ReadAll(png);
  ASSERT_GT(image.size(), 10000u) << "a page with tables and a chart is not a blank image";
  EXPECT_EQ(image.substr(1, 3), "PNG");
  auto scrape = ScrapeMetrics(daemon.WebPort());
  ASSERT_TRUE(scrape);
  EXPECT_GE(scrape->Value("pipelined_http_requests_total{handler=\"project\",code=\"200\"}"), 2);
}

}  // namespace
}  // namespace pipelined::testing
