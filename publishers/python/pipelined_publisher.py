"""A minimal pipelined publisher in Python, on Debian's python3-zmq and
python3-protobuf and the module protoc generates from
proto/pipelined/v1/events.proto (`protoc --python_out`).

The protocol, step by step: docs/publishing.md. In short: a DEALER socket
connected to the daemon's ROUTER; one EventBatch per message frame; one
BatchReply per batch, with one EventResult per event, in order. Event ids
make resending safe: a resent event comes back DUPLICATE and counts once.
"""
import datetime
import hashlib
import logging
import time
import uuid

import zmq
import zmq.auth
from google.protobuf import timestamp_pb2

from pipelined.v1 import events_pb2

log = logging.getLogger("pipelined_publisher")

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Shanghai has no DST

STATUS_NAMES = {
    events_pb2.ACCEPTED: "accepted",
    events_pb2.DUPLICATE: "duplicate",
    events_pb2.REJECTED: "rejected",
}


class NoReply(Exception):
    """The daemon did not answer in time (down, unreachable, or a CURVE key it refuses)."""


def fen(yuan):
    """Yuan as a decimal string ("1250000.50") -> integer fen, without floating point."""
    whole, _, fraction = str(yuan).partition(".")
    if len(fraction) > 2 or not whole.lstrip("-").isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"not an amount in yuan with at most two decimals: {yuan!r}")
    value = int(whole.lstrip("-")) * 100 + int(fraction.ljust(2, "0") or 0)
    return -value if whole.startswith("-") else value


def timestamp_on(day, hour=12):
    """A protobuf Timestamp for noon of `day` (a datetime.date) in Asia/Shanghai."""
    moment = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment.astimezone(datetime.timezone.utc).replace(tzinfo=None))
    return stamp


def event_id(source, *fields):
    """A deterministic event id from what the event is about: sending the
    same report again (after a crash, or twice by mistake) gives the same
    id, so the daemon answers DUPLICATE instead of counting it twice."""
    digest = hashlib.sha256("\x1f".join([source, *map(str, fields)]).encode("utf-8")).hexdigest()
    return f"{source}-{digest[:24]}"


def load_curve_keys(server_certificate, own_secret_certificate):
    """(server public, own public, own secret) Z85 keys from the certificate
    files `pipelined keygen` writes: the daemon's public certificate `PATH`
    and this publisher's secret one `PATH_secret` (ZeroMQ's format)."""
    server_public, _ = zmq.auth.load_certificate(server_certificate)
    public, secret = zmq.auth.load_certificate(own_secret_certificate)
    if not secret:
        raise ValueError(f"{own_secret_certificate} has no secret-key: give the _secret file")
    return server_public, public, secret


def _as_bytes(key):
    return key if isinstance(key, bytes) else key.encode("ascii")


class Publisher:
    """One DEALER connection to a pipelined daemon. Not thread-safe.

    `first_sequence` is the `sequence` of the first event this object makes;
    each further event gets the next number. A real publisher keeps the
    counter (`next_sequence`) in its own storage across runs, so that its
    source's numbers keep increasing by one (docs/publishing.md)."""

    def __init__(self, endpoint, source, curve_server_key=None, curve_public_key=None, curve_secret_key=None,
                 timeout_seconds=5.0, first_sequence=1):
        self.source = source
        self.timeout_seconds = timeout_seconds
        self.next_sequence = first_sequence
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.DEALER)
        # Never hang on exit with an unsent batch to a daemon that is gone,
        # and never block in send() while no connection is up (a DEALER
        # blocks then, e.g. after the daemon refused a CURVE key).
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.SNDTIMEO, int(timeout_seconds * 1000))
        if curve_server_key:
            self.socket.curve_serverkey = _as_bytes(curve_server_key)
            self.socket.curve_publickey = _as_bytes(curve_public_key)
            self.socket.curve_secretkey = _as_bytes(curve_secret_key)
        self.socket.connect(endpoint)

    def close(self):
        self.socket.close(linger=0)

    def new_event(self, project_code, occurred_on, event_id_value):
        """An Event with the header fields set; fill in one payload."""
        event = events_pb2.Event(event_id=event_id_value, source=self.source, sequence=self.next_sequence,
                                 project_code=project_code)
        self.next_sequence += 1
        event.occurred_at.CopyFrom(timestamp_on(occurred_on))
        event.reported_at.GetCurrentTime()
        return event

    def publish(self, events, retries=2):
        """Sends the events as one batch and returns the BatchReply. On a
        timeout the same batch (same event ids, same sequences) is sent
        again, after a short pause, up to `retries` times: the daemon answers
        DUPLICATE for whatever it had already stored, so nothing counts
        twice. Raises NoReply when no try was answered."""
        batch = events_pb2.EventBatch(batch_id=uuid.uuid4().hex)
        batch.events.extend(events)
        payload = batch.SerializeToString()
        for attempt in range(retries + 1):
            if attempt:
                log.warning("no reply to batch %s within %.1f s; sending it again (try %d of %d)",
                            batch.batch_id, self.timeout_seconds, attempt + 1, retries + 1)
                time.sleep(min(0.2 * 2 ** attempt, 2.0))  # back off: the daemon may be restarting
            try:
                self.socket.send(payload)
            except zmq.Again:
                continue  # no connection within the timeout: try again
            reply = self._receive(batch.batch_id)
            if reply is not None:
                return reply
        raise NoReply(f"no reply to batch {batch.batch_id} after {retries + 1} tries")

    def _receive(self, batch_id):
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0 or not self.socket.poll(left_ms):
                return None
            # The reply is the last frame; a REQ-style envelope would come before it.
            frames = self.socket.recv_multipart()
            reply = events_pb2.BatchReply()
            reply.ParseFromString(frames[-1])
            # Ours, or the whole message refused before its batch_id could be
            # read (malformed_batch comes with an empty batch_id).
            if reply.batch_id == batch_id or (reply.HasField("error") and not reply.batch_id):
                return reply
            # Otherwise a late reply to an earlier batch we gave up on: skip it.
