"""Side effects that must wait for a commit: enqueue a job, send mail, delete a file.

``after_commit(session, fn)`` runs ``fn`` once the session's outermost transaction has
committed AND its connection is back in the pool, so the callback (which may run a job
inline, or call a service over HTTP that calls back into this process) never holds a
second pool connection. A rollback drops the callbacks; a released savepoint keeps them
for the real commit. A callback that fails is logged; its periodic sweep repairs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)
_QUEUED = "aftercommit_queued"
_COMMITTED = "aftercommit_committed"


def after_commit(session: Session, callback: Callable[[], object],
                 key: Hashable | None = None) -> None:
    """Run ``callback`` after the commit; callbacks with the same ``key`` run once."""
    queued: dict[Hashable, Callable[[], object]] = session.info.setdefault(_QUEUED, {})
    queued.setdefault(key if key is not None else object(), callback)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info[_COMMITTED] = session.info.pop(_QUEUED, {})


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_QUEUED, None)


@event.listens_for(Session, "after_transaction_end")
def _released(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return
    for callback in session.info.pop(_COMMITTED, {}).values():
        try:
            callback()
        except Exception:
            log.exception("an after-commit callback failed")
