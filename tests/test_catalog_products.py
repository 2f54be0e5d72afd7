"""Creating and editing products: options, the SKU matrix, prices, stock, validation."""

import pytest
from sqlalchemy import func, select

from clipcart.catalog.models import Product, Sku
from clipcart.catalog.service import (
    OptionInput,
    ProductInput,
    SkuInput,
    create_product,
    find_skus,
    product_of_shop,
    skus_of,
    update_product,
    variant_matrix,
)
from clipcart.db import transaction
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.inventory.service import available_for_skus, ensure_default_warehouse
from tests.catalog_support import (
    DRESSES,
    category_id,
    dress_input,
    make_seller,
    shop_of,
    sync_categories,
)


@pytest.fixture(autouse=True)
def _categories():
    sync_categories()


def _create(seller, data):
    with transaction() as session:
        product = create_product(session, shop_of(session, seller), data,
                                 actor_user_id=seller.user_id)
        return product.id


def _skus(product_id):
    with transaction() as session:
        return [(s.seller_sku, s.attributes, s.price_minor, s.list_price_minor)
                for s in skus_of(session, product_id)]


def _count(model):
    with transaction() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_the_matrix_is_every_combination_of_option_values_in_reading_order():
    options = [{"name": "Colour", "values": ["Red", "Blue"]},
               {"name": "Size", "values": ["S", "M"]}]
    assert variant_matrix(options) == [{"Colour": "Red", "Size": "S"},
                                       {"Colour": "Red", "Size": "M"},
                                       {"Colour": "Blue", "Size": "S"},
                                       {"Colour": "Blue", "Size": "M"}]


def test_a_product_is_created_as_a_draft_with_prices_in_the_shops_currency(client):
    seller = make_seller(client, market="GB")
    product_id = _create(seller, dress_input())
    with transaction() as session:
        product = product_of_shop(session, seller.shop_id, product_id)
        assert (product.status, product.market, product.visible) == ("DRAFT", "GB", False)
        assert product.options == [{"name": "Colour", "values": ["Red", "Blue"]},
                                   {"name": "Size", "values": ["S", "M"]}]
        assert product.attributes == {"Material": "Linen"}
        currencies = {s.currency for s in skus_of(session, product_id)}
    assert currencies == {"GBP"}
    assert _skus(product_id) == [
        ("DRESS-RED-S", {"Colour": "Red", "Size": "S"}, 2490, 2990),
        ("DRESS-RED-M", {"Colour": "Red", "Size": "M"}, 2490, 2990),
        ("DRESS-BLUE-S", {"Colour": "Blue", "Size": "S"}, 2490, 2990),
        ("DRESS-BLUE-M", {"Colour": "Blue", "Size": "M"}, 2490, 2990)]


def test_options_follow_the_skus_attributes_when_not_given(client):
    seller = make_seller(client, market="VN")
    data = ProductInput(title="Cà phê sữa đá", category_id=category_id(
        "Food & Beverages/Coffee & Tea"), skus=[
        SkuInput("CF-250", "85000", attributes={"Net weight": "250 g"}),
        SkuInput("CF-500", "150000", attributes={"Net weight": "500 g"})])
    product_id = _create(seller, data)
    with transaction() as session:
        assert product_of_shop(session, seller.shop_id, product_id).options == [
            {"name": "Net weight", "values": ["250 g", "500 g"]}]
    assert [s[2] for s in _skus(product_id)] == [85000, 150000]


def test_stock_goes_to_the_default_warehouse(client):
    seller = make_seller(client)
    product_id = _create(seller, dress_input(stock=7))
    with transaction() as session:
        ids = [s.id for s in skus_of(session, product_id)]
        assert set(available_for_skus(session, ids).values()) == {7}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"price": "24.999"}, "price", "Price: GBP amounts take at most 2 decimal places."),
    ({"price": "0"}, "price", "The price must be more than zero."),
    ({"price": "abc"}, "price", "Price: not an amount: 'abc'."),
    ({"list_price": "20.00"}, "list_price",
     "DRESS-RED-S: the list price cannot be below the price."),
    ({"code": ""}, "seller_sku", "Seller SKU codes are 1 to 64 characters."),
])
def test_bad_sku_values_are_refused_and_nothing_is_written(client, change, field, message):
    seller = make_seller(client)
    sku = SkuInput(change.get("code", "DRESS-RED-S"), change.get("price", "24.90"),
                   change.get("list_price"), {"Colour": "Red"})
    data = ProductInput(title="Dress", category_id=category_id(DRESSES), skus=[sku])
    with pytest.raises(ValidationFailed) as info:
        _create(seller, data)
    assert (info.value.field, info.value.detail) == (field, message)
    assert _count(Product) == 0


def test_an_indonesian_price_takes_no_decimals(client):
    seller = make_seller(client, market="ID")
    with pytest.raises(ValidationFailed) as info:
        _create(seller, dress_input(price="150000.50", list_price=None))
    assert info.value.detail == "Price: IDR amounts take at most 0 decimal places."
    product_id = _create(seller, dress_input(price="150000", list_price=None))
    assert {s[2] for s in _skus(product_id)} == {15_000_000}  # ISO exponent 2 in storage


