"""Checkout admission: in a flash sale, a buyer who holds stock pays before a new buyer starts.

Without it every request of a burst shares the CPU at once, so a payment (for stock already
reserved) waits behind hundreds of cart lines and checkouts: its p99 grows with the crowd,
and reserved units sit unpaid. Here each server process runs at most ``slots`` of the
buying requests at a time; those that wait are let in payments first, then in arrival
order. A route takes part by declaring its kind in its ``opt`` (``checkout.api``); the
others (pages, LIVE streams, the provider's own endpoints and its webhooks, which a payment
waits on) never wait here. ``slots`` 0 turns the gate off.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

FINISH, START = 0, 1
OPT = "admission"  # a route handler's ``opt`` key: FINISH or START; routes without it pass


def kind_of(scope: Scope) -> int | None:
    """The kind the matched route declares (``opt={OPT: ...}``); None: not gated."""
    handler = scope.get("route_handler")
    return None if handler is None else handler.opt.get(OPT)


class PriorityGate:
    """At most ``slots`` holders; waiters are let in by kind (FINISH first), then in order.
    One per event loop (a server process)."""

    def __init__(self, slots: int) -> None:
        self.slots, self.busy = slots, 0
        self.waiting: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque())

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
        try:
            await next_app(scope, receive, send)
        finally:
            gate.release()
