"""Schemathesis against the OpenAPI schema: no 5xx and no answer outside the schema."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi

from application.demo import load_demo
from infrastructure.settings import Settings
from interfaces.http.app import create_app

FOLDER = Path(tempfile.mkdtemp(prefix="jaga-schemathesis-"))
APP = create_app(
    Settings(
        database_url=f"sqlite:///{FOLDER / 'jaga.sqlite3'}",
        signing_key_file=FOLDER / "signing.key",
    )
)
# Schemathesis serves the app in-process, its lifespan started once for the module.
# Examples and fuzzing only, a few cases an operation: the suite stays fast.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)

# Which role's key each part of the API is exercised with.
ROLE_BY_PREFIX = (
    ("/api/v1/audit", "auditor"),
    ("/api/v1/keys", "admin"),
    ("/api/v1/neutrality/concerns/", "bawaslu"),
)


@pytest.fixture(scope="module")
def keys() -> Iterator[dict[str, str]]:
    """The demo loaded once, and a key of each role the calls use."""
    with asgi.get_client(APP):
        load_demo(APP.state.jaga)
        yield {
            role: APP.state.keys.create(role, f"schemathesis {role}")[1]
            for role in ("ops", "auditor", "admin", "bawaslu")
        }
    asgi.shutdown_lifespans()
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_within_its_schema_and_never_fails(
    case: Any, keys: dict[str, str]
) -> None:
    role = next(
        (r for prefix, r in ROLE_BY_PREFIX if case.path.startswith(prefix)), "ops"
    )
    case.call_and_validate(
        headers={"Authorization": f"Bearer {keys[role]}"},
        # Rules across fields (a province's time zone, one of site_id or route) are
        # the domain's, beyond what a schema can say: such data gets a 422. And a
        # query string is text: "-17" is as valid a `types` value as "CheckedIn",
        # so "integer instead of string" in a query is no invalid request.
        excluded_checks=[
            checks.positive_data_acceptance,
            checks.negative_data_rejection,
        ],
    )
