// Sharding end to end (docs/scaling.md): two real shards (0 and 1 of 2)
// behind the publishers' ShardRouter and one unsharded daemon, all on the same
// plan, fed the same events over real ZeroMQ. The shards' group figures must
// add up to the single daemon's for every group, each project must live on
// exactly one shard, and the real Prometheus with the shipped shard rules
// must record the same totals and ratios as the single daemon serves.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <iterator>
#include <signal.h>
#include <thread>

#include "daemon_process.h"
#include "metrics_scrape.h"
#include "pipelined/model/progress.h"
#include "pipelined/model/shard.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/publisher.h"
#include "pipelined/publisher/shard_router.h"

namespace pipelined::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kSourceDir = PIPELINED_SOURCE_DIR;
const std::string kPlan = kSourceDir + "/tests/data/shard-test-plan.yaml";
const std::string kShardRules = kSourceDir + "/deploy/prometheus/rules/shards.yml";

// The clock stands still, so that every daemon's figures of age agree.
std::vector<std::string> DaemonArgs(int index, int count) {
  return {"--plan.file=" + kPlan, "--clock.start=2024-06-30T12:00:00", "--clock.rate=0",
          "--shard.index=" + std::to_string(index), "--shard.count=" + std::to_string(count)};
}

publisher::EventHeader Header(const std::string& id, const std::string& project, const std::string& date) {
  return publisher::EventHeader{id, "shard-itest", 0, project, *model::Date::Parse(date)};
}

v1::Event Investment(const std::string& id, const std::string& project, const std::string& period, double yuan) {
  const model::YearMonth month = *model::YearMonth::Parse(period);
  const model::Date last_day = model::LastDay(month);
  return publisher::InvestmentEvent(Header(id, project, last_day.ToString()), std::llround(yuan * 100), month);
}

v1::Event Output(const std::string& id, const std::string& project, const std::string& period, double yuan,
                 const std::string& cluster = "", const std::string& enterprise = "") {
  const model::YearMonth month = *model::YearMonth::Parse(period);
  return publisher::OutputEvent(Header(id, project, model::LastDay(month).ToString()),
                                std::llround(yuan * 100), month, cluster, enterprise);
}

v1::EventBatch Batch(const std::vector<v1::Event>& events) {
  v1::EventBatch batch;
  for (const v1::Event& event : events) *batch.add_events() = event;
  return batch;
}

