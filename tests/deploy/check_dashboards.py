"""The shipped Grafana dashboards are valid JSON with a unique uid and title,
every panel and query uses the provisioned datasource, and the files are what
deploy/grafana/generate_dashboards.py writes (nobody edited the output).

Usage: check_dashboards.py DEPLOY_GRAFANA_DIR (stdlib only)."""
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

UID = "pipelined-prometheus"


def main(grafana_dir):
    problems = []
    dashboards_dir = os.path.join(grafana_dir, "dashboards")
    names = sorted(f for f in os.listdir(dashboards_dir) if f.endswith(".json"))
    uids, titles = set(), set()
    for name in names:
        with open(os.path.join(dashboards_dir, name), encoding="utf-8") as f:
            board = json.load(f)
        for key, seen in (("uid", uids), ("title", titles)):
            value = board.get(key)
            if not value or value in seen:
                problems.append("%s: missing or repeated %s" % (name, key))
            seen.add(value)
        panels = [p for p in board.get("panels", []) if p.get("type") != "row"]
        if not panels:
            problems.append("%s: no panels" % name)
        for panel in panels:
            if panel.get("datasource", {}).get("uid") != UID:
                problems.append("%s: panel %r does not use datasource %s" % (name, panel.get("title"), UID))
            for t in panel.get("targets", []):
                if t.get("datasource", {}).get("uid") != UID or not t.get("expr"):
                    problems.append("%s: a query of panel %r lacks the datasource or an expr" % (name, panel.get("title")))
    with open(os.path.join(grafana_dir, "provisioning", "datasources", "prometheus.yml"), encoding="utf-8") as f:
        if "uid: %s" % UID not in f.read():
            problems.append("the provisioned datasource does not have uid %s" % UID)

    # Regenerate into a scratch copy and compare with the committed files.
    scratch = tempfile.mkdtemp()
    try:
        shutil.copy(os.path.join(grafana_dir, "generate_dashboards.py"), scratch)
        subprocess.run(["/usr/bin/python3", os.path.join(scratch, "generate_dashboards.py")], check=True,
                       stdout=subprocess.DEVNULL, cwd=scratch)
        fresh = os.path.join(scratch, "dashboards")
        for name in sorted(set(names) | set(os.listdir(fresh))):
            a, b = os.path.join(dashboards_dir, name), os.path.join(fresh, name)
            if not (os.path.exists(a) and os.path.exists(b) and filecmp.cmp(a, b, shallow=False)):
                problems.append("%s differs from generate_dashboards.py's output: rerun it" % name)
    finally:
        shutil.rmtree(scratch)
    for problem in problems:
        print(problem)
    print("%d dashboards checked, %d problems" % (len(names), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
