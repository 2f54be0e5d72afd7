"""Stock levels: counts, deltas, thresholds, movements and tenancy, on the services."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from clipcart import clock
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.inventory import queries
from clipcart.inventory import service as inventory
from clipcart.inventory.models import StockLevel, StockMovement
from tests.inventory_support import (
    count,
    level,
    make_shop,
    make_skus,
    movement_reasons,
    stocked_sku,
)


def _set(db, shop, sku, units, warehouse=None, **kw):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku,
                                     warehouse_id=warehouse or shop.warehouse_id,
                                     quantity=units, actor_user_id=shop.owner_id, **kw)


def _adjust(db, shop, sku, delta, **kw):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.adjust_stock(session, shop_id=shop.id, sku_id=sku,
                                      warehouse_id=shop.warehouse_id, delta=delta,
                                      actor_user_id=shop.owner_id, **kw)


def _reserve(db, sku, units, ref="co-1"):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return inventory.reserve(session, reference=ref, lines=[(sku, units)],
                                 expires_at=clock.now() + timedelta(minutes=30))


def test_a_count_sets_on_hand_and_records_the_difference_with_who_did_it(db):
    shop = make_shop(db)
    sku = make_skus(db, shop.id, "TEE-M")[0]
    _set(db, shop, sku, 10)
    _set(db, shop, sku, 7, note="recount")
    assert level(db, sku, shop.warehouse_id) == (7, 0)
    assert movement_reasons(db, sku) == [("manual_set", 10, 0), ("manual_set", -3, 0)]
    with db.sessions() as session:
        last = session.query(StockMovement).order_by(StockMovement.id.desc()).first()
    assert last is not None and last.actor_user_id == shop.owner_id and last.note == "recount"


def test_counting_the_same_number_again_records_no_movement(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 4)
    _set(db, shop, sku, 4)
    assert movement_reasons(db, sku) == [("manual_set", 4, 0)]


def test_a_count_below_the_reserved_units_is_refused_and_changes_nothing(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 3)
    with pytest.raises(ValidationFailed) as refused:
        _set(db, shop, sku, 2)
    assert refused.value.code == "BELOW_RESERVED"
    assert level(db, sku, shop.warehouse_id) == (5, 3)
    _set(db, shop, sku, 3)
    assert level(db, sku, shop.warehouse_id) == (3, 3)


def test_adjusting_adds_and_removes_units(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10)
    assert _adjust(db, shop, sku, 4).on_hand == 14
    assert _adjust(db, shop, sku, -6, reason="damaged").on_hand == 8
    assert movement_reasons(db, sku)[1:] == [("adjustment", 4, 0), ("damaged", -6, 0)]


def test_removing_more_than_is_free_is_refused_and_changes_nothing(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 5)
    _reserve(db, sku, 2)
    with pytest.raises(Conflict) as refused:
        _adjust(db, shop, sku, -4)
    assert refused.value.code == "INSUFFICIENT_STOCK"
    assert refused.value.extra["available"] == 3
    assert level(db, sku, shop.warehouse_id) == (5, 2)
    assert [r for r, _, _ in movement_reasons(db, sku)] == ["manual_set", "reservation"]
    assert _adjust(db, shop, sku, -3).on_hand == 2


def test_a_returned_item_is_restocked_with_its_reason(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 1)
    _adjust(db, shop, sku, 1, reason="return_restock", reference="return-77")
    assert level(db, sku, shop.warehouse_id) == (2, 0)
    assert movement_reasons(db, sku)[-1] == ("return_restock", 1, 0)


@pytest.mark.parametrize("call", [
    lambda db, shop, sku: _set(db, shop, sku, -1),
    lambda db, shop, sku: _set(db, shop, sku, 2_000_000_000),
    lambda db, shop, sku: _set(db, shop, sku, 3, reason="sale"),
    lambda db, shop, sku: _adjust(db, shop, sku, 0),
    lambda db, shop, sku: _adjust(db, shop, sku, 1, reason="reservation"),
])
def test_bad_numbers_and_reserved_reasons_are_refused(db, call):
    shop = make_shop(db)
    sku = make_skus(db, shop.id, "CAP")[0]
    with pytest.raises(ValidationFailed):
        call(db, shop, sku)
    assert count(db, StockLevel) == 0
    assert count(db, StockMovement) == 0


def test_another_shops_sku_or_warehouse_is_not_found_and_changes_nothing(db):
    mine, theirs = make_shop(db), make_shop(db, name="Rival Goods")
    my_sku = make_skus(db, mine.id, "MINE")[0]
    their_sku = stocked_sku(db, theirs, 9)
    with pytest.raises(NotFound):
        _set(db, mine, their_sku, 1)
    with pytest.raises(NotFound):
        _set(db, mine, my_sku, 1, warehouse=theirs.warehouse_id)
    with pytest.raises(NotFound), db.transaction() as session:
        inventory.set_low_stock_threshold(session, shop_id=mine.id, sku_id=their_sku,
                                          warehouse_id=theirs.warehouse_id, threshold=2)
    assert count(db, StockLevel) == 1
    assert level(db, their_sku, theirs.warehouse_id) == (9, 0)


def test_a_row_is_low_when_available_falls_to_its_threshold(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 10, code="LOW-1")
    stocked_sku(db, shop, 10, code="PLENTY")
    with db.transaction() as session:
        row = inventory.set_low_stock_threshold(session, shop_id=shop.id, sku_id=sku,
                                                warehouse_id=shop.warehouse_id, threshold=3)
        assert not inventory.is_low(row)
        assert queries.summary(session, shop.id).low_stock_skus == 0
    _reserve(db, sku, 7)
    with db.sessions() as session:
        summary = queries.summary(session, shop.id)
        lowest = queries.low_stock(session, shop.id)
    assert (summary.low_stock_skus, summary.units_on_hand, summary.units_reserved,
            summary.warehouses) == (1, 20, 7, 1)
    assert [(s.seller_sku, c.available, c.threshold) for s, c in lowest] == [("LOW-1", 3, 3)]


def test_availability_sums_warehouses_and_unknown_skus_have_none(db):
    shop = make_shop(db)
    sku = stocked_sku(db, shop, 4)
    never = make_skus(db, shop.id, "NEVER")[0]
    with db.transaction() as session:
        other = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=other.id,
                              quantity=6, actor_user_id=None)
    _reserve(db, sku, 5)
    with db.sessions() as session:
        assert inventory.available_for_skus(session, [sku, never]) == {sku: 5, never: 0}
        levels = inventory.levels_for_skus(session, [sku, never])
    assert {w: (lv.on_hand, lv.reserved) for w, lv in levels[sku].items()} == {
        shop.warehouse_id: (4, 4), other.id: (6, 1)}
    assert levels[never] == {}


def test_first_counts_of_a_new_row_from_many_threads_all_apply(db):
    """INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE: no duplicate-key
    error when several writers create the same (SKU, warehouse) row at once."""
    shop = make_shop(db)
    sku = make_skus(db, shop.id, "RACE")[0]
    quantities = [3, 8, 5, 13, 1, 21, 2, 34]
    barrier = threading.Barrier(len(quantities))
    errors: list[BaseException] = []

    def count_once(units: int) -> None:
        try:
            barrier.wait(timeout=30)
            _set(db, shop, sku, units)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=count_once, args=(q,)) for q in quantities]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    on_hand, reserved = level(db, sku, shop.warehouse_id)
    assert on_hand in quantities and reserved == 0
    assert count(db, StockLevel) == 1
    assert sum(d for _, d, _ in movement_reasons(db, sku)) == on_hand
