"""A small thread-safe map whose entries expire: the building block of the per-process caches.

An entry dies ``ttl`` after the read that produced it began (by the injected clock), when
``max_entries`` newer ones push it out, when its ``Generation`` is bumped (``clear``), or
when its key is ``discard``-ed. A value is computed from a read that may have begun before
a change committed and invalidated it: take a ``ticket()`` before the read and hand it to
``put``, and the map refuses a value whose read began before such an invalidation, so a
stale read never outlives the change that invalidated it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from clipcart import clock

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
DISCARD_MEMORY = 4096  # discarded keys remembered to refuse reads that began before


class Generation:
    """A counter bumped by a change that empties every map sharing it."""

    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self.value += 1


@dataclass(frozen=True)
class Ticket:
    """Taken before a read: the generation and discard count then, and the time."""

    generation: int
    discards: int
    at: datetime


class TtlMap(Generic[K, V]):
    def __init__(self, ttl: timedelta, max_entries: int,
                 generation: Generation | None = None) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.generation = generation or Generation()
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[datetime, int, V]] = OrderedDict()
        self._discards = 0  # discards so far
        self._discarded: OrderedDict[K, int] = OrderedDict()  # key -> its last discard's number
        self._forgotten = 0  # the number of the newest discard no longer remembered

    def ticket(self) -> Ticket:
        return Ticket(self.generation.value, self._discards, clock.now())

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            at, generation, value = found
            now = clock.now()
            if generation != self.generation.value or now - at >= self.ttl or now < at:
                del self._entries[key]
                return None
            return value

    def put(self, key: K, value: V, ticket: Ticket) -> None:
        """Keep ``value`` read since ``ticket``, unless an invalidation came in between."""
        with self._lock:
            if ticket.generation != self.generation.value or \
                    self._discarded.get(key, 0) > ticket.discards or \
                    self._forgotten > ticket.discards:
                return
            self._entries[key] = (ticket.at, ticket.generation, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        found = self.get(key)
        if found is not None:
            return found
        ticket = self.ticket()
        value = make()
        self.put(key, value, ticket)
        return value

    def discard(self, key: K) -> None:
        """Forget ``key``, and refuse its values read before now."""
        with self._lock:
            self._entries.pop(key, None)
            self._discards += 1
            self._discarded[key] = self._discards
            self._discarded.move_to_end(key)
            while len(self._discarded) > DISCARD_MEMORY:
                _, number = self._discarded.popitem(last=False)
                self._forgotten = max(self._forgotten, number)

    def clear(self) -> None:
        """Forget everything, and refuse values read before now (in every map sharing the
        generation)."""
        self.generation.bump()
        with self._lock:
            self._entries.clear()
