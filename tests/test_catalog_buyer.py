"""What buyers see: the product page, the JSON detail, market listings and checkout offers."""

import html

import pytest

from clipcart.catalog import submission
from clipcart.catalog.buyer import list_live_products, sku_offers
from clipcart.catalog.service import ProductInput, SkuInput, create_product, skus_of
from clipcart.db import transaction
from tests.catalog_support import (
    category_id,
    dress_input,
    editor_form,
    live_product,
    log_in,
    make_seller,
    shop_of,
    sync_categories,
)
from tests.helpers import bearer, csrf_form, signup


@pytest.fixture(autouse=True)
def _categories():
    sync_categories()


def _text(response):
    return " ".join(html.unescape(response.text).split())


def test_the_product_page_shows_the_gallery_price_discount_shop_and_stock(client):
    seller = make_seller(client, market="GB")
    product_id = live_product(seller)
    page = client.get(f"/products/{product_id}")
    text = _text(page)
    assert page.status_code == 200
    assert "<h1>Linen summer dress</h1>" in text
    assert '<strong class="price" data-role="price">£24.90</strong>' in text
    assert "£29.90</s>" in text
    assert "-16%" in text  # (29.90 - 24.90) / 29.90, rounded down
    assert 'Sold by <strong data-testid="shop-name">Linen Studio</strong>' in text
    assert "In stock</span> 5 available" in text
    assert 'alt="Linen summer dress, image 1 of 1"' in text
    assert "Womenswear \u203a Dresses" in text
    assert "<dt>Material</dt><dd>Linen</dd>" in text


def test_prices_use_the_markets_format(client):
    seller = make_seller(client, market="VN")
    data = ProductInput(title="Cà phê sữa đá", category_id=category_id(
        "Food & Beverages/Coffee & Tea"), attributes={"Shelf life": "6-12 months"},
        skus=[SkuInput("CF-250", "85000", attributes={"Net weight": "250 g"}, stock=3)])
    product_id = live_product(seller, data)
    buyer = signup(client, country="VN")
    page = client.get(f"/products/{product_id}", headers=bearer(buyer["access_token"]))
    assert "85.000\xa0₫" in html.unescape(page.text)
    detail = client.get(f"/api/v1/products/{product_id}").json()
    assert detail["skus"][0]["price"] == {"amount": "85000", "currency": "VND"}


def test_buyers_of_another_market_see_it_as_not_available_and_no_shop(client):
    seller = make_seller(client, market="GB")
    product_id = live_product(seller)
    abroad = make_seller(client, market="TH", name="Somewhere else")
    log_in(client, abroad.email)
    text = _text(client.get(f"/products/{product_id}"))
    assert "Not available in your country. This product is sold in United Kingdom only." in text
    assert "Linen Studio" not in text
    assert "£24.90" not in text
    buyer = signup(client, country="DE")
    detail = client.get(f"/api/v1/products/{product_id}",
                        headers=bearer(buyer["access_token"])).json()
    assert detail["shop"] is None
    assert detail["available_in_your_country"] is False
    assert {s["available_quantity"] for s in detail["skus"]} == {0}


def test_the_api_answers_the_contract_shape_with_money_in_market_digits(client):
    seller = make_seller(client, market="GB")
    product_id = live_product(seller)
    buyer = signup(client, country="GB")
    response = client.get(f"/api/v1/products/{product_id}",
                          headers=bearer(buyer["access_token"]))
    assert response.status_code == 200
    body = response.json()
    with transaction() as session:
        skus = skus_of(session, product_id)
    assert body["id"] == str(product_id)
    assert body["shop"] == {"id": str(seller.shop_id), "name": "Linen Studio"}
    assert (body["title"], body["description"], body["brand"]) == \
        ("Linen summer dress", "Breathable linen, midi length.", "Acme")
    assert body["available_in_your_country"] is True
    assert len(body["images"]) == 1
    assert body["images"][0]["url"].startswith(f"/media/products/{seller.shop_id}/{product_id}/")
    assert body["skus"] == [
        {"id": str(s.id), "attributes": s.attributes,
         "price": {"amount": "24.90", "currency": "GBP"},
         "list_price": {"amount": "29.90", "currency": "GBP"}, "available_quantity": 5}
        for s in skus]


