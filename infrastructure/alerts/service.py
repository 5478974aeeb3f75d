"""What a server runs for alerts: the evaluator and the webhook sender, under the
database's one lead; and the webhook store every process reads."""

from __future__ import annotations

from application.alerts.thresholds import Thresholds
from application.app import Jaga
from infrastructure.alerts.delivery import Sender
from infrastructure.alerts.evaluator import AlertEvaluator
from infrastructure.alerts.leader import Leadership
from infrastructure.alerts.webhooks import Webhooks
from infrastructure.settings import Settings
from infrastructure.views.wiring import view_store


class AlertService:
    def __init__(self, app: Jaga, settings: Settings) -> None:
        store = view_store(app)
        self.leadership = Leadership(settings.database_url)
        self.webhooks = Webhooks(store)
        self.evaluator = AlertEvaluator(
            app,
            store,
            Thresholds.parse(settings.alert_thresholds),
            self.leadership,
            clock=app.clock,
        )
        self.sender = Sender(self.webhooks, self.leadership)

    def start(self) -> None:
        self.evaluator.start()
        self.sender.start()

    def stop(self) -> None:
        self.sender.stop()
        self.evaluator.stop()


def open_webhooks(app: Jaga) -> Webhooks:
    return Webhooks(view_store(app))


def alert_service(app: Jaga, settings: Settings) -> AlertService | None:
    """The alert service, to start when this process leads, if the settings turn
    alerts on."""
    return AlertService(app, settings) if settings.alerts else None
