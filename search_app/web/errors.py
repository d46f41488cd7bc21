"""One error handler: JSON with one shape under /api/, an HTML page elsewhere.

Every error of the web layer is a Werkzeug :class:`HTTPException` carrying its
Polish message (``description``) and its headers (``WWW-Authenticate``,
``Retry-After``, ``Location``); views raise them, and :func:`register` turns each
into the one response shape. A missing index and an unexpected exception become
503 and 500 exceptions on the same path.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from markupsafe import escape
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
)

from indexer.errors import IndexMissingError


def error_payload(status: int, message: str) -> dict:
    """The JSON error shape used by every API error."""
    return {"error": {"status": status, "message": message}}


# Werkzeug's stock descriptions are English; visitors read Polish.
POLISH_MESSAGES = {
    400: "Nieprawidłowe żądanie.",
    404: "Nie znaleziono strony.",
    405: "Ta metoda nie jest dozwolona dla tego adresu.",
    403: "Dostęp zabroniony.",
    413: "Żądanie jest zbyt duże.",
    414: "Adres jest zbyt długi.",
    416: "Nie można zwrócić żądanego zakresu pliku.",
    417: "Nieobsługiwane oczekiwanie (nagłówek Expect).",
    429: "Zbyt wiele żądań — spróbuj za chwilę.",
    431: "Nagłówki żądania są zbyt duże.",
    500: "Wystąpił nieoczekiwany błąd serwera.",
    501: "Serwer nie obsługuje tego sposobu przesyłania treści.",
}

# The Host header is not among TRUSTED_HOSTS; Werkzeug's text would repeat the forged host.
UNTRUSTED_HOST = "Nieznany adres serwera (nagłówek Host spoza listy BDP_TRUSTED_HOSTS)."


# Machine-readable endpoints outside /api/ that answer errors in JSON too.
JSON_PATHS = ("/healthz",)


class ConflictAt(Conflict):
    """409 with ``Location``: the address of what the request conflicts with."""

    def __init__(self, description: str, location: str) -> None:
        super().__init__(description)
        self.location = location

    def get_headers(self, environ=None, scope=None) -> list[tuple[str, str]]:
        return [*super().get_headers(environ, scope), ("Location", self.location)]


def _respond(status: int, message: str, headers: list[tuple[str, str]] | None = None):
    if request.path.startswith("/api/") or request.path in JSON_PATHS:
        return jsonify(error_payload(status, message)), status, headers or []
    if request_ctx.url_adapter is None:  # an untrusted Host: the page template cannot link
        return plain_page(status, message), status, headers or []
    return render_template("error.html", status=status, message=message), status, headers or []


def plain_page(status: int, message: str) -> str:
    """A minimal Polish error page, for when the site's template cannot be rendered."""
    return (
        '<!doctype html>\n<html lang="pl"><meta charset="utf-8">'
        f"<title>Błąd {status}</title><h1>Błąd {status}</h1><p>{escape(message)}</p></html>\n"
    )


def http_error(exc: HTTPException):
    """The one response for every error: its status, Polish message and headers."""
    status = exc.code or 500
    message = exc.description
    if isinstance(exc, SecurityError):
        message = UNTRUSTED_HOST
    elif not message or message == type(exc).description:
        message = POLISH_MESSAGES.get(status, exc.name)
    # Keep what the exception says about itself (Allow, WWW-Authenticate, Retry-After,
    # Location), not its body type.
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    return _respond(status, message, headers)


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(IndexMissingError)
    def index_missing(exc: IndexMissingError):
        return http_error(ServiceUnavailable(str(exc)))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return http_error(InternalServerError(POLISH_MESSAGES[500]))
