"""One error handler: JSON with one shape under /api/, an HTML page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from indexer.store import IndexMissingError


def error_payload(status: int, message: str) -> dict:
    """The JSON error shape used by every API error."""
    return {"error": {"status": status, "message": message}}


# Werkzeug's stock descriptions are English; visitors read Polish.
POLISH_MESSAGES = {
    400: "Nieprawidłowe żądanie.",
    404: "Nie znaleziono strony.",
    405: "Ta metoda nie jest dozwolona dla tego adresu.",
    413: "Żądanie jest zbyt duże.",
    414: "Adres jest zbyt długi.",
    429: "Zbyt wiele żądań — spróbuj za chwilę.",
}


# Machine-readable endpoints outside /api/ that answer errors in JSON too.
JSON_PATHS = ("/healthz",)


def _respond(status: int, message: str, headers: list[tuple[str, str]] | None = None):
    if request.path.startswith("/api/") or request.path in JSON_PATHS:
        return jsonify(error_payload(status, message)), status, headers or []
    return render_template("error.html", status=status, message=message), status, headers or []


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = exc.description
        if not message or message == type(exc).description:
            message = POLISH_MESSAGES.get(status, exc.name)
        # Keep what the exception says about itself (e.g. Allow on a 405), not its body type.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return _respond(status, message, headers)

    @app.errorhandler(IndexMissingError)
    def index_missing(exc: IndexMissingError):
        return _respond(ServiceUnavailable.code, str(exc))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return _respond(InternalServerError.code, "Wystąpił nieoczekiwany błąd serwera.")
