#include "daemon.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "free_memory.h"
#include "logging.h"
#include "pipelined/config/curve_certificate.h"
#include "pipelined/config/plan_loader.h"
#include "pipelined/config/settings.h"
#include "pipelined/config/web_config.h"
#include "pipelined/model/shard.h"
#include "pipelined/snapshot/snapshot_file.h"
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

// Settings a running daemon cannot switch: sockets, storage and the clock
// are set up once. A reload that changes one is refused as a whole.
std::vector<std::string> ChangesNeedingRestart(const config::Settings& now, const config::Settings& next) {
  std::vector<std::string> changed;
  auto check = [&changed](bool differs, const char* name) {
    if (differs) changed.push_back(name);
  };
  check(now.ingest_endpoint != next.ingest_endpoint, "ingest.endpoint");
  check(now.ingest_max_message_bytes != next.ingest_max_message_bytes, "ingest.max_message_bytes");
  check(now.ingest_max_events_per_batch != next.ingest_max_events_per_batch, "ingest.max_events_per_batch");
  check(now.ingest_max_connections != next.ingest_max_connections, "ingest.max_connections");
  check(now.curve_secret_key_file != next.curve_secret_key_file, "ingest.curve.secret_key_file");
  check(now.web_listen_address != next.web_listen_address, "web.listen_address");
  check(now.web_enable_lifecycle != next.web_enable_lifecycle, "web.enable_lifecycle");
  check(now.log_format != next.log_format, "log.format");
  check(now.clock_start != next.clock_start, "clock.start");
  check(now.clock_rate != next.clock_rate, "clock.rate");
  check(now.clock_settable != next.clock_settable, "clock.settable");
  check(now.storage_path != next.storage_path, "storage.path");
  check(now.storage_durability != next.storage_durability, "storage.durability");
  check(now.storage_snapshot_interval_seconds != next.storage_snapshot_interval_seconds,
        "storage.snapshot_interval_seconds");
  // The store holds the events of this shard's projects only.
  check(now.shard_index != next.shard_index, "shard.index");
  check(now.shard_count != next.shard_count, "shard.count");
  return changed;
}

std::map<std::string, model::PublisherScope> PublisherScopes(const config::Settings& settings) {
  std::map<std::string, model::PublisherScope> scopes;
  for (const auto& publisher : settings.curve_publishers) scopes.emplace(publisher.name, publisher.scope);
  return scopes;
}

std::map<std::string, std::string> AllowedKeys(const config::Settings& settings) {
  std::map<std::string, std::string> allowed;
  for (const auto& publisher : settings.curve_publishers) allowed.emplace(publisher.public_key, publisher.name);
  return allowed;
}

}  // namespace

std::string CivetListenAddress(const std::string& listen_address) {
  if (!listen_address.empty() && listen_address[0] == ':') return "0.0.0.0" + listen_address;
  return listen_address;
}

Daemon::Daemon(const config::Settings& settings, model::Plan plan, SettingsLoader reload_settings)
    : start_settings_(settings),
      reload_settings_(std::move(reload_settings)),
      clock_(MakeClock(settings)),
      start_time_seconds_(NowSeconds()) {
  if (clock_->IsVirtual()) {
    spdlog::info("running on a VIRTUAL clock starting at {} (Asia/Shanghai), rate {}: figures for the current "
                 "year and date checks use this clock, not the system date",
                 settings.clock_start, settings.clock_rate);
    if (settings.clock_settable) {
      settable_clock_ = static_cast<model::VirtualClock*>(clock_.get());
      spdlog::warn("the virtual clock can be moved by anyone who may PUT /-/clock on the web port (--clock.settable)");
    }
  }
  std::vector<std::string> errors;
  first_serving_ = Prepare(settings, std::move(plan), &errors);
  // main() has checked the same things before; a failure here is a race
  // with an edit of the web config file.
  if (!first_serving_) throw ConfigError(errors.empty() ? "invalid configuration" : errors.front());
  ingest_counters_.last_reload_success_unix = start_time_seconds_;
}

