// End to end with the real Prometheus server from Debian's `prometheus`
// package: a daemon whose clock stands at 11 September 2024, one project that
// reports on plan, one that stopped reporting after June, one that reports
// that it has not started; Prometheus scrapes it and evaluates the shipped
// alert rules, and the right alerts fire for the right projects; also for a
// high-availability pair of daemons, once per project; and the real
// Alertmanager sends each district and area its digest.
#include <gmock/gmock.h>
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
#include <tuple>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>

#include "daemon_process.h"
#include "loopback.h"
#include "metrics_scrape.h"

namespace pipelined::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = PIPELINED_SOURCE_DIR;

// Three projects with 120 million yuan for 2024: A reports every month, B
// stopped after June, C is planned to start in 2024-07 and reports every
// month that it has not.
const char kPlan[] = R"(plan:
  code: e2e
  name: "Alerts end to end"
  period: {start: 2024-01, end: 2025-12}
areas:
  - {code: industry, name: "Industry"}
districts:
  - {code: beilun, name: "Beilun"}
  - {code: yinzhou, name: "Yinzhou"}
projects:
  - {code: E2E-A, name: "Steady", area: industry, district: beilun, investment_total_yuan: 240000000,
     investment_plan_yuan: {2024: 120000000, 2025: 120000000}, construction_start: 2024-01, completion: 2025-12}
  - {code: E2E-B, name: "Gone quiet", area: industry, district: yinzhou, investment_total_yuan: 240000000,
     investment_plan_yuan: {2024: 120000000, 2025: 120000000}, construction_start: 2024-01, completion: 2025-12}
  - {code: E2E-C, name: "Late starter", area: industry, district: beilun, investment_total_yuan: 240000000,
     investment_plan_yuan: {2024: 60000000, 2025: 180000000}, construction_start: 2024-07, completion: 2025-12}
)";

const char kExternalUrl[] = "https://pipelined.example.gov.cn";

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
  std::string instance;
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
    alerts.push_back(
        {Label(labels, "alertname"), Label(labels, "project"), Label(labels, "source"), Label(labels, "instance")});
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

// Where pipelined-publish sends: "--endpoint" flags, and "--outbox" for a pair.
using Destination = std::vector<std::string>;

Destination To(const DaemonProcess& daemon) { return {"--endpoint", daemon.IngestEndpoint()}; }

ProcessResult Send(const Destination& to, const std::string& source, std::vector<std::string> args) {
  args.insert(args.begin(), {PIPELINED_PUBLISH_BINARY});
  args.insert(args.end(), to.begin(), to.end());
  args.insert(args.end(), {"--source", source});
  return RunProcess(args);
}

// The clock stands at 11 September 2024: August is the reporting month.
std::unique_ptr<DaemonProcess> StartDaemon(const fs::path& root) {
  std::ofstream(root / "plan.yaml") << kPlan;
  return std::make_unique<DaemonProcess>(std::vector<std::string>{
      "--plan.file=" + (root / "plan.yaml").string(), "--clock.start=2024-09-11T12:00:00", "--clock.rate=0",
      "--lagging.evaluation-interval=1", std::string("--web.external-url=") + kExternalUrl});
}

// A reports every month to August on the 5th of the month after, B stopped
// after June, C reports that nothing was done in July and August.
void PublishHistory(const Destination& daemon) {
  ASSERT_EQ(Send(daemon, "src-a", {"construction-started", "--project", "E2E-A", "--date", "2024-01-10"}).exit_code, 0);
  ASSERT_EQ(Send(daemon, "src-b", {"construction-started", "--project", "E2E-B", "--date", "2024-01-12"}).exit_code, 0);
  for (int month = 1; month <= 8; ++month) {
    const std::string period = "2024-0" + std::to_string(month);
    const std::string report_day = "2024-" + std::string(month < 9 ? "0" : "") + std::to_string(month + 1) + "-05";
    ProcessResult a = Send(daemon, "src-a", {"investment", "--project", "E2E-A", "--date", report_day, "--period",
                                             period, "--amount-yuan", "10000000"});
    ASSERT_EQ(a.exit_code, 0) << a.output;
    if (month <= 6) {
      ProcessResult b = Send(daemon, "src-b", {"investment", "--project", "E2E-B", "--date", period + "-20",
                                               "--period", period, "--amount-yuan", "10000000"});
      ASSERT_EQ(b.exit_code, 0) << b.output;
    }
    if (month >= 7) {
      ProcessResult c = Send(daemon, "src-c", {"investment", "--project", "E2E-C", "--date", report_day, "--period",
                                               period, "--amount-yuan", "0"});
      ASSERT_EQ(c.exit_code, 0) << c.output;
    }
  }
}

