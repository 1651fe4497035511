"""schemathesis against the app's own OpenAPI: no generated request gets a 5xx.

Runs every operation, with valid and with schema-violating data, with admin and device
credentials (the device's scope
makes most routes 403 early, so it also exercises the refusal paths), on both
databases, against the real server on loopback.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case

from tests.server.conftest import Enrolled

EXAMPLES = int(os.environ.get("ADMITONE_SCHEMATHESIS_EXAMPLES", "8"))


@pytest.mark.slow
@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@pytest.mark.parametrize("who", ["admin", "device"])
def test_no_generated_request_gets_a_server_error(
    enrolled: Enrolled, who: str, mode: GenerationMode
) -> None:
    """Positive cases (valid by the schema) and negative ones (wrong types, values out
    of range, missing and extra fields): neither may reach a 5xx."""
    server = enrolled.server
    token = server.admin_token if who == "admin" else enrolled.token
    schema = schemathesis.openapi.from_dict(server.app.openapi())
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err would be our schema's bug

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Case) -> None:  # type: ignore[type-arg]
            nonlocal calls
            response = case.call(
                base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
            )
            calls += 1
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> "
                    f"{response.status_code}: {case.as_curl_command()}"
                )

        try:
            check()
        except Unsatisfiable:  # no way to break an operation that takes nothing
            assert mode is GenerationMode.NEGATIVE
    assert calls >= EXAMPLES * (10 if mode is GenerationMode.POSITIVE else 4)
    assert failures == []