Daemon::~Daemon() { Stop(); }

std::shared_ptr<Daemon::Serving> Daemon::Prepare(const config::Settings& settings, model::Plan plan,
                                                 std::vector<std::string>* errors) {
  for (std::string& problem : config::CheckScopes(settings, plan)) errors->push_back(std::move(problem));
  for (std::string& problem : config::CheckLimits(settings, plan)) errors->push_back(std::move(problem));
  if (!config::ResolveRuleSet(settings)) {
    errors->push_back("lagging rule set \"" + settings.lagging_rule_set + "\" is not defined");
  }
  auto serving = std::make_shared<Serving>();
  serving->settings = settings;
  if (!settings.web_config_file.empty()) {
    config::WebConfigLoadResult web = config::LoadWebConfigFile(settings.web_config_file);
    for (const config::LoadError& error : web.errors) {
      std::string text = config::JoinErrors({error});
      if (!text.empty() && text.back() == '\n') text.pop_back();
      errors->push_back(std::move(text));
    }
    if (web.errors.empty() && !web.config.basic_auth_users.empty()) {
      serving->basic_auth = std::make_shared<BasicAuth>(web.config.basic_auth_users, ingest_counters_.web_auth_failures);
    }
  }
  if (!errors->empty()) return nullptr;

  const size_t whole_plan_projects = plan.projects.size();
  plan = model::PlanForShard(std::move(plan), settings.Shard());
  if (plan.shard.Sharded()) {
    spdlog::info("shard {} of {}: serving {} of the plan's {} projects; events for the others are rejected with "
                 "wrong_shard", plan.shard.index, plan.shard.count, plan.projects.size(), whole_plan_projects);
    if (plan.projects.empty()) spdlog::warn("this shard owns none of the plan's projects");
  }
  const model::Date today = model::Date::FromUnixSecondsShanghai(clock_->NowUnixSeconds());
  if (today.Month() > plan.period_end || today.Month() < plan.period_start) {
    spdlog::warn("today ({}) is outside the plan period {} to {}: current-year figures refer to a year the plan "
                 "does not cover; set --clock.start to evaluate inside the period, or load a current plan",
                 today.ToString(), plan.period_start.ToString(), plan.period_end.ToString());
  }
  spdlog::info("plan {} ({}): {} projects, {} areas, {} clusters, {} districts", plan.code, plan.name,
               plan.projects.size(), plan.areas.size(), plan.clusters.size(), plan.districts.size());
  model::ProgrammeOptions options = config::ProgrammeOptionsFrom(settings);
  spdlog::info("lagging rule set {}; reports due by day {} of the next month; statuses re-evaluated every {} s and "
               "after new events (docs/lagging.md)",
               options.rules.name, options.calendar.due_day(), settings.lagging_evaluation_interval_seconds);
  serving->programme = std::make_shared<model::Programme>(std::move(plan), *clock_, std::move(options));
  serving->programme_collector =
      std::make_shared<exporters::ProgrammeCollector>(*serving->programme, &status_tracker_);
  serving->daemon_collector = std::make_shared<exporters::DaemonCollector>(
      exporters::BuildInfo{kVersion, kRevision}, serving->programme->plan(), *clock_, ingest_counters_,
      start_time_seconds_, !settings.curve_secret_key_file.empty(), settings.web_external_url);
  return serving;
}

std::shared_ptr<const Daemon::Serving> Daemon::Current() const {
  std::lock_guard lock(serving_mutex_);
  return serving_;
}

