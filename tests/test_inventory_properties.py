"""Property: any sequence of set, adjust, reserve, commit, release and expire keeps stock
conserved: on hand = available + reserved, nothing negative, sold + on hand = received,
and every refusal happens exactly when the rules say it must."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clipcart import clock
from clipcart.errors import Conflict, ValidationFailed
from clipcart.inventory import service as inventory
from clipcart.inventory.models import (
    StockLevel,
    StockMovement,
    StockReservation,
    StockReservationLine,
)
from clipcart.inventory.movements import MANUAL_REASONS
from tests.inventory_support import make_shop, make_skus

warehouse = st.integers(0, 1)
operations = st.one_of(
    st.tuples(st.just("set"), warehouse, st.integers(0, 20)),
    st.tuples(st.just("adjust"), warehouse, st.integers(-10, 10).filter(bool)),
    st.tuples(st.just("reserve"), st.integers(1, 60), st.integers(1, 8)),
    st.tuples(st.just("commit"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("release"), st.integers(0, 50), st.just(0)),
    st.tuples(st.just("expire"), st.integers(0, 45), st.just(0)),
)


def _rows(session, sku):  # type: ignore[no-untyped-def]
    return {r.warehouse_id: (r.on_hand, r.reserved) for r in session.execute(
        select(StockLevel).where(StockLevel.sku_id == sku)
        .execution_options(populate_existing=True)).scalars()}


def _held_by_status(session, sku):  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(StockReservation.status, func.sum(StockReservationLine.quantity))
        .join(StockReservation, StockReservation.id == StockReservationLine.reservation_id)
        .where(StockReservationLine.sku_id == sku).group_by(StockReservation.status))
    return {status: int(total) for status, total in rows}


def _check_invariants(session, sku, warehouses):  # type: ignore[no-untyped-def]
    rows = _rows(session, sku)
    for on_hand, reserved in rows.values():
        assert 0 <= reserved <= on_hand
    on_hand = sum(o for o, _ in rows.values())
    reserved = sum(r for _, r in rows.values())
    assert inventory.available_for_skus(session, [sku])[sku] + reserved == on_hand
    by_status = _held_by_status(session, sku)
    assert by_status.get("HELD", 0) == reserved
    received = session.execute(
        select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0))
        .where(StockMovement.sku_id == sku, StockMovement.reason.in_(MANUAL_REASONS))
    ).scalar_one()
    assert by_status.get("COMMITTED", 0) + on_hand == received
    for warehouse_id in warehouses:
        moved = session.execute(
            select(func.coalesce(func.sum(StockMovement.on_hand_delta), 0),
                   func.coalesce(func.sum(StockMovement.reserved_delta), 0))
            .where(StockMovement.sku_id == sku, StockMovement.warehouse_id == warehouse_id)
        ).one()
        assert tuple(moved) == rows.get(warehouse_id, (0, 0))


def _apply(db, shop, sku, warehouses, refs, op):  # type: ignore[no-untyped-def]
    kind, a, b = op
    with db.transaction() as session:
        rows = _rows(session, sku)
    if kind in ("set", "adjust"):
        on_hand, reserved = rows.get(warehouses[a], (0, 0))
        allowed = (b >= reserved) if kind == "set" else (on_hand + b >= reserved)
        try:
            with db.transaction() as session:
                if kind == "set":
                    inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku,
                                          warehouse_id=warehouses[a], quantity=b,
                                          actor_user_id=None)
                else:
                    inventory.adjust_stock(session, shop_id=shop.id, sku_id=sku,
                                           warehouse_id=warehouses[a], delta=b,
                                           actor_user_id=None)
            assert allowed, op
        except (ValidationFailed, Conflict) as exc:
            assert not allowed and exc.code in ("BELOW_RESERVED", "INSUFFICIENT_STOCK"), op
    elif kind == "reserve":
        free = sum(o - r for o, r in rows.values())
        ref = f"{sku}-{len(refs)}"
        try:
            with db.transaction() as session:
                inventory.reserve(session, reference=ref, lines=[(sku, b)],
                                  expires_at=clock.now() + timedelta(minutes=a))
            assert b <= free, op
            refs.append(ref)
        except Conflict as exc:
            assert b > free and exc.code == "OUT_OF_STOCK", op
    elif kind in ("commit", "release") and refs:
        ref = refs[a % len(refs)]
        with db.transaction() as session:
            before = inventory.get_reservation(session, ref)
        assert before is not None
        try:
            with db.transaction() as session:
                if kind == "commit":
                    inventory.commit_reservation(session, ref)
                else:
                    inventory.release_reservation(session, ref, "cancelled")
            assert kind == "release" or before.status != "RELEASED", op
        except Conflict as exc:
            assert kind == "commit" and before.status == "RELEASED", op
            assert exc.code == "RESERVATION_RELEASED"
    elif kind == "expire":
        frozen = clock.now() + timedelta(minutes=a)
        clock.set_clock(lambda: frozen)
        with db.transaction() as session:
            due = session.execute(  # every due reservation, earlier examples' too
                select(func.count()).select_from(StockReservation)
                .where(StockReservation.status == "HELD",
                       StockReservation.expires_at <= frozen)).scalar_one()
            assert inventory.release_expired(session, frozen) == due


_world: list = []  # type: ignore[type-arg]


@pytest.fixture(autouse=True)
def _fresh_world():  # type: ignore[no-untyped-def]
    _world.clear()
    yield
    _world.clear()


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(operations, min_size=1, max_size=18))
def test_any_sequence_of_stock_operations_conserves_stock(db, steps):
    start = clock.now()
    clock.set_clock(lambda: start)
    if not _world:  # one shop for every example; each example gets a fresh SKU
        shop = make_shop(db)
        with db.transaction() as session:
            second = inventory.add_warehouse(session, shop.id, "Second")
        _world.append((shop, [shop.warehouse_id, second.id]))
    shop, warehouses = _world[0]
    sku = make_skus(db, shop.id, f"PROP-{len(_world)}-{secrets.token_hex(4)}")[0]
    refs: list[str] = []
    for op in steps:
        _apply(db, shop, sku, warehouses, refs, op)
        with db.sessions() as session:
            _check_invariants(session, sku, warehouses)
