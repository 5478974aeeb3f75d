"""What a server runs for alerts: the evaluator (under the database's one lead)."""

from __future__ import annotations

from application.alerts.thresholds import Thresholds
from application.app import Jaga
from infrastructure.alerts.evaluator import AlertEvaluator
from infrastructure.alerts.leader import Leadership
from infrastructure.settings import Settings
from infrastructure.views.wiring import view_store


class AlertService:
    def __init__(self, app: Jaga, settings: Settings) -> None:
        self.evaluator = AlertEvaluator(
            app,
            view_store(app),
            Thresholds.parse(settings.alert_thresholds),
            Leadership(settings.database_url),
            clock=app.clock,
        )

    def start(self) -> None:
        self.evaluator.start()

    def stop(self) -> None:
        self.evaluator.stop()


def start_alerts(app: Jaga, settings: Settings) -> AlertService | None:
    """The alert service started, if the settings turn alerts on."""
    if not settings.alerts:
        return None
    service = AlertService(app, settings)
    service.start()
    return service