void Daemon::Start() {
  store::StoreOptions store_options;
  store_options.directory = start_settings_.storage_path;
  store_options.durability = *store::ParseDurability(start_settings_.storage_durability);
  store::Status status = store::EventStore::Open(store_options, &store_);
  if (!status.ok()) {
    throw StorageError("refusing to start: the event store in " + start_settings_.storage_path +
                       " cannot be used: " + status.ToString() + ". See docs/durability.md, \"Recovery\".");
  }
  if (first_serving_->basic_auth) {
    spdlog::info("the web port requires basic auth: users from {}", start_settings_.web_config_file);
  } else if (!start_settings_.web_config_file.empty()) {
    spdlog::warn("{} lists no basic_auth_users: the web port is open to anyone who can reach {}",
                 start_settings_.web_config_file, CivetListenAddress(start_settings_.web_listen_address));
  }
  {
    std::lock_guard lock(serving_mutex_);
    serving_ = first_serving_;
  }
  model::Programme& programme = *first_serving_->programme;
  first_serving_.reset();

  // The web port opens before the replay, so that /-/healthy answers while
  // a large store is read; everything else waits for /-/ready.
  HttpServerOptions web_options;
  web_options.listen_address = CivetListenAddress(start_settings_.web_listen_address);
  web_options.auth_required = [this] { return Current()->basic_auth != nullptr; };
  web_options.authenticate = [this](const std::string& user, const std::string& password) {
    auto serving = Current();
    return serving->basic_auth != nullptr && serving->basic_auth->Check(user, password);
  };
  web_ = std::make_unique<HttpServer>(std::move(web_options));
  RegisterWebRoutes();
  try {
    web_->Start();
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot listen on web address " + start_settings_.web_listen_address + ": " + e.what());
  }

  rejection_log_ = std::make_unique<ingest::RejectionLog>(10, ingest_counters_);
  pipeline_ = std::make_unique<ingest::EventPipeline>(programme, *store_, ingest_counters_, *rejection_log_);
  RecoverState();
  // The statuses of the recovered state are the first published, before any
  // event can arrive: history sent at once after a start is held against
  // them (docs/lagging.md, "History arriving in bulk").
  programme.PublishStatuses(programme.BuildReport());
  // Replay applied events itself; from now on a thread of their own does.
  applier_ = std::make_unique<ingest::Applier>(ingest_counters_);
  pipeline_->SetApplier(applier_.get());

  ingest::IngestOptions options;
  options.endpoint = start_settings_.ingest_endpoint;
  options.max_message_bytes = start_settings_.ingest_max_message_bytes;
  options.max_events_per_batch = static_cast<size_t>(start_settings_.ingest_max_events_per_batch);
  ingest::ZapOptions zap_options;
  zap_options.max_connections = static_cast<int>(start_settings_.ingest_max_connections);
  zap_options.monitor_endpoint = ingest::IngestServer::kMonitorEndpoint;
  if (!start_settings_.curve_secret_key_file.empty()) {
    std::string error;
    auto certificate = config::ReadCurveCertificate(start_settings_.curve_secret_key_file, &error);
    if (!certificate || certificate->secret_key.empty()) {
      throw ConfigError(certificate ? start_settings_.curve_secret_key_file +
                                          " has no secret-key: give the daemon its secret certificate (the *_secret "
                                          "file)"
                                    : error);
    }
    zap_options.allowed = AllowedKeys(start_settings_);
    pipeline_->SetAllowedPublishers(PublisherScopes(start_settings_));
    zap_options.curve = true;
    options.curve_secret_key = certificate->secret_key;
    spdlog::info("CURVE encryption and authentication on: {} publisher keys allowed; daemon public key {}",
                 start_settings_.curve_publishers.size(), certificate->public_key);
  } else {
    spdlog::warn("ingest runs in PLAIN mode: anyone who can reach {} can publish, unencrypted; configure "
                 "ingest.curve (docs/configuration.md) to admit only known publishers",
                 start_settings_.ingest_endpoint);
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
    throw std::runtime_error("cannot bind ingest endpoint " + start_settings_.ingest_endpoint + ": " + e.what());
  }

  // Named threads (at most 15 characters) tell apart in top -H, perf and
  // /proc/PID/task/*/comm where the daemon's time goes.
  ingest_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "ingest");
    ingest_->Run();
  });
  watcher_thread_ = std::thread([this] { WatchStatuses(); });
  if (start_settings_.storage_snapshot_interval_seconds > 0) snapshot_thread_ = std::thread([this] { SaveSnapshots(); });
  ready_ = true;
  spdlog::info("pipelined {} ({}) ready: ingest on {}, web on http://{}/ (metrics on /metrics)", kVersion, kRevision,
               bound, CivetListenAddress(start_settings_.web_listen_address));
}

