"""Tells this process that a viewer's own social history (their follows, likes, blocks)
changed, once the change commits (through the shared after-commit hook: once per transaction
and viewer, nothing on a rollback).

Per-process caches of what a viewer did subscribe (discovery's ranking signals); a reaction
that must not be lost goes through the outbox instead. Other processes are not told: their
caches rely on their TTL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sqlalchemy.orm import Session

from clipcart.aftercommit import after_commit

_listeners: list[Callable[[int], object]] = []
_CHANGED = "clipcart_viewer_changed"


def subscribe(listener: Callable[[int], object]) -> None:
    """Call ``listener(user_id)`` after each commit that changed that viewer's history."""
    _listeners.append(listener)


def note(session: Session, user_id: int) -> None:
    """The session changed ``user_id``'s follows, likes or blocks."""
    after_commit(session, partial(_tell, user_id), key=(_CHANGED, user_id))


def _tell(user_id: int) -> None:
    for listener in _listeners:
        listener(user_id)
