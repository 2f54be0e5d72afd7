"""Tenancy: every inventory route, tried with another shop's IDs, answers 404 and changes
nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clipcart import clock
from clipcart.inventory import service as inventory
from clipcart.inventory.models import (
    StockLevel,
    StockMovement,
    StockReservation,
    Warehouse,
)
from tests.inventory_support import make_shop, page_token, stocked_sku, web_login


def _snapshot(db):  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return (
            sorted((r.sku_id, r.warehouse_id, r.on_hand, r.reserved, r.low_stock_threshold)
                   for r in session.execute(select(StockLevel)).scalars()),
            sorted((w.id, w.name, w.address, w.is_default, w.archived_at)
                   for w in session.execute(select(Warehouse)).scalars()),
            len(session.execute(select(StockMovement.id)).all()),
            len(session.execute(select(StockReservation.id)).all()),
        )


def test_every_inventory_route_with_another_shops_ids_is_404_and_changes_nothing(client, db):
    victim, attacker = make_shop(db, name="Victim Goods"), make_shop(db, name="Attacker")
    sku = stocked_sku(db, victim, 8, code="PRIZE")
    with db.transaction() as session:
        spare = inventory.add_warehouse(session, victim.id, "Spare")
        inventory.reserve(session, reference="co-1", lines=[(sku, 1)],
                          expires_at=clock.now() + timedelta(minutes=30))
    web_login(client, attacker.owner_email)
    token = page_token(client, f"/seller/{attacker.id}/inventory")
    before = _snapshot(db)
    csv_file = {"file": ("s.csv", b"seller_sku,quantity\nPRIZE,0\n", "text/csv")}
    adjust = {"sku_id": str(sku), "warehouse_id": str(victim.warehouse_id), "mode": "set",
              "quantity": "0"}
    theirs, mine = f"/seller/{victim.id}", f"/seller/{attacker.id}"
    gets = [f"{theirs}/inventory", f"{theirs}/inventory?low=1", f"{theirs}/inventory/upload",
            f"{theirs}/inventory/export.csv",
            f"{theirs}/inventory/{sku}/movements", f"{theirs}/warehouses",
            f"{mine}/inventory/{sku}/movements"]
    posts = [
        (f"{theirs}/inventory/adjust", adjust, None),
        (f"{mine}/inventory/adjust", adjust, None),
        (f"{mine}/inventory/adjust", {**adjust, "warehouse_id": str(attacker.warehouse_id)},
         None),
        (f"{theirs}/inventory/upload", {}, csv_file),
        (f"{theirs}/warehouses", {"name": "Mine now"}, None),
        *[(f"{base}/warehouses/{spare.id}{action}", {"name": "Mine now", "address": ""}, None)
          for base in (theirs, mine) for action in ("", "/default", "/delete")],
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, form, files in posts:
        for htmx in ({}, {"HX-Request": "true"}):
            response = client.post(url, data={"_csrf_token": token, **form}, files=files,
                                   headers=htmx)
            assert response.status_code == 404, (url, htmx)
    assert _snapshot(db) == before
