"""Builders for checkout and order tests: stocked products, buyers, carts, checkouts, pay.

Everything goes through the public API (and catalog's builders for listings); call these
outside any open transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from clipcart.inventory.models import StockLevel
from clipcart.ledger import service as ledger
from tests.catalog_support import Seller, dress_input, live_product, make_seller, sync_categories
from tests.helpers import bearer, signup
from tests.payments_helpers import SUCCEEDS, tokenize

ADDRESSES = {
    "GB": {"name": "Ada Lovelace", "phone": "+44 20 7946 0000", "line1": "1 High Street",
           "city": "London", "postal_code": "SW1A 1AA", "country": "GB"},
    "US": {"name": "Grace Hopper", "phone": "+1 415 555 0100", "line1": "1 Market St",
           "city": "San Francisco", "region": "CA", "postal_code": "94105", "country": "US"},
}


@dataclass(frozen=True)
class Listing:
    seller: Seller
    product_id: int
    sku_ids: list[int]


@dataclass(frozen=True)
class Buyer:
    user_id: int
    token: str
    email: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def listing(client: Any, *, market: str = "GB", price: str = "9.99",
            list_price: str | None = "12.99", stock: int = 5, skus: int = 1,
            shop_name: str = "Linen Studio", seller: Seller | None = None) -> Listing:
    """A live product with ``skus`` SKUs of ``stock`` units each, in a new shop."""
    sync_categories()
    seller = seller or make_seller(client, market=market, name=shop_name)
    sizes = ("S", "M", "L", "XL")[:skus]
    product_id = live_product(seller, dress_input(
        code=f"D{secrets.token_hex(3).upper()}", colours=("Red",), sizes=sizes, price=price,
        list_price=list_price, stock=stock))
    answer = client.get(f"/api/v1/products/{product_id}", headers=bearer(seller.token))
    assert answer.status_code == 200, answer.text
    return Listing(seller, product_id, [int(s["id"]) for s in answer.json()["skus"]])


def buyer(client: Any, country: str = "GB") -> Buyer:
    account = signup(client, country=country)
    return Buyer(int(account["user"]["id"]), account["access_token"], account["email"])


def add(client: Any, who: Buyer, sku_id: int, quantity: int = 1,
        source: dict[str, str] | None = None) -> Any:
    body: dict[str, Any] = {"sku_id": str(sku_id), "quantity": quantity}
    if source is not None:
        body["source"] = source
    return client.post("/api/v1/cart/lines", json=body, headers=who.headers)


def check_out(client: Any, who: Buyer, *, country: str = "GB", key: str | None = None,
              address: dict[str, str] | None = None) -> Any:
    headers = {**who.headers, "Idempotency-Key": key or secrets.token_hex(8)}
    return client.post("/api/v1/checkouts", headers=headers,
                       json={"shipping_address": address or ADDRESSES[country]})


def pay(client: Any, who: Buyer, checkout_id: str, number: str = SUCCEEDS, *,
        key: str | None = None, token: str | None = None) -> Any:
    headers = {**who.headers, "Idempotency-Key": key or secrets.token_hex(8)}
    return client.post(f"/api/v1/checkouts/{checkout_id}/payment", headers=headers,
                       json={"payment_token": token or tokenize(client, number)})


def buy(client: Any, who: Buyer, sku_id: int, quantity: int = 1, country: str = "GB") -> Any:
    """Cart line, checkout and payment with the success card; the payment's answer."""
    assert add(client, who, sku_id, quantity).status_code == 200
    made = check_out(client, who, country=country)
    assert made.status_code == 201, made.text
    return pay(client, who, made.json()["id"])


def stock(db: Any, sku_id: int) -> tuple[int, int]:
    """(on hand, reserved) over every warehouse."""
    with db.sessions() as session:
        rows = session.execute(select(StockLevel.on_hand, StockLevel.reserved)
                               .where(StockLevel.sku_id == sku_id)).all()
    return sum(r[0] for r in rows), sum(r[1] for r in rows)


def balance(db: Any, code: str, currency: str = "GBP") -> int:
    with db.sessions() as session:
        return ledger.balance(session, code, currency).minor


def invariants(db: Any) -> list[str]:
    with db.sessions() as session:
        return ledger.check_invariants(session)
