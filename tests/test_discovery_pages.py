"""The buyer's search page and the header search box."""

from __future__ import annotations

import pytest

from tests.catalog_support import (
    category_id,
    dress_input,
    live_product,
    log_in,
    make_seller,
    sync_categories,
)
from tests.helpers import signup


@pytest.fixture(autouse=True)
def _categories() -> None:
    sync_categories()


def test_signed_out_visitors_choose_a_market_first(client):
    live_product(make_seller(client), dress_input("Linen summer dress"))

    page = client.get("/search", params={"q": "linen"})

    assert page.status_code == 200
    assert "Choose the market you shop in" in page.text
    assert 'href="/products/' not in page.text
    chosen = client.get("/search", params={"q": "linen", "m": "GB"})
    assert "Linen summer dress" in chosen.text
    assert "£24.90" in chosen.text


def test_filters_narrow_the_cards_and_link_to_product_pages(client):
    seller = make_seller(client)
    cheap = live_product(seller, dress_input("Cheap linen dress", code="A", price="9.99",
                                             list_price=None))
    live_product(seller, dress_input("Fine linen dress", code="B", price="99.00",
                                     list_price=None))

    page = client.get("/search", params={"q": "linen", "m": "GB", "max_price": "20",
                                         "category_id": category_id("Womenswear")})

    assert f'href="/products/{cheap}"' in page.text
    assert "Fine linen dress" not in page.text


def test_a_bad_price_is_explained_and_nothing_matching_says_so(client):
    live_product(make_seller(client), dress_input("Linen summer dress"))

    bad = client.get("/search", params={"q": "linen", "m": "GB", "min_price": "cheap"})
    assert bad.status_code == 400
    assert "Min price" in bad.text
    none = client.get("/search", params={"q": "velvet", "m": "GB"})
    assert "Nothing matches “velvet”" in none.text


def test_signed_in_buyers_search_their_own_market_and_outsiders_see_why_not(client):
    live_product(make_seller(client), dress_input("Linen summer dress"))
    buyer = signup(client, country="GB")
    log_in(client, buyer["email"])
    assert "Linen summer dress" in client.get("/search", params={"q": "linen"}).text

    outsider = signup(client, country="DE")
    log_in(client, outsider["email"])
    page = client.get("/search", params={"q": "linen", "m": "GB"})
    assert "Your country is not one of them yet" in page.text
    assert "Linen summer dress" not in page.text


def test_every_page_has_the_header_search_box(client):
    home = client.get("/")
    assert 'action="/search"' in home.text
    assert 'name="q"' in home.text


def test_the_seller_product_list_finds_products_by_sku_code_and_brand(client):
    seller = make_seller(client)
    live_product(seller, dress_input("Linen summer dress", code="LINSUM"))
    log_in(client, seller.email)

    by_code = client.get(f"/seller/{seller.shop_id}/products", params={"q": "linsum-red"})
    by_brand = client.get(f"/seller/{seller.shop_id}/products", params={"q": "acme"})
    nothing = client.get(f"/seller/{seller.shop_id}/products", params={"q": "velvet"})

    assert "Linen summer dress" in by_code.text
    assert "Linen summer dress" in by_brand.text
    assert "Linen summer dress" not in nothing.text
