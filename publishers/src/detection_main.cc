// pipelined-detection: the detection benchmark (docs/lagging.md). Replays the
// demo history into a daemon on a settable virtual clock, day by day, as the
// reports would arrive, reads the daemon's verdicts on the days evaluated and
// scores them against what the history scripts for each project: false
// alarms, detections and their delay, status changes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "pipelined/config/plan_loader.h"
#include "pipelined/detection/detection_score.h"
#include "pipelined/publisher/demo_history.h"
#include "pipelined/publisher/http_client.h"
#include "pipelined/publisher/publisher.h"

namespace {

using namespace pipelined;
using nlohmann::json;

constexpr auto kHttpTimeout = std::chrono::seconds(60);

struct Options {
  std::string endpoint = "tcp://127.0.0.1:7010";
  std::string web = "http://127.0.0.1:9810";
  std::string plan_file;
  std::string from_text;
  std::string until_text = "2025-12-31";
  std::uint64_t seed = 1;
  int due_day = model::kDefaultReportDueDay;
  std::string days = "all";
  int max_delay_days = 62;
  bool quiet = false;
  bool check = false;
  std::string json_file;
  std::vector<std::string> trace;  // projects whose every change of verdict is printed
};

// The days of a month the benchmark reads the verdicts on with --days
// reporting: the 1st, the due day, the day after it, the 20th and the last.
bool IsReportingDay(const model::Date& day, int due_day) {
  return day.day == 1 || day.day == due_day || day.day == due_day + 1 || day.day == 20 ||
         day.day == model::DaysInMonth(day.year, day.month);
}

bool Fail(const std::string& message) {
  std::cerr << "pipelined-detection: " << message << "\n";
  return false;
}

bool SetClock(const publisher::HttpUrl& web, const model::Date& day) {
  publisher::HttpUrl url = web;
  url.path = "/-/clock?to=" + day.ToString() + "T23:00:00";
  publisher::HttpResponse response = publisher::HttpSend("PUT", url, kHttpTimeout);
  if (!response.ok()) {
    return Fail("cannot set the daemon's clock (" +
                (response.error.empty() ? std::to_string(response.status) + " " + response.body : response.error) +
                "): start it with --clock.start, --clock.rate=0 and --clock.settable");
  }
  return true;
}

bool ReadVerdicts(const publisher::HttpUrl& web, std::map<std::string, detection::Verdict>* verdicts,
                  std::string* reporting_month) {
  publisher::HttpUrl url = web;
  url.path = "/api/v1/projects";
  publisher::HttpResponse response = publisher::HttpGet(url, kHttpTimeout);
  if (!response.ok()) return Fail("cannot read " + url.ToString() + ": " + response.error + response.body);
  json document = json::parse(response.body, nullptr, false);
  if (document.is_discarded() || !document.contains("projects")) return Fail("unexpected answer from " + url.ToString());
  *reporting_month = document.value("reporting_month", "");
  verdicts->clear();
  for (const json& project : document["projects"]) {
    detection::Verdict verdict;
    verdict.status = project.value("status", "");
    for (const json& reason : project["reasons"]) {
      verdict.reasons += (verdict.reasons.empty() ? "" : ",") + reason.value("reason", "") + ":" +
                         reason.value("level", "");
    }
    (*verdicts)[project.value("code", "")] = std::move(verdict);
  }
  return true;
}

std::string Median(const std::vector<int>& sorted) {
  if (sorted.empty()) return "-";
  return std::to_string(sorted[sorted.size() / 2]);
}

json ToJson(const detection::Score& score) {
  json behaviours = json::array();
  for (const auto& b : score.behaviours) {
    behaviours.push_back({{"behaviour", b.behaviour},
                          {"projects", b.projects},
                          {"fell_behind", b.fell_behind},
                          {"detected_in_time", b.detected_in_time},
                          {"pending", b.pending},
                          {"median_delay_days", b.delays_days.empty() ? json(nullptr) : json(b.delays_days[b.delays_days.size() / 2])},
                          {"max_delay_days", b.delays_days.empty() ? json(nullptr) : json(b.delays_days.back())},
                          {"missed", b.missed}});
  }
  json false_alarms = json::array();
  for (const auto& f : score.false_alarms) {
    false_alarms.push_back({{"day", f.day.ToString()}, {"project", f.project}, {"behaviour", f.behaviour},
                            {"status", f.status}, {"reasons", f.reasons}});
  }
  return {{"first_day", score.first_day.ToString()},
          {"last_day", score.last_day.ToString()},
          {"evaluated_days", score.evaluated_days},
          {"projects", score.projects},
          {"false_alarm_project_days", score.false_alarm_project_days},
          {"false_alarm_days", score.false_alarm_days},
          {"most_false_alarms_on_a_day", score.most_false_alarms_on_a_day},
          {"false_alarms", std::move(false_alarms)},
          {"detections", std::move(behaviours)},
          {"status_changes", score.status_changes},
          {"alert_changes", score.alert_changes},
          {"escalations", score.escalations},
          {"real_changes", score.real_changes},
          {"project_years", score.project_years},
          {"not_reported_project_days", score.not_reported_project_days},
          {"flapping_projects", score.flapping},
          {"targets_met", score.TargetsMet()}};
}

void PrintScore(const detection::Score& score) {
  auto met = [](bool ok) { return ok ? "MET" : "NOT MET"; };
  std::printf("\n== totals: %s to %s, %d days evaluated, %d projects\n", score.first_day.ToString().c_str(),
              score.last_day.ToString().c_str(), score.evaluated_days, score.projects);
  std::printf("false alarms: %d project-days on %d days, at most %d on one day (target: none on any day) [%s]\n",
              score.false_alarm_project_days, score.false_alarm_days, score.most_false_alarms_on_a_day,
              met(score.NoFalseAlarms()));
  for (const auto& f : score.false_alarms) {
    std::printf("  false alarm %s %s (%s): %s %s\n", f.day.ToString().c_str(), f.project.c_str(),
                f.behaviour.c_str(), f.status.c_str(), f.reasons.c_str());
  }
  std::printf("detections (target: every project flagged within %d days of falling behind):\n", score.max_delay_days);
  for (const auto& b : score.behaviours) {
    std::printf("  %-10s %3d projects, %3d fell behind in time to judge, %3d detected within %d days "
                "(delay median %s, max %s days), %d missed, %d still pending at the end [%s]\n",
                b.behaviour.c_str(), b.projects, b.fell_behind, b.detected_in_time, score.max_delay_days,
                Median(b.delays_days).c_str(), b.delays_days.empty() ? "-" : std::to_string(b.delays_days.back()).c_str(),
                static_cast<int>(b.missed.size()), b.pending, met(b.missed.empty()));
    for (const std::string& code : b.missed) std::printf("    missed %s\n", code.c_str());
  }
  const double years = score.project_years > 0 ? score.project_years : 1;
  std::printf("flapping: %d status changes (%.3f per project-year; %d project-days not reported), %d alert-level "
              "changes (%.3f per project-year, %d of them escalations at_risk -> lagging) against %d real changes "
              "of behaviour; projects whose alert level changed more often than their behaviour: %d (target: none) "
              "[%s]\n",
              score.status_changes, score.status_changes / years, score.not_reported_project_days,
              score.alert_changes, score.alert_changes / years, score.escalations, score.real_changes,
              static_cast<int>(score.flapping.size()), met(score.NoFlapping()));
  for (size_t i = 0; i < score.flapping.size() && i < 20; ++i) std::printf("    flapping %s\n", score.flapping[i].c_str());
  std::printf("targets %s\n", score.TargetsMet() ? "met" : "NOT met");
}

bool Run(const Options& options, int* exit_code) {
  std::string error;
  auto web = publisher::HttpUrl::Parse(options.web, &error);
  if (!web) return Fail("--web: " + error);
  auto until = model::Date::Parse(options.until_text);
  if (!until) return Fail("--until must be YYYY-MM-DD");
  config::PlanLoadResult loaded =
      options.plan_file.empty() ? config::LoadEmbeddedPlan() : config::LoadPlanFile(options.plan_file);
  if (!loaded.plan) return Fail(config::JoinErrors(loaded.errors));
  const model::Plan& plan = *loaded.plan;
  model::Date from{plan.period_start.year, plan.period_start.month, 1};
  if (!options.from_text.empty()) {
    auto parsed = model::Date::Parse(options.from_text);
    if (!parsed) return Fail("--from must be YYYY-MM-DD");
    from = *parsed;
  }

  publisher::DemoOptions demo_options;
  demo_options.until = *until;
  demo_options.seed = options.seed;
  demo_options.calendar = model::ReportingCalendar(options.due_day);
  publisher::DemoHistory history = publisher::BuildDemoHistory(plan, demo_options);
  detection::DetectionScorer scorer(history.truth, options.max_delay_days);
  std::printf("pipelined-detection: plan %s, %zu projects, %zu events, %s to %s, verdicts read on %s days; "
              "reports due by day %d\n",
              plan.code.c_str(), plan.projects.size(), history.events.size(), from.ToString().c_str(),
              until->ToString().c_str(), options.days == "all" ? "all" : "reporting", options.due_day);

  publisher::PublisherOptions publisher_options;
  publisher_options.endpoint = options.endpoint;
  publisher::Publisher publisher(publisher_options);
  std::uint64_t sequence = 1;
  v1::EventBatch batch;
  auto flush = [&]() {
    if (batch.events_size() == 0) return true;
    std::string publish_error;
    auto reply = publisher.Publish(batch, &publish_error);
    if (!reply) return Fail(publish_error);
    for (int i = 0; i < reply->results_size(); ++i) {
      const auto& result = reply->results(i);
      if (result.status() == v1::REJECTED) {
        return Fail("the daemon rejected " + batch.events(i).event_id() + ": " + result.reason() + " " +
                    result.message());
      }
    }
    batch.clear_events();
    return true;
  };

  size_t next = 0;
  std::map<std::string, detection::Verdict> verdicts;
  std::map<std::string, detection::Verdict> traced;
  for (std::int64_t d = from.DaysSinceEpoch(); d <= until->DaysSinceEpoch(); ++d) {
    const model::Date day = model::Date::FromDaysSinceEpoch(d);
    if (!SetClock(*web, day)) return false;
    // What arrived before the first day evaluated is sent on it.
    for (; next < history.events.size() && !(day < history.events[next].publish_on); ++next) {
      v1::Event& event = *batch.add_events();
      event = history.events[next].event;
      event.set_source("pipelined-detection");
      event.set_sequence(sequence++);
      if (batch.events_size() >= 500 && !flush()) return false;
    }
    if (!flush()) return false;
    if (options.days != "all" && !IsReportingDay(day, options.due_day)) continue;
    std::string reporting_month;
    if (!ReadVerdicts(*web, &verdicts, &reporting_month)) return false;
    for (const std::string& code : options.trace) {
      const detection::Verdict& now = verdicts[code];
      detection::Verdict& before = traced[code];
      if (now.status != before.status || now.reasons != before.reasons) {
        std::printf("%s trace %s: %s %s\n", day.ToString().c_str(), code.c_str(), now.status.c_str(),
                    now.reasons.c_str());
        before = now;
      }
    }
    const detection::DayScore s = scorer.Observe(day, verdicts);
    if (!options.quiet || s.false_alarms > 0) {
      std::printf("%s reporting %s: at_risk %3d lagging %3d not_reported %3d | false alarms %d, new detections %d, "
                  "status changes %d\n",
                  day.ToString().c_str(), reporting_month.c_str(), s.at_risk, s.lagging, s.not_reported,
                  s.false_alarms, s.new_detections, s.status_changes);
    }
  }
  const detection::Score score = scorer.Finish();
  PrintScore(score);
  if (!options.json_file.empty()) {
    std::ofstream out(options.json_file);
    out << ToJson(score).dump(2) << "\n";
    if (!out) return Fail("cannot write " + options.json_file);
  }
  *exit_code = options.check && !score.TargetsMet() ? 1 : 0;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipelined-detection: replays the demo history into a daemon on a settable virtual clock, day by day,\n"
               "and scores its verdicts against what the history scripts for each project (docs/lagging.md).\n"
               "The daemon must run with --clock.start=<first day> --clock.rate=0 --clock.settable on an empty store.",
               "pipelined-detection"};
  Options options;
  app.add_option("--endpoint", options.endpoint, "Daemon ingest endpoint")->capture_default_str();
  app.add_option("--web", options.web, "Daemon web address")->capture_default_str();
  app.add_option("--plan.file", options.plan_file, "The daemon's plan (default: the embedded Ningbo plan)");
  app.add_option("--from", options.from_text, "First simulated day YYYY-MM-DD (default: the plan period's start)");
  app.add_option("--until", options.until_text, "Last simulated day YYYY-MM-DD")->capture_default_str();
  app.add_option("--seed", options.seed, "Seed of the demo history")->capture_default_str();
  app.add_option("--reporting.due-day", options.due_day, "The daemon's --reporting.due-day")
      ->capture_default_str()
      ->check(CLI::Range(1, model::kMaxReportDueDay));
  app.add_option("--days", options.days,
                 "Days to read the verdicts on: all, or reporting (the 1st, the due day and the day after, the 20th "
                 "and the last of each month)")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "reporting"}));
  app.add_option("--max-delay-days", options.max_delay_days, "Detection target: days from falling behind to a flag")
      ->capture_default_str();
  app.add_flag("--quiet", options.quiet, "Print only days with false alarms, and the totals");
  app.add_flag("--check", options.check, "Exit 1 when a target is missed");
  app.add_option("--json", options.json_file, "Also write the totals as JSON to this file");
  app.add_option("--trace", options.trace, "Print every change of this project's verdict and reasons (repeatable)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  int exit_code = 0;
  if (!Run(options, &exit_code)) return 2;
  return exit_code;
}
