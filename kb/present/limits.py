"""A rate limit per client: at most `limit` events in any `window` seconds."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Forget idle clients once this many are remembered, so that the table stays small.
_MAX_CLIENTS = 4096


class RateLimit:
    """A sliding window per key (a client's address). Safe to share between threads."""

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one event for `key`; False (and not counted) when over the limit."""
        now = self._clock()
        with self._lock:
            if len(self._seen) > _MAX_CLIENTS:
                self._forget_idle(now)
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) >= self.limit:
                return False
            times.append(now)
            return True

    def full(self, key: str) -> bool:
        """Whether the next event for `key` would be refused; counts nothing."""
        now = self._clock()
        with self._lock:
            times = self._seen.get(key)
            while times and times[0] <= now - self.window:
                times.popleft()
            return times is not None and len(times) >= self.limit

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[key]
