#include "daemon.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "pipelined/config/curve_certificate.h"
#include "pipelined/config/settings.h"
#include "pipelined/config/web_config.h"
#include "version.h"

namespace pipelined::daemon {
namespace {

std::unique_ptr<model::Clock> MakeClock(const config::Settings& settings) {
  if (settings.clock_start.empty()) return std::make_unique<model::SystemClock>();
  return std::make_unique<model::VirtualClock>(*config::ParseClockStart(settings.clock_start), settings.clock_rate);
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string CivetListenAddress(const std::string& listen_address) {
  if (!listen_address.empty() && listen_address[0] == ':') return "0.0.0.0" + listen_address;
  return listen_address;
}

Daemon::Daemon(const config::Settings& settings, model::Plan plan)
    : settings_(settings), clock_(MakeClock(settings)) {
  const model::Date today = model::Date::FromUnixSecondsShanghai(clock_->NowUnixSeconds());
  if (clock_->IsVirtual()) {
    spdlog::info("running on a VIRTUAL clock starting at {} (Asia/Shanghai), rate {}: figures for the current "
                 "year and date checks use this clock, not the system date",
                 settings.clock_start, settings.clock_rate);
  }
  if (today.Month() > plan.period_end || today.Month() < plan.period_start) {
    spdlog::warn("today ({}) is outside the plan period {} to {}: current-year figures refer to a year the plan "
                 "does not cover; set --clock.start to evaluate inside the period, or load a current plan",
                 today.ToString(), plan.period_start.ToString(), plan.period_end.ToString());
  }
  spdlog::info("plan {} ({}): {} projects, {} areas, {} clusters, {} districts", plan.code, plan.name,
               plan.projects.size(), plan.areas.size(), plan.clusters.size(), plan.districts.size());
  // ValidateSettings() has checked that the rule set exists.
  const model::RuleSet rules = config::ResolveRuleSet(settings).value_or(model::RuleSet::ProRata());
  spdlog::info("lagging rule set {}; statuses re-evaluated every {} s and after new events (docs/lagging.md)",
               rules.name, settings.lagging_evaluation_interval_seconds);
  programme_ = std::make_unique<model::Programme>(std::move(plan), *clock_, settings.event_limits, rules);
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  store::StoreOptions store_options;
  store_options.directory = settings_.storage_path;
  store_options.durability = *store::ParseDurability(settings_.storage_durability);
  store::Status status = store::EventStore::Open(store_options, &store_);
  if (!status.ok()) {
    throw StorageError("refusing to start: the event store in " + settings_.storage_path + " cannot be used: " +
                       status.ToString() + ". See docs/durability.md, \"Recovery\".");
  }
  rejection_log_ = std::make_unique<ingest::RejectionLog>(10, ingest_counters_);
  pipeline_ = std::make_unique<ingest::EventPipeline>(*programme_, *store_, ingest_counters_, *rejection_log_);
  spdlog::info("replaying {} stored events from {} (durability {})", store_->Count(), store_->DatabasePath(),
               settings_.storage_durability);
  status = pipeline_->Replay();
  if (!status.ok()) {
    throw StorageError("refusing to start rather than serve wrong totals: " + status.ToString() +
                       ". See docs/durability.md, \"Recovery\".");
  }
  spdlog::info("state rebuilt from {} events in {:.3f} s; {} stored events do not fit the current plan (orphaned)",
               ingest_counters_.replayed_events.load(), ingest_counters_.replay_nanoseconds.load() / 1e9,
               ingest_counters_.orphaned_events.load());

  ingest::IngestOptions options;
  options.endpoint = settings_.ingest_endpoint;
  options.max_message_bytes = settings_.ingest_max_message_bytes;
  options.max_events_per_batch = static_cast<size_t>(settings_.ingest_max_events_per_batch);
  ingest::ZapOptions zap_options;
  zap_options.max_connections = static_cast<int>(settings_.ingest_max_connections);
  zap_options.monitor_endpoint = ingest::IngestServer::kMonitorEndpoint;
  if (!settings_.curve_secret_key_file.empty()) {
    std::string error;
    auto certificate = config::ReadCurveCertificate(settings_.curve_secret_key_file, &error);
    if (!certificate || certificate->secret_key.empty()) {
      throw ConfigError(certificate ? settings_.curve_secret_key_file + " has no secret-key: give the daemon its "
                                                                        "secret certificate (the *_secret file)"
                                    : error);
    }
    std::vector<std::string> problems = config::CheckScopes(settings_, programme_->plan());
    if (!problems.empty()) throw ConfigError(problems.front());
    std::map<std::string, model::PublisherScope> scopes;
    for (const auto& publisher : settings_.curve_publishers) {
      zap_options.allowed.emplace(publisher.public_key, publisher.name);
      scopes.emplace(publisher.name, publisher.scope);
    }
    pipeline_->SetScopes(std::move(scopes));
    zap_options.curve = true;
    options.curve_secret_key = certificate->secret_key;
    spdlog::info("CURVE encryption and authentication on: {} publisher keys allowed; daemon public key {}",
                 settings_.curve_publishers.size(), certificate->public_key);
  } else {
    spdlog::warn("ingest runs in PLAIN mode: anyone who can reach {} can publish, unencrypted; configure "
                 "ingest.curve (docs/configuration.md) to admit only known publishers",
                 settings_.ingest_endpoint);
  }
  ingest_ = std::make_unique<ingest::IngestServer>(context_, options, *pipeline_, ingest_counters_, *rejection_log_);
  // The ZAP handler (connection limit, CURVE keys) must answer, and count,
  // before the first connection can arrive.
  zap_ = std::make_unique<ingest::ZapHandler>(context_, std::move(zap_options), ingest_counters_);
  zap_->Start();
  std::string bound;
  try {
    bound = ingest_->Bind();
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind ingest endpoint " + settings_.ingest_endpoint + ": " + e.what());
  }

  programme_collector_ = std::make_shared<exporters::ProgrammeCollector>(*programme_, &status_tracker_);
  daemon_collector_ = std::make_shared<exporters::DaemonCollector>(
      exporters::BuildInfo{kVersion, kRevision}, programme_->plan(), *clock_, ingest_counters_, NowSeconds(),
      !options.curve_secret_key.empty());
  // Read before the web port opens: a bad file stops the start before
  // anything listens on it.
  if (!settings_.web_config_file.empty()) {
    config::WebConfigLoadResult web = config::LoadWebConfigFile(settings_.web_config_file);
    if (!web.errors.empty()) throw ConfigError(config::JoinErrors(web.errors));
    if (web.config.basic_auth_users.empty()) {
      spdlog::warn("{} lists no basic_auth_users: /metrics is open to anyone who can reach {}",
                   settings_.web_config_file, CivetListenAddress(settings_.web_listen_address));
    } else {
      spdlog::info("/metrics requires basic auth: {} user(s) from {}", web.config.basic_auth_users.size(),
                   settings_.web_config_file);
      basic_auth_ = std::make_unique<BasicAuth>(web.config.basic_auth_users, ingest_counters_.web_auth_failures);
    }
  }
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(CivetListenAddress(settings_.web_listen_address), 2);
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on web address " + settings_.web_listen_address + ": " + e.what());
  }
  if (basic_auth_) {
    exposer_->RegisterAuth(
        [this](const std::string& user, const std::string& password) { return basic_auth_->Check(user, password); },
        "pipelined", "/metrics");
  }
  exposer_->RegisterCollectable(programme_collector_);
  exposer_->RegisterCollectable(daemon_collector_);

  ingest_thread_ = std::thread([this] { ingest_->Run(); });
  watcher_thread_ = std::thread([this] { WatchStatuses(); });
  spdlog::info("pipelined {} ({}) ready: ingest on {}, metrics on http://{}/metrics", kVersion, kRevision, bound,
               CivetListenAddress(settings_.web_listen_address));
}

void Daemon::WatchStatuses() {
  using std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<steady_clock::duration>(
      std::chrono::duration<double>(settings_.lagging_evaluation_interval_seconds));
  std::uint64_t seen_version = programme_->Version();
  auto next_scheduled = steady_clock::now();  // evaluate once at start
  std::unique_lock lock(watcher_mutex_);
  while (!watcher_stopping_) {
    const std::uint64_t version = programme_->Version();
    const bool scheduled = steady_clock::now() >= next_scheduled;
    if (scheduled || version != seen_version) {
      seen_version = version;
      if (scheduled) next_scheduled = steady_clock::now() + interval;
      lock.unlock();
      LogStatusChanges(status_tracker_.Update(programme_->BuildReport(), scheduled
                                                                           ? model::EvaluationTrigger::kSchedule
                                                                           : model::EvaluationTrigger::kEvents));
      lock.lock();
    }
    // Events are picked up within a second; a quieter loop would delay them.
    watcher_wakeup_.wait_for(lock, std::chrono::seconds(1), [this] { return watcher_stopping_; });
  }
}

void Daemon::LogStatusChanges(const std::vector<model::StatusChange>& changes) {
  // The first evaluation after a start may change hundreds of projects at
  // once; the metrics hold them all, the log names the first few.
  constexpr size_t kMaxLogged = 20;
  if (changes.size() > kMaxLogged) {
    spdlog::warn("{} projects changed status; logging the first {} (all are in pipelined_project_status)",
                 changes.size(), kMaxLogged);
  }
  for (size_t i = 0; i < changes.size() && i < kMaxLogged; ++i) {
    const model::StatusChange& change = changes[i];
    std::string reasons;
    for (const model::Finding& finding : change.findings) {
      reasons += (reasons.empty() ? "" : "; ") + finding.reason + " (" + model::StatusName(finding.level) +
                 "): " + finding.detail;
    }
    if (change.to == model::Status::kOnTrack) {
      spdlog::info("project {} is on track again (was {})", change.project, model::StatusName(change.from));
    } else {
      spdlog::warn("project {} is now {} (was {}): {}", change.project, model::StatusName(change.to),
                   model::StatusName(change.from), reasons);
    }
  }
}

void Daemon::Stop() {
  {
    std::lock_guard lock(watcher_mutex_);
    watcher_stopping_ = true;
  }
  watcher_wakeup_.notify_all();
  if (watcher_thread_.joinable()) watcher_thread_.join();
  if (ingest_) ingest_->Stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
  exposer_.reset();
  // The socket (and its monitor) close while the ZAP handler still reads
  // monitor events, then the handler goes, then the context.
  ingest_.reset();
  if (zap_) zap_->Stop();
  zap_.reset();
  context_.close();
  pipeline_.reset();
  store_.reset();  // checkpoints and closes the database
}

}  // namespace pipelined::daemon
