"""Schemathesis against the real server, stateful: chains of calls along the links
it infers from the OpenAPI schema (a site registered, then checked in at, handed
over, visited, ...), with generated and mutated data. No answer is a 5xx."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck

from tests.drills.conftest import FULL, Served
from tests.drills.harness import counts

pytestmark = pytest.mark.drill

# Which role's key each part of the API is called with.
ROLE_BY_PREFIX = (
    ("/api/v1/audit", "auditor"),
    ("/api/v1/keys", "admin"),
    ("/api/v1/neutrality/concerns/", "bawaslu"),
)
STEPS = 40 if FULL else 8


def test_stateful_calls_along_the_schemas_links_never_answer_5xx(
    served: Served,
) -> None:
    # Revoking keys would revoke the drill's own; the auth drill covers keys.
    schema = schemathesis.openapi.from_url(f"{served.base_url}/openapi.json").exclude(
        path_regex="^/api/v1/keys"
    )
    tally = counts(f"schemathesis stateful [{served.store}]")
    failures: list[str] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            role = next(
                (r for prefix, r in ROLE_BY_PREFIX if case.path.startswith(prefix)),
                "ops",
            )
            return {
                "headers": {"Authorization": f"Bearer {served.keys[role]}"},
                "timeout": 30,
            }

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            tally.add_status(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: "
                    f"{response.status_code} {response.text[:200]}"
                )
            assert response.status_code < 500, failures[-1]

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STEPS,
            stateful_step_count=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
    assert not failures, failures
    assert tally.requests > STEPS
