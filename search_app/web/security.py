"""Security headers on every response, so a visitor's or an editor's text can never run as code.

The pages use no inline scripts, styles or event handlers, so the
Content-Security-Policy allows only files served by the app itself.
Redirects are relative: the ``Host`` header is the client's to forge, so it
must never come back in a ``Location`` (``TRUSTED_HOSTS`` can also refuse it).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, current_app, redirect, request
from markupsafe import escape
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import RequestRedirect

from indexer.records import is_http_url

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers unless a view chose its own value."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


HTTP_URL = re.compile(r"https?://", re.IGNORECASE)
URL_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def external_url(address: str) -> str | None:
    """A link target for a practice's website: http(s) only, so ``javascript:`` never links.

    >>> external_url("www.zory.pl")
    'http://www.zory.pl'
    >>> external_url("javascript:alert(1)") is None
    True
    """
    address = (address or "").strip()
    if not address:
        return None
    if not HTTP_URL.match(address):
        if URL_SCHEME.match(address):
            return None  # javascript:, data:, mailto: … are not websites
        address = "http://" + address
    return address if is_http_url(address) else None


def relative_location(location: str) -> str:
    """The path, query and fragment of a URL: a redirect target on whatever host was asked.

    Leading slashes and backslashes collapse to one, so the result is never
    ``//host/…`` (a browser would read that as another host).

    >>> relative_location("http://evil.example/praktyka/x?a=1")
    '/praktyka/x?a=1'
    >>> relative_location("http://bdp.example//evil.example/")
    '/evil.example/'
    """
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


REDIRECT_PAGE = (
    '<!doctype html>\n<html lang="pl"><meta charset="utf-8"><title>Przekierowanie</title>'
    "<p>Adres zmienił się na {link}.</p></html>\n"
)


def redirect_relatively():
    """Answer Werkzeug's routing redirects (``/praktyka//x``) ourselves, with a relative target.

    Werkzeug builds them as absolute URLs from the request's Host, and Flask
    returns them without calling any error handler, so they are caught here,
    before the view would raise them.
    """
    if isinstance(request.routing_exception, RequestRedirect):
        exc = request.routing_exception
        target = relative_location(exc.new_url)
        response = redirect(target, code=exc.code)
        link = f'<a href="{escape(target)}">{escape(target)}</a>'
        response.set_data(REDIRECT_PAGE.format(link=link))  # Werkzeug's own text is English
        return response
    return None


def no_absolute_location(response: Response) -> Response:
    """Make any absolute ``Location`` relative: the app never redirects to another site."""
    location = response.headers.get("Location")
    if location and urlsplit(location).netloc:
        response.headers["Location"] = relative_location(location)
    return response


def refuse_large_bodies() -> None:
    """413 for a body over ``MAX_CONTENT_LENGTH``, on every route, before anything reads it.

    Werkzeug enforces the limit only when a view reads the body; no view here
    does, so without this a 2 MiB POST would be accepted (and its bytes kept).
    A chunked body, whose length is unknown, is read up to the limit.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if not limit or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
    elif request.headers.get("Transfer-Encoding", "").lower() == "chunked":
        request.get_data(cache=False)  # raises RequestEntityTooLarge past the limit


def register(app: Flask) -> None:
    app.before_request(refuse_large_bodies)
    app.before_request(redirect_relatively)
    app.after_request(no_absolute_location)
    app.after_request(add_security_headers)
    app.add_template_filter(external_url)