// The real Prometheus with the shipped rules (short `for:`), scraping the
// daemons (one, or the replicas of a pair) every second and, given an
// Alertmanager port, sending alerts there.
std::unique_ptr<BackgroundProcess> StartPrometheus(const fs::path& root, const std::vector<int>& daemon_web_ports,
                                                   int port, int alertmanager_port = 0) {
  const fs::path rules = root / "rules";
  fs::create_directories(rules);
  const std::vector<std::string> rule_files = CopyRulesWithShortFor(rules);
  EXPECT_FALSE(rule_files.empty()) << "no rule files in deploy/prometheus/rules";
  std::ofstream config(root / "prometheus.yml");
  config << "global: {scrape_interval: 1s, evaluation_interval: 1s}\nrule_files:\n";
  for (const std::string& file : rule_files) config << "  - " << file << "\n";
  if (alertmanager_port != 0) {
    config << "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [\"127.0.0.1:"
           << alertmanager_port << "\"]\n";
  }
  config << "scrape_configs:\n  - job_name: pipelined\n    static_configs:\n      - targets: [";
  for (size_t i = 0; i < daemon_web_ports.size(); ++i) {
    config << (i > 0 ? ", " : "") << "\"127.0.0.1:" << daemon_web_ports[i] << "\"";
  }
  config << "]\n";
  config.close();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{PROMETHEUS_BINARY, "--config.file=" + (root / "prometheus.yml").string(),
                               "--storage.tsdb.path=" + (root / "tsdb").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      (root / "prometheus.log").string());
}

TEST(AlertsEndToEndTest, ShippedRulesFireForTheLaggingProjectsOnly) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  TempDir dir;
  const fs::path root = dir.path();
  std::unique_ptr<DaemonProcess> started = StartDaemon(root);
  DaemonProcess& daemon = *started;
  ASSERT_TRUE(daemon.Started());
  PublishHistory(To(daemon));
  if (::testing::Test::HasFatalFailure()) return;
  const int port = FreePort();
  std::unique_ptr<BackgroundProcess> prometheus_process = StartPrometheus(root, {daemon.WebPort()}, port);
  BackgroundProcess& prometheus = *prometheus_process;

  std::vector<FiringAlert> firing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (std::chrono::steady_clock::now() < deadline) {
    firing = Firing(HttpGet(port, "/api/v1/alerts").value_or(""));
    if (Has(firing, "PipelinedProjectLagging", "E2E-C") && Has(firing, "PipelinedProjectNotReported", "E2E-B") &&
        Has(firing, "PipelinedSourceSilent", "", "src-b")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::string seen;
  for (const FiringAlert& a : firing) seen += " " + a.name + "{project=" + a.project + ",source=" + a.source + "}";
  EXPECT_TRUE(Has(firing, "PipelinedProjectLagging", "E2E-C")) << seen << "\n" << prometheus.Log();
  EXPECT_TRUE(Has(firing, "PipelinedProjectNotReported", "E2E-B")) << seen;
  EXPECT_TRUE(Has(firing, "PipelinedSourceSilent", "", "src-b")) << seen;
  EXPECT_FALSE(Has(firing, "PipelinedProjectLagging", "E2E-B")) << "a missing report is no lag:" << seen;
  for (const FiringAlert& a : firing) {
    EXPECT_NE(a.project, "E2E-A") << a.name << " fired for the project that reports on plan";
    EXPECT_NE(a.source, "src-a") << a.name << " fired for the source that keeps reporting";
    EXPECT_NE(a.name, "PipelinedDown");
  }
}

// A high-availability pair (docs/scaling.md): two daemons fed the same
// events through one outbox, both scraped in the one job. The shipped rules
// take the replicas together: the project alerts fire without an instance
// label, so once per project however many replicas report it, and no rule
// fails on the duplicate series of two replicas.
TEST(AlertsEndToEndTest, APairOfReplicasGivesEachProjectAlertOnce) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  TempDir dir;
  const fs::path root = dir.path();
  std::unique_ptr<DaemonProcess> a = StartDaemon(root);
  std::unique_ptr<DaemonProcess> b = StartDaemon(root);
  ASSERT_TRUE(a->Started() && b->Started());
  PublishHistory({"--endpoint", a->IngestEndpoint(), "--endpoint", b->IngestEndpoint(), "--outbox",
                  (root / "history.outbox").string()});
  if (::testing::Test::HasFatalFailure()) return;
  const int port = FreePort();
  std::unique_ptr<BackgroundProcess> prometheus = StartPrometheus(root, {a->WebPort(), b->WebPort()}, port);

  std::vector<FiringAlert> firing;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  const auto both_fire = [&firing] {
    return Has(firing, "PipelinedProjectLagging", "E2E-C") && Has(firing, "PipelinedProjectNotReported", "E2E-B");
  };
  while (std::chrono::steady_clock::now() < deadline && !both_fire()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    firing = Firing(HttpGet(port, "/api/v1/alerts").value_or(""));
  }
  std::string seen;
  for (const FiringAlert& alert : firing) {
    seen += " " + alert.name + "{project=" + alert.project + ",instance=" + alert.instance + "}";
  }
  EXPECT_TRUE(Has(firing, "PipelinedProjectLagging", "E2E-C")) << seen << "\n" << prometheus->Log();
  EXPECT_TRUE(Has(firing, "PipelinedProjectNotReported", "E2E-B")) << seen;
  for (const FiringAlert& alert : firing) {
    if (!alert.project.empty()) {
      EXPECT_EQ(alert.instance, "") << alert.name << " fired per replica:" << seen;
    }
    EXPECT_NE(alert.name, "PipelinedDown");
    EXPECT_NE(alert.name, "PipelinedReplicaDown");
  }
  const Scrape self = Scrape::Parse(HttpGet(port, "/metrics").value_or(""));
  double failures = 0;
  for (const auto& [series, value] : self.series) {
    if (series.rfind("prometheus_rule_evaluation_failures_total", 0) == 0) failures += value;
  }
  EXPECT_GT(self.CountWithPrefix("prometheus_rule_evaluation_failures_total"), 0u) << "Prometheus' own metrics";
  EXPECT_EQ(failures, 0) << "a rule failed on the two replicas' series:\n" << prometheus->Log();
}

