"""Webhooks on both stores: a receiver started here gets signed deliveries of alert
events in its region, survives an outage through retries, and refuses a delivery
replayed later by its signature's timestamp; a subscriber that keeps failing is
paused, shown so, and resumed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from application.app import Jaga
from application.calendar import ElectionCalendar
from infrastructure.alerts.delivery import Sender
from infrastructure.alerts.evaluator import AlertEvaluator
from infrastructure.alerts.signing import HEADER, verify
from infrastructure.alerts.webhooks import PAUSE_AFTER, Webhooks
from infrastructure.store import library_env
from infrastructure.views.wiring import projections, view_store
from tests.integration.scenario import T0, jember


class Receiver:
    """An HTTP endpoint that checks each delivery as a subscriber would."""

    def __init__(self) -> None:
        self.secret = ""
        self.answer = 204
        self.now = 0.0
        self.got: list[dict[str, Any]] = []
        self.raw: list[tuple[str, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                header = self.headers.get(HEADER, "")
                receiver.raw.append((header, body))
                if not verify(receiver.secret, header, body, now=receiver.now):
                    self.send_response(401)
                elif receiver.answer >= 300:
                    self.send_response(receiver.answer)
                else:
                    receiver.got.append(json.loads(body))
                    self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jaga"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Clock:
    def __init__(self) -> None:
        self.seconds = 1_700_000_000.0

    def __call__(self) -> float:
        return self.seconds


@pytest.fixture
def setup(store_url: str) -> Iterator[tuple[Jaga, Receiver, Webhooks, Sender, Clock]]:
    app = Jaga(
        env=library_env(store_url),
        calendar=ElectionCalendar.load(),
        clock=lambda: T0 + timedelta(minutes=5),
    )
    receiver = Receiver()
    clock = Clock()
    receiver.now = clock.seconds
    webhooks = Webhooks(view_store(app))
    sender = Sender(webhooks, backoff_seconds=10, clock=clock)
    try:
        yield app, receiver, webhooks, sender, clock
    finally:
        sender.stop()
        receiver.server.shutdown()
        app.close()


def raise_site_red(app: Jaga) -> None:
    jember(app)  # six guards required, nobody on duty: red
    projections(app).catch_up()
    AlertEvaluator(app, view_store(app), clock=app.clock).evaluate()
    projections(app).catch_up()


def test_signed_deliveries_retried_through_an_outage(setup) -> None:
    app, receiver, webhooks, sender, clock = setup
    sub = webhooks.subscribe(receiver.url, "jawa-timur", None, [], "ops")
    elsewhere = webhooks.subscribe(receiver.url, "bali", None, [], "ops")
    receiver.secret = sub["secret"]
    receiver.answer = 503  # the receiver is down when the alert is raised
    raise_site_red(app)
    assert sender.step() == 0
    assert sender.step() == 0  # not due again before its back-off
    clock.seconds += 11
    receiver.now = clock.seconds
    assert sender.step() == 0  # second failure: the next wait is 20 s
    clock.seconds += 15
    receiver.now = clock.seconds
    receiver.answer = 204
    assert sender.step() == 0
    clock.seconds += 6
    receiver.now = clock.seconds
    assert sender.step() == 1
    [got] = receiver.got
    assert got["type"] == "AlertRaised" and got["rule"] == "site_red"
    assert got["data"]["subject"] == "site:kpu-kab-jember"
    assert got["subscription_id"] == sub["subscription_id"]
    [entry] = webhooks.log(sub["subscription_id"])
    assert (entry["status"], entry["attempts"], entry["last_status"]) == (
        "delivered",
        3,
        204,
    )
    assert webhooks.log(elsewhere["subscription_id"]) == []
    assert sender.step() == 0  # delivered once

    header, body = receiver.raw[-1]
    assert verify(sub["secret"], header, body, now=clock.seconds + 60)
    # The same delivery sent again later, or altered, is refused.
    assert not verify(sub["secret"], header, body, now=clock.seconds + 301)
    assert not verify(sub["secret"], header, body.replace(b"site_red", b"site_ok"))
    assert not verify("another secret", header, body, now=clock.seconds)


def test_a_subscriber_that_keeps_failing_is_paused_and_resumed(setup) -> None:
    app, receiver, webhooks, sender, clock = setup
    sub = webhooks.subscribe(receiver.url, None, None, ["site_red"], "ops")
    receiver.secret = sub["secret"]
    receiver.answer = 500
    raise_site_red(app)
    for _ in range(PAUSE_AFTER):
        sender.step()
        clock.seconds += 4000
        receiver.now = clock.seconds
    [shown] = webhooks.subscriptions()
    assert shown["paused"] and shown["paused_reason"] == "HTTP 500"
    assert sender.step() == 0  # nothing is tried while paused
    receiver.answer = 200
    assert webhooks.resume(sub["subscription_id"])["paused"] is False
    assert sender.step() == 1
    assert [g["rule"] for g in receiver.got] == ["site_red"]
