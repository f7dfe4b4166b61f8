// End to end with the real Prometheus server from Debian's `prometheus`
// package: a daemon on a fast virtual clock, one project that keeps
// reporting, one that stops, one whose start never comes; Prometheus scrapes
// it and evaluates the shipped alert rules, and the right alerts fire for the
// right projects.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "daemon_process.h"
#include "loopback.h"

namespace pipelined::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = PIPELINED_SOURCE_DIR;

// Three projects planned from 2024-01 with 120 million yuan for 2024: A reports
// every month, B stopped after June, C is planned to start in 2024-07.
const char kPlan[] = R"(plan:
  code: e2e
  name: "Alerts end to end"
  period: {start: 2024-01, end: 2025-12}
areas:
  - {code: industry, name: "Industry"}
districts:
  - {code: beilun, name: "Beilun"}
projects:
  - {code: E2E-A, name: "Steady", area: industry, district: beilun, investment_total_yuan: 240000000,
     investment_plan_yuan: {2024: 120000000, 2025: 120000000}, construction_start: 2024-01, completion: 2025-12}
  - {code: E2E-B, name: "Gone quiet", area: industry, district: beilun, investment_total_yuan: 240000000,
     investment_plan_yuan: {2024: 120000000, 2025: 120000000}, construction_start: 2024-01, completion: 2025-12}
  - {code: E2E-C, name: "Late starter", area: industry, district: beilun, investment_total_yuan: 240000000,
     investment_plan_yuan: {2025: 240000000}, construction_start: 2024-07, completion: 2025-12}
)";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The shipped rule files with only their `for:` durations shortened, so the
// alerts can fire within the test; expressions, labels and annotations are
// the shipped ones.
std::vector<std::string> CopyRulesWithShortFor(const fs::path& into) {
  std::vector<std::string> files;
  const std::regex for_duration(R"((\n\s*for:\s*)[0-9smhdw]+)");
  for (const auto& entry : fs::directory_iterator(kSourceDir + "/deploy/prometheus/rules")) {
    if (entry.path().extension() != ".yml") continue;
    const fs::path copy = into / entry.path().filename();
    std::ofstream(copy) << std::regex_replace(ReadFile(entry.path()), for_duration, "$011s");
    files.push_back(copy.string());
  }
  return files;
}

struct FiringAlert {
  std::string name;
  std::string project;
  std::string source;
};

std::string Label(const std::string& labels, const std::string& name) {
  std::smatch match;
  if (std::regex_search(labels, match, std::regex("\"" + name + "\":\"([^\"]*)\""))) return match[1];
  return "";
}

// The firing alerts in Prometheus' /api/v1/alerts answer.
std::vector<FiringAlert> Firing(const std::string& json) {
  std::vector<FiringAlert> alerts;
  const std::regex alert(R"re(\{"labels":\{([^}]*)\},"annotations":\{[^}]*\},"state":"([a-z]+)")re");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), alert); it != std::sregex_iterator(); ++it) {
    if ((*it)[2] != "firing") continue;
    const std::string labels = (*it)[1];
    alerts.push_back({Label(labels, "alertname"), Label(labels, "project"), Label(labels, "source")});
  }
  return alerts;
}

bool Has(const std::vector<FiringAlert>& alerts, const std::string& name, const std::string& project,
         const std::string& source = "") {
  for (const FiringAlert& a : alerts) {
    if (a.name == name && a.project == project && (source.empty() || a.source == source)) return true;
  }
  return false;
}

ProcessResult Send(const DaemonProcess& daemon, const std::string& source, std::vector<std::string> args) {
  args.insert(args.begin(), {PIPELINED_PUBLISH_BINARY});
  args.insert(args.end(), {"--endpoint", daemon.IngestEndpoint(), "--source", source});
  return RunProcess(args);
}

TEST(AlertsEndToEndTest, ShippedRulesFireForTheLaggingProjectsOnly) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  TempDir dir;
  const fs::path root = dir.path();
  std::ofstream(root / "plan.yaml") << kPlan;

  // Six virtual hours per second: 2024-08-01 (C's start overdue) comes after
  // 6 s, 2024-08-04 (45 days since B's last report) after 18 s, and A stays
  // within every threshold for minutes.
  DaemonProcess daemon({"--plan.file=" + (root / "plan.yaml").string(), "--clock.start=2024-07-30T12:00:00",
                        "--clock.rate=21600", "--lagging.evaluation-interval=1"});
  ASSERT_TRUE(daemon.Started());
  ASSERT_EQ(Send(daemon, "src-a", {"construction-started", "--project", "E2E-A", "--date", "2024-01-10"}).exit_code, 0);
  ASSERT_EQ(Send(daemon, "src-b", {"construction-started", "--project", "E2E-B", "--date", "2024-01-12"}).exit_code, 0);
  for (int month = 1; month <= 7; ++month) {
    const std::string period = "2024-0" + std::to_string(month);
    ProcessResult a = Send(daemon, "src-a", {"investment", "--project", "E2E-A", "--date", period + "-28", "--period",
                                             period, "--amount-yuan", "10000000"});
    ASSERT_EQ(a.exit_code, 0) << a.output;
    if (month > 6) continue;
    ProcessResult b = Send(daemon, "src-b", {"investment", "--project", "E2E-B", "--date", period + "-20", "--period",
                                             period, "--amount-yuan", "10000000"});
    ASSERT_EQ(b.exit_code, 0) << b.output;
  }

  const fs::path rules = root / "rules";
  fs::create_directory(rules);
  const std::vector<std::string> rule_files = CopyRulesWithShortFor(rules);
  ASSERT_FALSE(rule_files.empty()) << "no rule files in deploy/prometheus/rules";
  std::ofstream config(root / "prometheus.yml");
  config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files:\n";
  for (const std::string& file : rule_files) config << "  - " << file << "\n";
  config << "scrape_configs:\n  - job_name: pipelined\n    static_configs:\n      - targets: [\"127.0.0.1:"
         << daemon.WebPort() << "\"]\n";
  config.close();
  const int port = FreePort();
  BackgroundProcess prometheus({PROMETHEUS_BINARY, "--config.file=" + (root / "prometheus.yml").string(),
                                "--storage.tsdb.path=" + (root / "tsdb").string(),
                                "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                               (root / "prometheus.log").string());

  std::vector<FiringAlert> firing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    firing = Firing(HttpGet(port, "/api/v1/alerts").value_or(""));
    if (Has(firing, "PipelinedProjectStartOverdue", "E2E-C") && Has(firing, "PipelinedProjectSourceSilent", "E2E-B") &&
        Has(firing, "PipelinedSourceSilent", "", "src-b")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::string seen;
  for (const FiringAlert& a : firing) seen += " " + a.name + "{project=" + a.project + ",source=" + a.source + "}";
  EXPECT_TRUE(Has(firing, "PipelinedProjectStartOverdue", "E2E-C")) << seen << "\n" << prometheus.Log();
  EXPECT_TRUE(Has(firing, "PipelinedProjectSourceSilent", "E2E-B")) << seen;
  EXPECT_TRUE(Has(firing, "PipelinedSourceSilent", "", "src-b")) << seen;
  for (const FiringAlert& a : firing) {
    EXPECT_NE(a.project, "E2E-A") << a.name << " fired for the project that reports on plan";
    EXPECT_NE(a.source, "src-a") << a.name << " fired for the source that keeps reporting";
    EXPECT_NE(a.name, "PipelinedDown");
  }
}

}  // namespace
}  // namespace pipelined::testing
