#!/usr/bin/python3
"""Writes the Grafana dashboards of pipelined into deploy/grafana/dashboards/.

The JSON files are generated so that the four dashboards share one style and
stay consistent; edit this script and rerun it (/usr/bin/python3, stdlib only):

    deploy/grafana/generate_dashboards.py

Every query uses the daemon's raw metrics (no recording rules), so the
dashboards work with any rule files. Ages are measured against
pipelined_clock_time_seconds, never time(): the daemon may run on a virtual
clock."""
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


def plan_overview():
    d = Dashboard("pipelined-plan-overview", "pipelined: plan overview",
                  "Planned against completed investment of the whole plan and by area, cluster and district; "
                  "statuses, start and launch rates, year-over-year growth, cluster output against target.")
    d.row("Whole plan")
    plan = 'group_type="plan"'
    d.add([
        stat("Planned investment, plan period", "sum(pipelined_group_investment_planned_period_yuan{%s})" % plan,
             "currencyCNY"),
        stat("Completed investment", "sum(pipelined_group_investment_completed_yuan{%s})" % plan, "currencyCNY"),
        stat("Completion rate this year", "sum(pipelined_group_investment_completion_rate{%s})" % plan,
             "percentunit", "Reporting year to date against the year's plan."),
        stat("Pro-rata (序时进度)", "max(pipelined_pro_rata_ratio)", "percentunit"),
        stat("SPI", "sum(pipelined_group_schedule_performance_index{%s})" % plan, "short", decimals=2),
        stat("Projects lagging", 'sum(pipelined_group_projects_by_status{%s,status="lagging"})' % plan),
    ], height=5)
    d.add([
        timeseries("Projects by status", [target('sum by (status) (pipelined_group_projects_by_status{%s})' % plan,
                                                 "{{status}}")]),
        timeseries("Investment against plan (yuan)", [
            target("sum(pipelined_group_earned_value_yuan{%s})" % plan, "earned value", ref="A"),
            target("sum(pipelined_group_planned_value_yuan{%s})" % plan, "planned value", ref="B"),
        ], "currencyCNY"),
        timeseries("Year-over-year growth of completed investment", [
            target("pipelined_group_investment_growth_month_ratio{%s}" % plan, "reporting month", ref="A"),
            target("pipelined_group_investment_growth_year_to_date_ratio{%s}" % plan, "year to date", ref="B"),
        ], "percentunit"),
    ])
    for group_type, title in (("area", "By area"), ("cluster", "By cluster"), ("district", "By district")):
        d.row(title)
        selector = 'group_type="%s"' % group_type
        panels = [
            bargauge("Completion rate this year", "pipelined_group_investment_completion_rate{%s}" % selector,
                     "{{group}}", maximum=1),
            bargauge("Gap to pro-rata (points)", "pipelined_group_pro_rata_gap_percentage_points{%s}" % selector,
                     "{{group}}", unit="short"),
            bargauge("Started of those due", "pipelined_group_projects_due_started{%s} / "
                     "(pipelined_group_projects_due_to_start{%s} > 0)" % (selector, selector), "{{group}}", maximum=1),
            bargauge("Projects lagging", 'pipelined_group_projects_by_status{%s,status="lagging"}' % selector,
                     "{{group}}", unit="short"),
        ]
        if group_type == "cluster":
            panels.append(bargauge("Output (revenue) against target",
                                   "pipelined_group_output_completion_rate{%s}" % selector, "{{group}}", maximum=1))
            panels.append(bargauge("Lines launched of those due",
                                   "pipelined_group_production_lines_due_launched{%s} / "
                                   "(pipelined_group_production_lines_due{%s} > 0)" % (selector, selector),
                                   "{{group}}", maximum=1))
        d.add(panels, height=9)
    return d