ReloadResult Daemon::Reload(const std::string& trigger) {
  std::lock_guard one_at_a_time(reload_mutex_);
  spdlog::info("reloading the plan and settings ({})", trigger);
  auto refuse = [this](std::vector<std::string> errors) {
    ingest_counters_.reloads_failed.fetch_add(1);
    ingest_counters_.last_reload_successful = false;
    std::string message;
    for (const std::string& error : errors) message += (message.empty() ? "" : "; ") + error;
    spdlog::error("reload refused, still running the previous configuration: {}", message);
    return ReloadResult{false, message};
  };
  if (!ready_) return refuse({"the daemon is still starting"});

  const std::shared_ptr<const Serving> previous = Current();
  config::Settings next = previous->settings;
  std::vector<std::string> errors;
  if (reload_settings_) errors = reload_settings_(&next);
  if (!errors.empty()) return refuse(std::move(errors));
  for (const std::string& key : ChangesNeedingRestart(previous->settings, next)) {
    errors.push_back(key + " changed: it takes effect only at a restart");
  }
  if (!errors.empty()) return refuse(std::move(errors));
  config::PlanLoadResult loaded =
      next.plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(next.plan_file);
  if (!loaded.plan) {
    for (const config::LoadError& error : loaded.errors) {
      std::string text = config::JoinErrors({error});
      if (!text.empty() && text.back() == '\n') text.pop_back();
      errors.push_back(std::move(text));
    }
    return refuse(std::move(errors));
  }
  std::shared_ptr<Serving> serving = Prepare(next, std::move(*loaded.plan), &errors);
  if (!serving) return refuse(std::move(errors));

  // The new programme is rebuilt from the store on the ingest thread, which
  // meanwhile takes no messages (they wait in their queues); the old one
  // keeps answering scrapes and pages until the switch.
  store::Status replayed;
  ingest_->RunOnIngestThread([&] {
    pipeline_->SetProgramme(*serving->programme);
    replayed = pipeline_->Replay();
    if (!replayed.ok()) {
      pipeline_->SetProgramme(*previous->programme);
      return;
    }
    serving->programme->InheritCounters(*previous->programme);
    if (!next.curve_secret_key_file.empty()) {
      pipeline_->SetAllowedPublishers(PublisherScopes(next));
      zap_->SetAllowed(AllowedKeys(next));
    }
    std::lock_guard lock(serving_mutex_);
    serving_ = serving;
  });
  if (!replayed.ok()) return refuse({"rebuilding the state from the store failed: " + replayed.ToString()});
  ReleaseFreedMemory();
  SetLogLevel(next.log_level);
  watcher_wakeup_.notify_all();
  ingest_counters_.reloads_succeeded.fetch_add(1);
  ingest_counters_.last_reload_successful = true;
  ingest_counters_.last_reload_success_unix = NowSeconds();
  const model::Plan& plan = serving->programme->plan();
  std::string message = "reloaded: plan " + plan.code + " with " + std::to_string(plan.projects.size()) +
                        " projects, rule set " + serving->programme->rules().name + ", " +
                        std::to_string(ingest_counters_.replayed_events.load()) + " stored events replayed";
  spdlog::info("{}", message);
  return {true, message};
}

