"""Schemathesis over the OpenAPI description, run in-process via WSGI: no input gives a 500.

Every generated request must get a documented status with a body matching
its schema (200 with messages, or the one JSON error shape). Bounded
(examples per operation, deadline) so the file runs in seconds.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from search_app.web import create_app
from search_app.web.openapi import openapi_spec

schema = schemathesis.openapi.from_dict(openapi_spec())


@pytest.fixture(scope="module")
def fuzz_app(small_index):
    # With an editors' token (which the fuzzer never guesses), so /api/admin/reindex exists.
    config = {"ADMIN_TOKEN": "fuzz-" + "x" * 40, "SOURCES": [], "ADMIN_LOCK_TIMEOUT": 0.1}
    return create_app({"TESTING": True, "INDEX_DIR": str(small_index), **config})


def test_served_description_is_the_one_fuzzed(fuzz_app):
    response = fuzz_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == openapi_spec()


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_api_conforms_and_never_fails(case, fuzz_app):
    # By design, values the API can repair (page=-5, sort=foo, per_page=10**9) get a 200 with
    # a note in ``messages`` rather than a 400, so the "reject invalid data" check is off.
    excluded = [schemathesis.checks.negative_data_rejection]
    if (case.method, case.path) == ("POST", "/redakcja/logowanie"):
        # The panel's login form is valid only with the CSRF token of a page the fuzzer
        # never reads: a schema-valid form without it is refused (400) on purpose.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    case.call_and_validate(app=fuzz_app, excluded_checks=excluded)
