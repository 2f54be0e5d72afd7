"""Waiting on another system without holding what other requests need.

A web request may hold one of its server process's few buying slots (the checkout admission
gate, ``web/admission.py``). Code about to wait on a system far away, a payment provider
above all, wraps the wait in ``outside()``: the slot serves other buyers during the wait and
comes back, ahead of new arrivals, after it. Where nothing lent a slot (jobs, the CLI,
tests that call services directly), ``outside()`` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar, Token

StepAside = Callable[[], AbstractContextManager[None]]

_step_aside: ContextVar[StepAside | None] = ContextVar("clipcart_step_aside", default=None)


def lend(step_aside: StepAside) -> Token[StepAside | None]:
    """Make ``step_aside`` what ``outside()`` uses in this context (and the threads it
    starts with a copy of it, as a sync request handler's thread is)."""
    return _step_aside.set(step_aside)


def take_back(token: Token[StepAside | None]) -> None:
    _step_aside.reset(token)


@contextmanager
def outside() -> Iterator[None]:
    step_aside = _step_aside.get()
    with step_aside() if step_aside is not None else nullcontext():
        yield