// A webhook receiver such as a chat bridge would run, and WeChat Work's API
// as Alertmanager's wechat notifier calls it: takes requests on a free
// loopback port, keeps path and body, and answers 200: with an access token
// to .../gettoken, with errcode 0 to .../message/send, empty otherwise.
class WebhookReceiver {
 public:
  struct Delivery {
    std::string path;
    std::string body;
  };

  WebhookReceiver() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(listener_, 16) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "webhook receiver cannot listen";
      return;
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    close(listener_);
  }
  int Port() const { return port_; }
  std::vector<Delivery> Deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      pollfd waiting{listener_, POLLIN, 0};
      if (poll(&waiting, 1, 100) <= 0) continue;
      const int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      timeval timeout{5, 0};
      setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      std::string request;
      char buffer[8192];
      size_t header_end = std::string::npos, content_length = 0;
      for (ssize_t n; (n = read(connection, buffer, sizeof buffer)) > 0;) {
        request.append(buffer, static_cast<size_t>(n));
        if (header_end == std::string::npos && (header_end = request.find("\r\n\r\n")) != std::string::npos) {
          std::smatch length;
          const std::string head = request.substr(0, header_end);
          if (std::regex_search(head, length, std::regex("[Cc]ontent-[Ll]ength: *([0-9]+)"))) {
            content_length = std::stoul(length[1]);
          }
        }
        if (header_end != std::string::npos && request.size() >= header_end + 4 + content_length) break;
      }
      std::string body;
      if (request.find("/gettoken") != std::string::npos) body = R"({"errcode":0,"access_token":"test-token"})";
      if (request.find("/message/send") != std::string::npos) body = R"({"errcode":0,"errmsg":"ok"})";
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      (void)!write(connection, reply.data(), reply.size());
      close(connection);
      if (header_end == std::string::npos) continue;
      const size_t path_start = request.find(' ') + 1;
      std::lock_guard lock(mutex_);
      deliveries_.push_back({request.substr(path_start, request.find(' ', path_start) - path_start),
                             request.substr(header_end + 4)});
    }
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Delivery> deliveries_;
};

// The text of every WeChat Work message Alertmanager sent.
std::vector<std::string> WeChatMessages(const WebhookReceiver& api) {
  std::vector<std::string> messages;
  for (const WebhookReceiver::Delivery& delivery : api.Deliveries()) {
    if (delivery.path.find("/cgi-bin/message/send") != 0) continue;
    const nlohmann::json message = nlohmann::json::parse(delivery.body, nullptr, false);
    if (message.is_object() && message.contains("text")) messages.push_back(message["text"].value("content", ""));
  }
  return messages;
}

