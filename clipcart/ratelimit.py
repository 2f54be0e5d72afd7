"""Fixed-window counters: Redis ``INCR`` across processes, or memory in one process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from clipcart.config import get_settings


class Limiter:
    def __init__(self, redis_url: str = "", now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)

    def hit(self, key: str, limit: int, window_seconds: int) -> tuple[bool, int]:
        """Count one attempt; returns (allowed, seconds until the window resets)."""
        now = self._now()
        window_start = int(now // window_seconds) * window_seconds
        reset_in = int(window_start + window_seconds - now) + 1
        bucket = f"clipcart:rl:{key}:{window_start}"
        if self._redis is not None:
            pipe = self._redis.pipeline()
            pipe.incr(bucket)
            pipe.expire(bucket, window_seconds + 1)
            count = int(pipe.execute()[0])
        else:
            with self._lock:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                count = self._counts.get(bucket, (0, 0.0))[0] + 1
                self._counts[bucket] = (count, window_start + window_seconds)
        return count <= limit, reset_in

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


_limiter: Limiter | None = None


def get_limiter() -> Limiter:
    global _limiter
    if _limiter is None:
        _limiter = Limiter(get_settings().redis_url)
    return _limiter
