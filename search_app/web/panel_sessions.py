"""Sessions of the editors' panel (``/redakcja``): a signed cookie, a record on the server.

The cookie is Flask's own session (a cookie signed by itsdangerous), set only
for ``/redakcja``: HttpOnly, SameSite=Strict, and Secure whenever the request
came over HTTPS (``request.is_secure``; behind a reverse proxy that is the
proxy's ``X-Forwarded-Proto``, trusted with ``BDP_PROXY_FIX_X_FOR``).

A signed cookie alone cannot be revoked: a copy taken before a logout would
still verify. So a login also writes a record, ``<INDEX_DIR>/panel_sessions/
<sha256 of the session id>.json``, and a request is signed in only while the
record of its cookie's session id exists, has not expired and names the
current token. A logout deletes the record, so the cookie is worthless from
then on in every gunicorn worker (they share the directory, as they share the
job files). The id is drawn afresh at each login (no session fixation), and
records past :data:`SESSION_SECONDS` are removed at the next login.

Why not Flask-Session: a server-side session store keeps a record for every
visitor, including everyone who only opens the login form (its CSRF token
lives in the session); here nothing is written for anyone who has not signed
in, and the one thing the server must know — is this session still valid —
is one small file.

The signing key is ``SECRET_KEY`` (``BDP_SECRET_KEY``, at least 32 characters)
when set, else derived from the editors' token with PBKDF2 under a fixed
label, so every worker (and every restart) derives the same key without a new
setting, and changing the token signs everyone out. PBKDF2 rather than one
HMAC because even the login form's cookie is signed with the key: a fast
derivation would let someone holding such a cookie test guesses of the token
offline at full speed, a slow one costs each guess as much as 600,000 HMACs.
The token should still be long and random (``secrets.token_urlsafe(32)``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from flask import Flask, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

SESSIONS_DIR = "panel_sessions"
COOKIE_NAME = "bdp_redakcja"
COOKIE_PATH = "/redakcja"
# A session ends this long after its login, whatever happens (and with the browser).
SESSION_SECONDS = 8 * 3600
SECRET_LABEL = b"bdp-search/redakcja/session-key/v1"
PBKDF2_ROUNDS = 600_000
MIN_SECRET_KEY = 32


class PanelSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with ``Secure`` whenever the request is HTTPS and
    the path of the panel wherever the app is mounted."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (has_request_context() and request.is_secure)

    def get_cookie_path(self, app: Flask) -> str:
        root = request.script_root if has_request_context() else ""
        return f"{root}{app.config['SESSION_COOKIE_PATH']}"


@functools.cache
def derive_secret_key(token: str) -> str:
    """The session signing key of a token: PBKDF2-HMAC-SHA256 under :data:`SECRET_LABEL`."""
    key = hashlib.pbkdf2_hmac("sha256", token.encode("utf-8"), SECRET_LABEL, PBKDF2_ROUNDS)
    return key.hex()


def configure(app: Flask) -> None:
    """Set the signing key, the cookie's attributes and the session interface of ``app``.

    A ``SECRET_KEY`` shorter than :data:`MIN_SECRET_KEY` stops the start, in Polish.
    """
    config = app.config
    configured = str(config.get("SECRET_KEY") or "")
    if configured and len(configured) < MIN_SECRET_KEY:
        raise ValueError(
            f"BDP_SECRET_KEY musi mieć co najmniej {MIN_SECRET_KEY} znaki "
            f"(np. python -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            f"a ma {len(configured)}."
        )
    config["SECRET_KEY"] = configured or derive_secret_key(config["ADMIN_TOKEN"])
    config.update(
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_PATH=COOKIE_PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
    )
    app.session_interface = PanelSessionInterface()


class SessionStore:
    """The records of signed-in sessions: one file each, shared by every worker."""

    def __init__(self, directory: Path | str, secret_key: str) -> None:
        self.directory = Path(directory)
        self._secret = secret_key.encode("utf-8")

    @classmethod
    def of(cls, app: Flask) -> SessionStore:
        return cls(Path(app.config["INDEX_DIR"]) / SESSIONS_DIR, app.config["SECRET_KEY"])

    def create(self, token: str) -> str:
        """Record a new session for ``token``; its id (random, 256 bits), for the cookie.

        Raises ``OSError`` when the record cannot be written.
        """
        self.prune()
        self.directory.mkdir(parents=True, exist_ok=True)
        session_id = secrets.token_urlsafe(32)
        now = time.time()
        record = {
            "created": int(now),
            "expires": int(now + SESSION_SECONDS),
            "token": self._fingerprint(token),
        }
        path = self._path(session_id)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            with os.fdopen(os.open(tmp, flags, 0o600), "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            os.replace(tmp, path)  # whole, so another worker's prune never reads half of it
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return session_id

    def valid(self, session_id: object, token: str) -> bool:
        """Whether ``session_id`` has a record, not expired, made with the token in use now."""
        if not isinstance(session_id, str) or not session_id:
            return False
        try:
            record = json.loads(self._path(session_id).read_text(encoding="utf-8"))
            expires, made_with = float(record["expires"]), str(record["token"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return time.time() < expires and hmac.compare_digest(made_with, self._fingerprint(token))

    def revoke(self, session_id: object) -> None:
        """Delete the record of ``session_id``: its cookie no longer signs anyone in."""
        if isinstance(session_id, str) and session_id:
            self._path(session_id).unlink(missing_ok=True)

    def prune(self) -> None:
        """Delete the records of sessions that have expired (or cannot be read)."""
        now = time.time()
        for path in self.directory.glob("*.json"):
            try:
                expires = float(json.loads(path.read_text(encoding="utf-8"))["expires"])
            except (OSError, ValueError, KeyError, TypeError):
                expires = 0.0
            if expires <= now:
                path.unlink(missing_ok=True)

    def _path(self, session_id: str) -> Path:
        # By a hash: the id never reaches the file system, and a listing reveals no cookie.
        return self.directory / f"{hashlib.sha256(session_id.encode('utf-8')).hexdigest()}.json"

    def _fingerprint(self, token: str) -> str:
        return hmac.new(self._secret, token.encode("utf-8"), hashlib.sha256).hexdigest()