void Daemon::WatchStatuses() {
  pthread_setname_np(pthread_self(), "status-watch");
  using std::chrono::steady_clock;
  // Below ingest: an evaluation of a large plan takes tens of milliseconds
  // of CPU, which on a small machine would otherwise come out of the ingest
  // thread's time slices and show in the acknowledgement latency.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 5);
  // What loading the plan and rebuilding the state freed goes back to the
  // system here, after the daemon is ready: on a plan of 10,000 projects
  // that takes a second or more, which a restart need not wait for.
  ReleaseFreedMemory();
  std::uint64_t seen_version = 0;
  const model::Programme* seen_programme = nullptr;
  bool catching_up = false;
  auto next_scheduled = steady_clock::now();  // evaluate once at start
  steady_clock::duration evaluation_cost{};
  std::unique_lock lock(watcher_mutex_);
  while (!watcher_stopping_) {
    const std::shared_ptr<const Serving> serving = Current();
    model::Programme& programme = *serving->programme;
    const std::uint64_t version = programme.Version();
    // A reloaded programme, or a clock moved by PUT /-/clock, is evaluated at once.
    const bool scheduled = steady_clock::now() >= next_scheduled || &programme != seen_programme || clock_moved_;
    clock_moved_ = false;
    // While catching up, look every pause whether the history has stopped.
    if (scheduled || version != seen_version || (catching_up && !programme.CatchingUp())) {
      seen_version = version;
      seen_programme = &programme;
      if (scheduled) {
        next_scheduled = steady_clock::now() + std::chrono::duration_cast<steady_clock::duration>(
                                                   std::chrono::duration<double>(
                                                       serving->settings.lagging_evaluation_interval_seconds));
      }
      lock.unlock();
      const auto started = steady_clock::now();
      const model::Report report = programme.BuildReport();
      if (report.catching_up) {
        if (!catching_up) {
          spdlog::info("catching up: history is arriving in bulk ({} history events so far); statuses stay as "
                       "evaluated before it began until {} s pass without any (docs/lagging.md)",
                       programme.HistoryEvents(), serving->settings.lagging_catch_up_settle_seconds);
        }
        catching_up = true;
      } else {
        programme.PublishStatuses(report);
        const std::vector<model::StatusChange> changes = status_tracker_.Update(
            report, scheduled ? model::EvaluationTrigger::kSchedule : model::EvaluationTrigger::kEvents);
        if (catching_up) {
          const auto& whole = report.groups.back();
          spdlog::info("caught up on history ({} history events): statuses evaluated again for reporting month {}: "
                       "{} on track, {} not reported, {} at risk, {} lagging; {} projects changed status",
                       programme.HistoryEvents(), report.period.month.ToString(), whole.projects_by_status[0],
                       whole.projects_by_status[1], whole.projects_by_status[2], whole.projects_by_status[3],
                       changes.size());
          catching_up = false;
        } else {
          // After catching up the summary stands for the changes: the
          // metrics and the page hold them all, one by one.
          LogStatusChanges(changes, report);
        }
      }
      evaluation_cost = steady_clock::now() - started;
      lock.lock();
    }
    // Events are picked up within a second, or within ten times what an
    // evaluation costs when that is more (a large plan under a steady flow of
    // events), so that evaluating takes at most a tenth of a core.
    const auto pause = std::max<steady_clock::duration>(std::chrono::seconds(1), 10 * evaluation_cost);
    watcher_wakeup_.wait_for(lock, pause, [this] { return watcher_stopping_ || clock_moved_; });
  }
}