// The reports as publishers would send them: milestones, investment (some
// for 2023, which the year-over-year figures and the baselines meet), a
// completion, output of projects and of enterprises of clusters owned by
// either shard, an unknown project; then corrections and retractions.
std::vector<v1::EventBatch> Reports() {
  using publisher::ConstructionStartedEvent;
  v1::EventBatch originals = Batch({
      ConstructionStartedEvent(Header("st-1", "S-1", "2023-04-10")),
      ConstructionStartedEvent(Header("st-2", "S-2", "2022-09-15")),
      ConstructionStartedEvent(Header("st-3", "S-3", "2024-03-05")),
      ConstructionStartedEvent(Header("st-4", "S-4", "2023-01-20")),
      ConstructionStartedEvent(Header("st-5", "S-5", "2021-03-01")),
      ConstructionStartedEvent(Header("st-8", "S-8", "2022-01-10")),
      publisher::LineLaunchedEvent(Header("ln-1", "S-1", "2024-03-20"), "line-1"),
      publisher::LineLaunchedEvent(Header("ln-2", "S-2", "2024-02-10"), "line-1"),
      Investment("in-s1-2305", "S-1", "2023-05", 8'000'000),
      Investment("in-s1-2403", "S-1", "2024-03", 20'000'000),
      Investment("in-s1-2405", "S-1", "2024-05", 30'000'000),
      Investment("in-s2-2301", "S-2", "2023-01", 10'000'000),
      Investment("in-s2-2303", "S-2", "2023-03", 12'000'000),
      Investment("in-s2-2402", "S-2", "2024-02", 20'000'000),
      Investment("in-s2-2404", "S-2", "2024-04", 25'000'000),
      Investment("in-s3-2404", "S-3", "2024-04", 5'000'000),
      Investment("in-s4-2302", "S-4", "2023-02", 6'000'000),
      Investment("in-s4-2403", "S-4", "2024-03", 10'000'000),
      Investment("in-s5-2301", "S-5", "2023-01", 4'000'000),
      Investment("in-s5-2304", "S-5", "2023-04", 4'000'000),
      Investment("in-s5-2402", "S-5", "2024-02", 15'000'000),
      Investment("in-s8-2305", "S-8", "2023-05", 2'000'000),
      Investment("in-s8-2405", "S-8", "2024-05", 3'000'000.50),
      publisher::CompletedEvent(Header("cp-5", "S-5", "2024-06-20")),
      Output("out-s1", "S-1", "2024-03", 50'000'000),
      Output("out-s2", "S-2", "2024-04", 80'000'000),
      Output("out-s4", "S-4", "2024-05", 30'000'000),
      Output("ent-chem", "", "2024-04", 100'000'000, "chemicals", "Zhenhai Refining"),
      Output("ent-mat", "", "2024-03", 200'000'000, "materials", "Ningbo Steel"),
      Output("ent-dig", "", "2024-02", 10'000'000, "digital", "Cloud Co"),
      ConstructionStartedEvent(Header("st-99", "S-99", "2024-01-10")),
  });
  v1::Event fix = Investment("in-s1-2403-fix", "S-1", "2024-03", 18'000'000);
  fix.set_supersedes_event_id("in-s1-2403");
  v1::Event enterprise_fix = Output("ent-mat-fix", "", "2024-03", 150'000'000, "materials", "Ningbo Steel");
  enterprise_fix.set_supersedes_event_id("ent-mat");
  v1::EventBatch corrections = Batch({
      fix,
      enterprise_fix,
      publisher::RetractionEvent(Header("rt-s2-2404", "S-2", "2024-06-01"), "in-s2-2404", "double-counted"),
      publisher::RetractionEvent(Header("rt-s5-2304", "S-5", "2024-06-01"), "in-s5-2304", "wrong project"),
  });
  return {originals, corrections};
}

std::string Family(const std::string& series) { return series.substr(0, series.find('{')); }

std::string LabelValue(const std::string& series, const std::string& label) {
  std::smatch match;
  if (std::regex_search(series, match, std::regex("[{,]" + label + "=\"([^\"]*)\""))) return match[1];
  return "";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The families whose group totals rules/shards.yml records as sums
// (group:<family>:sum): each must be additive across shards.
std::set<std::string> FamiliesSummedByTheRules() {
  const std::string rules = ReadAll(kShardRules);
  std::set<std::string> families;
  const std::regex record(R"(record: group:(pipelined_group_[a-z_]+):sum)");
  for (auto it = std::sregex_iterator(rules.begin(), rules.end(), record); it != std::sregex_iterator(); ++it) {
    families.insert((*it)[1]);
  }
  return families;
}

// Shards 0 and 1 of 2 and one unsharded daemon on the same plan and clock,
// fed the same reports: through the router to the shards, directly to the
// single daemon.
class ShardedDaemonsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    single_ = std::make_unique<DaemonProcess>(DaemonArgs(0, 1));
    shards_.push_back(std::make_unique<DaemonProcess>(DaemonArgs(0, 2)));
    shards_.push_back(std::make_unique<DaemonProcess>(DaemonArgs(1, 2)));
    ASSERT_TRUE(single_->Started() && shards_[0]->Started() && shards_[1]->Started());
  }

  void PublishReports() {
    publisher::ShardRouter router({PlainPublisher(shards_[0]->IngestEndpoint(), 20000),
                                   PlainPublisher(shards_[1]->IngestEndpoint(), 20000)});
    publisher::Publisher direct(PlainPublisher(single_->IngestEndpoint(), 20000));
    std::set<int> shards_used;
    int accepted = 0, sent = 0;
    for (const v1::EventBatch& batch : Reports()) {
      sent += batch.events_size();
      const std::vector<publisher::RoutedResult> routed = router.Publish(batch);
      std::string error;
      const std::optional<v1::BatchReply> reply = direct.Publish(batch, &error);
      ASSERT_TRUE(reply.has_value()) << error;
      ASSERT_EQ(routed.size(), static_cast<size_t>(batch.events_size()));
      ASSERT_EQ(reply->results_size(), batch.events_size());
      for (int i = 0; i < batch.events_size(); ++i) {
        const publisher::RoutedResult& result = routed[static_cast<size_t>(i)];
        const v1::EventResult& expected = reply->results(i);
        ASSERT_TRUE(result.result.has_value()) << result.error;
        // The router puts every result back in the batch's order.
        EXPECT_EQ(result.result->event_id(), batch.events(i).event_id());
        EXPECT_EQ(result.result->status(), expected.status()) << expected.event_id() << " " << result.result->message();
        EXPECT_EQ(result.result->reason(), expected.reason()) << expected.event_id();
        accepted += expected.status() == v1::ACCEPTED ? 1 : 0;
        shards_used.insert(result.shard);
      }
    }
    // Everything but the unknown project is accepted, or the sums prove little.
    EXPECT_EQ(accepted, sent - 1);
    EXPECT_EQ(shards_used, (std::set<int>{0, 1}));
  }

  Scrape ScrapeOf(const DaemonProcess& daemon) {
    auto scrape = ScrapeMetrics(daemon.WebPort());
    EXPECT_TRUE(scrape.has_value()) << "scrape of port " << daemon.WebPort() << " failed";
    return scrape.value_or(Scrape{});
  }

  std::unique_ptr<DaemonProcess> single_;
  std::vector<std::unique_ptr<DaemonProcess>> shards_;
};

