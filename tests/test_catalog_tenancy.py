"""Tenancy: every catalog seller route tried with another shop's IDs gets 404 and changes
nothing; operator routes refuse everyone else."""

import pytest
from sqlalchemy import func, select

from clipcart.catalog.models import (
    Product,
    ProductImage,
    ProductRevision,
    ProductStatusHistory,
    Sku,
)
from clipcart.db import transaction
from clipcart.events import OutboxEvent
from clipcart.identity.service import create_operator
from tests.catalog_support import (
    editor_form,
    live_product,
    log_in,
    make_seller,
    png,
    sync_categories,
)
from tests.helpers import PASSWORD, csrf_form


@pytest.fixture(autouse=True)
def _categories():
    sync_categories()


def _fingerprint():
    with transaction() as session:
        counts = tuple(session.execute(select(func.count()).select_from(m)).scalar_one()
                       for m in (Product, Sku, ProductImage, ProductRevision,
                                 ProductStatusHistory, OutboxEvent))
        products = tuple(session.execute(select(Product.id, Product.status, Product.title,
                                                Product.visible).order_by(Product.id)).all())
    return counts, products


def _routes(shop_id, product_id, image_id):
    base = f"/seller/{shop_id}/products"
    return [
        ("GET", base, None),
        ("GET", f"{base}/new", None),
        ("GET", f"{base}/{product_id}", None),
        ("POST", f"{base}/new", "editor"),
        ("POST", f"{base}/{product_id}", "editor"),
        ("POST", f"{base}/{product_id}/status", {"action": "deactivate"}),
        ("POST", f"{base}/{product_id}/status", {"action": "delete"}),
        ("POST", f"{base}/{product_id}/status", {"action": "submit"}),
        ("POST", f"{base}/{product_id}/images/{image_id}", {"op": "remove"}),
        ("POST", f"{base}/{product_id}/images/{image_id}", {"op": "earlier"}),
    ]


def _call(client, token, method, url, body):
    if method == "GET":
        return client.get(url)
    if body == "editor":
        return client.post(url, data=editor_form(token, title="Hijacked", code="HIJACK"),
                           files=[("images", ("x.png", png(), "image/png"))])
    return client.post(url, data={"_csrf_token": token, **body})


def test_every_seller_route_with_another_shops_ids_is_404_and_changes_nothing(client):
    alice = make_seller(client, name="Alice Atelier")
    bob = make_seller(client, name="Bob Boutique")
    alice_product, bob_product = live_product(alice), live_product(bob)
    with transaction() as session:
        images = dict(session.execute(select(ProductImage.product_id, ProductImage.id)).all())
    token = log_in(client, alice.email)
    token = csrf_form(client, f"/seller/{alice.shop_id}/products")
    before = _fingerprint()
    tried = 0
    # Bob's product under Alice's shop, and anything under Bob's shop.
    for shop_id, product_id in ((alice.shop_id, bob_product), (bob.shop_id, bob_product),
                                (bob.shop_id, alice_product)):
        for method, url, body in _routes(shop_id, product_id, images[product_id]):
            if shop_id == alice.shop_id and url.endswith(("/products", "/new")):
                continue  # Alice's own list and editor are hers to use
            response = _call(client, token, method, url, body)
            assert response.status_code == 404, (method, url, response.status_code)
            tried += 1
    # Alice's product with Bob's image, under her own shop.
    response = client.post(f"/seller/{alice.shop_id}/products/{alice_product}/images/"
                           f"{images[bob_product]}", data={"_csrf_token": token, "op": "remove"})
    assert response.status_code == 404
    assert _fingerprint() == before
    assert tried == 27


@pytest.mark.parametrize("raw", ["abc", "0", "-5", "99999999999999999999999", "1e9"])
def test_ids_that_are_not_ids_are_404(client, raw):
    alice = make_seller(client)
    log_in(client, alice.email)
    assert client.get(f"/seller/{raw}/products").status_code == 404
    assert client.get(f"/seller/{alice.shop_id}/products/{raw}").status_code == 404
    assert client.get(f"/products/{raw}").status_code == 404
    assert client.get(f"/api/v1/products/{raw}").status_code == 404


def test_seller_pages_send_visitors_to_log_in(client):
    alice = make_seller(client)
    response = client.get(f"/seller/{alice.shop_id}/products", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == f"/login?next=/seller/{alice.shop_id}/products"


OPERATOR_ROUTES = [("GET", "/operator/audit"), ("GET", "/operator/audit/{rev}"),
                   ("POST", "/operator/audit/{rev}/approve"),
                   ("POST", "/operator/audit/{rev}/reject"),
                   ("POST", "/operator/products/{pid}/deactivate"),
                   ("POST", "/operator/products/deactivate"),
                   ("POST", "/operator/products/{pid}/reinstate")]


def test_operator_routes_refuse_sellers_and_buyers(client):
    alice = make_seller(client)
    product_id = live_product(alice)
    with transaction() as session:
        rev = session.execute(select(ProductRevision.id)).scalar_one()
    token = log_in(client, alice.email)
    token = csrf_form(client, f"/seller/{alice.shop_id}/products")
    before = _fingerprint()
    for method, path in OPERATOR_ROUTES:
        url = path.format(rev=rev, pid=product_id)
        response = client.get(url) if method == "GET" else client.post(
            url, data={"_csrf_token": token, "reason": "x", "product_id": str(product_id)})
        assert response.status_code == 403, (url, response.status_code)
    assert _fingerprint() == before


def test_operators_approve_and_reject_from_the_queue(client):
    alice = make_seller(client)
    product_id = live_product(alice)
    with transaction() as session:
        create_operator(session, "ops@example.com", PASSWORD)
    token = log_in(client, alice.email)
    page = f"/seller/{alice.shop_id}/products/{product_id}"
    token = csrf_form(client, page)
    client.post(page, data=editor_form(token, title="Linen dress knockoff", action="submit"))
    token = log_in(client, "ops@example.com")
    queue = client.get("/operator/audit")
    assert "Linen dress knockoff" in queue.text
    assert "“knockoff” is on the prohibited words list (in the title)." in queue.text
    with transaction() as session:
        rev = session.execute(select(ProductRevision.id).where(
            ProductRevision.audit_status == "IN_REVIEW")).scalar_one()
    token = csrf_form(client, f"/operator/audit/{rev}")
    empty = client.post(f"/operator/audit/{rev}/reject", data={"_csrf_token": token,
                                                              "reason": "  "})
    assert empty.status_code == 400 and "Tell the seller why." in empty.text
    done = client.post(f"/operator/audit/{rev}/reject",
                       data={"_csrf_token": token, "reason": "No knock-offs."})
    assert "Rejected: the seller sees your reasons." in done.text
    again = client.post(f"/operator/audit/{rev}/approve", data={"_csrf_token": token})
    assert again.status_code == 409
    assert "already decided" in again.text
    assert client.get(f"/products/{product_id}").status_code == 200  # the old version
    down = client.post("/operator/products/deactivate", data={
        "_csrf_token": token, "product_id": str(product_id), "reason": "Repeated knock-offs."})
    assert "Deactivated: buyers no longer see the product." in down.text
    assert client.get(f"/products/{product_id}").status_code == 404
