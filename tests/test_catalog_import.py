"""Bulk import: JSON and CSV, per-product savepoints and reports, the CLI and the upload page."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from clipcart.catalog.importer import import_file
from clipcart.catalog.models import Product
from clipcart.cli import main
from clipcart.db import transaction
from clipcart.inventory import service as inventory
from tests.catalog_support import log_in, make_seller, png, shop_of, sync_categories
from tests.helpers import signup


@pytest.fixture(autouse=True)
def _categories() -> None:
    sync_categories()


def dress(title: str, code: str, **extra: object) -> dict[str, object]:
    product: dict[str, object] = {
        "title": title, "description": "Breathable linen.", "brand": "Acme",
        "category": "Womenswear/Dresses", "attributes": {"Material": "Linen"},
        "images": ["dress.png"],
        "skus": [{"seller_sku": f"{code}-RED-M", "attributes": {"Colour": "Red", "Size": "M"},
                  "price": "24.90", "list_price": "29.90", "stock": 50},
                 {"seller_sku": f"{code}-BLUE-M", "attributes": {"Colour": "Blue", "Size": "M"},
                  "price": "24.90", "stock": 7}]}
    product.update(extra)
    return product


def product_titles(shop_id: int) -> list[str]:
    with transaction() as session:
        return sorted(session.execute(select(Product.title).where(Product.shop_id == shop_id))
                      .scalars())


def test_json_import_lists_good_products_and_reports_the_bad_one(client, tmp_path: Path):
    seller = make_seller(client)
    (tmp_path / "dress.png").write_bytes(png())
    bad = dress("Broken dress", "BAD")
    bad["skus"][1]["price"] = "free"  # type: ignore[index]
    (tmp_path / "products.json").write_text(json.dumps({"products": [
        dress("Linen summer dress", "LIN"), bad]}))

    result = CliRunner().invoke(main, ["catalog", "import", "--shop-id", str(seller.shop_id),
                                       "--file", str(tmp_path / "products.json"), "--json"])

    answer = json.loads(result.output)
    [imported] = answer["products"]
    assert imported["status"] == "ACTIVATE"
    assert [s["seller_sku"] for s in imported["skus"]] == ["LIN-RED-M", "LIN-BLUE-M"]
    [error] = answer["errors"]
    assert error["ref"] == "product 2"
    assert error["field"] == "price"
    assert result.exit_code == 2
    assert product_titles(seller.shop_id) == ["Linen summer dress"]  # nothing of the bad one
    red = int(imported["skus"][0]["id"])
    with transaction() as session:
        assert inventory.available_for_skus(session, [red]) == {red: 50}


def test_csv_rows_group_into_products_and_a_bad_row_refuses_its_whole_product(client,
                                                                              tmp_path: Path):
    seller = make_seller(client)
    (tmp_path / "dress.png").write_bytes(png())
    (tmp_path / "stock.csv").write_text(
        "product_key,title,category,brand,attr:Material,images,seller_sku,option:Colour,"
        "price,list_price,stock\n"
        "d1,Linen dress,Womenswear/Dresses,Acme,Linen,dress.png,D1-RED,Red,24.90,29.90,5\n"
        "d1,Linen dress,Womenswear/Dresses,Acme,Linen,dress.png,D1-BLUE,Blue,24.90,,6\n"
        "d2,Silk dress,Womenswear/Dresses,Acme,Silk,dress.png,D2-RED,Red,50.00,,3\n"
        "d2,Silk dress,Womenswear/Dresses,Acme,Silk,dress.png,D2-BLUE,Blue,50.00,,lots\n")

    with transaction() as session:
        report = import_file(session, shop_of(session, seller), tmp_path / "stock.csv")

    assert [(p.ref, p.title, p.status, len(p.skus)) for p in report.products] == [
        ("rows 2, 3", "Linen dress", "ACTIVATE", 2)]
    assert [(e.ref, e.field) for e in report.errors] == [("rows 4, 5", "stock")]
    assert product_titles(seller.shop_id) == ["Linen dress"]


def test_a_missing_image_or_unknown_category_is_reported(client, tmp_path: Path):
    seller = make_seller(client)
    (tmp_path / "p.json").write_text(json.dumps({"products": [
        dress("No image", "A"), dress("Lost", "B", category="Nowhere/Else")]}))

    with transaction() as session:
        report = import_file(session, shop_of(session, seller), tmp_path / "p.json")

    assert report.products == []
    assert [(e.ref, e.field) for e in report.errors] == [("product 1", "images"),
                                                         ("product 2", "category")]


def zip_upload(document: dict[str, object]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("catalog/products.json", json.dumps(document))
        archive.writestr("catalog/dress.png", png())
    return out.getvalue()


def test_the_seller_center_upload_imports_a_zip_and_shows_the_report(client):
    seller = make_seller(client)
    token = log_in(client, seller.email)
    page = client.get(f"/seller/{seller.shop_id}/import")
    assert page.status_code == 200
    assert "Bulk import" in page.text

    response = client.post(
        f"/seller/{seller.shop_id}/import", data={"_csrf_token": token},
        files={"file": ("catalog.zip", zip_upload({"products": [
            dress("Linen summer dress", "LIN"), dress("", "X")]}),
            "application/zip")})

    assert response.status_code == 200
    assert "1 product imported" in response.text
    assert "1 not imported" in response.text
    assert "Titles are 2 to 255 characters" in response.text
    assert product_titles(seller.shop_id) == ["Linen summer dress"]


def test_an_unreadable_upload_changes_nothing(client):
    seller = make_seller(client)
    token = log_in(client, seller.email)

    response = client.post(f"/seller/{seller.shop_id}/import", data={"_csrf_token": token},
                           files={"file": ("p.json", b"{not json", "application/json")})

    assert response.status_code == 400
    assert "This is not valid JSON" in response.text
    assert product_titles(seller.shop_id) == []


def test_staff_of_another_shop_cannot_open_or_use_the_import_page(client):
    owner = make_seller(client, name="Shop A")
    intruder = make_seller(client, name="Shop B")
    token = log_in(client, intruder.email)

    assert client.get(f"/seller/{owner.shop_id}/import").status_code in (403, 404)
    response = client.post(f"/seller/{owner.shop_id}/import", data={"_csrf_token": token},
                           files={"file": ("catalog.zip", zip_upload({"products": [
                               dress("Sneaky dress", "S")]}), "application/zip")})
    assert response.status_code in (403, 404)
    assert product_titles(owner.shop_id) == []
    assert product_titles(intruder.shop_id) == []


def test_a_buyer_without_a_shop_is_refused(client):
    seller = make_seller(client)
    buyer = signup(client, country="GB")
    log_in(client, buyer["email"])
    assert client.get(f"/seller/{seller.shop_id}/import").status_code in (403, 404)


def test_csv_stock_columns_name_warehouses(client, tmp_path: Path):
    seller = make_seller(client)
    with transaction() as session:
        warehouse = inventory.ensure_default_warehouse(session, seller.shop_id).id
    (tmp_path / "dress.png").write_bytes(png())
    (tmp_path / "p.csv").write_text(
        f"title,category,attr:Material,images,seller_sku,price,stock:{warehouse}\n"
        f"Plain linen dress,Womenswear/Dresses,Linen,dress.png,PLAIN-1,30.00,17\n")

    with transaction() as session:
        report = import_file(session, shop_of(session, seller), tmp_path / "p.csv")

    [product] = report.products
    [sku] = product.skus
    with transaction() as session:
        assert inventory.available_for_skus(session, [sku.id]) == {sku.id: 17}
    assert report.errors == []
