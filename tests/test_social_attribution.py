"""Every way to a product from social content carries its source to the order line."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tests.catalog_support import log_in
from tests.checkout_support import Buyer, add, buyer, check_out, listing, pay
from tests.payments_helpers import psp  # noqa: F401  (fixture)
from tests.social_support import upload

pytestmark = pytest.mark.usefixtures("psp")


def _hrefs(page: str, testid: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(
        rf'href="([^"]+)"[^>]*data-testid="{testid}"', page)]


def _hidden(page: str, name: str) -> str | None:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


def _add_from_product_page(client: Any, product_url: str, csrf: str, sku_id: int) -> None:
    page = client.get(product_url)
    assert page.status_code == 200
    form = {"_csrf_token": csrf, "sku_id": str(sku_id), "quantity": "1", "action": "add",
            "source_type": _hidden(page.text, "source_type") or "",
            "source_id": _hidden(page.text, "source_id") or ""}
    answer = client.post("/cart/lines", data=form)
    assert answer.status_code == 200, answer.text


def _order_line_source(client: Any, who: Buyer) -> dict[str, str]:
    made = check_out(client, who)
    assert made.status_code == 201, made.text
    paid = pay(client, who, made.json()["id"])
    assert paid.json()["status"] == "PAID", paid.text
    [order_id] = paid.json()["order_ids"]
    order = client.get(f"/api/v1/orders/{order_id}", headers=who.headers).json()
    [line] = order["lines"]
    return dict(line["source"])


def test_a_purchase_through_a_video_anchor_is_attributed_to_the_video(client):
    # given a shop's video that links its product
    shop = listing(client, price="9.00")
    video = upload(client, shop.seller.token, caption="Try it #linen",
                   product_ids=[shop.product_id]).json()
    someone = buyer(client)
    csrf = log_in(client, someone.email)
    # when the buyer opens the video page, follows the anchor and adds the product
    page = client.get(f"/videos/{video['id']}")
    [anchor] = _hrefs(page.text, "product-anchor")
    assert anchor == f"/products/{shop.product_id}?source=video&source_id={video['id']}"
    _add_from_product_page(client, anchor, csrf, shop.sku_ids[0])
    cart = client.get("/api/v1/cart", headers=someone.headers).json()
    assert cart["lines"][0]["source"] == {"type": "video", "id": video["id"]}
    # then the paid order's line says it came from that video
    assert _order_line_source(client, someone) == {"type": "video", "id": video["id"]}


def test_a_purchase_from_a_shops_shop_tab_is_attributed_to_the_showcase(client):
    shop = listing(client, price="5.00", shop_name="Camden Loft")
    profile = client.get("/api/v1/profiles/camden-loft-official").json()
    assert profile["kind"] == "shop" and profile["shop_id"] == str(shop.seller.shop_id)
    someone = buyer(client)
    csrf = log_in(client, someone.email)
    page = client.get("/@camden-loft-official?tab=shop")
    [tile] = _hrefs(page.text, "shop-tab-product")
    assert tile == f"/products/{shop.product_id}?source=showcase&source_id={profile['id']}"
    _add_from_product_page(client, tile, csrf, shop.sku_ids[0])
    assert _order_line_source(client, someone) == {"type": "showcase", "id": profile["id"]}


def test_a_purchase_from_a_creators_collection_over_the_api_is_attributed(client):
    shop = listing(client, price="7.50")
    creator = buyer(client)
    made = client.post("/api/v1/me/showcase/collections", json={"name": "Faves"},
                       headers=creator.headers)
    assert made.status_code == 201, made.text
    added = client.post(f"/api/v1/me/showcase/collections/{made.json()['id']}/products",
                        json={"product_id": str(shop.product_id)}, headers=creator.headers)
    assert added.status_code == 200, added.text
    me = client.get("/api/v1/me", headers=creator.headers).json()
    tab = client.get(f"/api/v1/profiles/{me['handle']}/shop").json()
    [collection] = tab["collections"]
    [product] = collection["products"]
    assert product["id"] == str(shop.product_id)
    someone = buyer(client)
    assert add(client, someone, shop.sku_ids[0], source=product["source"]).status_code == 200
    assert _order_line_source(client, someone) == product["source"]
    assert product["source"]["type"] == "showcase"
