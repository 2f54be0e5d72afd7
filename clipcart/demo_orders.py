"""Demo orders: buyers who have already bought, so "My orders", the Seller Center's orders
and shipping pages and the finance page have something in them from the first visit.

Each purchase goes through the buyer API and the sandbox provider exactly as an app's
would (cart line with where it was found, checkout, card token, payment), on a test client
of the app in this process, since the server is not up yet while the demo seeds. The
orders then age on the real clock: ON_HOLD, then AWAITING_SHIPMENT for the seller to ship.
Idempotent: a buyer who already has orders buys nothing more.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, Sku
from clipcart.db import get_database
from clipcart.demo_catalog import SHOPS
from clipcart.identity.models import User
from clipcart.shops.models import Shop
from clipcart.social.models import Video, VideoProduct

HOST = "http://demo.clipcart.local"
SUCCESS_CARD = "4242424242424242"  # the sandbox's card that pays at once (API.md §2)


@dataclass(frozen=True)
class DemoPurchase:
    email: str
    market: str
    address: dict[str, str]


PURCHASES = [
    DemoPurchase("olivia@demo.clipcart.dev", "GB", {
        "name": "Olivia Brown", "phone": "+44 20 7946 0102", "line1": "12 Elm Row",
        "city": "Manchester", "postal_code": "M1 2AB", "country": "GB"}),
    DemoPurchase("jake@demo.clipcart.dev", "US", {
        "name": "Jake Miller", "phone": "+1 512 555 0147", "line1": "800 Congress Ave",
        "city": "Austin", "region": "TX", "postal_code": "78701", "country": "US"}),
    DemoPurchase("mai@demo.clipcart.dev", "VN", {
        "name": "Mai Nguyen", "phone": "+84 28 3822 0199", "line1": "45 Le Loi",
        "city": "Ho Chi Minh City", "postal_code": "700000", "country": "VN"}),
    DemoPurchase("budi@demo.clipcart.dev", "ID", {
        "name": "Budi Santoso", "phone": "+62 21 555 0188", "line1": "Jl. Sudirman 21",
        "city": "Jakarta", "postal_code": "10220", "country": "ID"}),
]


def _picks(session: Session, market: str) -> list[tuple[int, dict[str, str]]]:
    """Two SKUs of the market's demo shop, each with where the buyer found it: a video
    anchoring the product when there is one, else search."""
    owner = next(s.owner_email for s in SHOPS if s.market == market)
    shop_id = session.scalar(select(Shop.id).join(User, User.id == Shop.owner_user_id)
                             .where(User.email == owner))
    products = list(session.scalars(select(Product.id).where(Product.shop_id == shop_id,
                                                             Product.visible.is_(True))
                                    .order_by(Product.id).limit(2)))
    picks = []
    for product_id in products:
        sku_id = session.scalar(select(Sku.id).where(Sku.product_id == product_id)
                                .order_by(Sku.id).limit(1))
        video_id = session.scalar(select(VideoProduct.video_id)
                                  .join(Video, Video.id == VideoProduct.video_id)
                                  .where(VideoProduct.product_id == product_id)
                                  .order_by(VideoProduct.video_id).limit(1))
        source = {"type": "video", "id": str(video_id)} if video_id else {"type": "search"}
        if sku_id is not None:
            picks.append((int(sku_id), source))
    return picks


def _ok(answer: Any, what: str) -> dict[str, Any]:
    if answer.status_code >= 400:
        raise RuntimeError(f"demo order: {what} answered {answer.status_code}: "
                           f"{answer.text[:300]}")
    return dict(answer.json())


def _buy(client: Any, purchase: DemoPurchase, password: str) -> str:
    token = _ok(client.post("/api/v1/auth/token", json={
        "email": purchase.email, "password": password}), "log in")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    mine = _ok(client.get("/api/v1/orders", headers=headers), "my orders")
    if mine.get("orders"):
        return f"orders of {purchase.email}: already there"
    with get_database().sessions() as session:
        picks = _picks(session, purchase.market)
    for sku_id, source in picks:
        _ok(client.post("/api/v1/cart/lines", headers=headers, json={
            "sku_id": str(sku_id), "quantity": 1, "source": source}), "cart line")
    made = _ok(client.post("/api/v1/checkouts", json={"shipping_address": purchase.address},
                           headers={**headers, "Idempotency-Key": secrets.token_hex(12)}),
               "checkout")
    card = _ok(client.post("/psp-sandbox/v1/tokens", json={
        "number": SUCCESS_CARD, "exp_month": 12, "exp_year": 2035, "cvc": "123"}), "card")
    paid = _ok(client.post(f"/api/v1/checkouts/{made['id']}/payment",
                           json={"payment_token": card["token"]},
                           headers={**headers, "Idempotency-Key": secrets.token_hex(12)}),
               "payment")
    count = len(paid.get("order_ids", []))
    return (f"orders of {purchase.email}: {paid['status']}, {made['total']['amount']} "
            f"{made['total']['currency']} for {count} order{'s' if count != 1 else ''} "
            f"of {len(picks)} items")


def seed_orders(password: str) -> Iterator[str]:
    """Place the demo purchases through the app's own API (see the module's docstring)."""
    from litestar.testing import TestClient

    from clipcart.app import create_app
    from clipcart.payments.adapters import SandboxProvider, use_provider
    from clipcart.payments.sandbox import webhooks as psp_webhooks

    with TestClient(create_app(), base_url=HOST) as client, \
            use_provider(SandboxProvider(client, base_url=f"{HOST}/psp-sandbox/v1")), \
            psp_webhooks.use_http_client(client):
        for purchase in PURCHASES:
            yield _buy(client, purchase, password)
