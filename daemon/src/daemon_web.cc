// The daemon's web routes: metrics, status pages, the JSON API and the
// lifecycle endpoints. Each reads the programme that is current when the
// request arrives (a reload may replace it meanwhile).
#include <map>

#include <spdlog/spdlog.h>

#include <cstdio>

#include "daemon.h"
#include "pipelined/config/settings.h"
#include "pipelined/exporters/json_api.h"
#include "pipelined/exporters/metric_sink.h"
#include "pipelined/exporters/status_page.h"
#include "version.h"

namespace pipelined::daemon {
namespace {

constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json";
constexpr char kNotReady[] = "Not ready: rebuilding the state from the event store.\n";

HttpResponse Html(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kHtml;
  response.body = std::move(body);
  return response;
}

HttpResponse Json(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = kJson;
  response.body = std::move(body);
  return response;
}

// The HTTP server's own counters, in the same scrape as everything else.
void WriteHttpFamilies(const std::vector<HttpRouteStats>& stats, exporters::MetricSink& sink) {
  sink.Family("pipelined_http_requests_total", "Requests to the web port, by route and HTTP status code.",
              prometheus::MetricType::Counter);
  std::map<std::string, double> seconds_by_route;
  for (const HttpRouteStats& route : stats) {
    const std::string code = std::to_string(route.status);
    sink.Sample({{"handler", route.route}, {"code", code}}, static_cast<double>(route.requests));
    seconds_by_route[route.route] += route.seconds;
  }
  sink.Family("pipelined_http_request_seconds_total",
              "Time spent answering requests to the web port, by route, in seconds.", prometheus::MetricType::Counter);
  for (const auto& [route, total] : seconds_by_route) sink.Sample({{"handler", route}}, total);
}

}  // namespace

void Daemon::RegisterWebRoutes() {
  HttpServer& web = *web_;
  web.Route("/-/healthy", "healthy", {"GET"}, [](const HttpRequest&) { return HttpResponse::Text(200, "Healthy.\n"); },
            /*open=*/true);
  web.Route("/-/ready", "ready", {"GET"},
            [this](const HttpRequest&) {
              return ready_ ? HttpResponse::Text(200, "Ready.\n") : HttpResponse::Text(503, kNotReady);
            },
            /*open=*/true);
  web.Route("/-/reload", "reload", {"POST", "PUT"}, [this](const HttpRequest& r) { return ServeReload(r); });
  web.Route("/-/clock", "clock", {"GET", "PUT", "POST"}, [this](const HttpRequest& r) { return ServeClock(r); });
  web.Route("/metrics", "metrics", {"GET"}, [this](const HttpRequest& r) { return ServeMetrics(r); });
  web.Route("/", "status", {"GET"}, [this](const HttpRequest& r) { return ServeStatusPage(r); });
  web.Route("/projects/", "project", {"GET"}, [this](const HttpRequest& r) { return ServeProjectPage(r); });
  web.Route("/api/", "api", {"GET"}, [this](const HttpRequest& r) { return ServeApi(r); });
}

HttpResponse Daemon::ServeMetrics(const HttpRequest&) {
  if (!ready_) return HttpResponse::Text(503, kNotReady);
  SeeAcknowledgedEvents();
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  // Written and sent in pieces of 256 KiB, straight from the model: no
  // MetricFamily objects and no whole body, which on a plan of 100,000
  // projects would be hundreds of megabytes (docs/benchmarks.md, "Scrape
  // cost and memory per series").
  response.stream = [this, serving = Current()](const HttpBodyWriter& write) {
    constexpr size_t kPiece = 256 * 1024;
    std::string text;
    text.reserve(kPiece + 4096);
    exporters::TextMetricSink sink(&text, kPiece, [&write](std::string* piece) {
      write(*piece);
      piece->clear();
    });
    serving->programme_collector->Write(sink);
    serving->daemon_collector->Write(sink);
    WriteHttpFamilies(web_->Stats(), sink);
    sink.Flush();
  };
  return response;
}

HttpResponse Daemon::ServeStatusPage(const HttpRequest& request) {
  if (request.path != "/") {
    return Html(404, exporters::RenderMessagePage("Not found", "There is no page at " + request.path + "."));
  }
  if (!ready_) return Html(503, exporters::RenderMessagePage("Starting", kNotReady));
  SeeAcknowledgedEvents();
  const std::shared_ptr<const Serving> serving = Current();
  const model::Programme& programme = *serving->programme;
  const model::Plan& plan = programme.plan();
  exporters::StatusPageInputs inputs;
  inputs.version = kVersion;
  inputs.virtual_clock = clock_->IsVirtual();
  inputs.plan_code = plan.code;
  inputs.plan_name = plan.name;
  inputs.plan_period = plan.period_start.ToString() + " to " + plan.period_end.ToString();
  inputs.event_counts = programme.EventCounts();
  inputs.stored_events = ingest_counters_.stored_events.load();
  inputs.orphaned_events = ingest_counters_.orphaned_events.load();
  inputs.malformed_messages = ingest_counters_.messages_malformed.load();
  inputs.connections = ingest_counters_.connections.load();
  inputs.last_reload_successful = ingest_counters_.last_reload_successful.load();
  inputs.last_reload_success_unix = static_cast<std::int64_t>(ingest_counters_.last_reload_success_unix.load());
  inputs.recent_rejections = rejection_log_->Recent();
  return Html(200, exporters::RenderStatusPage(programme.BuildReport(), inputs));
}

HttpResponse Daemon::ServeProjectPage(const HttpRequest& request) {
  if (!ready_) return Html(503, exporters::RenderMessagePage("Starting", kNotReady));
  SeeAcknowledgedEvents();
  const std::string code = request.path.substr(std::string("/projects/").size());
  const std::shared_ptr<const Serving> serving = Current();
  std::optional<model::ProjectDetail> detail = serving->programme->Detail(code);
  if (!detail) {
    return Html(404, exporters::RenderMessagePage("No such project",
                                                  "The plan has no project with the code \"" + code + "\"."));
  }
  return Html(200, exporters::RenderProjectPage(*detail, clock_->IsVirtual()));
}

HttpResponse Daemon::ServeApi(const HttpRequest& request) {
  if (!ready_) return Json(503, exporters::ErrorJson(kNotReady));
  SeeAcknowledgedEvents();
  const std::shared_ptr<const Serving> serving = Current();
  const model::Programme& programme = *serving->programme;
  const std::string projects_prefix = "/api/v1/projects/";
  if (request.path == "/api/v1/projects") {
    exporters::ProjectFilter filter{request.QueryValue("status"), request.QueryValue("area"),
                                    request.QueryValue("cluster"), request.QueryValue("district")};
    if (!filter.status.empty() && filter.status != "on_track" && filter.status != "not_reported" &&
        filter.status != "at_risk" && filter.status != "lagging") {
      return Json(400, exporters::ErrorJson("status must be on_track, not_reported, at_risk or lagging, not \"" +
                                            filter.status + "\""));
    }
    return Json(200, exporters::ProjectsJson(programme.BuildReport(), filter));
  }
  if (request.path.rfind(projects_prefix, 0) == 0) {
    const std::string code = request.path.substr(projects_prefix.size());
    std::optional<model::ProjectDetail> detail = programme.Detail(code);
    if (!detail) return Json(404, exporters::ErrorJson("no project with the code \"" + code + "\" in the plan"));
    return Json(200, exporters::ProjectJson(*detail));
  }
  if (request.path == "/api/v1/groups") {
    const std::string type = request.QueryValue("type");
    if (!type.empty() && type != "area" && type != "cluster" && type != "district" && type != "plan") {
      return Json(400, exporters::ErrorJson("type must be area, cluster, district or plan, not \"" + type + "\""));
    }
    return Json(200, exporters::GroupsJson(programme.BuildReport(), type));
  }
  return Json(404, exporters::ErrorJson("no API endpoint at " + request.path + "; see docs/api.md"));
}

HttpResponse Daemon::ServeReload(const HttpRequest&) {
  if (!start_settings_.web_enable_lifecycle) {
    return HttpResponse::Text(403, "Lifecycle API is not enabled: start with --web.enable-lifecycle, or send "
                                   "SIGHUP.\n");
  }
  ReloadResult result = Reload("POST /-/reload");
  return HttpResponse::Text(result.ok ? 200 : 500, result.message + "\n");
}

HttpResponse Daemon::ServeClock(const HttpRequest& request) {
  auto now_text = [this] {
    const std::int64_t now = clock_->NowUnixSeconds();
    return model::ShanghaiDateTime(now) + " (Asia/Shanghai), unix " + std::to_string(now) + "\n";
  };
  if (request.method == "GET") return HttpResponse::Text(200, now_text());
  if (settable_clock_ == nullptr) {
    return HttpResponse::Text(403, "The clock cannot be set: start with --clock.start and --clock.settable.\n");
  }
  const std::string to = request.QueryValue("to");
  const std::optional<std::int64_t> instant = config::ParseClockStart(to);
  if (!instant) {
    return HttpResponse::Text(400, "to=\"" + to + "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (Asia/Shanghai)\n");
  }
  // Acknowledged events are applied at the time they were checked against.
  SeeAcknowledgedEvents();
  settable_clock_->Set(*instant);
  spdlog::info("virtual clock set to {} by {} /-/clock", to, request.method);
  {
    std::lock_guard lock(watcher_mutex_);
    clock_moved_ = true;
  }
  watcher_wakeup_.notify_all();
  return HttpResponse::Text(200, now_text());
}

}  // namespace pipelined::daemon
