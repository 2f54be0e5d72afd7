"""Deterministic races, after Saleor's ``tests/race_condition.py``.

``run_before`` / ``run_after`` patch a function (named ``"module.attr"``) so a callback
runs at exactly that point of the code under test: a competing transaction lands between
a read and the write that depends on it every time, not one run in fifty.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text


def _resolve(target: str) -> tuple[Any, str, Callable[..., Any]]:
    module_name, attr = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    return module, attr, getattr(module, attr)


@contextmanager
def run_before(target: str, callback: Callable[..., Any]) -> Iterator[None]:
    """Call ``callback(*args, **kwargs)`` right before each call of ``target``."""
    module, attr, original = _resolve(target)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        callback(*args, **kwargs)
        return original(*args, **kwargs)

    setattr(module, attr, wrapper)
    try:
        yield
    finally:
        setattr(module, attr, original)


@contextmanager
def run_after(target: str, callback: Callable[..., Any]) -> Iterator[None]:
    """Call ``callback(*args, **kwargs)`` right after each call of ``target`` returns."""
    module, attr, original = _resolve(target)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        callback(*args, **kwargs)
        return result

    setattr(module, attr, wrapper)
    try:
        yield
    finally:
        setattr(module, attr, original)


def once(fn: Callable[[], Any]) -> Callable[..., None]:
    """A callback that runs ``fn`` the first time only (the competitor passes the same hook)."""
    fired = threading.Event()

    def callback(*_args: Any, **_kwargs: Any) -> None:
        if not fired.is_set():
            fired.set()
            fn()

    return callback


def in_thread(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in another thread (so in another transaction) and wait for it."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # handed back to the test
            outcome["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def wait_until_blocked(engine: Engine, waiting: int = 1, timeout: float = 20.0) -> None:
    """Wait until ``waiting`` PostgreSQL sessions of this database wait on a lock."""
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            blocked = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
            conn.rollback()
            if blocked >= waiting:
                return
            time.sleep(0.02)
    raise AssertionError(f"no session blocked on a lock within {timeout} seconds")
