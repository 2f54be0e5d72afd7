"""The outbox: events commit with their change and each handler's effects happen once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from clipcart import events
from clipcart.events import EventHandling, OutboxEvent
from clipcart.identity import service as identity
from clipcart.identity.models import Notification, User


def _sign_up(session, handle: str = "eve_user") -> User:
    return identity.sign_up(session, identity.SignUp(
        email=f"{handle}@example.com", password="long enough pw", handle=handle,
        country="TH", birth_date=date(1990, 1, 1)))


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_event_exists_only_if_its_change_committed(db):
    with pytest.raises(RuntimeError), db.transaction() as session:
        _sign_up(session)
        raise RuntimeError("the request failed after the change")
    assert _count(db, User) == 0
    assert _count(db, OutboxEvent) == 0


def test_handlers_run_once_however_often_the_outbox_drains(db):
    with db.transaction() as session:
        _sign_up(session)  # the commit kicks a drain (inline in tests)
    assert events.drain(db) == 0
    with db.sessions() as session:
        event = session.execute(select(OutboxEvent)).scalar_one()
    assert event.dispatched_at is not None
    with db.transaction() as session:  # pretend a crash lost the dispatched mark
        session.get(OutboxEvent, event.id).dispatched_at = None  # type: ignore[union-attr]
    assert events.drain(db) == 1
    assert _count(db, Notification) == 1
    assert _count(db, EventHandling) == len(events.handlers_for("identity.user_signed_up"))


def test_a_failing_handler_is_retried_later_without_repeating_the_others(db, frozen_clock):
    calls: list[int] = []

    def flaky(session, event):  # type: ignore[no-untyped-def]
        calls.append(event.id)
        if len(calls) == 1:
            raise ConnectionError("carrier down")

    events.handles("identity.user_signed_up", name="test.flaky")(flaky)
    try:
        with db.transaction() as session:
            _sign_up(session)
        with db.sessions() as session:
            event = session.execute(select(OutboxEvent)).scalar_one()
        assert event.dispatched_at is None
        assert event.attempts == 1
        assert "carrier down" in (event.last_error or "")
        assert events.drain(db) == 0  # not due yet
        frozen_clock.advance(seconds=11)
        assert events.drain(db) == 1
        assert len(calls) == 2
        assert _count(db, Notification) == 1  # the welcome handler did not run again
    finally:
        events._handlers["identity.user_signed_up"].pop("test.flaky")


CHILD_EMIT_AND_CRASH = textwrap.dedent("""
    import os
    from datetime import date
    import clipcart.handlers, clipcart.jobs
    from clipcart import events
    from clipcart.db import get_database
    from clipcart.identity import service

    db = get_database()
    with db.transaction() as session:
        service.sign_up(session, service.SignUp(
            email="crash@example.com", password="long enough pw", handle="crash_user",
            country="VN", birth_date=date(1990, 1, 1)))
    name = "identity.welcome_notification"
    original = events._handlers["identity.user_signed_up"][name]

    def crash_after_effects(session, event):
        original(session, event)
        session.flush()          # the effects reached the database, uncommitted
        os._exit(9)              # the process dies before the commit

    events._handlers["identity.user_signed_up"][name] = crash_after_effects
    events.drain(db)
