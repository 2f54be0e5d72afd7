"""Builders for inventory tests: users, shops and SKUs made through the services."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from clipcart.catalog.service import OptionInput, ProductInput, SkuInput, create_product, skus_of
from clipcart.db import Database
from clipcart.identity import service as identity
from clipcart.inventory import service as inventory
from clipcart.inventory.models import StockLevel, StockMovement
from clipcart.shops import service as shops

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Shop:
    id: int
    owner_id: int
    owner_email: str
    warehouse_id: int  # the default one


def make_user(db: Database, country: str = "US") -> tuple[int, str]:
    tag = secrets.token_hex(4)
    email = f"seller{tag}@example.com"
    with db.transaction() as session:
        user = identity.sign_up(session, identity.SignUp(
            email=email, password=PASSWORD, handle=f"seller_{tag}", country=country,
            birth_date=date(1988, 3, 14)))
        return user.id, email


def make_shop(db: Database, market: str = "US", name: str = "Acme Goods") -> Shop:
    owner_id, email = make_user(db, market)
    with db.transaction() as session:
        shop = shops.create_approved_shop(session, email, name, market)
        warehouse = inventory.ensure_default_warehouse(session, shop.id)
        return Shop(shop.id, owner_id, email, warehouse.id)


def make_skus(db: Database, shop_id: int, *codes: str, title: str = "Linen summer dress",
              price: str = "24.90") -> list[int]:
    from clipcart.shops.models import Shop as ShopRow

    with db.transaction() as session:
        shop = session.get(ShopRow, shop_id)
        assert shop is not None
        # One variant per code, told apart by a Style option (the catalog requires options
        # for several SKUs).
        options = [OptionInput("Style", list(codes))] if len(codes) > 1 else []
        product = create_product(session, shop, ProductInput(
            title=title, options=options,
            skus=[SkuInput(seller_sku=c, price=price,
                           attributes={"Style": c} if options else {}) for c in codes]))

        by_code = {s.seller_sku: s.id for s in skus_of(session, product.id)}
        return [by_code[c] for c in codes]


def stocked_sku(db: Database, shop: Shop, units: int, code: str | None = None) -> int:
    sku_id = make_skus(db, shop.id, code or f"SKU-{secrets.token_hex(3)}")[0]
    with db.transaction() as session:
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku_id,
                              warehouse_id=shop.warehouse_id, quantity=units,
                              actor_user_id=shop.owner_id)
    return sku_id


def level(db: Database, sku_id: int, warehouse_id: int) -> tuple[int, int]:
    """(on_hand, reserved) of one stock row, as committed."""
    with db.sessions() as session:
        row = session.get(StockLevel, (sku_id, warehouse_id))
        return (row.on_hand, row.reserved) if row else (0, 0)


def movement_reasons(db: Database, sku_id: int) -> list[tuple[str, int, int]]:
    with db.sessions() as session:
        rows = session.execute(select(StockMovement.reason, StockMovement.on_hand_delta,
                                      StockMovement.reserved_delta)
                               .where(StockMovement.sku_id == sku_id)
                               .order_by(StockMovement.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def count(db: Database, model: type) -> int:
    with db.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def web_login(client, email: str) -> None:  # type: ignore[no-untyped-def]
    """Log the test client in through the log-in form (session cookie)."""
    from tests.helpers import csrf_form

    token = csrf_form(client, "/login")
    response = client.post("/login", data={"_csrf_token": token, "email": email,
                                           "password": PASSWORD, "next": "/"})
    assert response.status_code == 200, response.text


def page_token(client, page: str) -> str:  # type: ignore[no-untyped-def]
    from tests.helpers import csrf_form

    return csrf_form(client, page)


def api_shop(client, db: Database, market: str = "US",  # type: ignore[no-untyped-def]
             name: str = "Acme Goods") -> tuple[Shop, str]:
    """A shop whose owner signed up through the API; answers the shop and a bearer token."""
    from tests.helpers import signup

    answer = signup(client, country=market)
    with db.transaction() as session:
        shop = shops.create_approved_shop(session, answer["email"], name, market)
        warehouse = inventory.ensure_default_warehouse(session, shop.id)
        made = Shop(shop.id, int(answer["user"]["id"]), answer["email"], warehouse.id)
    return made, answer["access_token"]
