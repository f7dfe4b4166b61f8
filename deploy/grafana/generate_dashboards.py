#!/usr/bin/python3
"""Writes the Grafana dashboards of pipelined into deploy/grafana/dashboards/.

The JSON files are generated so that the four dashboards share one style and
stay consistent; edit this script and rerun it (/usr/bin/python3, stdlib only):

    deploy/grafana/generate_dashboards.py

Every query uses the daemon's raw metrics (no recording rules), so the
dashboards work with any rule files. Ages are measured against
pipelined_clock_time_seconds, never time(): the daemon may run on a virtual
clock.

The figures are the same with one daemon, a high-availability pair and
shards (docs/scaling.md): every series is taken once per daemon's worth of
data, `max without (instance, replica) (...)`, since the replicas of a pair
serve the same figures; group totals are the sum of that over the shards;
ratios are computed from those totals, never summed or averaged; a project,
which lives on one shard, is `max by (project, ...)`. The integration test
DashboardQueriesTest runs every query against the real Prometheus on all
three setups and compares the answers."""
import json
import os
import sys

DATASOURCE = {"type": "prometheus", "uid": "pipelined-prometheus"}


class Dashboard:
    def __init__(self, uid, title, description, variables=()):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.y, self.next_id = [], 0, 1
        self.variables = list(variables)

    def row(self, title):
        self.panels.append({"type": "row", "title": title, "id": self._id(), "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def add(self, panels, height=8):
        """Adds panels side by side in one band of the given height."""
        width = 24 // len(panels)
        for i, panel in enumerate(panels):
            panel["id"] = self._id()
            panel["gridPos"] = {"h": height, "w": width, "x": i * width, "y": self.y}
            panel["datasource"] = DATASOURCE
            for target in panel.get("targets", []):
                target["datasource"] = DATASOURCE
            self.panels.append(panel)
        self.y += height

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def json(self):
        return {
            "uid": self.uid, "title": self.title, "description": self.description,
            "tags": ["pipelined"], "timezone": "Asia/Shanghai", "schemaVersion": 37, "version": 1,
            "editable": True, "refresh": "1m", "time": {"from": "now-7d", "to": "now"},
            "templating": {"list": self.variables}, "annotations": {"list": []}, "panels": self.panels,
        }


def target(expr, legend="", instant=False, ref="A", fmt="time_series"):
    t = {"expr": expr, "refId": ref, "legendFormat": legend, "format": fmt}
    if instant:
        t["instant"] = True
        t["range"] = False
    return t


def stat(title, expr, unit="short", description="", decimals=None):
    panel = {"type": "stat", "title": title, "description": description,
             "targets": [target(expr, instant=True)],
             "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
             "options": {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value", "graphMode": "none"}}
    if decimals is not None:
        panel["fieldConfig"]["defaults"]["decimals"] = decimals
    return panel


def timeseries(title, targets, unit="short", description=""):
    return {"type": "timeseries", "title": title, "description": description, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom"}}}


def bargauge(title, expr, legend, unit="percentunit", description="", maximum=None):
    panel = {"type": "bargauge", "title": title, "description": description,
             "targets": [target(expr, legend, instant=True)],
             "fieldConfig": {"defaults": {"unit": unit, "min": 0}, "overrides": []},
             "options": {"orientation": "horizontal", "displayMode": "gradient",
                         "reduceOptions": {"calcs": ["lastNotNull"]}}}
    if maximum is not None:
        panel["fieldConfig"]["defaults"]["max"] = maximum
    return panel


def table(title, targets, description="", rename=None, exclude=("Time",)):
    """An instant table joining several queries on their labels."""
    organize = {"excludeByName": {name: True for name in exclude}, "renameByName": rename or {}}
    return {"type": "table", "title": title, "description": description, "targets": targets,
            "fieldConfig": {"defaults": {}, "overrides": []},
            "transformations": [{"id": "merge", "options": {}}, {"id": "organize", "options": organize}],
            "options": {"showHeader": True}}


def query_variable(name, label, query, include_all=True, multi=True):
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "query": {"query": query, "refId": name}, "definition": query, "refresh": 2,
            "includeAll": include_all, "multi": multi, "allValue": ".*",
            "current": {"text": "All", "value": "$__all"} if include_all else {}, "sort": 1}


def once(expr):
    """The series of expr once per daemon's worth of data: the replicas of a
    high-availability pair (scraped with a `replica` label) serve the same
    figures; shards (with a `shard` label) serve different ones."""
    return "max without (instance, replica) (%s)" % expr


def total(metric, selector, by="group_type, group"):
    """A group figure summed over the shards."""
    return "sum by (%s) (%s)" % (by, once("%s{%s}" % (metric, selector)))


def ratio(numerator, denominator, selector, by="group_type, group"):
    """A group ratio from the totals of its two figures; absent where the
    denominator is 0, as the daemon's is."""
    return "%s / (%s > 0)" % (total(numerator, selector, by), total(denominator, selector, by))


def completion(selector, by="group_type, group"):
    """A group's completion rate for the year: none while nothing is
    reported or expected (no data is not 0% done)."""
    ytd = total("pipelined_group_investment_year_to_date_yuan", selector, by)
    expected = total("pipelined_group_investment_expected_year_to_date_yuan", selector, by)
    return "%s and (%s + %s > 0)" % (ratio("pipelined_group_investment_year_to_date_yuan",
                                           "pipelined_group_investment_planned_reporting_year_yuan", selector, by),
                                     ytd, expected)


def project(metric, selector, by="project"):
    """A project's series: on one shard, the same on each replica."""
    return "max by (%s) (%s{%s})" % (by, metric, selector)


def plan_overview():
    d = Dashboard("pipelined-plan-overview", "pipelined: plan overview",
                  "Planned against completed investment of the whole plan and by area, cluster and district; "
                  "statuses, reporting timeliness, start and launch rates, year-over-year growth, cluster output "
                  "against target.")
    d.row("Whole plan")
    plan = 'group_type="plan"'
    ytd, planned = "pipelined_group_investment_year_to_date_yuan", "pipelined_group_investment_planned_reporting_year_yuan"
    expected = "pipelined_group_investment_expected_year_to_date_yuan"
    d.add([
        stat("Planned investment, plan period", "sum(%s)" % total("pipelined_group_investment_planned_period_yuan", plan),
             "currencyCNY"),
        stat("Completed in the plan period", "sum(%s)" % total("pipelined_group_investment_completed_period_yuan", plan),
             "currencyCNY", "Reported for periods inside the plan period."),
        stat("Completion rate this year", "sum(%s)" % completion(plan), "percentunit",
             "Reporting year to date against the year's plan."),
        stat("Expected by the projects' schedules", "sum(%s)" % ratio(expected, planned, plan), "percentunit",
             "What the projects' own schedules expect by now, each as of its last report (docs/lagging.md)."),
        stat("Calendar pro-rata (序时进度)", "max(pipelined_pro_rata_ratio)", "percentunit"),
        stat("SPI", "sum(%s)" % ratio("pipelined_group_earned_value_yuan", "pipelined_group_planned_value_yuan", plan),
             "short", decimals=2),
    ], height=5)
    d.add([
        stat("Projects lagging", "sum(%s)" % total("pipelined_group_projects_by_status", plan + ',status="lagging"')),
        stat("Projects at risk", "sum(%s)" % total("pipelined_group_projects_by_status", plan + ',status="at_risk"')),
        stat("Projects not reported", "sum(%s)" % total("pipelined_group_projects_by_status",
                                                        plan + ',status="not_reported"'),
             description="Due to report for the reporting month, the due day passed, the report not in."),
        stat("Reported on time (报送及时率)", "sum(%s)" % ratio("pipelined_group_projects_reported_on_time",
                                                             "pipelined_group_projects_due_to_report", plan),
             "percentunit", "Projects that reported for the reporting month by its due day, of those due."),
        stat("Reports in for the next month", "sum(%s)" % total("pipelined_group_projects_reported_next_month", plan),
             description="Reports already in for the month being collected."),
        stat("Catching up on history", "max(pipelined_catching_up)",
             description="1 while history arrives in bulk and the statuses are held (docs/lagging.md)."),
    ], height=4)
    d.add([
        timeseries("Projects by status", [target(total("pipelined_group_projects_by_status", plan, "status"),
                                                 "{{status}}")]),
        timeseries("Investment against plan (yuan)", [
            target("sum(%s)" % total("pipelined_group_earned_value_yuan", plan), "earned value", ref="A"),
            target("sum(%s)" % total("pipelined_group_planned_value_yuan", plan), "planned value", ref="B"),
        ], "currencyCNY"),
        timeseries("Year-over-year growth of completed investment", [
            target("sum(%s) - 1" % ratio("pipelined_group_investment_month_yuan",
                                         "pipelined_group_investment_month_previous_year_yuan", plan),
                   "reporting month", ref="A"),
            target("sum(%s) - 1" % ratio(ytd, "pipelined_group_investment_year_to_date_previous_year_yuan", plan),
                   "year to date", ref="B"),
        ], "percentunit"),
    ])
    for group_type, title in (("area", "By area"), ("cluster", "By cluster"), ("district", "By district")):
        d.row(title)
        selector = 'group_type="%s"' % group_type
        panels = [
            bargauge("Completion rate this year", completion(selector), "{{group}}", maximum=1),
            bargauge("Gap to the projects' schedules (points)",
                     "(%s - %s) / (%s > 0) * 100 and %s" % (total(ytd, selector), total(expected, selector),
                                                            total(planned, selector), completion(selector)),
                     "{{group}}", unit="short"),
            bargauge("Reported on time", ratio("pipelined_group_projects_reported_on_time",
                                               "pipelined_group_projects_due_to_report", selector),
                     "{{group}}", maximum=1),
            bargauge("Started of those due", ratio("pipelined_group_projects_due_started",
                                                   "pipelined_group_projects_due_to_start", selector),
                     "{{group}}", maximum=1),
            bargauge("Projects lagging", total("pipelined_group_projects_by_status", selector + ',status="lagging"'),
                     "{{group}}", unit="short"),
        ]
        if group_type == "cluster":
            panels.append(bargauge("Output (revenue) against target",
                                   ratio("pipelined_group_output_revenue_year_to_date_yuan",
                                         "pipelined_group_output_target_yuan", selector), "{{group}}", maximum=1))
            panels.append(bargauge("Lines launched of those due",
                                   ratio("pipelined_group_production_lines_due_launched",
                                         "pipelined_group_production_lines_due", selector),
                                   "{{group}}", maximum=1))
        d.add(panels, height=9)
    return d


def lagging_projects():
    filters = 'area=~"$area",district=~"$district",cluster=~"$cluster"'
    d = Dashboard("pipelined-lagging-projects", "pipelined: lagging projects",
                  "Every project that is at risk, lagging or not reported, with its reasons (docs/lagging.md).",
                  [query_variable("area", "Area", "label_values(pipelined_project_info, area)"),
                   query_variable("cluster", "Cluster", "label_values(pipelined_project_info, cluster)"),
                   query_variable("district", "District", "label_values(pipelined_project_info, district)")])
    info = "topk by (project) (1, pipelined_project_info{%s})" % filters

    def count(status):
        return 'count(%s == 1 and on(project) %s)' % (project("pipelined_project_status", 'status="%s"' % status), info)

    d.add([
        stat("Lagging", count("lagging")),
        stat("At risk", count("at_risk")),
        stat("Not reported", count("not_reported"), description="Their report for the reporting month is late."),
        stat("On track", count("on_track")),
        stat("Rule set", "max by (rule_set) (pipelined_lagging_rule_set_info)", description="The rule set in use."),
    ], height=4)
    flagged = '(%s == 1)' % project("pipelined_project_status", 'status=~"at_risk|lagging|not_reported"')
    d.add([table("Projects not on track, one row per reason", [
        target("%s * on(project) group_left(name, area, cluster, district) %s" % (
            project("pipelined_project_lagging_reason", "", "project, reason, level"), info),
               instant=True, fmt="table", ref="A"),
    ], "level: not_reported, at_risk or lagging. The reasons are explained in docs/lagging.md.",
        rename={"Value": "applies"})], height=14)
    d.add([table("Figures of projects not on track", [
        target("%s and on(project) %s and on(project) %s" % (
            project("pipelined_project_schedule_gap_percentage_points", ""), flagged, info),
               instant=True, fmt="table", ref="A"),
        target("%s and on(project) %s and on(project) %s" % (
            project("pipelined_project_schedule_attainment_ratio", ""), flagged, info),
               instant=True, fmt="table", ref="B"),
        target("%s and on(project) %s and on(project) %s" % (
            project("pipelined_project_schedule_delay_months", ""), flagged, info),
               instant=True, fmt="table", ref="C"),
        target("%s and on(project) %s and on(project) %s" % (
            project("pipelined_project_milestone_slip_days", ""), flagged, info),
               instant=True, fmt="table", ref="D"),
    ], "Gap to the project's own schedule in points, share of the expected investment done, months behind "
       "its planned value, worst milestone slip in days.",
        rename={"Value #A": "gap to schedule (points)", "Value #B": "of expected", "Value #C": "months behind",
                "Value #D": "worst slip (days)"})],
        height=12)
    return d


def project_detail():
    p = 'project="$project"'
    d = Dashboard("pipelined-project-detail", "pipelined: project detail",
                  "One project: status and reasons, milestones, investment against plan, forecast.",
                  [query_variable("project", "Project", "label_values(pipelined_project_info, project)",
                                  include_all=False, multi=False)])
    d.add([
        stat("Status", "%s == 1" % project("pipelined_project_status", p, "status"),
             description="on_track, not_reported, at_risk or lagging"),
        stat("Completion rate this year", project("pipelined_project_investment_completion_rate", p), "percentunit"),
        stat("Expected by its schedule", project("pipelined_project_expected_progress_ratio", p), "percentunit"),
        stat("Months behind its planned value", project("pipelined_project_schedule_delay_months", p), decimals=1),
        stat("Days since last report",
             "(max(pipelined_clock_time_seconds) - on() group_right() %s) / 86400"
             % project("pipelined_project_last_report_timestamp_seconds", p), decimals=0),
        stat("Forecast slip (days)",
             "(%s - %s) / 86400" % (project("pipelined_project_forecast_completion_timestamp_seconds", p),
                                    project("pipelined_project_planned_completion_timestamp_seconds", p)),
             decimals=0),
    ], height=4)
    d.add([
        table("Reasons", [target(project("pipelined_project_lagging_reason", p, "project, reason, level"),
                                 instant=True, fmt="table")]),
        table("Milestones", [
            target("%s == 1" % project("pipelined_project_milestone_state", p, "project, milestone, line, state"),
                   instant=True, fmt="table", ref="A"),
            target(project("pipelined_project_milestone_slip_days", p, "project, milestone, line"),
                   instant=True, fmt="table", ref="B"),
        ], rename={"Value #B": "slip (days)"}, exclude=("Time", "Value #A")),
    ], height=8)
    d.add([
        timeseries("Cumulative investment against plan (yuan)", [
            target(project("pipelined_project_earned_value_yuan", p), "completed (earned value)", ref="A"),
            target(project("pipelined_project_planned_value_yuan", p), "planned value", ref="B"),
            target(project("pipelined_project_investment_planned_yuan", p), "planned total", ref="C"),
        ], "currencyCNY"),
        timeseries("This year against its schedule and the calendar", [
            target(project("pipelined_project_investment_completion_rate", p), "completion rate", ref="A"),
            target(project("pipelined_project_expected_progress_ratio", p), "expected by its schedule", ref="B"),
            target("max(pipelined_pro_rata_ratio)", "calendar pro-rata", ref="C"),
        ], "percentunit"),
    ], height=9)
    return d


def ingest_health():
    d = Dashboard("pipelined-ingest-health", "pipelined: ingest health",
                  "What publishers send and what the daemon does with it: results, rejections, connections, "
                  "the event store, silent sources.")
    d.add([
        stat("Up", 'max(up{job="pipelined"})'),
        stat("Stored events", "sum(%s)" % once("pipelined_store_events"),
             description="Over the shards; a pair's replicas count once."),
        stat("Open connections", "max(pipelined_ingest_connections)"),
        stat("CURVE on", "max(pipelined_ingest_curve_enabled)"),
        stat("Replay at start (s)", "max(pipelined_replay_duration_seconds)", "s"),
        stat("Version", "count by (version, revision) (pipelined_build_info)"),
    ], height=4)
    d.add([
        timeseries("Events by result (per second)",
                   [target("sum by (result) (rate(pipelined_events_total[5m]))", "{{result}}")], "ops"),
        timeseries("Rejections by reason (per second)",
                   [target('sum by (reason) (rate(pipelined_events_total{result="rejected"}[5m]))', "{{reason}}")],
                   "ops"),
        timeseries("Rejections by source (per second)",
                   [target('sum by (source) (rate(pipelined_events_total{result="rejected"}[5m]))', "{{source}}")],
                   "ops"),
    ])
    d.add([
        timeseries("Messages and refusals (per second)", [
            target("sum by (result) (rate(pipelined_ingest_messages_total[5m]))", "messages {{result}}", ref="A"),
            target("rate(pipelined_ingest_auth_failures_total[5m])", "CURVE auth failures", ref="B"),
            target("rate(pipelined_ingest_connections_refused_total[5m])", "connections refused", ref="C"),
            target("rate(pipelined_web_auth_failures_total[5m])", "web auth failures", ref="D"),
        ], "ops"),
        timeseries("Event store", [
            target("rate(pipelined_store_committed_events_total[5m])", "events committed/s", ref="A"),
            target("rate(pipelined_store_commits_total[5m])", "commits/s", ref="B"),
            target("rate(pipelined_store_commit_errors_total[5m])", "commit errors/s", ref="C"),
        ], "ops"),
        timeseries("Mean commit time", [
            target("rate(pipelined_store_commit_seconds_total[5m]) / rate(pipelined_store_commits_total[5m])",
                   "seconds per commit")], "s"),
    ])
    d.add([
        table("Sources: days since the last event, sequence gaps", [
            target("(max(pipelined_clock_time_seconds) - on() group_right() pipelined_source_last_report_timestamp_seconds) / 86400",
                   instant=True, fmt="table", ref="A"),
            target("pipelined_source_sequence_gaps_total", instant=True, fmt="table", ref="B"),
        ], rename={"Value #A": "days since last event", "Value #B": "sequence gaps"}),
    ], height=10)
    return d


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
    os.makedirs(out, exist_ok=True)
    for name, build in (("plan-overview", plan_overview), ("lagging-projects", lagging_projects),
                        ("project-detail", project_detail), ("ingest-health", ingest_health)):
        path = os.path.join(out, name + ".json")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            json.dump(build().json(), f, indent=2, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.relpath(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
