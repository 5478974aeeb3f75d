"""The app factory: the API's routers on one application, its views and audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from application.commit import GroupCommitter
from infrastructure.alerts.service import alert_service, open_webhooks
from infrastructure.attachments.store import open_attachments
from infrastructure.audit.service import AuditService
from infrastructure.enrolments import Enrolments
from infrastructure.keys import KeyStore
from infrastructure.logging import configure_logging
from infrastructure.sessions import SessionStore
from infrastructure.settings import Settings
from infrastructure.wiring import (
    open_app,
    open_leadership,
    open_read_model,
    serve_projections,
)
from interfaces.http import (
    alerts,
    attachments,
    audit,
    batch,
    commands,
    csv_answers,
    enrolments,
    errors,
    incidents,
    keys,
    neutrality,
    ops,
    patrols,
    public,
    reads,
    reports,
)
from interfaces.http.intake import Intake
from interfaces.http.metrics import Metrics
from interfaces.http.middleware import RequestMiddleware
from interfaces.http.query import UnknownQuery
from interfaces.i18n import LanguageMiddleware
from interfaces.web import docs
from interfaces.web import routes as web

CHECKPOINT_INTERVAL_SECONDS = 60.0
ROUTERS = (
    commands,
    patrols,
    incidents,
    neutrality,
    reads,
    attachments,
    reports,
    batch,
    audit,
    public,
    keys,
    ops,
    enrolments,
    alerts,
)


def create_app(
    settings: Settings | None = None,
    *,
    checkpoint_interval: float = CHECKPOINT_INTERVAL_SECONDS,
) -> FastAPI:
    """The API on the store the settings name; the store opens when the app starts."""
    settings = settings or Settings.load()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        jaga = open_app(settings)
        jaga.use_committer(GroupCommitter(jaga.store))
        state: Any = api.state
        state.jaga = jaga
        state.keys = KeyStore(jaga.recorder)
        state.keys.follow_revocations()
        state.sessions = SessionStore(jaga.recorder)
        state.enrolments = Enrolments(jaga.recorder, state.keys)
        state.read_model = open_read_model(jaga)
        state.projections = serve_projections(jaga, settings)
        state.audit = AuditService(jaga, settings)
        state.attachments = open_attachments(
            jaga.recorder, settings.attachments, settings.attachment_max_bytes
        )
        state.webhooks = open_webhooks(jaga)
        state.alerts = alert_service(jaga, settings)
        alerts = [] if state.alerts is None else [state.alerts]
        # One process per database runs the views, the checkpoint timer and the
        # alerts (their evaluator and webhook sender).
        state.leadership = open_leadership(
            jaga,
            start=[
                state.projections.start,
                lambda: state.audit.start_timer(checkpoint_interval),
                *(a.start for a in alerts),
            ],
            stop=[
                *(a.stop for a in alerts),
                state.audit.stop_timer,
                state.projections.stop,
            ],
        )
        state.leadership.start()
        try:
            yield
        finally:
            state.leadership.stop()
            state.keys.close()
            jaga.close()

    api = FastAPI(
        title="Jaga",
        version="1",
        summary="The record of election security operations: check-ins, shift "
        "handovers, patrols, incidents and neutrality, as an append-only log.",
        lifespan=lifespan,
        # Served by interfaces/web/docs from Jaga's own copy: no CDN.
        docs_url=None,
        redoc_url=None,
    )
    api.state.settings = settings
    errors.install(api)
    for module in ROUTERS:
        api.include_router(module.router)
    api.state.routes = [r for m in ROUTERS for r in m.router.routes]
    api.include_router(web.router)  # the dashboard at /
    api.include_router(docs.router)  # the API's reference at /docs
    api.state.metrics = Metrics(lambda: api.state)
    csv_answers.install(api)  # innermost: it converts the finished JSON answer
    api.add_middleware(Intake)  # a key, then the body, then a write slot
    api.add_middleware(UnknownQuery)
    api.add_middleware(RequestMiddleware, metrics=api.state.metrics)
    api.add_middleware(LanguageMiddleware)  # outermost: every answer has a language
    return api