TEST_F(ShardedDaemonsTest, GroupTotalsOfTwoShardsBehindTheRouterEqualThoseOfOneDaemon) {
  PublishReports();
  if (HasFatalFailure()) return;
  const Scrape one = ScrapeOf(*single_);
  const std::vector<Scrape> parts = {ScrapeOf(*shards_[0]), ScrapeOf(*shards_[1])};

  EXPECT_EQ(one.Value(R"(pipelined_shard_info{index="0",count="1"})"), 1);
  EXPECT_EQ(parts[0].Value(R"(pipelined_shard_info{index="0",count="2"})"), 1);
  EXPECT_EQ(parts[1].Value(R"(pipelined_shard_info{index="1",count="2"})"), 1);

  // Each project is served by exactly one shard, the one its code hashes to,
  // with exactly the single daemon's figures.
  std::map<std::string, int> owner;
  for (int s = 0; s < 2; ++s) {
    for (const auto& [series, value] : parts[static_cast<size_t>(s)].series) {
      if (Family(series) != "pipelined_project_info") continue;
      const std::string project = LabelValue(series, "project");
      EXPECT_TRUE(owner.emplace(project, s).second) << project << " is on both shards";
      EXPECT_EQ(model::ShardOf(project, 2), s) << project;
    }
  }
  std::set<std::string> all;
  for (const auto& [series, value] : one.series) {
    if (Family(series) == "pipelined_project_info") all.insert(LabelValue(series, "project"));
  }
  EXPECT_EQ(all.size(), 8u);
  EXPECT_EQ(owner.size(), all.size());
  std::set<int> owning;
  for (const auto& [project, s] : owner) owning.insert(s);
  EXPECT_EQ(owning, (std::set<int>{0, 1})) << "both shards should own projects";
  size_t project_series = 0;
  for (const auto& [series, value] : one.series) {
    const std::string project = LabelValue(series, "project");
    if (project.empty() || owner.count(project) == 0) continue;
    ++project_series;
    EXPECT_EQ(parts[static_cast<size_t>(owner[project])].Value(series), value) << series;
  }
  EXPECT_GT(project_series, 8u * 20);

  // Every additive group figure, for every group: the shards' sum is the
  // single daemon's value (to the fen), and no shard has a series it lacks.
  const std::set<std::string> families = FamiliesSummedByTheRules();
  ASSERT_GE(families.size(), 20u) << kShardRules;
  std::set<std::string> seen_families;
  for (const auto& [series, value] : one.series) {
    if (families.count(Family(series)) == 0) continue;
    seen_families.insert(Family(series));
    double sum = 0;
    for (const Scrape& part : parts) sum += part.Value(series).value_or(0);
    EXPECT_NEAR(sum, value, 0.005) << series;
  }
  EXPECT_EQ(seen_families, families) << "every summed family is served";
  for (const Scrape& part : parts) {
    for (const auto& [series, value] : part.series) {
      if (families.count(Family(series)) != 0) {
        EXPECT_TRUE(one.Value(series).has_value()) << series;
      }
    }
  }
  // Both shards contribute to the totals that matter.
  const std::string plan_investment = R"(pipelined_group_investment_completed_yuan{group_type="plan",group="shard-plan"})";
  const std::string plan_output = R"(pipelined_group_output_revenue_year_to_date_yuan{group_type="plan",group="shard-plan"})";
  for (const Scrape& part : parts) {
    EXPECT_GT(part.Value(plan_investment).value_or(0), 0);
    EXPECT_GT(part.Value(plan_output).value_or(0), 0);
  }
  EXPECT_NEAR(one.Value(plan_investment).value_or(0), 143'000'000.50, 0.005);
}

