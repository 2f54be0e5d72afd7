"""``db.read_only``: pure reads skip SQLite's writer queue, see one snapshot, and leave
the pooled connection as they found it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import DBAPIError

from clipcart.db import read_only, transaction
from clipcart.discovery.feed_models import FeedAffinity

AT = datetime(2026, 11, 1, tzinfo=UTC)


def _rows() -> int:
    with read_only() as session:
        return session.scalar(select(func.count()).select_from(FeedAffinity)) or 0


def _add(session, user_id: int) -> None:  # type: ignore[no-untyped-def]
    session.execute(insert(FeedAffinity).values(user_id=user_id, shop_id=1, last_at=AT))


def test_a_read_does_not_wait_for_the_writer_and_sees_only_committed_rows():
    with transaction() as writer:
        _add(writer, 1)
        # this thread holds SQLite's writer queue (a plain lock): a read that queued for
        # it would wait out the busy timeout and fail instead of answering
        assert _rows() == 0
    assert _rows() == 1


def test_a_read_sees_one_snapshot_while_a_write_commits():
    with transaction() as writer:
        _add(writer, 1)
    with read_only() as reader:
        count = select(func.count()).select_from(FeedAffinity)
        assert reader.scalar(count) == 1
        with transaction() as writer:
            _add(writer, 2)
        assert reader.scalar(count) == 1
    assert _rows() == 2


def test_writes_still_commit_after_read_only_sessions_used_the_pool(is_postgres):
    for n in range(5):
        assert _rows() == n
        with transaction() as writer:
            _add(writer, n + 1)
    assert _rows() == 5


def test_postgresql_refuses_a_write_in_a_read_only_session(is_postgres):
    if not is_postgres:
        pytest.skip("SQLite has no read-only transactions; the helper's contract says so")
    with pytest.raises(DBAPIError), read_only() as session:
        _add(session, 1)
    assert _rows() == 0
