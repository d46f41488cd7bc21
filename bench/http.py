"""The HTTP plumbing every benchmark shares: a free loopback port and one GET."""

from __future__ import annotations

import http.client
import socket


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on (benchmarks never leave loopback)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, target: str, timeout: float = 30) -> tuple[int, bytes]:
    """GET ``target`` from 127.0.0.1:``port`` on a fresh connection: (status, body)."""
    status, _headers, body = fetch(port, target, timeout)
    return status, body


def fetch(port: int, target: str, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """GET ``target`` on a fresh connection: (status, headers with lower-case names, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()
