"""Every alert in the rules file has what an on-call person needs: a severity,
a summary, a description, a `for:`, and a runbook section in docs/alerts.md
that its runbook_url points to.

Usage: check_alerts_documented.py ALERTS_YML ALERTS_MD (stdlib only: the rules
file is read line by line, it is plain YAML written by us)."""
import re
import sys


def alerts(path):
    found, current = [], None
    for line in open(path, encoding="utf-8"):
        m = re.match(r"\s*- alert: (\S+)", line)
        if m:
            current = {"name": m.group(1), "keys": set(), "runbook": ""}
            found.append(current)
            continue
        if current is None:
            continue
        for key in ("for", "severity", "summary", "description", "runbook_url"):
            if re.match(r"\s*%s:" % key, line):
                current["keys"].add(key)
        m = re.match(r"\s*runbook_url: '?[^'#]*#([a-z0-9-]+)'?", line)
        if m:
            current["runbook"] = m.group(1)
    return found


def anchors(path):
    # GitHub's anchors: lower case, spaces to '-', most punctuation dropped.
    result = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#+\s+(.*)", line)
        if m:
            title = re.sub(r"[^a-z0-9 _-]", "", m.group(1).strip().lower())
            result.add(title.replace(" ", "-"))
    return result


def main(rules_path, doc_path):
    problems = []
    documented = anchors(doc_path)
    found = alerts(rules_path)
    if not found:
        problems.append("no alerts found in %s" % rules_path)
    for alert in found:
        missing = {"for", "severity", "summary", "description", "runbook_url"} - alert["keys"]
        if missing:
            problems.append("%s lacks %s" % (alert["name"], ", ".join(sorted(missing))))
        if alert["runbook"] != alert["name"].lower():
            problems.append("%s: runbook_url should end in #%s" % (alert["name"], alert["name"].lower()))
        if alert["name"].lower() not in documented:
            problems.append("%s has no section in %s" % (alert["name"], doc_path))
    for problem in problems:
        print(problem)
    print("%d alerts checked, %d problems" % (len(found), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