def test_products_that_are_not_live_are_not_found(client):
    seller = make_seller(client)
    data = dress_input()
    with transaction() as session:
        draft = create_product(session, shop_of(session, seller), data).id
    live = live_product(seller, dress_input("Other", code="OTHER"))
    with transaction() as session:
        submission.deactivate_product(session, shop_of(session, seller), live)
    for product_id in (draft, live, 12345):
        assert client.get(f"/products/{product_id}").status_code == 404
        response = client.get(f"/api/v1/products/{product_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


def test_a_live_edit_under_review_leaves_the_buyer_page_unchanged(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    log_in(client, seller.email)
    editor = f"/seller/{seller.shop_id}/products/{product_id}"
    token = csrf_form(client, editor)
    response = client.post(editor, data=editor_form(
        token, title="Linen dress replica", action="submit",
        rows={label: {"code": f"DRESS-{label.replace(' / ', '-').upper()}", "price": "9.90"}
              for label in ("Red / S", "Red / M", "Blue / S", "Blue / M")}))
    assert "Waiting for a manual review." in _text(response)
    assert "Buyers still see the approved version, “Linen summer dress”" in _text(response)
    client.cookies.clear()
    page = _text(client.get(f"/products/{product_id}"))
    assert "<h1>Linen summer dress</h1>" in page and "£24.90" in page
    assert "replica" not in page and "£9.90" not in page


def test_the_variant_picker_works_without_javascript(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    with transaction() as session:
        blue_m = next(s for s in skus_of(session, product_id)
                      if s.attributes == {"Colour": "Blue", "Size": "M"})
    text = _text(client.get(f"/products/{product_id}?o0=Blue&o1=M"))
    assert f'name="sku" value="{blue_m.id}"' in text
    assert 'value="Blue" data-option="Colour" checked' in text


def test_a_market_listing_pages_through_live_products_newest_first(client):
    gb = make_seller(client, market="GB")
    sg = make_seller(client, market="SG", name="Lion City Linen")
    ids = [live_product(gb, dress_input(f"Dress {n}", code=f"D{n}")) for n in range(3)]
    live_product(sg)
    data = dress_input("Draft dress", code="DRAFT")
    menswear, womenswear = category_id("Menswear"), category_id("Womenswear")
    with transaction() as session:
        create_product(session, shop_of(session, gb), data)
        first = list_live_products(session, "GB", page_size=2)
        second = list_live_products(session, "GB", page_size=2,
                                    page_token=first.next_page_token)
        shirts = list_live_products(session, "GB", category_id=menswear)
        womens = list_live_products(session, "GB", category_id=womenswear)
    assert [c.id for c in first.items] == [ids[2], ids[1]]
    assert [c.id for c in second.items] == [ids[0]]
    assert second.next_page_token is None
    assert first.items[0].title == "Dress 2"
    assert (first.items[0].price.minor, first.items[0].price.currency) == (2490, "GBP")
    assert first.items[0].image_url.endswith(".thumb.jpg")
    assert shirts.items == [] and len(womens.items) == 3


def test_checkout_offers_only_skus_on_sale_at_their_approved_price(client):
    seller = make_seller(client)
    product_id = live_product(seller)
    hidden = live_product(seller, dress_input("Hidden", code="HIDDEN"))
    with transaction() as session:
        submission.deactivate_product(session, shop_of(session, seller), hidden)
        ids = [s.id for s in skus_of(session, product_id)] + \
            [s.id for s in skus_of(session, hidden)]
        offers = sku_offers(session, ids)
    assert sorted(offers) == sorted(ids[:4])
    offer = offers[ids[0]]
    assert (offer.product_id, offer.shop_id, offer.market, offer.title, offer.seller_sku) == \
        (product_id, seller.shop_id, "GB", "Linen summer dress", "DRESS-RED-S")
    assert (offer.price.minor, offer.list_price.minor, offer.weight_g) == (2490, 2990, 350)
    assert offer.attributes == {"Colour": "Red", "Size": "S"}