void Daemon::LogStatusChanges(const std::vector<model::StatusChange>& changes, const model::Report& report) {
  // A status change is logged once, when it happens: at risk and lagging by
  // name (the first evaluation after a start may change hundreds of projects
  // at once: the metrics hold them all, the log names the first few); a
  // report not yet in is no alarm, so those are counted in one line.
  constexpr size_t kMaxLogged = 20;
  size_t logged = 0;
  size_t not_reported = 0;
  size_t reported = 0;
  size_t skipped = 0;
  for (const model::StatusChange& change : changes) {
    if (change.to == model::Status::kNotReported) {
      ++not_reported;
      continue;
    }
    if (change.to == model::Status::kOnTrack && change.from == model::Status::kNotReported) {
      ++reported;
      continue;
    }
    if (logged == kMaxLogged) {
      ++skipped;
      continue;
    }
    ++logged;
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
  if (skipped > 0) {
    spdlog::warn("{} more projects changed status; logged the first {} (all are in pipelined_project_status)",
                 skipped, kMaxLogged);
  }
  if (not_reported > 0) {
    spdlog::info("{} projects are now not reported: no investment report for {} (due {}) yet (reason report_missing)",
                 not_reported, report.period.month.ToString(), report.period.due.ToString());
  }
  if (reported > 0) spdlog::info("{} projects not reported before are on track with their reports in", reported);
}

void Daemon::SeeAcknowledgedEvents() {
  if (applier_) applier_->WaitApplied();
}

void Daemon::RecoverState() {
  const bool snapshots = start_settings_.storage_snapshot_interval_seconds > 0;
  const std::string snapshot_path = snapshot::SnapshotPath(start_settings_.storage_path);
  std::optional<snapshot::Snapshot> saved;
  if (snapshots) {
    snapshot::Snapshot loaded;
    bool found = false;
    store::Status read = snapshot::Read(snapshot_path, &loaded, &found);
    if (!read.ok()) {
      spdlog::warn("ignoring the snapshot, which cannot be used ({}): replaying every stored event instead",
                   read.ToString());
    } else if (found) {
      saved = std::move(loaded);
    }
  }
  spdlog::info("rebuilding the state from {} (durability {}, {} events stored)", store_->DatabasePath(),
               start_settings_.storage_durability, store_->Count());
  bool restored = false;
  std::string why_not;
  store::Status status = pipeline_->Recover(std::move(saved), &restored, &why_not);
  if (!status.ok()) {
    throw StorageError("refusing to start rather than serve wrong totals: " + status.ToString() +
                       ". See docs/durability.md, \"Recovery\".");
  }
  const double seconds = ingest_counters_.replay_nanoseconds.load() / 1e9;
  const model::Programme& programme = *Current()->programme;
  snapshot_programme_ = &programme;
  if (restored) {
    snapshot_version_ = programme.Version() - ingest_counters_.replayed_events.load();
    spdlog::info("state restored from the snapshot of {} events and {} events stored after it in {:.3f} s; {} "
                 "stored events do not fit the current plan (orphaned); verifying the whole store in the background",
                 ingest_counters_.restored_events.load(), ingest_counters_.replayed_events.load(), seconds,
                 ingest_counters_.orphaned_events.load());
    verify_thread_ = std::thread([this] { VerifyStore(); });
  } else {
    // A full replay has just checked every page and every checksum.
    ingest_counters_.store_last_verification_unix = NowSeconds();
    spdlog::info("state rebuilt from {} events in {:.3f} s{}; {} stored events do not fit the current plan (orphaned)",
                 ingest_counters_.replayed_events.load(), seconds, snapshots ? " (" + why_not + ")" : "",
                 ingest_counters_.orphaned_events.load());
    snapshot_version_ = 0;
    snapshot_due_ = snapshots && ingest_counters_.replayed_events.load() > 0;
  }
}

void Daemon::SaveSnapshots() {
  pthread_setname_np(pthread_self(), "snapshot");
  using std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<steady_clock::duration>(
      std::chrono::duration<double>(start_settings_.storage_snapshot_interval_seconds));
  std::unique_lock lock(snapshot_mutex_);
  auto next = snapshot_due_ ? steady_clock::now() : steady_clock::now() + interval;
  while (!snapshot_wakeup_.wait_until(lock, next, [this] { return snapshot_stopping_; })) {
    lock.unlock();
    SaveSnapshot(snapshot_due_ ? "after the full replay" : "periodic");
    lock.lock();
    snapshot_due_ = false;
    next = steady_clock::now() + interval;
  }
}

void Daemon::SaveSnapshot(const char* why) {
  const auto started = std::chrono::steady_clock::now();
  std::unique_ptr<snapshot::EncodedSnapshot> taken;
  store::Status status;
  bool unchanged = false;
  const model::Programme* programme = nullptr;
  std::uint64_t version = 0;
  // On the ingest thread, between two groups, the state and the store agree.
  // Ingest waits meanwhile: logged, as it is a snapshot's cost to publishers.
  const auto pause_started = std::chrono::steady_clock::now();
  ingest_->RunOnIngestThread([&] {
    programme = Current()->programme.get();
    version = programme->Version();
    unchanged = programme == snapshot_programme_ && version == snapshot_version_;
    if (!unchanged) status = pipeline_->TakeSnapshot(&taken);
  });
  const double ingest_paused =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - pause_started).count();
  if (unchanged || (status.ok() && !taken)) return;  // nothing new, or nothing stored yet
  if (status.ok()) status = snapshot::Write(snapshot::SnapshotPath(start_settings_.storage_path), *taken);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  if (!status.ok()) {
    ingest_counters_.snapshot_saves_failed.fetch_add(1);
    spdlog::error("cannot save a snapshot ({}): {}; the next start will replay more events", why, status.ToString());
    return;
  }
  snapshot_programme_ = programme;
  snapshot_version_ = version;
  ingest_counters_.snapshot_saves_succeeded.fetch_add(1);
  ingest_counters_.snapshot_last_success_unix = NowSeconds();
  ingest_counters_.snapshot_last_save_nanoseconds =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
  spdlog::info("snapshot saved ({}): {} stored events, {} projects with events, in {:.3f} s (ingest paused {:.3f} s)",
               why, taken->info().stored_events, taken->projects(), std::chrono::duration<double>(elapsed).count(),
               ingest_paused);
}

