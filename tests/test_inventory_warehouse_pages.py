"""The Seller Center warehouses page: add, rename, make default, delete when empty."""

from __future__ import annotations

from clipcart.inventory import service as inventory
from tests.inventory_support import make_shop, page_token, stocked_sku, web_login


def _seller(client, db):  # type: ignore[no-untyped-def]
    shop = make_shop(db)
    web_login(client, shop.owner_email)
    return shop, page_token(client, f"/seller/{shop.id}/warehouses")


def _names(db, shop_id):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return [(w.name, w.address, w.is_default)
                for w in inventory.warehouses_of(session, shop_id)]


def test_a_seller_adds_renames_and_makes_a_warehouse_the_default(client, db):
    shop, token = _seller(client, db)
    base = f"/seller/{shop.id}/warehouses"
    added = client.post(base, data={"_csrf_token": token, "name": "Leeds depot",
                                    "address": "1 Dock Road"}, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, f"{base}?done=added")
    page = client.get(added.headers["location"])
    assert "Warehouse added." in page.text and "Leeds depot" in page.text
    depot = next(w for w in inventory_warehouses(db, shop.id) if w.name == "Leeds depot")
    renamed = client.post(f"{base}/{depot.id}", data={"_csrf_token": token,
                                                      "name": "North depot",
                                                      "address": "2 Quay Street\nLeeds"})
    assert "Warehouse saved." in renamed.text
    made = client.post(f"{base}/{depot.id}/default", data={"_csrf_token": token})
    assert "Default warehouse changed." in made.text
    assert _names(db, shop.id) == [("North depot", "2 Quay Street\nLeeds", True),
                                   ("Main warehouse", "", False)]


def inventory_warehouses(db, shop_id):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return inventory.warehouses_of(session, shop_id)


def test_mistakes_are_explained_and_change_nothing(client, db):
    shop, token = _seller(client, db)
    base = f"/seller/{shop.id}/warehouses"
    taken = client.post(base, data={"_csrf_token": token, "name": "Main warehouse",
                                    "address": "Somewhere"})
    assert taken.status_code == 409
    assert "already has a warehouse with that name" in taken.text
    assert "Somewhere" in taken.text  # what was typed is kept
    empty = client.post(base, data={"_csrf_token": token, "name": "  "})
    assert empty.status_code == 400 and "1 to 80 characters" in empty.text
    default = client.post(f"{base}/{shop.warehouse_id}/delete", data={"_csrf_token": token})
    assert default.status_code == 409 and "cannot be deleted" in default.text
    assert _names(db, shop.id) == [("Main warehouse", "", True)]


def test_a_warehouse_is_deleted_only_once_it_holds_no_stock(client, db):
    shop, token = _seller(client, db)
    base = f"/seller/{shop.id}/warehouses"
    sku = stocked_sku(db, shop, 0)
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=6, actor_user_id=None)
    refused = client.post(f"{base}/{depot.id}/delete", data={"_csrf_token": token})
    assert refused.status_code == 409 and "still holds 6 units" in refused.text
    with db.transaction() as session:
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku, warehouse_id=depot.id,
                              quantity=0, actor_user_id=None)
    deleted = client.post(f"{base}/{depot.id}/delete", data={"_csrf_token": token})
    assert deleted.status_code == 200 and "Warehouse deleted." in deleted.text
    assert [n for n, _, _ in _names(db, shop.id)] == ["Main warehouse"]
