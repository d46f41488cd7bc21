"""A small in-process rate limit: at most N events per window per client address.

The editors' endpoints keep two of these: one counts only wrong tokens (so a
guesser is slowed down), the other only valid calls (so a leaked token cannot
start updates in a loop); a valid token is never refused for someone else's
wrong guesses. Each gunicorn worker counts on its own, so the real bound is N
times the number of workers. The key is ``request.remote_addr``: behind a
reverse proxy that is the proxy unless ``BDP_PROXY_FIX_X_FOR`` is set.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Sliding window: ``limit`` events per ``window`` seconds for each key."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Record an event; 0 if it is allowed, else the seconds until one is (nothing recorded)."""
        now = self.clock()
        with self._lock:
            for stale in [k for k, times in self._seen.items() if times[-1] <= now - self.window]:
                del self._seen[stale]  # forget quiet clients so the table stays small
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return times[0] + self.window - now
            times.append(now)
            return 0.0
