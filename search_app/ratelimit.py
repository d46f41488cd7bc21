"""A small in-process rate limit: at most N requests per window per client address.

Used by the editors' endpoint, so a leaked or guessed token cannot be tried
(or a reindex triggered) more than a few times a minute. Each gunicorn worker
counts on its own, so the real bound is N times the number of workers.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Sliding window: ``limit`` requests per ``window`` seconds for each key."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Record a request; 0 if it is allowed, else the seconds until the next one is."""
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
