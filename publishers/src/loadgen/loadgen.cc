#include "pipelined/loadgen/loadgen.h"

#include "pipelined/config/plan_loader.h"
#include "pipelined/loadgen/event_generator.h"
#include "pipelined/loadgen/metrics_snapshot.h"
#include "pipelined/loadgen/summary.h"
#include "pipelined/loadgen/verification.h"
#include "pipelined/publisher/event_builder.h"

namespace pipelined::loadgen {
namespace {

constexpr std::chrono::milliseconds kScrapeTimeout{30000};

std::optional<model::Plan> LoadPlan(const LoadgenConfig& config, std::ostream& err) {
  config::PlanLoadResult loaded;
  if (config.plan_file.empty()) {
    config::SyntheticPlanOptions synthetic = config.synthetic;
    synthetic.seed = config.load.seed;
    loaded = config::LoadPlanFromString(config::SyntheticPlanYaml(synthetic), "<synthetic plan>");
  } else {
    loaded = config::LoadPlanFile(config.plan_file);
  }
  if (!loaded.plan) err << config::JoinErrors(loaded.errors) << "\n";
  return std::move(loaded.plan);
}

std::optional<MetricsSnapshot> Scrape(const publisher::HttpUrl& url, std::ostream& err) {
  const publisher::HttpResponse response = publisher::HttpGet(url, kScrapeTimeout);
  if (!response.ok()) {
    err << "pipelined-loadgen: cannot read the daemon's metrics: " << response.error << "\n";
    return std::nullopt;
  }
  return ParseMetricsSnapshot(response.body);
}

// The project's API document on the host of /metrics, behind the same path
// prefix if /metrics has one (a reverse proxy).
std::string ApiPath(const std::string& metrics_path, const std::string& project) {
  const std::string suffix = "/metrics";
  std::string prefix;
  if (metrics_path.size() >= suffix.size() &&
      metrics_path.compare(metrics_path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    prefix = metrics_path.substr(0, metrics_path.size() - suffix.size());
  }
  return prefix + "/api/v1/projects/" + project;
}

// The probe's project and where it looks; false (after saying why) when the
// plan cannot have one.
bool SetUpProbe(const LoadgenConfig& config, const model::Plan& plan, const publisher::HttpUrl& metrics_url,
                ProbeOptions* probe, std::ostream& err) {
  probe->project = config.probe_project.empty() ? plan.projects.back().code : config.probe_project;
  if (plan.FindProject(probe->project) == nullptr) {
    err << "pipelined-loadgen: --probe-project " << probe->project << " is not in plan " << plan.code << "\n";
    return false;
  }
  if (plan.projects.size() < 2) {
    err << "pipelined-loadgen: visibility probes need a plan of at least 2 projects (one is kept for them)\n";
    return false;
  }
  probe->via = config.probe_via;
  probe->url = metrics_url;
  if (probe->via == ProbeVia::kApi) probe->url.path = ApiPath(metrics_url.path, probe->project);
  return true;
}

// Everything the daemon acknowledged to the run, probes included.
Acknowledged AcknowledgedTo(const LoadResult& result) {
  Acknowledged acknowledged;
  acknowledged.accepted = result.accepted + result.probe.accepted;
  acknowledged.duplicates = result.duplicates;
  acknowledged.rejected = result.rejected() + result.probe.rejected;
  acknowledged.unanswered_events = result.unanswered_events + result.probe.unanswered;
  acknowledged.accepted_investment_fen = result.accepted_investment_fen + result.probe.accepted_investment_fen;
  return acknowledged;
}

}  // namespace

int RunLoadgen(LoadgenConfig config, std::ostream& out, std::ostream& err) {
  LoadOptions& load = config.load;
  const std::optional<model::Plan> plan = LoadPlan(config, err);
  if (!plan) return kExitUsage;

  std::string url_error;
  const std::optional<publisher::HttpUrl> metrics_url = publisher::HttpUrl::Parse(config.metrics_url, &url_error);
  if (!metrics_url) {
    err << "pipelined-loadgen: --metrics-url: " << url_error << "\n";
    return kExitUsage;
  }
  const bool probing = config.probes.value_or(load.rate > 0);
  if (probing && !SetUpProbe(config, *plan, *metrics_url, &load.probe, err)) return kExitUsage;
  try {
    publisher::Publisher check(load.connection);
  } catch (const zmq::error_t& e) {
    err << "pipelined-loadgen: --endpoint " << load.connection.endpoint << ": " << e.what() << "\n";
    return kExitUsage;
  }

  // The daemon's metrics before the run: the baseline to verify against,
  // its plan and date, and the sequences to continue.
  std::optional<MetricsSnapshot> before;
  if (config.verify || probing || !config.until) {
    before = Scrape(*metrics_url, err);
    if (!before && (config.verify || probing)) {
      err << "pipelined-loadgen: is pipelined running with --web.listen-address at " << metrics_url->ToString()
          << "? (--no-verify and --until run without metrics)\n";
      return kExitUnreachable;
    }
  }
  if (before && !before->plan_code.empty() && before->plan_code != plan->code) {
    err << "pipelined-loadgen: the daemon runs plan " << before->plan_code << ", not " << plan->code
        << ": give the loadgen the daemon's plan (--plan FILE, or the same --projects and --seed the synthetic "
           "plan was written with)\n";
    return kExitUsage;
  }
  model::Date today = model::Date::FromUnixSecondsShanghai(publisher::UnixNowSeconds());
  if (config.until) {
    today = *config.until;
  } else if (before && before->clock_unix_seconds) {
    today = model::Date::FromUnixSecondsShanghai(*before->clock_unix_seconds);
  }
  const std::optional<model::Date> last_date = LastEventDate(*plan, today);
  if (!last_date) {
    err << "pipelined-loadgen: the daemon's date " << today.ToString() << " is before the plan period, which starts "
        << plan->period_start.ToString() << ": every event would be rejected (run the daemon with --clock.start "
        << "inside the plan period)\n";
    return kExitUsage;
  }
  load.last_date = *last_date;
  load.run_id = NewRunId();
  if (before) {
    load.last_sequence_by_source = before->last_sequence_by_source;
    if (probing) {
      auto it = before->investment_fen_by_project.find(load.probe.project);
      load.probe.baseline_fen = it == before->investment_fen_by_project.end() ? 0 : it->second;
    }
  }

  RunReport report;
  report.options = &load;
  report.plan_code = plan->code;
  report.plan_projects = plan->projects.size();
  report.result = RunLoad(*plan, load);
  if (!report.result.reached) {
    err << "pipelined-loadgen: " << report.result.error << "\n";
    return kExitUnreachable;
  }
  report.exit_code = kExitOk;
  if (config.verify) {
    const std::optional<MetricsSnapshot> after = Scrape(*metrics_url, err);
    if (!after) {
      report.exit_code = kExitUnreachable;
    } else {
      report.verification = Verify(*before, *after, AcknowledgedTo(report.result), RunSources(load), *plan);
      if (!report.verification->ok) report.exit_code = kExitVerificationFailed;
    }
  }
  if (config.json) {
    out << SummaryJson(report).dump(2) << "\n";
  } else {
    out << SummaryText(report);
  }
  return report.exit_code;
}

}  // namespace pipelined::loadgen
