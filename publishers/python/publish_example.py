#!/usr/bin/python3
"""Sends a small report for one project to a pipelined daemon and checks every
answer: construction started, a production line launched, two months of
investment, and one deliberately bad event (an unknown project), which must
come back REJECTED with reason unknown_project. Run it twice: the second run
gets DUPLICATE for every good event and changes no figure.

  PYTHONPATH=build/python:publishers/python \\
    /usr/bin/python3 publishers/python/publish_example.py --endpoint tcp://127.0.0.1:7010 \\
    --project NB14-IND-0001 --line line-1 --year 2025

Exit code 0 when every answer was as expected, 1 otherwise, 3 when the daemon
did not answer. What a good event must get is set with --expect: accepted
(first run), duplicate (a rerun) or either (the default).
"""
import argparse
import datetime
import logging
import sys

from pipelined_publisher import STATUS_NAMES, NoReply, Publisher, event_id, fen, load_curve_keys


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", default="tcp://127.0.0.1:7010", help="the daemon's ingest endpoint")
    parser.add_argument("--source", default="python-example", help="this publisher's name")
    parser.add_argument("--project", required=True, help="a project code of the daemon's plan")
    parser.add_argument("--line", help="one of the project's production line ids (optional)")
    parser.add_argument("--year", type=int, required=True, help="year of the reported months")
    parser.add_argument("--amount-yuan", default="1250000.50", help="investment per month, in yuan")
    parser.add_argument("--expect", choices=("accepted", "duplicate", "either"), default="either",
                        help="the answer each good event must get (duplicate: the report was sent before)")
    parser.add_argument("--first-sequence", type=int, default=1,
                        help="sequence of the first event (a real publisher persists its counter)")
    parser.add_argument("--timeout-seconds", type=float, default=5.0, help="wait this long for each answer")
    parser.add_argument("--retries", type=int, default=2, help="resend the batch this often after a timeout")
    curve = parser.add_argument_group("CURVE", "either the three keys (Z85) or the two certificate files")
    curve.add_argument("--curve-server-key", help="the daemon's public key")
    curve.add_argument("--curve-public-key", help="this publisher's public key")
    curve.add_argument("--curve-secret-key", help="this publisher's secret key")
    curve.add_argument("--curve-server-certificate", help="the daemon's public certificate (keygen's PATH)")
    curve.add_argument("--curve-certificate", help="this publisher's secret certificate (keygen's PATH_secret)")
    args = parser.parse_args()
    logging.basicConfig(format="%(levelname)s %(message)s", stream=sys.stderr)

    keys = (args.curve_server_key, args.curve_public_key, args.curve_secret_key)
    if args.curve_server_certificate or args.curve_certificate:
        if not (args.curve_server_certificate and args.curve_certificate):
            parser.error("--curve-server-certificate and --curve-certificate go together")
        try:
            keys = load_curve_keys(args.curve_server_certificate, args.curve_certificate)
        except (OSError, ValueError) as error:
            parser.error(f"cannot read the CURVE certificates: {error}")
    elif any(keys) and not all(keys):
        parser.error("--curve-server-key, --curve-public-key and --curve-secret-key go together")
    publisher = Publisher(args.endpoint, args.source, *keys, timeout_seconds=args.timeout_seconds,
                          first_sequence=args.first_sequence)
    year = args.year
    events, expected = [], []
    good = ("accepted", "duplicate") if args.expect == "either" else (args.expect,)

    def add(event, expect_statuses, expect_reason=""):
        events.append(event)
        expected.append((expect_statuses, expect_reason))

    started_on = datetime.date(year, 1, 15)
    start = publisher.new_event(args.project, started_on, event_id(args.source, args.project, "start"))
    start.construction_started.SetInParent()
    add(start, good)
    for month in (1, 2):
        day = datetime.date(year, month, 25)
        period = f"{year}-{month:02d}"
        investment = publisher.new_event(args.project, day, event_id(args.source, args.project, "investment", period))
        investment.investment_recorded.amount_fen = fen(args.amount_yuan)
        investment.investment_recorded.period = period
        add(investment, good)
    if args.line:
        launched = publisher.new_event(args.project, datetime.date(year, 2, 20),
                                       event_id(args.source, args.project, "line", args.line))
        launched.production_line_launched.line_id = args.line
        add(launched, good)
    bad = publisher.new_event("NO-SUCH-PROJECT", started_on, event_id(args.source, "bad", year))
    bad.construction_started.SetInParent()
    add(bad, ("rejected",), "unknown_project")

    try:
        reply = publisher.publish(events, retries=args.retries)
    except NoReply as error:
        print(f"no answer from {args.endpoint}: {error}", file=sys.stderr)
        return 3
    finally:
        publisher.close()
    if reply.HasField("error"):
        print(f"batch refused: {reply.error.reason}: {reply.error.message}", file=sys.stderr)
        return 1
    ok = len(reply.results) == len(events)
    if not ok:
        print(f"{len(reply.results)} results for {len(events)} events", file=sys.stderr)
    for event, result, (want_statuses, want_reason) in zip(events, reply.results, expected):
        status = STATUS_NAMES.get(result.status, "unknown")
        # A good event sent before is DUPLICATE: the same id, counted once.
        fine = status in want_statuses and result.event_id == event.event_id
        fine = fine and (not want_reason or result.reason == want_reason)
        ok = ok and fine
        print(f"{'ok  ' if fine else 'FAIL'} {event.WhichOneof('payload'):<26} {result.event_id} {status}"
              + (f" reason={result.reason}: {result.message}" if result.reason else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
