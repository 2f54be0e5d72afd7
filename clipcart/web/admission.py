"""Checkout admission: in a flash sale, a buyer who holds stock pays before a new buyer starts.

Without it every request of a burst shares the CPU at once, so a payment (for stock already
reserved) waits behind hundreds of cart lines and checkouts: its p99 grows with the crowd,
and reserved units sit unpaid. Here each server process runs at most ``slots`` of the
buying requests at a time; those that wait are let in payments first, then in arrival
order. A route takes part by declaring its kind in its ``opt`` (``checkout.api``); the
others (pages, LIVE streams, the provider's own endpoints and its webhooks, which a payment
waits on) never wait here. ``slots`` 0 turns the gate off.

While a request waits on a system far away (``waits.outside()``: the payment provider) for
longer than ``LEND_AFTER``, its slot serves the next in line; the request then comes back
ahead of everyone (RESUME), so a slow provider does not hold the process's buyers up.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from clipcart import waits

RESUME, FINISH, START = 0, 1, 2  # RESUME: back from waiting outside, mid-request
LEND_AFTER = 0.05  # seconds a request waits outside before its slot is lent
OPT = "admission"  # a route handler's ``opt`` key: FINISH or START; routes without it pass


def kind_of(scope: Scope) -> int | None:
    """The kind the matched route declares (``opt={OPT: ...}``); None: not gated."""
    handler = scope.get("route_handler")
    return None if handler is None else handler.opt.get(OPT)


class PriorityGate:
    """At most ``slots`` holders; waiters are let in by kind (RESUME, FINISH, START), then in order.
    One per event loop (a server process)."""

    def __init__(self, slots: int) -> None:
        self.slots, self.busy = slots, 0
        self.waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque(), deque())

    async def acquire(self, kind: int) -> None:
        if self.busy < self.slots and not any(self.waiting):
            self.busy += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting[kind].append(turn)
        try:
            await turn
        except asyncio.CancelledError:  # the client went away while waiting
            if turn.done() and not turn.cancelled():
                self.release()  # it was let in just before: pass the slot on
            elif turn in self.waiting[kind]:
                self.waiting[kind].remove(turn)
            raise

    def release(self) -> None:
        for queue in self.waiting:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)  # the slot passes on: busy stays
                    return
        self.busy -= 1


def _runs_on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


class Lease:
    """One request's slot of ``gate``, lent while the request waits outside for longer than
    ``lend_after`` seconds: lending costs the return a turn in the queue, which only a long
    wait (a provider far away, not one on loopback) is worth. The handler runs in a worker
    thread; every step on the gate runs on the loop that owns it."""

    def __init__(self, gate: PriorityGate, loop: asyncio.AbstractEventLoop,
                 lend_after: float = LEND_AFTER) -> None:
        self.gate, self.loop, self.lend_after, self.held = gate, loop, lend_after, True
        self.ended = False
        self._timer: asyncio.TimerHandle | None = None

    @contextmanager
    def stepped_aside(self) -> Iterator[None]:
        if not self.held or _runs_on(self.loop):  # the loop's own thread must not block
            yield
            return
        self.loop.call_soon_threadsafe(self._arm)
        try:
            yield
        finally:  # runs after _arm: the loop takes callbacks in the order they were sent
            asyncio.run_coroutine_threadsafe(self._come_back(), self.loop).result()

    def _arm(self) -> None:
        self._timer = self.loop.call_later(self.lend_after, self._lend)

    def _lend(self) -> None:
        self._timer, self.held = None, False
        self.gate.release()

    async def _come_back(self) -> None:
        if self._timer is not None:  # a short wait: the slot was never lent
            self._timer.cancel()
            self._timer = None
            return
        if self.ended:
            return
        await self.gate.acquire(RESUME)
        if self.ended:  # the request was given up while this waited for its turn
            self.gate.release()
        else:
            self.held = True

    def end(self) -> None:
        """The request is over; or given up (cancelled) while its handler thread still
        runs, which then must not take a slot back for good."""
        self.ended = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.held:
            self.held = False
            self.gate.release()


class AdmissionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, PriorityGate] = \
            weakref.WeakKeyDictionary()

    def _gate(self) -> PriorityGate:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = PriorityGate(self.slots)
        return gate

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        kind = kind_of(scope) if self.slots > 0 else None
        if kind is None:
            await next_app(scope, receive, send)
            return
        gate = self._gate()
        await gate.acquire(kind)
        lease = Lease(gate, asyncio.get_running_loop())
        token = waits.lend(lease.stepped_aside)
        try:
            await next_app(scope, receive, send)
        finally:
            waits.take_back(token)
            lease.end()
