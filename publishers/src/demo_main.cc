// pipelined-demo: plays a plausible history of a plan (by default the embedded
// Ningbo plan) into a daemon at a chosen speed, then keeps publishing slowly.
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "pipelined/config/plan_loader.h"
#include "pipelined/publisher/demo_history.h"
#include "pipelined/publisher/event_builder.h"
#include "pipelined/publisher/publisher.h"

namespace {

using namespace pipelined;

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

struct Tally {
  std::uint64_t sent = 0;
  std::map<std::string, std::uint64_t> by_result;
};

// Publishes `batch` and adds the results to `tally`; false when the daemon
// did not answer.
bool PublishBatch(publisher::Publisher& publisher, v1::EventBatch& batch, Tally& tally) {
  if (batch.events_size() == 0) return true;
  std::string error;
  auto reply = publisher.Publish(batch, &error);
  tally.sent += batch.events_size();
  batch.clear_events();
  if (!reply) {
    std::cerr << "pipelined-demo: " << error << "\n";
    return false;
  }
  for (const auto& result : reply->results()) {
    std::string key = result.status() == v1::ACCEPTED    ? "accepted"
                      : result.status() == v1::DUPLICATE ? "duplicate"
                                                          : "rejected:" + result.reason();
    ++tally.by_result[key];
  }
  return true;
}

void PrintTally(const Tally& tally, const char* when) {
  std::cout << "pipelined-demo: " << when << ": sent " << tally.sent << " events";
  for (const auto& [key, count] : tally.by_result) std::cout << ", " << key << " " << count;
  std::cout << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipelined-demo: plays a plausible history of the plan into a pipelined daemon (most projects\n"
               "on track, some late to start, some stalled, some slow), then keeps publishing slowly.",
               "pipelined-demo"};
  std::string endpoint = "tcp://127.0.0.1:7010";
  std::string plan_file;
  std::string until_text = "2025-06-30";
  std::string source = "pipelined-demo";
  double speed = 60;
  std::uint64_t seed = 1;
  bool once = false;
  int batch_size = 500;
  double live_interval = 2;
  int due_day = model::kDefaultReportDueDay;
  std::string truth_file;
  app.add_option("--endpoint", endpoint, "Daemon ingest endpoint")->capture_default_str();
  app.add_option("--plan.file", plan_file, "Plan to simulate (default: the embedded Ningbo plan)");
  app.add_option("--until", until_text,
                 "Last simulated day YYYY-MM-DD; must not be after the daemon's (virtual) date")
      ->capture_default_str();
  app.add_option("--speed", speed, "Simulated days per real second while replaying history")->capture_default_str();
  app.add_option("--seed", seed, "Seed of the simulated history")->capture_default_str();
  app.add_option("--source", source, "Publisher name")->capture_default_str();
  app.add_option("--batch-size", batch_size, "Largest batch sent at once")->capture_default_str();
  app.add_option("--live-interval", live_interval, "Seconds between events after the history")->capture_default_str();
  app.add_flag("--once", once, "Exit after the history instead of publishing slowly");
  app.add_option("--reporting.due-day", due_day,
                 "Day of the next month by which a month's report is due, as the daemon's --reporting.due-day: "
                 "reports arrive between the 1st and this day, a few later")
      ->capture_default_str()
      ->check(CLI::Range(1, model::kMaxReportDueDay));
  app.add_option("--write-truth", truth_file,
                 "Write what the history scripts for each project (the ground truth of scripts/detection) to this "
                 "CSV file, then go on");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto until = model::Date::Parse(until_text);
  if (!until || !(speed > 0) || batch_size <= 0 || !(live_interval > 0)) {
    std::cerr << "pipelined-demo: --until must be YYYY-MM-DD; --speed, --batch-size and --live-interval positive\n";
    return 2;
  }
  config::PlanLoadResult loaded = plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(plan_file);
  if (!loaded.plan) {
    std::cerr << config::JoinErrors(loaded.errors);
    return 2;
  }
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  const model::Plan& plan = *loaded.plan;
  publisher::DemoOptions demo_options;
  demo_options.until = *until;
  demo_options.seed = seed;
  demo_options.calendar = model::ReportingCalendar(due_day);
  publisher::DemoHistory demo = publisher::BuildDemoHistory(plan, demo_options);
  const std::vector<publisher::ScheduledEvent>& history = demo.events;
  std::map<publisher::DemoBehaviour, int> behaviours;
  for (const auto& truth : demo.truth) ++behaviours[truth.behaviour];
  if (!truth_file.empty()) {
    std::ofstream out(truth_file);
    out << "project,behaviour,falls_behind_on,started_on,start_delay_months,pace,stalled_from,completed_on\n";
    auto date = [](const std::optional<model::Date>& d) { return d ? d->ToString() : std::string(); };
    for (const auto& t : demo.truth) {
      out << t.project << ',' << publisher::DemoBehaviourName(t.behaviour) << ',' << date(t.falls_behind_on) << ','
          << date(t.started_on) << ',' << t.start_delay_months << ',' << t.pace << ','
          << (t.stalled_from ? t.stalled_from->ToString() : "") << ',' << date(t.completed_on) << '\n';
    }
    if (!out) {
      std::cerr << "pipelined-demo: cannot write " << truth_file << "\n";
      return 2;
    }
  }
  std::cout << "pipelined-demo: plan " << plan.code << ", " << plan.projects.size() << " projects (";
  for (const auto& [behaviour, count] : behaviours) {
    std::cout << publisher::DemoBehaviourName(behaviour) << " " << count << " ";
  }
  std::cout << "), " << history.size() << " events up to " << until->ToString() << " at " << speed
            << " days/s -> " << endpoint << std::endl;

  publisher::PublisherOptions options;
  options.endpoint = endpoint;
  publisher::Publisher publisher(options);
  std::uint64_t sequence = publisher::UnixNowMicros();
  const std::int64_t reported_at = publisher::UnixNowSeconds();
  Tally tally;

  // Replay: one simulated day after another, paced by --speed.
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t first_day = history.empty() ? until->DaysSinceEpoch() : history.front().publish_on.DaysSinceEpoch();
  v1::EventBatch batch;
  size_t next = 0;
  std::int64_t last_reported_month = -1;
  for (std::int64_t day = first_day; day <= until->DaysSinceEpoch() && !g_stop; ++day) {
    const auto due = started + std::chrono::duration<double>((day - first_day) / speed);
    std::this_thread::sleep_until(due);
    for (; next < history.size() && history[next].publish_on.DaysSinceEpoch() <= day; ++next) {
      v1::Event& event = *batch.add_events();
      event = history[next].event;
      event.set_source(source);
      event.set_sequence(sequence++);
      event.mutable_reported_at()->set_seconds(reported_at);
      if (batch.events_size() >= batch_size && !PublishBatch(publisher, batch, tally)) return 1;
    }
    if (!PublishBatch(publisher, batch, tally)) return 1;
    const model::Date today = model::Date::FromDaysSinceEpoch(day);
    if (today.Month().Index() != last_reported_month && today.month == 1) {
      last_reported_month = today.Month().Index();
      PrintTally(tally, ("simulated " + today.ToString()).c_str());
    }
  }
  PrintTally(tally, "history done");
  if (once || g_stop) return 0;

  // Live: the daemon's virtual clock moves on from --until in real time, and
  // so does this: every interval one project reports some investment.
  std::uint64_t live_seed = seed;
  const auto live_started = std::chrono::steady_clock::now();
  while (!g_stop) {
    // Sleep in short steps so that Ctrl-C or SIGTERM ends the demo at once.
    const auto wake = std::chrono::steady_clock::now() + std::chrono::duration<double>(live_interval);
    while (!g_stop && std::chrono::steady_clock::now() < wake) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (g_stop) break;
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - live_started);
    const model::Date today = model::Date::FromUnixSecondsShanghai(until->StartUnixSecondsShanghai() + elapsed.count());
    live_seed = live_seed * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto& project = plan.projects[(live_seed >> 33) % plan.projects.size()];
    if (publisher::BehaviourFor(project, seed) != publisher::DemoBehaviour::kOnTrack) continue;
    publisher::EventHeader header{"demo-" + project.code + "-live-" + std::to_string(publisher::UnixNowMicros()),
                                  source, sequence++, project.code, today};
    const model::Fen amount = project.PlannedForYear(today.year) / 365 / model::kFenPerYuan * model::kFenPerYuan;
    *batch.add_events() = publisher::InvestmentEvent(header, amount, today.Month());
    if (!PublishBatch(publisher, batch, tally)) return 1;
    if (tally.sent % 30 == 0) PrintTally(tally, "live");
  }
  PrintTally(tally, "stopped");
  return 0;
}
