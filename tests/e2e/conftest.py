"""HTTP fixtures: the API on each store, and keys of every role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from infrastructure.settings import Settings
from interfaces.http.app import create_app
from tests.e2e.served import browser, server  # noqa: F401 - browser tests' fixtures


class Api:
    """A TestClient with the app's key store at hand."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.state: Any = client.app.state  # type: ignore[attr-defined]

    def key(self, role: str, *scope: str) -> dict[str, str]:
        _, secret = self.state.keys.create(role, f"{role} test", list(scope) or None)
        return {"Authorization": f"Bearer {secret}"}

    def caught_up(self) -> None:
        position = self.state.jaga.log.max_position()
        assert self.state.read_model.wait_for_position(position, timeout=10)


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=store_url,
        signing_key_file=tmp_path / "signing.key",
        attachments=str(tmp_path / "attachments"),
    )


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client)


@pytest.fixture
def ops(api: Api) -> dict[str, str]:
    return api.key("ops")
