"""Deterministic race tests (in the manner of Saleor's ``race_condition.py``).

``run_before`` / ``run_after`` patch a function so that, on its first call, a competing
operation runs at exactly that point, in its own transaction. A race test written this way
fails every time the bug is there, not one run in fifty. ``wait_until_blocked`` lets a
competing thread reach a PostgreSQL row lock before the test lets the first one go on.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from sqlalchemy import event, text

from clipcart.db import Database


@contextmanager
def _patched(target: str, wrap: Callable[[Callable[..., Any], list[bool]],
                                         Callable[..., Any]]) -> Iterator[list[bool]]:
    module_name, attribute = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    fired: list[bool] = []
    with mock.patch.object(module, attribute, wrap(getattr(module, attribute), fired)):
        yield fired


@contextmanager
def run_before(target: str, competitor: Callable[[], None]) -> Iterator[list[bool]]:
    """Run ``competitor`` just before the first call of ``target`` ("module.function")."""

    def wrap(original: Callable[..., Any], fired: list[bool]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not fired:
                fired.append(True)
                competitor()
            return original(*args, **kwargs)
        return wrapper

    with _patched(target, wrap) as fired:
        yield fired


@contextmanager
def run_after(target: str, competitor: Callable[[], None]) -> Iterator[list[bool]]:
    """Run ``competitor`` just after the first call of ``target`` returns."""

    def wrap(original: Callable[..., Any], fired: list[bool]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if not fired:
                fired.append(True)
                competitor()
            return result
        return wrapper

    with _patched(target, wrap) as fired:
        yield fired


@contextmanager
def run_before_statement(db: Database, starts_with: str,
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

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)


def wait_until_blocked(db: Database, timeout: float = 20.0) -> None:
    """Return once another PostgreSQL backend of this database waits on a lock."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar_one()
            conn.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the competing transaction never waited on the lock")
