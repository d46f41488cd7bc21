"""The editors' endpoint under attack: no token, blank token, guessed tokens, floods."""

from __future__ import annotations

import pytest

from search_app import admin, create_app
from search_app.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_n_per_window_per_key():
    clock = FakeClock()
    limiter = RateLimiter(3, 60, clock)
    assert [limiter.retry_after("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.retry_after("a") == pytest.approx(60)
    assert limiter.retry_after("b") == 0  # another client has its own budget
    clock.now += 30
    assert limiter.retry_after("a") == pytest.approx(30)
    clock.now += 30.01
    assert limiter.retry_after("a") == 0


def _client(small_index, token="sekretny-token", limit=(2, 60.0)):
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(small_index), "ADMIN_TOKEN": token,
         "ADMIN_RATE_LIMIT": limit, "SOURCES": [], "ADMIN_LOCK_TIMEOUT": 0.1}
    )  # fmt: skip
    return app, app.test_client()


@pytest.mark.parametrize("token", ["", "   "])
def test_never_enabled_without_a_real_token(small_index, token, monkeypatch):
    monkeypatch.delenv("BDP_ADMIN_TOKEN", raising=False)
    _app, client = _client(small_index, token=token)
    for auth in ("", "Bearer ", f"Bearer {token}"):
        response = client.post("/api/admin/reindex", headers={"Authorization": auth})
        assert response.status_code == 404


def test_guessing_tokens_is_rate_limited(small_index):
    app, client = _client(small_index)
    clock = FakeClock()
    app.extensions["bdp_admin_limit"].clock = clock
    for guess in ("a", "b"):
        response = client.post("/api/admin/reindex", headers={"Authorization": f"Bearer {guess}"})
        assert response.status_code == 401
    flood = client.post("/api/admin/reindex", headers={"Authorization": "Bearer sekretny-token"})
    assert flood.status_code == 429
    assert flood.get_json() == {"error": {"status": 429, "message": flood.get_json()["error"]
                                          ["message"]}}  # fmt: skip
    assert int(flood.headers["Retry-After"]) == 60
    other = client.post(
        "/api/admin/reindex",
        headers={"Authorization": "Bearer zly"},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 401  # a different address is not blocked
    clock.now += 61
    again = client.post("/api/admin/reindex", headers={"Authorization": "Bearer zly"})
    assert again.status_code == 401


def test_token_is_compared_in_constant_time(small_index, monkeypatch):
    calls = []

    def spy(given, expected):
        calls.append((given, expected))
        return False

    monkeypatch.setattr(admin.hmac, "compare_digest", spy)
    _app, client = _client(small_index)
    response = client.post("/api/admin/reindex", headers={"Authorization": "Bearer zgaduję"})
    assert response.status_code == 401
    assert calls == [("zgaduję".encode(), b"sekretny-token")]


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_405_in_the_json_shape(small_index, method):
    _app, client = _client(small_index)
    response = getattr(client, method)("/api/admin/reindex")
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405 and "POST" in response.headers["Allow"]