std::string UrlEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':') {
      out += static_cast<char>(c);
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// The recorded series `group:<family>:<sum|from_sums>` as the single daemon's
// series of <family> would be written, with their values.
std::map<std::string, double> RecordedGroupSeries(int prometheus_port) {
  std::map<std::string, double> recorded;
  const auto body = HttpGet(prometheus_port, "/api/v1/query?query=" + UrlEncode(R"q({__name__=~"group:.+:(sum|from_sums)"})q"));
  if (!body) return recorded;
  const nlohmann::json answer = nlohmann::json::parse(*body, nullptr, false);
  if (!answer.is_object() || answer.value("status", "") != "success") return recorded;
  const std::regex name("group:(pipelined_group_[a-z_]+):(sum|from_sums)");
  for (const nlohmann::json& sample : answer["data"]["result"]) {
    const nlohmann::json& metric = sample["metric"];
    std::smatch match;
    const std::string recorded_name = metric.value("__name__", "");
    if (!std::regex_match(recorded_name, match, name)) continue;
    std::string series = std::string(match[1]) + "{group_type=\"" + metric.value("group_type", "") +
                         "\",group=\"" + metric.value("group", "") + "\"";
    if (metric.contains("status")) series += ",status=\"" + metric.value("status", "") + "\"";
    recorded[series + "}"] = std::stod(sample["value"][1].get<std::string>());
  }
  return recorded;
}

// What differs between Prometheus' recorded totals and the single daemon's
// series of the same families; empty when they agree.
std::string Differences(const std::map<std::string, double>& recorded, const Scrape& one) {
  std::set<std::string> families;
  for (const auto& [series, value] : recorded) families.insert(Family(series));
  std::string differences;
  for (const auto& [series, value] : one.series) {
    if (families.count(Family(series)) == 0) continue;
    auto it = recorded.find(series);
    if (it == recorded.end()) {
      differences += "\n  not recorded: " + series;
    } else if (std::fabs(it->second - value) > 1e-9 * std::max(1.0, std::fabs(value))) {
      differences += "\n  " + series + ": recorded " + std::to_string(it->second) + ", daemon " + std::to_string(value);
    }
  }
  for (const auto& [series, value] : recorded) {
    if (!one.Value(series)) differences += "\n  recorded but not served by the daemon: " + series;
  }
  return differences;
}

// The real Prometheus scraping the two shards with the shipped
// rules/shards.yml records, for every group, the single daemon's totals and
// ratios: sums of the additive figures, ratios computed from the sums.
TEST_F(ShardedDaemonsTest, PrometheusShardRulesRecordTheSingleDaemonsTotalsAndRatios) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  PublishReports();
  if (HasFatalFailure()) return;
  const Scrape one = ScrapeOf(*single_);

  TempDir dir;
  const fs::path root = dir.path();
  std::ofstream config(root / "prometheus.yml");
  config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         << "rule_files: [\"" << kShardRules << "\"]\n"
         << "scrape_configs:\n  - job_name: pipelined\n    static_configs:\n";
  for (size_t s = 0; s < shards_.size(); ++s) {
    config << "      - targets: [\"127.0.0.1:" << shards_[s]->WebPort() << "\"]\n        labels: {shard: \"" << s
           << "\"}\n";
  }
  config.close();
  const int port = FreePort();
  BackgroundProcess prometheus({PROMETHEUS_BINARY, "--config.file=" + (root / "prometheus.yml").string(),
                                "--storage.tsdb.path=" + (root / "tsdb").string(),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                               (root / "prometheus.log").string());

  // The first evaluations may see one shard scraped and not yet the other.
  std::map<std::string, double> recorded;
  std::string differences = "nothing recorded yet";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!differences.empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    recorded = RecordedGroupSeries(port);
    if (!recorded.empty()) differences = Differences(recorded, one);
  }
  EXPECT_EQ(differences, "") << prometheus.Log();
  // Every additive and derived family was compared, not just a few.
  std::set<std::string> families;
  for (const auto& [series, value] : recorded) families.insert(Family(series));
  for (const char* derived : {"pipelined_group_investment_completion_rate", "pipelined_group_pro_rata_gap_percentage_points",
                              "pipelined_group_schedule_performance_index",
                              "pipelined_group_investment_growth_month_ratio",
                              "pipelined_group_investment_growth_year_to_date_ratio",
                              "pipelined_group_output_completion_rate",
                              "pipelined_group_output_pro_rata_gap_percentage_points"}) {
    EXPECT_EQ(families.count(derived), 1u) << derived << " was not recorded";
  }
  for (const std::string& family : FamiliesSummedByTheRules()) {
    EXPECT_EQ(families.count(family), 1u) << family << " was not recorded";
  }
}

