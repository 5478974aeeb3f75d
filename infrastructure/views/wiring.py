"""One view store per application, shared by its read model and its runner."""

from __future__ import annotations

import weakref

from application.app import Jaga
from application.read import Lag
from infrastructure.views.reads import SqlReadModel
from infrastructure.views.runner import ProjectionService, lag_of
from infrastructure.views.store import ViewStore

_stores: weakref.WeakKeyDictionary[Jaga, ViewStore] = weakref.WeakKeyDictionary()
_services: weakref.WeakKeyDictionary[Jaga, ProjectionService] = (
    weakref.WeakKeyDictionary()
)


def view_store(app: Jaga) -> ViewStore:
    if app not in _stores:
        _stores[app] = ViewStore(app)
    return _stores[app]


def projections(app: Jaga) -> ProjectionService:
    if app not in _services:
        _services[app] = ProjectionService(view_store(app))
    return _services[app]


def read_model(app: Jaga) -> SqlReadModel:
    store = view_store(app)

    def lag() -> Lag:
        service = _services.get(app)
        return service.lag() if service is not None else lag_of(store)

    return SqlReadModel(
        store, app.calendar, clock=app.clock, lag=lag, limits=app.anomaly_limits
    )
