"""Warehouses: one default per shop, add, rename, make default, delete only when empty."""

from __future__ import annotations

import threading

import pytest

from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.inventory import service as inventory
from tests.inventory_support import make_shop, make_skus, stocked_sku


def _names(db, shop_id):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return [(w.name, w.is_default) for w in inventory.warehouses_of(session, shop_id)]


def test_an_approved_shop_has_exactly_one_default_warehouse(db):
    shop = make_shop(db)
    with db.transaction() as session:
        again = inventory.ensure_default_warehouse(session, shop.id)
    assert again.id == shop.warehouse_id
    assert _names(db, shop.id) == [("Main warehouse", True)]


def test_add_rename_and_make_another_warehouse_the_default(db):
    shop = make_shop(db)
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "  Leeds   depot ", "1 Dock Rd\n Leeds ")
    assert (depot.name, depot.address, depot.is_default) == ("Leeds depot", "1 Dock Rd\nLeeds",
                                                             False)
    with db.transaction() as session:
        inventory.update_warehouse(session, shop.id, depot.id, name="North depot",
                                   address="2 Quay St")
        inventory.set_default_warehouse(session, shop.id, depot.id)
    assert _names(db, shop.id) == [("North depot", True), ("Main warehouse", False)]
    with db.sessions() as session:
        assert inventory.default_warehouse(session, shop.id).address == "2 Quay St"  # type: ignore[union-attr]


def test_a_new_warehouse_can_become_the_default_when_added(db):
    shop = make_shop(db)
    with db.transaction() as session:
        inventory.add_warehouse(session, shop.id, "Hub", make_default=True)
    assert _names(db, shop.id) == [("Hub", True), ("Main warehouse", False)]


def test_names_are_unique_within_a_shop_but_not_across_shops(db):
    shop, other = make_shop(db), make_shop(db, name="Other Goods")
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.add_warehouse(session, other.id, "Depot")
    for attempt in (lambda s: inventory.add_warehouse(s, shop.id, "Depot"),
                    lambda s: inventory.update_warehouse(s, shop.id, depot.id,
                                                         name="Main warehouse", address="")):
        with pytest.raises(Conflict) as taken, db.transaction() as session:
            attempt(session)
        assert taken.value.code == "WAREHOUSE_NAME_TAKEN"
    assert _names(db, shop.id) == [("Main warehouse", True), ("Depot", False)]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_warehouse_needs_a_name_of_1_to_80_characters(db, name):
    shop = make_shop(db)
    with pytest.raises(ValidationFailed), db.transaction() as session:
        inventory.add_warehouse(session, shop.id, name)


def test_a_warehouse_holding_stock_cannot_be_deleted_until_it_is_empty(db):
    shop = make_shop(db)
    sku = make_skus(db, shop.id, "BAG")[0]
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=2, actor_user_id=None)
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        inventory.archive_warehouse(session, shop.id, depot.id)
    assert refused.value.code == "WAREHOUSE_HAS_STOCK"
    with db.transaction() as session:
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=0, actor_user_id=None)
        inventory.archive_warehouse(session, shop.id, depot.id)
    assert _names(db, shop.id) == [("Main warehouse", True)]
    with pytest.raises(NotFound), db.transaction() as session:
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=1, actor_user_id=None)
    with db.transaction() as session:  # the name is free again
        inventory.add_warehouse(session, shop.id, "Depot")


def test_the_default_warehouse_cannot_be_deleted(db):
    shop = make_shop(db)
    with pytest.raises(Conflict) as refused, db.transaction() as session:
        inventory.archive_warehouse(session, shop.id, shop.warehouse_id)
    assert refused.value.code == "WAREHOUSE_IS_DEFAULT"


def test_another_shops_warehouse_is_not_found_and_unchanged(db):
    shop, other = make_shop(db), make_shop(db, name="Other Goods")
    stocked_sku(db, other, 1)
    calls = [
        lambda s: inventory.update_warehouse(s, shop.id, other.warehouse_id, name="Mine",
                                             address=""),
        lambda s: inventory.set_default_warehouse(s, shop.id, other.warehouse_id),
        lambda s: inventory.archive_warehouse(s, shop.id, other.warehouse_id),
        lambda s: inventory.get_warehouse(s, shop.id, other.warehouse_id),
    ]
    for call in calls:
        with pytest.raises(NotFound), db.transaction() as session:
            call(session)
    assert _names(db, other.id) == [("Main warehouse", True)]


def test_concurrent_default_changes_leave_exactly_one_default(db):
    shop = make_shop(db)
    with db.transaction() as session:
        ids = [inventory.add_warehouse(session, shop.id, f"Hub {i}").id for i in range(4)]
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def make_default(warehouse_id: int) -> None:
        try:
            barrier.wait(timeout=30)
            with db.transaction() as session:
                inventory.set_default_warehouse(session, shop.id, warehouse_id)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=make_default, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sum(1 for _, is_default in _names(db, shop.id) if is_default) == 1
