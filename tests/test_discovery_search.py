"""Buyer search: relevance, filters, market isolation, paging and index updates."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from clipcart.catalog.service import update_product
from clipcart.catalog.submission import deactivate_product, submit_product
from clipcart.db import transaction
from clipcart.discovery.search import search_products
from clipcart.errors import ValidationFailed
from tests.catalog_support import (
    category_id,
    dress_input,
    live_product,
    make_seller,
    shop_of,
    sync_categories,
)
from tests.helpers import bearer, signup


@pytest.fixture(autouse=True)
def _categories() -> None:
    sync_categories()


def titles(market: str, **kwargs: object) -> list[str]:
    with transaction() as session:
        found = search_products(session, market, **kwargs)  # type: ignore[arg-type]
        return [h.title for h in found.items]


def test_a_title_word_ranks_above_a_description_word(client):
    seller = make_seller(client)
    live_product(seller, dress_input("Linen summer dress", code="A",
                                     description="Breathable and light."))
    live_product(seller, dress_input("Cotton midi skirt dress", code="B",
                                     description="Pairs well with linen shirts."))
    live_product(seller, dress_input("Wool winter dress", code="C", description="Warm."))

    # every dress has Material: Linen; the title match comes first
    assert titles("GB", text="linen")[0] == "Linen summer dress"
    assert titles("GB", text="shirts") == ["Cotton midi skirt dress"]
    assert titles("GB", text="lin summ") == ["Linen summer dress"]
    assert titles("GB", text="velvet") == []


def test_brand_and_attribute_values_are_searchable(client):
    seller = make_seller(client)
    live_product(seller, dress_input("Summer dress", code="A", colours=("Green",)))

    assert titles("GB", text="acme") == ["Summer dress"]  # the brand
    assert titles("GB", text="green") == ["Summer dress"]  # an option value
    assert titles("GB", text="dresses womenswear") == ["Summer dress"]  # the category


def test_category_subtree_and_price_range_filter_the_results(client):
    seller = make_seller(client)
    live_product(seller, dress_input("Cheap dress", code="A", price="9.99", list_price=None))
    live_product(seller, dress_input("Fine dress", code="B", price="99.00", list_price=None))
    womenswear = category_id("Womenswear")
    menswear = category_id("Menswear")

    assert titles("GB", text="dress", category_id=womenswear) == ["Fine dress", "Cheap dress"]
    assert titles("GB", text="dress", category_id=menswear) == []
    assert titles("GB", text="dress", min_price="10") == ["Fine dress"]
    assert titles("GB", text="dress", max_price="9.99") == ["Cheap dress"]
    with pytest.raises(ValidationFailed):
        titles("GB", min_price="ten")


def test_a_market_sees_only_its_own_products(client):
    live_product(make_seller(client, "GB", "London Linen"), dress_input("Linen dress", code="G"))
    live_product(make_seller(client, "US", "Texas Linen"), dress_input("Linen dress US",
                                                                      code="U", price="20.00"))

    assert titles("GB", text="linen") == ["Linen dress"]
    assert titles("US", text="linen") == ["Linen dress US"]
    assert titles("DE", text="linen") == []


def test_paging_returns_every_live_product_exactly_once(client):
    seller = make_seller(client)
    ids = {live_product(seller, dress_input(f"Dress number {i}", code=f"D{i}",
                                            description="linen " * (i % 3 + 1),
                                            colours=("Red",), sizes=("M",)))
           for i in range(11)}
    for text in ("dress", "linen", ""):
        seen: list[int] = []
        token = None
        while True:
            with transaction() as session:
                page = search_products(session, "GB", text=text, page_size=3, page_token=token)
            seen += [h.id for h in page.items]
            token = page.next_page_token
            if token is None:
                break
        assert sorted(seen) == sorted(ids), text


def test_an_approved_edit_is_findable_and_a_deactivated_product_is_gone(client):
    seller = make_seller(client)
    product_id = live_product(seller, dress_input("Linen summer dress", code="A"))
    edited = dress_input("Seersucker picnic dress", code="A")
    with transaction() as session:
        shop = shop_of(session, seller)
        update_product(session, shop, product_id, edited)
        submit_product(session, shop, product_id)

    assert titles("GB", text="seersucker") == ["Seersucker picnic dress"]
    assert titles("GB", text="summer") == []

    with transaction() as session:
        deactivate_product(session, shop_of(session, seller), product_id)
    assert titles("GB", text="seersucker") == []


@pytest.mark.parametrize("query", ["dress", ""])  # a search, and the plain API list
def test_search_costs_the_same_queries_for_any_page_size(client, db, query):
    seller = make_seller(client)
    for i in range(12):
        live_product(seller, dress_input(f"Dress {i}", code=f"D{i}", colours=("Red",),
                                         sizes=("M",)))
    womenswear = category_id("Womenswear")
    counts = []
    for size in (2, 10):
        statements: list[str] = []

        def listener(*args: object, seen: list[str] = statements) -> None:
            seen.append(str(args[2]))

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/api/v1/products", params={
                "market": "GB", "query": query, "category_id": str(womenswear),
                "page_size": size})
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert len(response.json()["products"]) == size
        counts.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    assert counts[0] == counts[1] == 3  # the category and its subtree, then the page


def test_the_api_answers_cards_of_the_buyers_market(client):
    seller = make_seller(client)
    product_id = live_product(seller, dress_input("Linen summer dress", price="24.90"))
    buyer = signup(client, country="GB")

    answer = client.get("/api/v1/products", params={"query": "linen"},
                        headers=bearer(buyer["access_token"])).json()

    assert answer["next_page_token"] is None
    [card] = answer["products"]
    assert card["id"] == str(product_id)
    assert card["title"] == "Linen summer dress"
    assert card["shop_id"] == str(seller.shop_id)
    assert card["price"] == {"amount": "24.90", "currency": "GBP"}
    assert card["image_url"].startswith("/media/")


def test_signed_out_callers_name_a_market_and_outsiders_get_nothing(client):
    live_product(make_seller(client), dress_input("Linen summer dress"))

    missing = client.get("/api/v1/products", params={"query": "linen"})
    assert missing.status_code == 400
    assert missing.json()["code"] == "VALIDATION_ERROR"
    assert "market" in missing.json()["detail"]
    assert client.get("/api/v1/products", params={"market": "XX"}).status_code == 400
    found = client.get("/api/v1/products", params={"market": "gb", "query": "linen"})
    assert [p["title"] for p in found.json()["products"]] == ["Linen summer dress"]

    outsider = signup(client, country="DE")
    answer = client.get("/api/v1/products", params={"query": "linen"},
                        headers=bearer(outsider["access_token"])).json()
    assert answer == {"products": [], "next_page_token": None}


def test_a_bad_page_token_is_refused(client):
    response = client.get("/api/v1/products", params={"market": "GB", "page_token": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"


def test_reindex_rebuilds_the_index_from_what_buyers_see(client):
    from click.testing import CliRunner

    from clipcart.cli import main

    seller = make_seller(client)
    live_product(seller, dress_input("Linen summer dress", code="A"))
    hidden = live_product(seller, dress_input("Linen winter dress", code="B"))
    with transaction() as session:
        deactivate_product(session, shop_of(session, seller), hidden)

    result = CliRunner().invoke(main, ["search", "reindex", "--json"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == '{"indexed": 1}'
    assert titles("GB", text="linen") == ["Linen summer dress"]


def test_handling_a_live_change_twice_leaves_one_row(client):
    from datetime import UTC, datetime

    from clipcart.discovery.events import reindex_on_live_change
    from clipcart.events import Event

    seller = make_seller(client)
    product_id = live_product(seller, dress_input("Linen summer dress"))
    stale = Event(1, "catalog.product_live_changed",
                  {"product_id": str(product_id), "visible": False}, datetime.now(UTC))
    for _ in range(2):
        with transaction() as session:
            reindex_on_live_change(session, stale)  # the index follows the product, not the event

    assert titles("GB", text="linen") == ["Linen summer dress"]
