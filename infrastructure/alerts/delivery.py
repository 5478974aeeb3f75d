"""The webhook sender: fills the outbox from the views and posts what is due,
signed, retrying with back-off; runs beside the evaluator under the same lead."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import structlog

from infrastructure.alerts.leader import Leadership
from infrastructure.alerts.signing import HEADER, sign
from infrastructure.alerts.webhooks import Webhooks

log = structlog.get_logger("jaga.alerts")
TIMEOUT_SECONDS = 5.0
LEASE_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 600.0


class Sender:
    def __init__(
        self,
        webhooks: Webhooks,
        leadership: Leadership | None = None,
        backoff_seconds: float = 2.0,
        poll_seconds: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.webhooks = webhooks
        self.leadership = leadership
        self.backoff_seconds = backoff_seconds
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.client = httpx.Client(timeout=TIMEOUT_SECONDS)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def backoff(self, attempts: int) -> float:
        """The wait after the `attempts`-th failure: doubling, at most ten minutes."""
        return float(
            min(MAX_BACKOFF_SECONDS, self.backoff_seconds * 2 ** (attempts - 1))
        )

    def step(self) -> int:
        """Fills the outbox and sends every delivery due now; returns how many
        were sent successfully."""
        now = self.clock()
        self.webhooks.fill(due=now)
        sent = 0
        for delivery in self.webhooks.due(now, LEASE_SECONDS):
            sent += self.send(delivery)
        return sent

    def send(self, delivery: dict[str, Any]) -> int:
        body = json.dumps(
            {
                "delivery_id": delivery["id"],
                "subscription_id": delivery["subscription_id"],
                **json.loads(delivery["payload"]),
            },
            ensure_ascii=False,
        ).encode()
        stamp = int(self.clock())
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(delivery["secret"], body, stamp),
            "Jaga-Delivery": str(delivery["id"]),
            "Jaga-Event": delivery["event_type"],
        }
        status: int | None = None
        try:
            answer = self.client.post(delivery["url"], content=body, headers=headers)
            status = answer.status_code
            if 200 <= status < 300:
                self.webhooks.delivered(delivery, status)
                return 1
            error = f"HTTP {status}"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"
        attempts = int(delivery["attempts"]) + 1
        retry_at = self.clock() + self.backoff(attempts)
        self.webhooks.failed(delivery, status, error, retry_at)
        log.warning(
            "webhook delivery failed",
            delivery=delivery["id"],
            url=delivery["url"],
            error=error,
            attempts=attempts,
        )
        return 0

    def start(self) -> None:
        # A leader that lost the lead and won it again starts afresh.
        if self.client.is_closed:
            self.client = httpx.Client(timeout=TIMEOUT_SECONDS)
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="jaga-webhooks", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.client.close()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_seconds):
            try:
                if self.leadership is not None and not self.leadership.hold():
                    continue
                self.step()
            except Exception as error:  # the next tick tries again
                log.error(
                    "webhook sender failed", error=f"{type(error).__name__}: {error}"
                )
                self._stop.wait(2.0)
