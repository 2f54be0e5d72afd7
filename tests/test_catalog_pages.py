"""Seller Center catalog pages over HTTP: the list and the product editor."""

import html

import pytest
from sqlalchemy import event, func, select

from clipcart.catalog.models import Product, ProductImage
from clipcart.catalog.service import create_product, skus_of
from clipcart.db import get_database, transaction
from clipcart.identity.models import Notification
from clipcart.inventory.service import available_for_skus
from tests.catalog_support import (
    category_id,
    dress_input,
    editor_form,
    live_product,
    log_in,
    make_seller,
    png,
    shop_of,
    sync_categories,
)
from tests.helpers import csrf_form


@pytest.fixture(autouse=True)
def _categories():
    sync_categories()


def _products():
    with transaction() as session:
        return list(session.execute(select(Product).order_by(Product.id)).scalars())


def _signed_in_seller(client, **kwargs):
    seller = make_seller(client, **kwargs)
    log_in(client, seller.email)
    return seller


def test_the_editor_creates_a_draft_with_its_variant_matrix_stock_and_images(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    with transaction() as session:
        from clipcart.inventory.service import ensure_default_warehouse

        warehouse = ensure_default_warehouse(session, seller.shop_id).id
    rows = {label: {"code": f"D-{label.replace(' / ', '')}", "price": "24.90",
                    "list_price": "29.90", "weight_g": "350", f"stock_{warehouse}": "6"}
            for label in ("Red / S", "Red / M", "Blue / S")}  # Blue / M left empty: not sold
    response = client.post(f"{base}/new", data=editor_form(token, rows=rows),
                           files=[("images", ("front.png", png(), "image/png"))],
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    [product] = _products()
    assert response.headers["location"] == f"{base}/{product.id}?done=created"
    assert (product.status, product.title, product.attributes) == \
        ("DRAFT", "Linen summer dress", {"Material": "Linen"})
    with transaction() as session:
        skus = skus_of(session, product.id)
        stock = available_for_skus(session, [s.id for s in skus])
        images = session.execute(select(ProductImage)).scalars().all()
    assert [(s.seller_sku, s.price_minor, s.list_price_minor, s.weight_g) for s in skus] == [
        ("D-RedS", 2490, 2990, 350), ("D-RedM", 2490, 2990, 350), ("D-BlueS", 2490, 2990, 350)]
    assert set(stock.values()) == {6}
    assert [(i.width, i.height, i.position) for i in images] == [(400, 300, 0)]
    page = client.get(response.headers["location"])
    assert "Draft saved. Add images and submit it when it is ready." in page.text
    assert 'value="D-RedS"' in page.text


def test_submitting_from_the_editor_puts_a_clean_listing_live(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    response = client.post(f"{base}/new", data=editor_form(token, action="submit"),
                           files=[("images", ("front.png", png(), "image/png"))])
    assert response.status_code == 200
    assert "Submitted. It is live: buyers see it now." in " ".join(response.text.split())
    assert 'data-testid="product-status">Live<' in response.text
    [product] = _products()
    assert (product.status, product.visible) == ("ACTIVATE", True)
    # the save ran in a savepoint; its events were still handled right after the commit
    with transaction() as session:
        titles = session.execute(select(Notification.title).where(
            Notification.kind == "catalog.audit")).scalars().all()
    assert titles == ["“Linen summer dress” is live"]


def test_a_new_option_value_adds_rows_and_keeps_what_was_typed(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    form = editor_form(token, rows={"Red / S": {"code": "KEEP-ME", "price": "11.00"}},
                       action="refresh")
    form["opt1_values"] = "S, M, L"
    response = client.post(f"{base}/new", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.count('name="sku') // 8 >= 6
    for label in ("Red / L", "Blue / L"):
        assert f'aria-label="Seller SKU, {label}"' in response.text
    assert 'value="KEEP-ME"' in response.text and 'value="11.00"' in response.text
    assert _products() == []


def test_a_file_that_is_not_an_image_is_refused_with_a_message_and_nothing_saved(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    response = client.post(f"{base}/new", data=editor_form(token),
                           files=[("images", ("front.png", b"%PDF-1.4 not an image",
                                              "image/png"))])
    assert response.status_code == 400
    assert "That file is not a readable image." in response.text
    assert 'value="Linen summer dress"' in response.text  # what was typed is kept
    assert _products() == []


def test_a_tiny_image_is_refused_on_an_existing_product(client):
    seller = _signed_in_seller(client)
    product_id = live_product(seller)
    base = f"/seller/{seller.shop_id}/products/{product_id}"
    token = csrf_form(client, base)
    response = client.post(base, data=editor_form(token, title="Linen dress v2"),
                           files=[("images", ("tiny.png", png((40, 40)), "image/png"))])
    assert response.status_code == 400
    assert "Images must be at least 100px on each side." in response.text
    with transaction() as session:
        assert session.get(Product, product_id).title == "Linen summer dress"
        assert session.execute(select(func.count()).select_from(ProductImage)).scalar_one() == 1


def test_form_mistakes_re_render_the_editor_with_a_clear_message(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    cases = [
        (editor_form(token, rows={"Red / S": {"code": "A"}}),
         "Red / S: fill in the seller SKU and the price, or leave the row empty to not sell it."),
        (editor_form(token, rows={}), "Fill in at least one variant: a seller SKU and a price."),
        (editor_form(token, options=(("Colour", ""),)),
         "Colour needs at least one value, such as “Red, Blue”."),
        (editor_form(token, rows={"Red / S": {"code": "A", "price": "9.999"}}),
         "Price: GBP amounts take at most 2 decimal places."),
        (editor_form(token, rows={"Red / S": {"code": "A", "price": "9", "weight_g": "-3"}}),
         "Red / S weight: '-3' is not a whole number."),
    ]
    for form, message in cases:
        response = client.post(f"{base}/new", data=form)
        assert response.status_code == 400, message
        assert message in html.unescape(response.text)
    assert _products() == []


def test_the_list_has_status_tabs_filters_and_keyset_pages(client):
    seller = _signed_in_seller(client)
    live = [live_product(seller, dress_input(f"Dress {n}", code=f"D{n}")) for n in range(3)]
    scarf = dress_input("Silk scarf draft", code="SCARF")
    with transaction() as session:
        create_product(session, shop_of(session, seller), scarf)
    base = f"/seller/{seller.shop_id}/products"
    page = client.get(base)
    assert page.status_code == 200
    assert ">All <span class=\"count\">4</span>" in page.text
    assert ">Live <span class=\"count\">3</span>" in page.text
    assert ">Drafts <span class=\"count\">1</span>" in page.text
    drafts = client.get(f"{base}?tab=drafts").text
    assert "Silk scarf draft" in drafts and "Dress 0" not in drafts
    found = client.get(f"{base}?q=scarf").text
    assert "Silk scarf draft" in found and "Dress 1" not in found
    other_category = category_id("Menswear/Shirts")
    assert "No products match these filters." in client.get(
        f"{base}?category_id={other_category}").text
    first = client.get(f"{base}?tab=live&page_size=2")
    assert "Dress 2" in first.text and "Dress 1" in first.text and "Dress 0" not in first.text
    marker = "page_token="
    token = first.text[first.text.index(marker) + len(marker):].split('"')[0]
    second = client.get(f"{base}?tab=live&page_size=2&page_token={token}")
    assert "Dress 0" in second.text and "Dress 1" not in second.text
    assert marker not in second.text
    assert len(live) == 3


def _statements_for(client, url):
    count = 0

    def counter(*_args):
        nonlocal count
        count += 1

    engine = get_database().engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_a_list_page_costs_the_same_number_of_queries_for_two_or_twelve_products(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    for n in range(2):
        live_product(seller, dress_input(f"Dress {n}", code=f"D{n}"))
    small = _statements_for(client, f"{base}?page_size=50")
    for n in range(2, 12):
        live_product(seller, dress_input(f"Dress {n}", code=f"D{n}"))
    large = _statements_for(client, f"{base}?page_size=50")
    filtered = _statements_for(client, f"{base}?page_size=50&q=dress")
    assert small == large == filtered
    assert large <= 14


def test_deactivate_activate_and_delete_from_the_editor(client):
    seller = _signed_in_seller(client)
    product_id = live_product(seller)
    base = f"/seller/{seller.shop_id}/products/{product_id}"
    token = csrf_form(client, base)
    off = client.post(f"{base}/status", data={"_csrf_token": token, "action": "deactivate"})
    assert "Deactivated: buyers no longer see it." in off.text
    assert client.get(f"/products/{product_id}").status_code == 404
    wrong = client.post(f"{base}/status", data={"_csrf_token": token, "action": "deactivate"})
    assert wrong.status_code == 409
    assert "A product that is deactivated cannot be deactivated." in wrong.text
    on = client.post(f"{base}/status", data={"_csrf_token": token, "action": "activate"})
    assert "Activated." in on.text
    assert client.get(f"/products/{product_id}").status_code == 200
    gone = client.post(f"{base}/status", data={"_csrf_token": token, "action": "delete"},
                       follow_redirects=False)
    assert gone.headers["location"] == f"/seller/{seller.shop_id}/products"
    assert client.get(base).status_code == 404


def test_images_are_reordered_and_removed_from_the_editor(client):
    seller = _signed_in_seller(client)
    product_id = live_product(seller)
    base = f"/seller/{seller.shop_id}/products/{product_id}"
    token = csrf_form(client, base)
    client.post(base, data=editor_form(token), files=[
        ("images", ("b.png", png(colour=(0, 0, 200)), "image/png")),
        ("images", ("c.png", png(colour=(0, 200, 0)), "image/png"))])
    with transaction() as session:
        first, second, third = session.execute(
            select(ProductImage.id).order_by(ProductImage.position)).scalars().all()
    client.post(f"{base}/images/{third}", data={"_csrf_token": token, "op": "earlier"},
                headers={"HX-Request": "true"})
    client.post(f"{base}/images/{first}", data={"_csrf_token": token, "op": "remove"})
    with transaction() as session:
        order = session.execute(select(ProductImage.id).order_by(ProductImage.position)) \
            .scalars().all()
    assert order == [third, second]


def test_choosing_another_category_redraws_its_attributes(client):
    seller = _signed_in_seller(client)
    base = f"/seller/{seller.shop_id}/products"
    token = csrf_form(client, f"{base}/new")
    form = editor_form(token, category="Phones & Electronics/Mobile Phones", action="refresh")
    response = client.post(f"{base}/new", data=form, headers={"HX-Request": "true"})
    text = html.unescape(response.text)
    assert response.status_code == 200
    assert '<select name="attr:Warranty">' in text
    assert "Variant options for this category: <strong>Colour</strong>" in text
    assert 'name="attr:Dress length"' not in text
    assert _products() == []


def test_the_dashboard_card_counts_products_by_status_and_lists_audit_results(client):
    from clipcart.shops.dashboard import cards_for

    seller = make_seller(client)
    live_product(seller)
    flagged = dress_input("Counterfeit dress", code="FAKE")
    with transaction() as session:
        from clipcart.catalog.submission import create_and_submit

        create_and_submit(session, shop_of(session, seller), flagged, images=[png()])
        [card] = [c for c in cards_for(session, shop_of(session, seller))
                  if c.title == "Products"]
    assert [(s.label, s.value) for s in card.stats] == [
        ("Live", "1"), ("In review", "1"), ("Failed", "0"), ("Drafts", "0")]
    assert [(r.label, r.value, r.tone) for r in card.rows] == [
        ("Counterfeit dress: “counterfeit” is on the prohibited words list (in the title).",
         "Manual review", "warn"),
        ("Linen summer dress", "Approved", "ok")]
