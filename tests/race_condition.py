"""Deterministic races, after Saleor's ``tests/race_condition.py``.

``run_before`` / ``run_after`` patch a function (named ``"module.attr"``) so a callback
runs at exactly that point of the code under test: a competing transaction lands between
a read and the write that depends on it every time, not one run in fifty.
``run_before_statement`` does the same at an SQL statement; ``wait_until_blocked`` lets a
competing thread reach a PostgreSQL row lock before the test lets the first one go on.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, text


def _resolve(target: str) -> tuple[Any, str, Callable[..., Any]]:
    module_name, attr = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    return module, attr, getattr(module, attr)


@contextmanager
def run_before(target: str, callback: Callable[..., Any]) -> Iterator[list[bool]]:
    """Call ``callback(*args, **kwargs)`` right before each call of ``target``; yields a
    list with one entry per call, so a test can check the point was reached."""
    module, attr, original = _resolve(target)
    calls: list[bool] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(True)
        callback(*args, **kwargs)
        return original(*args, **kwargs)

    setattr(module, attr, wrapper)
    try:
        yield calls
    finally:
        setattr(module, attr, original)


@contextmanager
def run_after(target: str, callback: Callable[..., Any]) -> Iterator[list[bool]]:
    """Call ``callback(*args, **kwargs)`` right after each call of ``target`` returns;
    yields a list with one entry per call."""
    module, attr, original = _resolve(target)
    calls: list[bool] = []

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.append(True)
        callback(*args, **kwargs)
        return result

    setattr(module, attr, wrapper)
    try:
        yield calls
    finally:
        setattr(module, attr, original)


@contextmanager
def run_before_statement(engine: Engine, starts_with: str,
                         competitor: Callable[[], None]) -> Iterator[list[bool]]:
    """Run ``competitor`` just before this thread's first SQL statement that starts with
    ``starts_with`` (e.g. "UPDATE stock_levels"): catches any read-then-write, wherever
    the read happened."""
    fired: list[bool] = []
    owner = threading.get_ident()

    def hook(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if (not fired and threading.get_ident() == owner
                and statement.lstrip().upper().startswith(starts_with.upper())):
            fired.append(True)
            competitor()

    event.listen(engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", hook)


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