""")

CHILD_DRAIN = "import clipcart.handlers\nfrom clipcart import events\n" \
              "from clipcart.db import get_database\nprint(events.drain(get_database()))\n"


def _child_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CLIPCART_JOBS_URL"] = f"sqlite:///{tmp_path / 'jobs.db'}"
    env["CLIPCART_JOBS_QUEUE"] = f"crash-{tmp_path.name}"
    return env


def test_a_crash_before_handling_is_handled_exactly_once_after_restart(db, tmp_path):
    env = _child_env(tmp_path)
    crashed = subprocess.run([sys.executable, "-c", CHILD_EMIT_AND_CRASH], env=env,
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    assert _count(db, User) == 1
    assert _count(db, Notification) == 0  # the crashed handler's writes rolled back
    with db.sessions() as session:
        assert session.execute(select(OutboxEvent.dispatched_at)).scalar_one() is None

    # Restart: a worker process consumes the drain that the sign-up's commit enqueued.
    worker = subprocess.Popen([sys.executable, "-m", "clipcart.cli", "worker", "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while _count(db, Notification) == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert _count(db, Notification) == 1, output

    again = subprocess.run([sys.executable, "-c", CHILD_DRAIN], env=env, capture_output=True,
                           text=True, timeout=60)
    assert again.returncode == 0, again.stderr
    assert _count(db, Notification) == 1
    assert _count(db, EventHandling) == len(events.handlers_for("identity.user_signed_up"))


def test_events_without_handlers_are_marked_in_bulk_and_an_events_handlers_share_one_commit(
        db, monkeypatch):
    monkeypatch.setattr(events, "_listeners", [])  # no drain kicked by the commit
    with db.transaction() as session:
        _sign_up(session)
        for n in range(5):
            events.emit(session, "test.nobody_listens", {"n": n})
    commits: list[object] = []
    listen = lambda *_: commits.append(1)  # noqa: E731
    sa_event.listen(db.engine, "commit", listen)
    try:
        assert events.drain(db) == 6
    finally:
        sa_event.remove(db.engine, "commit", listen)
    assert len(commits) == 2  # the claim (with the bulk mark), then the sign-up's handlers
    with db.sessions() as session:
        assert session.execute(select(func.count()).select_from(OutboxEvent).where(
            OutboxEvent.dispatched_at.is_(None))).scalar_one() == 0
    assert _count(db, Notification) == 1
    assert _count(db, EventHandling) == len(events.handlers_for("identity.user_signed_up"))
    assert events.drain(db) == 0


def test_a_failing_handler_does_not_hold_back_the_other_events(db, monkeypatch,
                                                                     frozen_clock):
    monkeypatch.setattr(events, "_listeners", [])
    with db.transaction() as session:
        first = _sign_up(session, "first_user").id
        _sign_up(session, "second_user")
    calls: list[str] = []
    broken = {"yes": True}

    def picky(session, event):  # type: ignore[no-untyped-def]
        calls.append(event.payload["user_id"])
        if broken["yes"] and event.payload["user_id"] == str(first):
            raise ConnectionError("carrier down")

    monkeypatch.setitem(events._handlers["identity.user_signed_up"], "test.picky", picky)
    assert events.drain(db) == 1
    with db.sessions() as session:
        pending = session.execute(select(OutboxEvent).where(
            OutboxEvent.dispatched_at.is_(None))).scalars().all()
    assert [e.payload["user_id"] for e in pending] == [str(first)]
    assert pending[0].attempts == 1 and "carrier down" in (pending[0].last_error or "")
    assert _count(db, Notification) == 2  # both welcomes committed once
    assert calls.count(str(first)) == 1  # the failing handler is retried later, not now
    broken["yes"] = False
    frozen_clock.advance(seconds=11)
    assert events.drain(db) == 1
    assert _count(db, Notification) == 2
    assert _count(db, EventHandling) == 2 * len(events.handlers_for("identity.user_signed_up"))


CHILD_BATCH_CRASH = textwrap.dedent("""
    import os
    from datetime import date
    import clipcart.handlers, clipcart.jobs
    from clipcart import events
    from clipcart.db import get_database
    from clipcart.identity import service

    db = get_database()
    with db.transaction() as session:
        for handle in ("batch_one", "batch_two"):
            service.sign_up(session, service.SignUp(
                email=f"{handle}@example.com", password="long enough pw", handle=handle,
                country="VN", birth_date=date(1990, 1, 1)))
        events.emit(session, "test.nobody_listens", {})
    name = "identity.welcome_notification"
    original = events._handlers["identity.user_signed_up"][name]
    calls = []

    def crash_in_the_second_event(session, event):
        original(session, event)
        calls.append(event.id)
        if len(calls) == 2:
            session.flush()      # this event's effects are in the database, uncommitted,
            os._exit(9)          # when the process dies

    events._handlers["identity.user_signed_up"][name] = crash_in_the_second_event
    events.drain(db)
""")


def test_a_crash_among_several_events_is_handled_exactly_once_after_restart(db, tmp_path):
    env = _child_env(tmp_path)
    crashed = subprocess.run([sys.executable, "-c", CHILD_BATCH_CRASH], env=env,
                             capture_output=True, text=True, timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    per_event = len(events.handlers_for("identity.user_signed_up"))
    assert _count(db, User) == 2
    assert _count(db, Notification) == 1  # the first event committed, the second rolled back
    assert _count(db, EventHandling) == per_event
    with db.sessions() as session:
        pending = session.execute(select(OutboxEvent.type).where(
            OutboxEvent.dispatched_at.is_(None))).scalars().all()
    assert pending == ["identity.user_signed_up"]
    for expected in ("1", "0"):  # the restart handles the second; a second drain finds none
        again = subprocess.run([sys.executable, "-c", CHILD_DRAIN], env=env,
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == expected
    assert _count(db, Notification) == 2
    assert _count(db, EventHandling) == 2 * per_event
