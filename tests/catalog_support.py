"""Builders for catalog tests: sellers with approved shops, images, live products.

Everything goes through the public services and pages. ``live_product`` is meant for other
contexts' tests too (checkout, orders...): it lists a product that passes the audit.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from clipcart.catalog.categories import category_by_path, ensure_categories
from clipcart.catalog.service import OptionInput, ProductInput, SkuInput
from clipcart.catalog.submission import create_and_submit
from clipcart.db import transaction
from clipcart.shops.models import Shop
from clipcart.shops.service import create_approved_shop
from tests.helpers import PASSWORD, csrf_form, signup

DRESSES = "Womenswear/Dresses"


def png(size: tuple[int, int] = (400, 300), colour: tuple[int, int, int] = (200, 60, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def sync_categories() -> None:
    with transaction() as session:
        ensure_categories(session)


def category_id(path: str) -> int:
    with transaction() as session:
        found = category_by_path(session, path)
        assert found is not None, path
        return found.id


@dataclass(frozen=True)
class Seller:
    user_id: int
    email: str
    token: str
    shop_id: int
    market: str


def make_seller(client: TestClient[Any], market: str = "GB", name: str = "Linen Studio",
                country: str | None = None) -> Seller:
    """A user (signed up through the API) owning an approved shop in ``market``."""
    account = signup(client, country=country or market)
    with transaction() as session:
        shop = create_approved_shop(session, account["email"], name, market)
        shop_id = shop.id
    return Seller(int(account["user"]["id"]), account["email"], account["access_token"],
                  shop_id, market)


def log_in(client: TestClient[Any], email: str) -> str:
    """Log the client in on the web; returns a CSRF token for its forms."""
    client.cookies.clear()
    token = csrf_form(client, "/login")
    response = client.post("/login", data={"_csrf_token": token, "email": email,
                                           "password": PASSWORD, "next": "/"})
    assert response.status_code == 200, response.text
    return token


def shop_of(session: Session, seller: Seller) -> Shop:
    shop = session.get(Shop, seller.shop_id)
    assert shop is not None
    return shop


def dress_input(title: str = "Linen summer dress", *, code: str = "DRESS",
                colours: Sequence[str] = ("Red", "Blue"), sizes: Sequence[str] = ("S", "M"),
                price: str = "24.90", list_price: str | None = "29.90",
                stock: int | None = 5, description: str = "Breathable linen, midi length.",
                category: int | None = None) -> ProductInput:
    """A dress with a Colour x Size matrix; every SKU at ``price``."""
    skus = [SkuInput(f"{code}-{c.upper()}-{s}", price, list_price,
                     {"Colour": c, "Size": s}, weight_g=350, stock=stock)
            for c in colours for s in sizes]
    return ProductInput(title=title, description=description, brand="Acme",
                        category_id=category if category is not None else category_id(DRESSES),
                        attributes={"Material": "Linen"},
                        options=[OptionInput("Colour", list(colours)),
                                 OptionInput("Size", list(sizes))], skus=skus)


def live_product(seller: Seller, data: ProductInput | None = None) -> int:
    """A product that passed the automatic audit (categories must be synced)."""
    data = data or dress_input()
    with transaction() as session:
        product = create_and_submit(session, shop_of(session, seller), data,
                                    images=[png()], actor_user_id=seller.user_id)
        assert product.status == "ACTIVATE", product.status
        return product.id


def editor_form(token: str, *, title: str = "Linen summer dress",
                category: str = DRESSES, options: Sequence[tuple[str, str]] = (
                    ("Colour", "Red, Blue"), ("Size", "S, M")),
                rows: dict[str, dict[str, str]] | None = None, action: str = "save",
                **extra: str) -> dict[str, str]:
    """The product editor's form as a browser posts it. ``rows`` maps a variant label
    ("Red / S") to its fields; by default every row gets a code and 24.90."""
    from clipcart.catalog.service import variant_matrix

    named = [{"name": n, "values": [v.strip() for v in vals.split(",") if v.strip()]}
             for n, vals in options]
    combos = variant_matrix(named) if named else [{}]
    form = {"_csrf_token": token, "title": title, "description": "Breathable linen.",
            "brand": "Acme", "category_id": str(category_id(category)) if category else "",
            "attr:Material": "Linen", "rows": str(len(combos)), "action": action}
    for i, (name, values) in enumerate(options):
        form[f"opt{i}_name"], form[f"opt{i}_values"] = name, values
    for i, combo in enumerate(combos):
        label = " / ".join(combo.values()) or "Default"
        form[f"sku{i}_combo"] = json.dumps(combo, ensure_ascii=False, sort_keys=True)
        fields = (rows or {}).get(label) if rows is not None else {
            "code": "DRESS-" + "-".join(combo.values()).upper(), "price": "24.90"}
        for key, value in (fields or {}).items():
            form[f"sku{i}_{key}"] = value
    form.update(extra)
    return form
