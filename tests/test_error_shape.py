"""The one JSON error shape, ``{"error": {"status", "message"}}``, on every error route."""

from __future__ import annotations

import pytest

from search_app.web import admin, create_app, jobs

TOKEN = "sekretny-token-redakcji"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _app(index_dir, **config):
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "ADMIN_TOKEN": TOKEN,
            "ADMIN_AUTH_FAILURES": (1, 60.0),
            "SOURCES": [],
            "ADMIN_LOCK_TIMEOUT": 0.1,
            **config,
        }
    )


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip()
    return body["error"]


def running_job(*_args, **_kwargs):
    raise jobs.JobRunningError({"id": "20260101T000000000000-abcdef01", "status": "running"})


def test_400_untrusted_host(small_index, monkeypatch):
    monkeypatch.setenv("BDP_TRUSTED_HOSTS", "bdp.example")
    client = _app(small_index).test_client()
    error = assert_error_shape(client.get("/api/search", headers={"Host": "evil.test"}), 400)
    assert "evil.test" not in error["message"]


def test_401_without_a_token(small_index):
    response = _app(small_index).test_client().post("/api/admin/reindex")
    assert_error_shape(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "realm" in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    ("url", "headers"),
    [("/api/practices/nie-ma-takiej", {}), ("/api/nic", {}), ("/api/admin/jobs/zle-id", AUTH)],
)
def test_404(small_index, url, headers):
    assert_error_shape(_app(small_index).test_client().get(url, headers=headers), 404)


def test_405_names_the_allowed_methods(small_index):
    response = _app(small_index).test_client().delete("/api/search")
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]


def test_409_points_at_the_running_job(small_index, monkeypatch):
    monkeypatch.setattr(admin.jobs, "start_job", running_job)
    response = _app(small_index).test_client().post("/api/admin/reindex", headers=AUTH)
    error = assert_error_shape(response, 409)
    assert "20260101T000000000000-abcdef01" in error["message"]
    assert response.headers["Location"] == "/api/admin/jobs/20260101T000000000000-abcdef01"


def test_413_body_too_large(small_index):
    client = _app(small_index, MAX_CONTENT_LENGTH=100).test_client()
    response = client.post("/api/admin/reindex", data=b"x" * 1000, headers=AUTH)
    assert_error_shape(response, 413)


def test_429_after_wrong_tokens(small_index):
    client = _app(small_index).test_client()
    wrong = {"Authorization": "Bearer zly"}
    assert client.post("/api/admin/reindex", headers=wrong).status_code == 401
    response = client.post("/api/admin/reindex", headers=wrong)
    assert_error_shape(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("url", ["/healthz", "/api/search", "/api/practices/x"])
def test_503_without_an_index(tmp_path, url):
    client = _app(tmp_path / "brak").test_client()
    error = assert_error_shape(client.get(url), 503)
    assert "bdp index build" in error["message"]


def test_503_when_a_job_cannot_start(small_index, monkeypatch):
    def no_space(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(admin.jobs, "start_job", no_space)
    response = _app(small_index).test_client().post("/api/admin/reindex", headers=AUTH)
    assert "Nie udało się uruchomić zadania" in assert_error_shape(response, 503)["message"]


def test_html_pages_keep_html_errors(small_index):
    response = _app(small_index).test_client().get("/praktyka/nie-ma-takiej")
    assert response.status_code == 404 and response.mimetype == "text/html"
