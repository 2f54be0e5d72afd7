"""Reservations: hold, commit (sale), release, expiry; all or nothing; idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from clipcart import clock
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.events import OutboxEvent
from clipcart.inventory import service as inventory
from clipcart.inventory.allocation import single_warehouse
from clipcart.inventory.jobs import release_expired_now
from clipcart.inventory.models import StockReservation, StockReservationHistory
from clipcart.jobs import huey
from tests.inventory_support import (
    count,
    level,
    make_shop,
    make_skus,
    movement_reasons,
    stocked_sku,
)


def _reserve(db, lines, ref="co-1", minutes=30, **kw):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.reserve(session, reference=ref, lines=lines,
                                 expires_at=clock.now() + timedelta(minutes=minutes), **kw)


def _commit(db, ref="co-1"):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.commit_reservation(session, ref)


def _release(db, ref="co-1", reason="payment_failed"):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.release_reservation(session, ref, reason)


def _history(db, reservation_id):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        rows = session.execute(
            select(StockReservationHistory.from_status, StockReservationHistory.to_status,
                   StockReservationHistory.reason)
            .where(StockReservationHistory.reservation_id == reservation_id)
            .order_by(StockReservationHistory.id))
        return [tuple(r) for r in rows]


def test_reserved_units_are_held_then_sold_when_committed(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    held = _reserve(db, [(sku, 3)])
    assert (held.status, held.lines) == ("HELD", (inventory.ReservedLine(sku, shop.warehouse_id,
                                                                         3),))
    assert level(db, sku, shop.warehouse_id) == (10, 3)
    with db.sessions() as session:
        assert inventory.available_for_skus(session, [sku]) == {sku: 7}
    sold = _commit(db)
    assert sold.status == "COMMITTED"
    assert level(db, sku, shop.warehouse_id) == (7, 0)
    assert movement_reasons(db, sku) == [("manual_set", 10, 0), ("reservation", 0, 3),
                                         ("sale", -3, -3)]
    assert _history(db, held.id) == [(None, "HELD", "checkout"), ("HELD", "COMMITTED", "paid")]


def test_released_units_go_back_to_available(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    held = _reserve(db, [(sku, 4)])
    released = _release(db, reason="cancelled")
    assert (released.status, released.release_reason) == ("RELEASED", "cancelled")
    assert level(db, sku, shop.warehouse_id) == (10, 0)
    assert movement_reasons(db, sku)[-1] == ("reservation_release", 0, -4)
    assert _history(db, held.id)[-1] == ("HELD", "RELEASED", "cancelled")


def test_commit_and_release_are_idempotent(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    _reserve(db, [(sku, 2)], ref="paid")
    _reserve(db, [(sku, 3)], ref="failed")
    sold = _commit(db, "paid")  # what the move wrote, built without reading it back ...
    assert sold.status == "COMMITTED"
    assert _commit(db, "paid") == sold  # ... equals what the no-op second call reads
    released = _release(db, "failed")
    assert released.status == "RELEASED"
    assert _release(db, "failed") == released
    assert level(db, sku, shop.warehouse_id) == (8, 0)
    assert [r for r, _, _ in movement_reasons(db, sku)].count("sale") == 1
    assert [r for r, _, _ in movement_reasons(db, sku)].count("reservation_release") == 1


def test_a_commit_after_a_release_is_refused_and_a_release_after_a_commit_changes_nothing(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    _reserve(db, [(sku, 2)], ref="late")
    _reserve(db, [(sku, 3)], ref="done")
    _release(db, "late", reason="expired")
    with pytest.raises(Conflict) as refused:
        _commit(db, "late")
    assert (refused.value.code, refused.value.extra) == ("RESERVATION_RELEASED",
                                                         {"reason": "expired"})
    _commit(db, "done")
    assert _release(db, "done").status == "COMMITTED"
    assert level(db, sku, shop.warehouse_id) == (7, 0)


def test_out_of_stock_names_the_sku_and_nothing_stays_reserved(db):
    shop = make_shop(db)
    plenty, scarce = stocked_sku(db, shop, 10), stocked_sku(db, shop, 1)
    with pytest.raises(Conflict) as refused:
        _reserve(db, [(plenty, 2), (scarce, 2)])
    assert refused.value.code == "OUT_OF_STOCK"
    assert refused.value.extra == {"sku_id": str(scarce), "available": 1, "requested": 2}
    assert level(db, plenty, shop.warehouse_id) == (10, 0)
    assert count(db, StockReservation) == 0


def test_a_caller_that_keeps_its_transaction_after_out_of_stock_holds_nothing(db):
    shop = make_shop(db)
    plenty, scarce = stocked_sku(db, shop, 10), stocked_sku(db, shop, 0)
    with db.transaction() as session:
        with pytest.raises(Conflict):
            inventory.reserve(session, reference="co-9", lines=[(plenty, 2), (scarce, 1)],
                              expires_at=clock.now() + timedelta(minutes=5))
        inventory.reserve(session, reference="co-10", lines=[(plenty, 1)],
                          expires_at=clock.now() + timedelta(minutes=5))
    assert level(db, plenty, shop.warehouse_id) == (10, 1)
    with db.sessions() as session:
        assert inventory.get_reservation(session, "co-9") is None


def test_an_unknown_or_never_stocked_sku_is_out_of_stock(db):
    shop = make_shop(db)
    never = make_skus(db, shop.id, "NEVER")[0]
    for sku in (123456789, never):
        with pytest.raises(Conflict) as refused:
            _reserve(db, [(sku, 1)])
        assert refused.value.extra == {"sku_id": str(sku), "available": 0, "requested": 1}


def test_stock_comes_from_the_default_warehouse_first_then_the_others(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 2)
    with db.transaction() as session:
        small = inventory.add_warehouse(session, shop.id, "Small")
        big = inventory.add_warehouse(session, shop.id, "Big")
        for warehouse, units in ((small.id, 1), (big.id, 5)):
            inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=warehouse,
                                  quantity=units, actor_user_id=None)
    held = _reserve(db, [(sku, 4)])
    assert {(line.warehouse_id, line.quantity) for line in held.lines} == {
        (shop.warehouse_id, 2), (big.id, 2)}
    sold = _commit(db)
    assert sold.lines == held.lines  # in the same order as a read gives them
    assert [level(db, sku, w) for w in (shop.warehouse_id, small.id, big.id)] == [
        (0, 0), (1, 0), (3, 0)]


def test_a_strategy_can_refuse_to_split_a_line(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 2)
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=2, actor_user_id=None)
    with pytest.raises(Conflict):
        _reserve(db, [(sku, 3)], strategy=single_warehouse)
    held = _reserve(db, [(sku, 2)], ref="co-2", strategy=single_warehouse)
    assert [(line.warehouse_id, line.quantity) for line in held.lines] == [
        (shop.warehouse_id, 2)]


def test_the_same_reference_answers_the_same_reservation_and_other_lines_conflict(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    first = _reserve(db, [(sku, 1), (sku, 2)])  # lines of one SKU add up
    again = _reserve(db, [(sku, 3)])
    assert again == first
    assert level(db, sku, shop.warehouse_id) == (10, 3)
    with pytest.raises(Conflict) as taken:
        _reserve(db, [(sku, 4)])
    assert taken.value.code == "RESERVATION_REFERENCE_TAKEN"


@pytest.mark.parametrize(("lines", "ref", "minutes", "field"), [
    ([], "co-1", 30, "lines"),
    ([(1, 0)], "co-1", 30, "quantity"),
    ([(1, -2)], "co-1", 30, "quantity"),
    ([(1, 1)], "", 30, "reference"),
    ([(1, 1)], "x" * 81, 30, "reference"),
    ([(1, 1)], "co-1", 0, "expires_at"),
])
def test_malformed_reservations_are_refused(db, lines, ref, minutes, field):
    with pytest.raises(ValidationFailed) as refused:
        _reserve(db, lines, ref=ref, minutes=minutes)
    assert refused.value.field == field


def test_commit_or_release_of_an_unknown_reference_is_not_found(db):
    with pytest.raises(NotFound):
        _commit(db, "nope")
    with pytest.raises(NotFound):
        _release(db, "nope")
    with pytest.raises(ValidationFailed):
        _release(db, "nope", reason="Not A Reason!")


def test_expiry_releases_only_held_reservations_whose_time_is_up(db, frozen_clock):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    due = _reserve(db, [(sku, 1)], ref="due", minutes=10)
    _reserve(db, [(sku, 2)], ref="later", minutes=30)
    _reserve(db, [(sku, 3)], ref="paid", minutes=10)
    _commit(db, "paid")
    frozen_clock.advance(minutes=10)
    with db.transaction() as session:
        assert inventory.release_expired(session, clock.now()) == 1
    with db.transaction() as session:
        assert inventory.release_expired(session, clock.now()) == 0
        assert inventory.get_reservation(session, "due").release_reason == "expired"  # type: ignore[union-attr]
        assert inventory.get_reservation(session, "later").status == "HELD"  # type: ignore[union-attr]
        emitted = session.execute(select(OutboxEvent.type, OutboxEvent.payload).where(
                OutboxEvent.type.startswith("inventory."))).all()
    assert level(db, sku, shop.warehouse_id) == (7, 2)
    assert [tuple(e) for e in emitted] == [("inventory.reservation_expired",
                                            {"reservation_id": str(due.id),
                                             "reference": "due"})]


def test_the_periodic_job_releases_every_due_reservation_in_batches(db, frozen_clock):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    for i in range(5):
        _reserve(db, [(sku, 1)], ref=f"co-{i}", minutes=5)
    frozen_clock.advance(minutes=6)
    assert release_expired_now(batch=2) == 5
    assert level(db, sku, shop.warehouse_id) == (10, 0)
    assert "inventory.release_expired_reservations" in [
        t.name for t in huey._registry.periodic_tasks]


def test_a_worker_process_releases_expired_reservations(db, frozen_clock):
    """The job runs in `clipcart worker`, which imports only the handlers' modules."""
    import os
    import subprocess
    import sys

    shop = make_shop(db)
    sku = stocked_sku(db, shop, 4)
    frozen_clock.advance(hours=-2)  # held two hours ago for 30 minutes: due by real time
    _reserve(db, [(sku, 3)], ref="stale")
    worker = subprocess.run(
        [sys.executable, "-c", "import clipcart.handlers\n"
         "from clipcart.jobs import huey\n"
         "task = next(t for t in huey._registry.periodic_tasks\n"
         "            if t.name == 'inventory.release_expired_reservations')\n"
         "print(task.execute())\n"],
        env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.strip() == "1"
    assert level(db, sku, shop.warehouse_id) == (4, 0)
