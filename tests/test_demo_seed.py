"""``clipcart demo``: shops in several markets with live, illustrated, stocked products."""

from __future__ import annotations

from sqlalchemy import func, select

from clipcart.catalog.buyer import product_for_buyer
from clipcart.catalog.models import Product
from clipcart.db import transaction
from clipcart.demo import seed
from clipcart.demo_catalog import SHOPS, local_price
from clipcart.discovery.search import search_products
from clipcart.money import Money
from clipcart.shops.models import Shop


def test_demo_seeds_live_products_in_five_markets_and_a_second_run_adds_nothing(client):
    first = list(seed())
    with transaction() as session:
        counts = dict(session.execute(select(Product.market, func.count())
                                      .where(Product.status == "ACTIVATE")
                                      .group_by(Product.market)).all())
        shop_count = session.execute(select(func.count()).select_from(Shop)
                                     .where(Shop.status == "APPROVED")).scalar_one()
    assert counts == {"GB": 10, "US": 10, "SG": 10, "ID": 10, "VN": 10}
    assert shop_count == 5
    assert any("priya@demo.clipcart.dev" in line for line in first)

    list(seed())
    with transaction() as session:
        total = session.execute(select(func.count()).select_from(Product)).scalar_one()
    assert total == 50


def test_demo_products_have_pictures_variants_stock_and_are_searchable(client):
    list(seed())
    with transaction() as session:
        page = search_products(session, "GB", text="linen dress")
        [hit] = page.items
        product = product_for_buyer(session, hit.id, "GB")
        vn = search_products(session, "VN", text="coffee").items
    assert hit.title == "Linen summer dress"
    assert len(product.images) == 2
    assert client.get(product.images[0].url).headers["content-type"] == "image/png"
    assert len(product.skus) == 9  # three colours by three sizes
    assert all(s.available_quantity > 0 for s in product.skus)
    assert {s.price for s in product.skus} == {Money(2690, "GBP")}
    assert [h.price.currency for h in vn] == ["VND"]


def test_demo_prices_follow_the_markets_digits():
    assert local_price("34.00", "GB") == "26.90"
    assert local_price("34.00", "US") == "33.90"
    assert local_price("34.00", "ID") == "537000"
    assert local_price("11.00", "VN") == "279000"
    assert [s.market for s in SHOPS] == ["GB", "US", "SG", "ID", "VN"]
