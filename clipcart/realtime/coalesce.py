"""Share one read among the many viewers who join a room at the same moment.

A viewer must get a state read that *started after* it subscribed (or it could miss an
event published in between). So a caller never joins a read already running; it joins
the next one, which starts as soon as the running one ends. When 2,000 viewers arrive in
a burst, the room's state is read a handful of times instead of 2,000.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class NextRead:
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}
        self._next: dict[Hashable, asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def read(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        waiting = self._next.get(key)
        if waiting is None:
            waiting = self._next[key] = asyncio.get_running_loop().create_future()
            waiting.add_done_callback(_retrieve)
            task = asyncio.ensure_future(self._start_when_free(key, waiting, load))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await asyncio.shield(waiting)

    async def _start_when_free(self, key: Hashable, mine: asyncio.Future[Any],
                               load: Callable[[], Awaitable[Any]]) -> None:
        running = self._running.get(key)
        if running is not None:
            await asyncio.wait({running})
        # from here on, newcomers queue for the read after this one
        if self._next.get(key) is mine:
            del self._next[key]
        self._running[key] = mine
        try:
            result = await load()
        except BaseException as exc:  # every waiter gets the same error (e.g. NotFound)
            if not mine.done():
                mine.set_exception(exc)
        else:
            if not mine.done():
                mine.set_result(result)
        finally:
            if self._running.get(key) is mine:
                del self._running[key]


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # marks it retrieved: waiters re-raise it themselves