// A Prometheus server scraping `targets` (web port, and the labels its
// scrape config gives the target) every second.
std::unique_ptr<BackgroundProcess> StartPrometheus(const fs::path& root, const std::string& name,
                                                   const std::vector<std::pair<int, std::string>>& targets, int port) {
  fs::create_directories(root / name);
  std::ofstream config(root / name / "prometheus.yml");
  config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
         << "scrape_configs:\n  - job_name: pipelined\n    static_configs:\n";
  for (const auto& [web_port, labels] : targets) {
    config << "      - targets: [\"127.0.0.1:" << web_port << "\"]\n        labels: {" << labels << "}\n";
  }
  config.close();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{PROMETHEUS_BINARY, "--config.file=" + (root / name / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (root / name / "tsdb").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      (root / name / "prometheus.log").string());
}

// An instant query's answer: series (without the labels that tell scrape
// targets apart) to value; nullopt when the query failed.
std::optional<std::map<std::string, double>> Query(int prometheus_port, const std::string& expr) {
  const auto body = HttpGet(prometheus_port, "/api/v1/query?query=" + UrlEncode(expr));
  if (!body) return std::nullopt;
  const nlohmann::json answer = nlohmann::json::parse(*body, nullptr, false);
  if (!answer.is_object() || answer.value("status", "") != "success") return std::nullopt;
  std::map<std::string, double> series;
  const nlohmann::json& data = answer["data"];
  if (data.value("resultType", "") == "scalar") {
    series[""] = std::stod(data["result"][1].get<std::string>());
    return series;
  }
  for (const nlohmann::json& sample : data["result"]) {
    std::string key;
    for (const auto& [label, value] : sample["metric"].items()) {
      if (label == "instance" || label == "replica" || label == "shard" || label == "job") continue;
      key += label + "=" + value.get<std::string>() + ",";
    }
    series[key] = std::stod(sample["value"][1].get<std::string>());
  }
  return series;
}

// Every query of the shipped dashboards of groups and projects, with their
// variables set: all areas, clusters and districts, project S-1.
std::vector<std::pair<std::string, std::string>> DashboardQueries() {
  std::vector<std::pair<std::string, std::string>> queries;
  for (const char* name : {"plan-overview", "lagging-projects", "project-detail"}) {
    const nlohmann::json board =
        nlohmann::json::parse(ReadAll(kSourceDir + "/deploy/grafana/dashboards/" + name + ".json"));
    for (const nlohmann::json& panel : board["panels"]) {
      if (!panel.contains("targets")) continue;
      for (const nlohmann::json& target : panel["targets"]) {
        std::string expr = target.value("expr", "");
        expr = std::regex_replace(expr, std::regex(R"(\$(area|cluster|district))"), ".*");
        expr = std::regex_replace(expr, std::regex(R"(\$project)"), "S-1");
        queries.emplace_back(std::string(name) + ": " + panel.value("title", "") + " " + target.value("refId", ""),
                             expr);
      }
    }
  }
  return queries;
}

// What differs between two answers, to 1e-9 of the value; empty if nothing.
std::string AnswerDifference(const std::map<std::string, double>& expected, const std::map<std::string, double>& got) {
  std::string difference;
  for (const auto& [series, value] : expected) {
    auto it = got.find(series);
    if (it == got.end()) {
      difference += " missing {" + series + "}";
    } else if (std::fabs(it->second - value) > 1e-9 * std::max(1.0, std::fabs(value))) {
      difference += " {" + series + "} " + std::to_string(it->second) + " instead of " + std::to_string(value);
    }
  }
  for (const auto& [series, value] : got) {
    if (expected.count(series) == 0) difference += " extra {" + series + "}";
  }
  return difference;
}

// The same reports served by one daemon, by a high-availability pair and by
// two shards: every query of the shipped dashboards gives the same answer
// from the real Prometheus scraping each setup with its shipped target
// labels (deploy/prometheus/prometheus-ha.yml, prometheus-shards.yml): no
// doubled totals, no sum of ratios.
class DashboardQueriesTest : public ShardedDaemonsTest {
 protected:
  void SetUp() override {
    ShardedDaemonsTest::SetUp();
    if (HasFatalFailure()) return;
    pair_.push_back(std::make_unique<DaemonProcess>(DaemonArgs(0, 1)));
    pair_.push_back(std::make_unique<DaemonProcess>(DaemonArgs(0, 1)));
    ASSERT_TRUE(pair_[0]->Started() && pair_[1]->Started());
  }

  void PublishToThePair() {
    for (const auto& replica : pair_) {
      publisher::Publisher direct(PlainPublisher(replica->IngestEndpoint(), 20000));
      for (const v1::EventBatch& batch : Reports()) {
        std::string error;
        ASSERT_TRUE(direct.Publish(batch, &error).has_value()) << error;
      }
    }
  }

  std::vector<std::unique_ptr<DaemonProcess>> pair_;
};

TEST_F(DashboardQueriesTest, EveryDashboardQueryAnswersTheSameForOneDaemonAPairAndShards) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  PublishReports();
  PublishToThePair();
  if (HasFatalFailure()) return;
  TempDir dir;
  const int single_port = FreePort(), pair_port = FreePort(), shards_port = FreePort();
  auto single = StartPrometheus(dir.path(), "single", {{single_->WebPort(), ""}}, single_port);
  auto pair = StartPrometheus(dir.path(), "pair",
                              {{pair_[0]->WebPort(), "replica: a"}, {pair_[1]->WebPort(), "replica: b"}}, pair_port);
  auto shards = StartPrometheus(dir.path(), "shards",
                                {{shards_[0]->WebPort(), "shard: \"0\""}, {shards_[1]->WebPort(), "shard: \"1\""}},
                                shards_port);
  // Every target scraped at least twice (the status gauges of one scrape).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  const std::string ready = "count(count_over_time(pipelined_build_info[1m]) >= 2)";
  for (const auto& [port, targets] : {std::pair{single_port, 1.0}, {pair_port, 2.0}, {shards_port, 2.0}}) {
    while (std::chrono::steady_clock::now() < deadline && Query(port, ready).value_or(std::map<std::string, double>{})[""] < targets) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  const std::vector<std::pair<std::string, std::string>> queries = DashboardQueries();
  ASSERT_GE(queries.size(), 30u);
  size_t answered = 0;
  for (const auto& [panel, expr] : queries) {
    const auto expected = Query(single_port, expr);
    ASSERT_TRUE(expected.has_value()) << panel << ": the query fails: " << expr;
    answered += expected->empty() ? 0 : 1;
    const auto from_pair = Query(pair_port, expr);
    const auto from_shards = Query(shards_port, expr);
    ASSERT_TRUE(from_pair && from_shards) << panel << ": " << expr;
    EXPECT_EQ(AnswerDifference(*expected, *from_pair), "") << panel << " with a pair: " << expr;
    EXPECT_EQ(AnswerDifference(*expected, *from_shards), "") << panel << " with shards: " << expr;
  }
  // Nearly every panel has something to show on this data.
  EXPECT_GE(answered * 10, queries.size() * 8) << answered << " of " << queries.size() << " queries answered";
  // And the answers are the daemon's own figures.
  const Scrape one = ScrapeOf(*single_);
  const auto completion = Query(shards_port, "sum(sum by (group_type, group) (max without (instance, replica) "
                                             "(pipelined_group_investment_year_to_date_yuan{group_type=\"plan\"})) / "
                                             "(sum by (group_type, group) (max without (instance, replica) "
                                             "(pipelined_group_investment_planned_reporting_year_yuan{group_type=\"plan\"}))"
                                             " > 0))");
  ASSERT_TRUE(completion.has_value());
  EXPECT_NEAR(completion->at(""), one.Value(R"(pipelined_group_investment_completion_rate{group_type="plan",group="shard-plan"})").value_or(-1),
              1e-9);
}

TEST(ShardRoutingTest, EventForAnotherShardIsRejectedWithWrongShard) {
  DaemonProcess shard(DaemonArgs(1, 2));
  ASSERT_TRUE(shard.Started());
  publisher::Publisher direct(PlainPublisher(shard.IngestEndpoint(), 20000));
  // S-1 and the cluster chemicals hash to shard 0, S-2 to this shard 1.
  const v1::EventBatch batch = Batch({
      publisher::ConstructionStartedEvent(Header("other-project", "S-1", "2023-04-10")),
      Output("other-cluster", "", "2024-04", 1'000, "chemicals", "Zhenhai Refining"),
      publisher::ConstructionStartedEvent(Header("unknown", "S-99", "2024-01-10")),
      publisher::ConstructionStartedEvent(Header("own", "S-2", "2022-09-15")),
  });
  std::string error;
  const std::optional<v1::BatchReply> reply = direct.Publish(batch, &error);
  ASSERT_TRUE(reply.has_value()) << error;
  ASSERT_EQ(reply->results_size(), 4);
  for (int i : {0, 1}) {
    EXPECT_EQ(reply->results(i).status(), v1::REJECTED);
    EXPECT_EQ(reply->results(i).reason(), "wrong_shard");
    EXPECT_THAT(reply->results(i).message(), HasSubstr("shard 0 of 2"));
  }
  EXPECT_EQ(reply->results(2).reason(), "unknown_project") << "a code of no shard stays unknown";
  EXPECT_EQ(reply->results(3).status(), v1::ACCEPTED) << reply->results(3).message();
  const auto scrape = ScrapeMetrics(shard.WebPort());
  ASSERT_TRUE(scrape.has_value());
  EXPECT_EQ(scrape->Value(R"(pipelined_events_total{source="shard-itest",result="rejected",reason="wrong_shard"})"), 2);
}

// A shard that does not answer costs only its own events: the router reports
// them as unanswered and still delivers the rest.
TEST(ShardRoutingTest, RouterReportsTheEventsOfAShardThatDoesNotAnswer) {
  DaemonProcess shard1(DaemonArgs(1, 2));
  ASSERT_TRUE(shard1.Started());
  const std::string nobody = "tcp://127.0.0.1:" + std::to_string(FreePort());
  publisher::ShardRouter router({PlainPublisher(nobody, 1500), PlainPublisher(shard1.IngestEndpoint(), 20000)});
  const std::vector<publisher::RoutedResult> routed = router.Publish(Batch({
      publisher::ConstructionStartedEvent(Header("to-0", "S-1", "2023-04-10")),
      publisher::ConstructionStartedEvent(Header("to-1", "S-2", "2022-09-15")),
  }));
  ASSERT_EQ(routed.size(), 2u);
  EXPECT_EQ(routed[0].shard, 0);
  EXPECT_FALSE(routed[0].result.has_value());
  EXPECT_THAT(routed[0].error, HasSubstr("no reply from shard 0"));
  EXPECT_EQ(routed[1].shard, 1);
  ASSERT_TRUE(routed[1].result.has_value()) << routed[1].error;
  EXPECT_EQ(routed[1].result->status(), v1::ACCEPTED);
}

// Polls the daemon's reload counter until it shows `result` `times`.
bool WaitForReloads(const DaemonProcess& daemon, const std::string& result, double times) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto scrape = ScrapeMetrics(daemon.WebPort());
    if (scrape && scrape->Value("pipelined_config_reloads_total{result=\"" + result + "\"}") == times) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A reload keeps the shard to its part of the (new) plan, and the shard
// itself changes only at a restart: its store holds its own projects' events.
TEST(ShardReloadTest, AReloadFiltersTheNewPlanAndRefusesToChangeTheShard) {
  TempDir dir;
  const std::string plan = dir.path() + "/plan.yaml", settings = dir.path() + "/pipelined.yaml";
  std::ofstream(plan) << ReadAll(kPlan);
  auto write_settings = [&](int index) {
    std::ofstream(settings) << "plan: {file: " << plan << "}\nclock: {start: \"2024-06-30\"}\nshard: {index: "
                            << index << ", count: 2}\n";
  };
  write_settings(1);
  DaemonProcess shard({"--config.file=" + settings});
  ASSERT_TRUE(shard.Started());

  write_settings(0);
  ASSERT_EQ(kill(shard.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForReloads(shard, "failure", 1)) << shard.Log();
  EXPECT_THAT(shard.Log(), HasSubstr("shard.index changed: it takes effect only at a restart"));

  // S-10 hashes to shard 0, S-11 to shard 1; both are planned after the
  // plan period, so the declared investment still holds. The declared
  // project count is checked against the whole plan, not the shard's part.
  write_settings(1);
  std::string bigger = ReadAll(kPlan);
  bigger.replace(bigger.find("declared_projects: 8"), 20, "declared_projects: 10");
  bigger.insert(bigger.find("investment_baselines:"),
                "  - {code: S-10, name: \"Later A\", area: industry, district: beilun, investment_total_yuan: 1000,\n"
                "     investment_plan_yuan: {2026: 1000}, construction_start: 2026-01, completion: 2026-12}\n"
                "  - {code: S-11, name: \"Later B\", area: industry, district: beilun, investment_total_yuan: 1000,\n"
                "     investment_plan_yuan: {2026: 1000}, construction_start: 2026-01, completion: 2026-12}\n");
  std::ofstream(plan) << bigger;
  ASSERT_EQ(kill(shard.Pid(), SIGHUP), 0);
  ASSERT_TRUE(WaitForReloads(shard, "success", 1)) << shard.Log();
  const auto scrape = ScrapeMetrics(shard.WebPort());
  ASSERT_TRUE(scrape.has_value());
  EXPECT_EQ(scrape->Value(R"(pipelined_shard_info{index="1",count="2"})"), 1);
  EXPECT_EQ(scrape->Value(R"(pipelined_group_projects{group_type="plan",group="shard-plan"})"), 5);
  EXPECT_EQ(scrape->CountWithPrefix(R"(pipelined_project_info{project="S-11")"), 1u);
  EXPECT_EQ(scrape->CountWithPrefix(R"(pipelined_project_info{project="S-10")"), 0u);
  publisher::Publisher direct(PlainPublisher(shard.IngestEndpoint(), 20000));
  std::string error;
  const auto reply = direct.Publish(Batch({publisher::ConstructionStartedEvent(Header("s10", "S-10", "2024-06-01"))}),
                                    &error);
  ASSERT_TRUE(reply.has_value()) << error;
  ASSERT_EQ(reply->results_size(), 1);
  EXPECT_EQ(reply->results(0).reason(), "wrong_shard");
}

}  // namespace
}  // namespace pipelined::testing