void Daemon::VerifyStore() {
  pthread_setname_np(pthread_self(), "verify-store");
  // Below ingest and scrapes: the check may take a while on a large store,
  // and nothing waits for it.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t events = 0;
  store::Status status = store::EventStore::Verify(start_settings_.storage_path, &events, &verify_stopping_);
  if (verify_stopping_) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (status.ok()) {
    spdlog::info("event store verified in the background: {} events, every page and checksum good, in {:.1f} s",
                 events, seconds);
  } else {
    ingest_counters_.store_damaged = true;
    spdlog::error("the event store is damaged: {}. The figures come from the snapshot and the events after it and "
                  "are still right, but the stored history is not: see docs/durability.md, \"Recovery\"",
                  status.ToString());
  }
  ingest_counters_.store_last_verification_unix = NowSeconds();
}

void Daemon::Stop() {
  ready_ = false;
  {
    std::lock_guard lock(watcher_mutex_);
    watcher_stopping_ = true;
  }
  watcher_wakeup_.notify_all();
  if (watcher_thread_.joinable()) watcher_thread_.join();
  verify_stopping_ = true;
  if (verify_thread_.joinable()) verify_thread_.join();
  const bool snapshots_running = snapshot_thread_.joinable();
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_stopping_ = true;
  }
  snapshot_wakeup_.notify_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  if (ingest_) ingest_->Stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
  // With ingest stopped the state is final: the next start restores it
  // without replaying anything.
  if (snapshots_running) SaveSnapshot("at shutdown");
  if (web_) web_->Stop();
  web_.reset();
  // After the web server: its handlers wait on the applier.
  if (pipeline_) pipeline_->SetApplier(nullptr);
  applier_.reset();  // applies what is still queued
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
