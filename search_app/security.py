"""Security headers on every response, so a visitor's or an editor's text can never run as code.

The pages use no inline scripts, styles or event handlers, so the
Content-Security-Policy allows only files served by the app itself.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response

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
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(ch.isspace() or ord(ch) < 32 for ch in address):
        return None
    return address


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.add_template_filter(external_url)