@pytest.mark.parametrize(("data", "message"), [
    (ProductInput(title="x", skus=[SkuInput("A", "1.00")]), "Titles are 2 to 255 characters."),
    (ProductInput(title="Dress", skus=[]), "A product needs at least one SKU."),
    (ProductInput(title="Dress", skus=[SkuInput("A", "1.00"), SkuInput("B", "1.00")]),
     "Several SKUs need options (such as Colour or Size) to tell them apart."),
    (ProductInput(title="Dress", skus=[SkuInput("A", "1.00", attributes={"Colour": "Red"}),
                                       SkuInput("A", "2.00", attributes={"Colour": "Blue"})]),
     "The seller SKU 'A' is used twice in this product."),
    (ProductInput(title="Dress", options=[OptionInput("Colour", ["Red"])],
                  skus=[SkuInput("A", "1.00", attributes={"Colour": "Green"})]),
     "SKU 'A': 'Green' is not a value of Colour."),
    (ProductInput(title="Dress", options=[OptionInput("Colour", ["Red"])],
                  skus=[SkuInput("A", "1.00")]),
     "SKU 'A' must have a value for each option (Colour)."),
    (ProductInput(title="Dress", attributes={"Material": "Linen"}, skus=[SkuInput("A", "1.00")]),
     "Choose a category before filling its attributes."),
])
def test_inconsistent_products_are_refused(client, data, message):
    seller = make_seller(client)
    with pytest.raises(ValidationFailed) as info:
        _create(seller, data)
    assert info.value.detail == message
    assert _count(Product) == 0


def test_category_attributes_are_checked_against_the_category(client):
    seller = make_seller(client)
    base = dress_input()
    bad_value = ProductInput(**{**base.__dict__, "attributes": {"Material": "Gold"}})
    unknown = ProductInput(**{**base.__dict__, "attributes": {"Engine": "V8"}})
    parent = ProductInput(**{**base.__dict__, "category_id": category_id("Womenswear")})
    with pytest.raises(ValidationFailed) as one:
        _create(seller, bad_value)
    with pytest.raises(ValidationFailed) as two:
        _create(seller, unknown)
    with pytest.raises(ValidationFailed) as three:
        _create(seller, parent)
    assert one.value.detail.startswith("Material must be one of: Cotton, Linen, Polyester")
    assert two.value.detail == "This category has no attribute 'Engine'."
    assert three.value.detail == "“Womenswear” has sub-categories: choose one of them."


def test_a_seller_sku_code_is_unique_within_a_shop_but_not_across_shops(client):
    seller = make_seller(client)
    other = make_seller(client, name="Other shop")
    _create(seller, dress_input())
    with pytest.raises(Conflict) as info:
        _create(seller, dress_input(title="Another dress"))
    assert info.value.code == "DUPLICATE_SELLER_SKU"
    assert "DRESS-BLUE-M" in info.value.detail
    _create(other, dress_input())
    assert _count(Product) == 2


def test_editing_keeps_skus_with_the_same_code_and_removes_the_dropped_ones(client):
    seller = make_seller(client)
    product_id = _create(seller, dress_input())
    with transaction() as session:
        before = {s.seller_sku: s.id for s in skus_of(session, product_id)}
    data = dress_input(colours=("Red",), sizes=("S", "M", "L"), price="26.00")
    with transaction() as session:
        update_product(session, shop_of(session, seller), product_id, data)
        after = {s.seller_sku: s.id for s in skus_of(session, product_id)}
        removed = session.execute(select(Sku.seller_sku).where(
            Sku.product_id == product_id, Sku.removed.is_(True))).scalars().all()
    assert after["DRESS-RED-S"] == before["DRESS-RED-S"]
    assert after["DRESS-RED-M"] == before["DRESS-RED-M"]
    assert "DRESS-RED-L" not in before
    assert sorted(removed) == ["DRESS-BLUE-M", "DRESS-BLUE-S"]
    assert {s[2] for s in _skus(product_id)} == {2600}
    with transaction() as session:
        assert sorted(find_skus(session, seller.shop_id, ["DRESS-RED-L", "DRESS-BLUE-S"])) \
            == ["DRESS-RED-L"]


def test_another_shops_product_cannot_be_edited(client):
    seller = make_seller(client)
    other = make_seller(client, name="Other shop")
    product_id = _create(seller, dress_input())
    data = dress_input(title="Hijacked")
    with pytest.raises(NotFound), transaction() as session:
        update_product(session, shop_of(session, other), product_id, data)
    with transaction() as session:
        assert product_of_shop(session, seller.shop_id, product_id).title == "Linen summer dress"


def test_stock_for_a_warehouse_of_another_shop_is_refused(client):
    seller = make_seller(client)
    other = make_seller(client, name="Other shop")
    with transaction() as session:
        foreign = ensure_default_warehouse(session, other.shop_id).id
    data = ProductInput(title="Dress", category_id=category_id(DRESSES),
                        skus=[SkuInput("ONE", "10.00", stock={foreign: 3})])
    with pytest.raises(ValidationFailed) as info:
        _create(seller, data)
    assert info.value.detail == "Stock names a warehouse this shop does not have."
    assert _count(Product) == 0
