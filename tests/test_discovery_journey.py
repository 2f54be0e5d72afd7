"""A new user opens a shop and sells; a buyer in that market finds the product by search.

Everything a person does goes through the pages (sign up, apply, approve, list, stock,
submit, search, open); the only service calls make the operator account and read IDs.
"""

from __future__ import annotations

import re

from clipcart.catalog.service import skus_of
from clipcart.db import transaction
from clipcart.identity import service as identity
from clipcart.inventory.service import ensure_default_warehouse
from clipcart.shops import service as shops
from tests.catalog_support import editor_form, log_in, png, sync_categories
from tests.helpers import PASSWORD, bearer, csrf_form


def sign_up_on_the_web(client, email: str, handle: str, country: str) -> int:  # type: ignore[no-untyped-def]
    client.cookies.clear()
    token = csrf_form(client, "/signup")
    response = client.post("/signup", data={
        "_csrf_token": token, "email": email, "handle": handle, "password": PASSWORD,
        "country": country, "birth_date": "1994-02-03", "next": "/"}, follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    with transaction() as session:
        user = identity.user_by_email(session, email)
        assert user is not None
        return user.id


def test_a_new_seller_lists_a_product_and_a_buyer_finds_it_by_search(client):
    sync_categories()
    # a new user signs up and applies for a shop in Great Britain
    seller_id = sign_up_on_the_web(client, "nora@example.com", "nora_makes", "GB")
    token = csrf_form(client, "/seller/apply")
    applied = client.post("/seller/apply", data={"_csrf_token": token, "name": "Nora Makes",
                                                 "market": "GB", "description": "Linen"})
    assert applied.status_code == 200
    with transaction() as session:
        [(shop, role)] = shops.shops_of(session, seller_id)
        shop_id = shop.id
    assert (shop.status, role) == ("PENDING", "owner")

    # an operator approves it
    with transaction() as session:
        identity.create_operator(session, "ops@example.com", PASSWORD)
    token = log_in(client, "ops@example.com")
    approved = client.post(f"/operator/shops/{shop_id}/approve", data={"_csrf_token": token})
    assert approved.status_code == 200

    # the seller lists a dress with four variants and an image, then stocks one variant
    log_in(client, "nora@example.com")
    base = f"/seller/{shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    created = client.post(f"{base}/new", data=editor_form(token, title="Seersucker picnic dress"),
                          files=[("images", ("front.png", png(), "image/png"))],
                          follow_redirects=False)
    assert created.status_code == 303, created.text
    product_id = int(re.search(r"/products/(\d+)", created.headers["location"]).group(1))  # type: ignore[union-attr]
    with transaction() as session:
        skus = skus_of(session, product_id)
        warehouse_id = ensure_default_warehouse(session, shop_id).id
    assert len(skus) == 4
    token = csrf_form(client, f"/seller/{shop_id}/inventory")
    stocked = client.post(f"/seller/{shop_id}/inventory/adjust", data={
        "_csrf_token": token, "sku_id": str(skus[0].id), "warehouse_id": str(warehouse_id),
        "quantity": "12", "mode": "set"}, follow_redirects=False)
    assert stocked.status_code == 303, stocked.text

    # it passes the audit
    token = csrf_form(client, f"{base}/{product_id}")
    submitted = client.post(f"{base}/{product_id}",
                            data=editor_form(token, title="Seersucker picnic dress",
                                             action="submit"))
    assert "It is live: buyers see it now." in " ".join(submitted.text.split())

    # a buyer in Great Britain finds it on the search page and through the API
    sign_up_on_the_web(client, "bea@example.com", "bea_buys", "GB")
    page = client.get("/search", params={"q": "seersucker"})
    assert page.status_code == 200
    assert f'href="/products/{product_id}"' in page.text
    assert "£24.90" in page.text
    access = client.post("/api/v1/auth/token", json={"email": "bea@example.com",
                                                    "password": PASSWORD}).json()
    found = client.get("/api/v1/products", params={"query": "picnic"},
                       headers=bearer(access["access_token"])).json()
    assert [(p["id"], p["title"], p["shop_id"]) for p in found["products"]] == [
        (str(product_id), "Seersucker picnic dress", str(shop_id))]

    # and opens its page, with the stocked variant available
    opened = client.get(f"/products/{product_id}")
    assert opened.status_code == 200
    assert "Seersucker picnic dress" in opened.text
    detail = client.get(f"/api/v1/products/{product_id}",
                        headers=bearer(access["access_token"])).json()
    assert sorted(s["available_quantity"] for s in detail["skus"]) == [0, 0, 0, 12]

    # a buyer in the United States does not find it
    sign_up_on_the_web(client, "sam@example.com", "sam_buys", "US")
    assert 'href="/products/' not in client.get("/search", params={"q": "seersucker"}).text
