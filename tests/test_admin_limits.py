"""The editors' endpoint under attack: no token, blank token, guessed tokens, floods."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.sources import read_sources
from search_app.web import admin, create_app
from search_app.web.ratelimit import RateLimiter
from tests.conftest import SMALL_JSONL


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


def _client(index_dir, token="sekretny-token", failures=(2, 60.0), limit=(10, 60.0), **config):
    app = create_app(
        {"TESTING": True, "INDEX_DIR": str(index_dir), "ADMIN_TOKEN": token,
         "ADMIN_AUTH_FAILURES": failures, "ADMIN_RATE_LIMIT": limit, "SOURCES": [],
         "ADMIN_LOCK_TIMEOUT": 0.1, **config}
    )  # fmt: skip
    return app, app.test_client()


@pytest.fixture()
def own_index(tmp_path):
    """An index of its own: valid calls start jobs, which must not touch the shared one."""
    index_dir = tmp_path / "ix"
    build_index(read_sources([SMALL_JSONL]).practices, index_dir)
    return index_dir


@pytest.mark.parametrize("token", ["", "   "])
def test_never_enabled_without_a_real_token(small_index, token, monkeypatch):
    monkeypatch.delenv("BDP_ADMIN_TOKEN", raising=False)
    _app, client = _client(small_index, token=token)
    for auth in ("", "Bearer ", f"Bearer {token}"):
        response = client.post("/api/admin/reindex", headers={"Authorization": auth})
        assert response.status_code == 404


def guess(client, token="zly", address="127.0.0.1"):
    return client.post(
        "/api/admin/reindex",
        headers={"Authorization": f"Bearer {token}"},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_tokens_is_rate_limited(small_index):
    app, client = _client(small_index)
    clock = FakeClock()
    app.extensions["bdp_admin_failures"].clock = clock
    assert [guess(client, g).status_code for g in ("a", "b")] == [401, 401]
    flood = guess(client, "c")
    assert flood.status_code == 429
    assert flood.get_json() == {
        "error": {
            "status": 429,
            "message": "Zbyt wiele prób z błędnym tokenem z tego adresu. Spróbuj za 60 s.",
        }
    }
    assert flood.headers["Retry-After"] == "60"
    assert guess(client, address="10.0.0.9").status_code == 401  # another address is not blocked
    clock.now += 61
    assert guess(client).status_code == 401


def test_wrong_tokens_never_block_the_valid_one(own_index):
    """The issue's acceptance: 10 wrong-token calls from the editors' address, then the token."""
    _app, client = _client(own_index, failures=(5, 60.0))
    statuses = [guess(client, f"zgadywany-{n}").status_code for n in range(10)]
    assert statuses == [401] * 5 + [429] * 5
    valid = guess(client, "sekretny-token")
    assert valid.status_code == 202, valid.get_json()
    job_url = valid.headers["Location"]
    status = client.get(job_url, headers={"Authorization": "Bearer sekretny-token"})
    assert status.status_code == 200


def test_valid_calls_have_their_own_limit(own_index, monkeypatch):
    app, client = _client(own_index, limit=(2, 60.0))
    started = []
    monkeypatch.setattr(
        admin.jobs, "start_job", lambda *a, **k: started.append(k) or {"id": f"j{len(started)}"}
    )
    assert [guess(client, "sekretny-token").status_code for _ in range(2)] == [202, 202]
    over = guess(client, "sekretny-token")
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 59
    assert "odświeżenia indeksu" in over.get_json()["error"]["message"]
    assert len(started) == 2
    assert guess(client, "zly").status_code == 401  # valid calls do not count as failures


def test_behind_a_proxy_the_forwarded_client_is_counted(own_index):
    _app, client = _client(own_index, failures=(1, 60.0), PROXY_FIX_X_FOR=1)

    def via_proxy(token, client_address):
        return client.post(
            "/api/admin/reindex",
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": client_address},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy's own address
        )

    assert via_proxy("zly", "203.0.113.7").status_code == 401
    assert via_proxy("zly", "203.0.113.7").status_code == 429
    assert via_proxy("zly", "198.51.100.2").status_code == 401  # another client behind it


def test_without_proxy_fix_forwarded_addresses_are_not_believed(own_index):
    _app, client = _client(own_index, failures=(1, 60.0))

    def forged(address):
        return client.post(
            "/api/admin/reindex",
            headers={"Authorization": "Bearer zly", "X-Forwarded-For": address},
        )

    assert forged("203.0.113.7").status_code == 401
    assert forged("198.51.100.2").status_code == 429  # a forged header does not reset the count


@pytest.mark.parametrize("raw", ["x", "-1", "1.5"])
def test_a_bad_proxy_setting_stops_the_start_in_polish(monkeypatch, small_index, raw):
    monkeypatch.setenv("BDP_PROXY_FIX_X_FOR", raw)
    with pytest.raises(ValueError, match="BDP_PROXY_FIX_X_FOR musi być liczbą całkowitą"):
        create_app({"TESTING": True, "INDEX_DIR": str(small_index)})


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


def test_requests_without_a_token_are_401_not_counted(small_index):
    _app, client = _client(small_index, failures=(1, 60.0))
    for _ in range(5):
        assert client.post("/api/admin/reindex").status_code == 401
    assert guess(client).status_code == 401  # the first real guess is still only a 401