def lagging_projects():
    filters = 'area=~"$area",district=~"$district",cluster=~"$cluster"'
    d = Dashboard("pipelined-lagging-projects", "pipelined: lagging projects",
                  "Every project that is at risk or lagging, with its reasons (docs/lagging.md).",
                  [query_variable("area", "Area", "label_values(pipelined_project_info, area)"),
                   query_variable("cluster", "Cluster", "label_values(pipelined_project_info, cluster)"),
                   query_variable("district", "District", "label_values(pipelined_project_info, district)")])
    info = "pipelined_project_info{%s}" % filters
    d.add([
        stat("Lagging", 'count(pipelined_project_status{status="lagging"} == 1 and on(project) %s)' % info),
        stat("At risk", 'count(pipelined_project_status{status="at_risk"} == 1 and on(project) %s)' % info),
        stat("On track", 'count(pipelined_project_status{status="on_track"} == 1 and on(project) %s)' % info),
        stat("Rule set", "count by (rule_set) (pipelined_lagging_rule_set_info)", description="The rule set in use."),
    ], height=4)
    d.add([table("Projects not on track, one row per reason", [
        target("pipelined_project_lagging_reason * on(project) group_left(name, area, cluster, district) %s" % info,
               instant=True, fmt="table", ref="A"),
    ], "level: at_risk or lagging. The reasons are explained in docs/lagging.md.",
        rename={"Value": "applies"})], height=14)
    d.add([table("Figures of projects not on track", [
        target('pipelined_project_pro_rata_gap_percentage_points and on(project) '
               '(pipelined_project_status{status!="on_track"} == 1) and on(project) %s' % info,
               instant=True, fmt="table", ref="A"),
        target('pipelined_project_schedule_performance_index and on(project) '
               '(pipelined_project_status{status!="on_track"} == 1) and on(project) %s' % info,
               instant=True, fmt="table", ref="B"),
        target('max by (project) (pipelined_project_milestone_slip_days) and on(project) '
               '(pipelined_project_status{status!="on_track"} == 1) and on(project) %s' % info,
               instant=True, fmt="table", ref="C"),
    ], "Gap to pro-rata in points, SPI, worst milestone slip in days.",
        rename={"Value #A": "gap to pro-rata (points)", "Value #B": "SPI", "Value #C": "worst slip (days)"})],
        height=12)
    return d


def project_detail():
    p = 'project="$project"'
    d = Dashboard("pipelined-project-detail", "pipelined: project detail",
                  "One project: status and reasons, milestones, investment against plan, forecast.",
                  [query_variable("project", "Project", "label_values(pipelined_project_info, project)",
                                  include_all=False, multi=False)])
    d.add([
        stat("Status", 'max by (status) (pipelined_project_status{%s} == 1)' % p, description="on_track, at_risk or lagging"),
        stat("Completion rate this year", "pipelined_project_investment_completion_rate{%s}" % p, "percentunit"),
        stat("Gap to pro-rata (points)", "pipelined_project_pro_rata_gap_percentage_points{%s}" % p, decimals=1),
        stat("SPI", "pipelined_project_schedule_performance_index{%s}" % p, decimals=2),
        stat("Days since last report",
             "(max(pipelined_clock_time_seconds) - on() group_right() pipelined_project_last_report_timestamp_seconds{%s}) / 86400" % p,
             decimals=0),
        stat("Forecast slip (days)",
             "(pipelined_project_forecast_completion_timestamp_seconds{%s} - "
             "pipelined_project_planned_completion_timestamp_seconds{%s}) / 86400" % (p, p), decimals=0),
    ], height=4)
    d.add([
        table("Reasons", [target("pipelined_project_lagging_reason{%s}" % p, instant=True, fmt="table")]),
        table("Milestones", [
            target("pipelined_project_milestone_state{%s} == 1" % p, instant=True, fmt="table", ref="A"),
            target("pipelined_project_milestone_slip_days{%s}" % p, instant=True, fmt="table", ref="B"),
        ], rename={"Value #B": "slip (days)"}, exclude=("Time", "Value #A")),
    ], height=8)
    d.add([
        timeseries("Cumulative investment against plan (yuan)", [
            target("pipelined_project_earned_value_yuan{%s}" % p, "completed (earned value)", ref="A"),
            target("pipelined_project_planned_value_yuan{%s}" % p, "planned value", ref="B"),
            target("pipelined_project_investment_planned_yuan{%s}" % p, "planned total", ref="C"),
        ], "currencyCNY"),
        timeseries("This year against pro-rata", [
            target("pipelined_project_investment_completion_rate{%s}" % p, "completion rate", ref="A"),
            target("max(pipelined_pro_rata_ratio)", "pro-rata", ref="B"),
        ], "percentunit"),
    ], height=9)
    return d


def ingest_health():
    d = Dashboard("pipelined-ingest-health", "pipelined: ingest health",
                  "What publishers send and what the daemon does with it: results, rejections, connections, "
                  "the event store, silent sources.")
    d.add([
        stat("Up", 'max(up{job="pipelined"})'),
        stat("Stored events", "max(pipelined_store_events)"),
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
