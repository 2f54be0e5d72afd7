"""Deterministic races: commit vs release, reserve vs expiry (see tests/race.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from clipcart import clock
from clipcart.errors import Conflict
from clipcart.inventory import service as inventory
from tests.inventory_support import level, make_shop, movement_reasons, stocked_sku
from tests.race_condition import (
    once,
    run_after,
    run_before,
    run_before_statement,
    wait_until_blocked,
)

TRANSITION = "clipcart.inventory.reservations._transition"
ONE_WRITER = ("SQLite runs one write transaction at a time (BEGIN IMMEDIATE): no other "
              "writer can act inside this transaction, so this interleaving cannot happen")


def _reserve(db, sku, units, ref, minutes=30):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.reserve(session, reference=ref, lines=[(sku, units)],
                                 expires_at=clock.now() + timedelta(minutes=minutes))


def _commit(db, ref):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.commit_reservation(session, ref)


def _release(db, ref, reason="payment_failed"):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.release_reservation(session, ref, reason)


def _expire(db) -> int:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        if session.get_bind().dialect.name == "postgresql":  # fail, do not hang, if it waits
            session.execute(text("SET LOCAL lock_timeout = '3s'"))
        return inventory.release_expired(session, clock.now())


def _reasons(db, sku):  # type: ignore[no-untyped-def]
    return [reason for reason, _, _ in movement_reasons(db, sku)]


def test_a_commit_loses_to_a_release_that_lands_just_before_it(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2, "co")
    with run_before(TRANSITION, once(lambda: _release(db, "co", "expired"))) as fired, \
            pytest.raises(Conflict) as lost:
        _commit(db, "co")
    assert fired
    assert lost.value.code == "RESERVATION_RELEASED"
    assert level(db, sku, shop.warehouse_id) == (5, 0)
    assert _reasons(db, sku) == ["manual_set", "reservation", "reservation_release"]


def test_a_release_is_a_no_op_when_a_commit_lands_just_before_it(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2, "co")
    with run_before(TRANSITION, once(lambda: _commit(db, "co"))) as fired:
        answer = _release(db, "co")
    assert fired
    assert answer.status == "COMMITTED"
    assert level(db, sku, shop.warehouse_id) == (3, 0)
    assert _reasons(db, sku) == ["manual_set", "reservation", "sale"]


def test_a_reservation_takes_the_units_expiry_frees_just_before_it(db, frozen_clock, is_postgres):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 3)
    _reserve(db, sku, 3, "abandoned", minutes=5)
    frozen_clock.advance(minutes=6)
    with pytest.raises(Conflict):  # without the expiry there is nothing left
        _reserve(db, sku, 3, "too-early")
    # PostgreSQL: between the new reservation's insert and its stock lock. SQLite: before
    # its first statement, the last moment another writer can commit.
    point = ("clipcart.inventory.locks.stock_of_skus" if is_postgres
             else "clipcart.inventory.reservations._load")
    released: list[int] = []
    with run_before(point, once(lambda: released.append(_expire(db)))) as fired:
        held = _reserve(db, sku, 3, "buyer")
    assert fired and released == [1]
    assert held.status == "HELD"
    assert level(db, sku, shop.warehouse_id) == (3, 3)


def test_expiry_does_not_overwrite_units_reserved_while_it_runs(db, frozen_clock, is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2, "abandoned", minutes=5)
    frozen_clock.advance(minutes=6)
    # Another checkout reserves the 3 free units just before expiry writes the stock row.
    with run_before_statement(db.engine, "UPDATE stock_levels",
                              lambda: _reserve(db, sku, 3, "buyer", minutes=30)) as fired:
        assert _expire(db) == 1
    assert fired
    assert level(db, sku, shop.warehouse_id) == (5, 3)


def test_expiry_skips_a_reservation_that_is_being_committed(db, frozen_clock, is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2, "co", minutes=5)
    frozen_clock.advance(minutes=6)
    released: list[int] = []
    with run_after(TRANSITION, once(lambda: released.append(_expire(db)))) as fired:
        assert _commit(db, "co").status == "COMMITTED"
    assert fired and released == [0]
    assert _expire(db) == 0
    assert level(db, sku, shop.warehouse_id) == (3, 0)


def _in_thread(work, results: list[object]) -> threading.Thread:  # type: ignore[no-untyped-def]
    def run() -> None:
        try:
            results.append(work())
        except Exception as exc:  # the test inspects it
            results.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_release_waiting_behind_a_commit_sees_it_committed(db, is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2, "co")
    results: list[object] = []
    threads: list[threading.Thread] = []

    def release_behind() -> None:
        threads.append(_in_thread(lambda: _release(db, "co"), results))
        wait_until_blocked(db.engine)  # it waits on the reservation row the commit holds

    with run_after(TRANSITION, once(release_behind)) as fired:
        _commit(db, "co")
    threads[0].join(timeout=30)
    assert fired
    assert [getattr(r, "status", r) for r in results] == ["COMMITTED"]
    assert level(db, sku, shop.warehouse_id) == (3, 0)
    assert _reasons(db, sku) == ["manual_set", "reservation", "sale"]


def test_a_reservation_waiting_behind_expiry_gets_the_freed_units(db, frozen_clock, is_postgres):
    if not is_postgres:
        pytest.skip(ONE_WRITER)
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 3)
    _reserve(db, sku, 3, "abandoned", minutes=5)
    frozen_clock.advance(minutes=6)
    results: list[object] = []
    threads: list[threading.Thread] = []

    def reserve_behind() -> None:
        threads.append(_in_thread(lambda: _reserve(db, sku, 3, "buyer"), results))
        wait_until_blocked(db.engine)  # it waits on the stock row expiry is updating

    with run_after("clipcart.inventory.reservations._move_held", once(reserve_behind)) as fired:
        assert _expire(db) == 1
    threads[0].join(timeout=30)
    assert fired
    assert [getattr(r, "status", r) for r in results] == ["HELD"]
    assert level(db, sku, shop.warehouse_id) == (3, 3)