// The whole path a programme office relies on: the daemon decides, the real
// Prometheus fires the shipped alerts, the real Alertmanager with the
// shipped configuration and templates (only its addresses and waiting times
// changed) sends each district one digest and the area one, through WeChat
// Work's API: the projects with their status, reasons and links.
TEST(AlertsEndToEndTest, AlertmanagerSendsEachDistrictAndTheAreaItsDigest) {
  ASSERT_TRUE(fs::exists(PROMETHEUS_BINARY)) << PROMETHEUS_BINARY << " is missing: run scripts/install-deps";
  ASSERT_TRUE(fs::exists(ALERTMANAGER_BINARY)) << ALERTMANAGER_BINARY << " is missing: run scripts/install-deps";
  TempDir dir;
  const fs::path root = dir.path();
  WebhookReceiver api;
  const std::string local = "http://127.0.0.1:" + std::to_string(api.Port());
  std::string shipped = ReadFile(kSourceDir + "/deploy/alertmanager/alertmanager.yml");
  shipped = std::regex_replace(shipped, std::regex("http://localhost:5001"), local);
  shipped = std::regex_replace(shipped, std::regex("https://qyapi.weixin.qq.com"), local);
  shipped = std::regex_replace(shipped, std::regex("'templates/\\*\\.tmpl'"),
                               "'" + kSourceDir + "/deploy/alertmanager/templates/*.tmpl'");
  shipped = std::regex_replace(shipped, std::regex(R"((group_wait|group_interval): [0-9a-z]+)"), "$1: 1s");
  shipped = std::regex_replace(shipped, std::regex(R"(repeat_interval: [0-9a-z]+)"), "repeat_interval: 1h");
  ASSERT_NE(shipped.find(local + "/cgi-bin/"), std::string::npos) << shipped;
  std::ofstream(root / "alertmanager.yml") << shipped;
  const int alertmanager_port = FreePort();
  BackgroundProcess alertmanager({ALERTMANAGER_BINARY, "--config.file=" + (root / "alertmanager.yml").string(),
                                  "--storage.path=" + (root / "am").string(),
                                  "--web.listen-address=127.0.0.1:" + std::to_string(alertmanager_port),
                                  "--cluster.listen-address="},
                                 (root / "alertmanager.log").string());

  std::unique_ptr<DaemonProcess> daemon = StartDaemon(root);
  ASSERT_TRUE(daemon->Started());
  PublishHistory(To(*daemon));
  if (::testing::Test::HasFatalFailure()) return;
  std::unique_ptr<BackgroundProcess> prometheus =
      StartPrometheus(root, {daemon->WebPort()}, FreePort(), alertmanager_port);

  // The digests: one per district and one for the area, each with all it
  // will hold once both projects' alerts fire.
  auto digest = [&api](const std::string& title) -> std::optional<std::string> {
    std::optional<std::string> latest;
    for (const std::string& text : WeChatMessages(api)) {
      if (text.find(title) == 0) latest = text;
    }
    return latest;
  };
  auto complete = [&] {
    auto beilun = digest("【重大项目监测】beilun：");
    auto yinzhou = digest("【重大项目监测】yinzhou：");
    auto industry = digest("【重大项目监测】industry：2 个项目需关注");
    return beilun && yinzhou && industry;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && !complete()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::string sent;
  for (const std::string& text : WeChatMessages(api)) sent += "\n---\n" + text;
  ASSERT_TRUE(complete()) << "sent:" << sent << "\nalertmanager log:\n" << alertmanager.Log();

  const std::string beilun = *digest("【重大项目监测】beilun：");
  EXPECT_THAT(beilun, ::testing::HasSubstr("【重大项目监测】beilun：1 个项目需关注"));
  EXPECT_THAT(beilun, ::testing::HasSubstr("· [滞后] E2E-C Late starter (beilun)"));
  EXPECT_THAT(beilun, ::testing::HasSubstr("behind_schedule (lagging)"));
  EXPECT_THAT(beilun, ::testing::HasSubstr(std::string(kExternalUrl) + "/projects/E2E-C"));
  EXPECT_THAT(beilun, ::testing::Not(::testing::HasSubstr("E2E-B")));
  const std::string yinzhou = *digest("【重大项目监测】yinzhou：");
  EXPECT_THAT(yinzhou, ::testing::HasSubstr("· [未报送] E2E-B Gone quiet (yinzhou)"));
  EXPECT_THAT(yinzhou, ::testing::HasSubstr(std::string(kExternalUrl) + "/projects/E2E-B"));
  const std::string industry = *digest("【重大项目监测】industry：");
  EXPECT_LT(industry.find("E2E-C"), industry.find("E2E-B")) << "lagging before not reported:\n" << industry;
  for (const std::string& text : WeChatMessages(api)) {
    EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("E2E-A"))) << "the project on plan was in a digest";
  }
}

}  // namespace
}  // namespace pipelined::testing
