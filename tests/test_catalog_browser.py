"""A seller lists a product with two options in the editor, in a real chromium, and a
buyer opens it."""

import re

import pytest

from tests.browser import artifacts_dir, browser_page, live_server
from tests.catalog_support import make_seller, png, sync_categories
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_a_seller_lists_a_product_with_variants_and_a_buyer_opens_it(app, client, tmp_path):
    sync_categories()
    seller = make_seller(client, market="GB")
    image = tmp_path / "dress-front.png"
    image.write_bytes(png((800, 1000), (190, 70, 90)))
    shots = artifacts_dir()
    with live_server(app) as base, browser_page({"width": 1280, "height": 900}) as page:
        page.goto(f"{base}/login?next=/seller/{seller.shop_id}/products")
        page.get_by_label("E-mail").fill(seller.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/seller/{seller.shop_id}/products")
        assert "No products yet." in page.content()
        page.get_by_role("link", name="Add a product").first.click()

        page.get_by_label("Title").fill("Linen summer dress")
        page.get_by_label("Brand").fill("Acme")
        page.get_by_label("Category").select_option(label="Womenswear \u203a Dresses")
        page.get_by_label("Material").select_option("Linen")  # drawn by htmx for the category
        page.get_by_label("Description").fill("Breathable linen, midi length, two pockets.")
        page.get_by_label("Option 1", exact=True).fill("Colour")
        page.get_by_label("Values of option 1").fill("Red, Blue")
        page.get_by_label("Option 2", exact=True).fill("Size")
        page.get_by_label("Values of option 2").fill("S, M")
        page.get_by_label("Values of option 2").press("Tab")
        page.get_by_label("Seller SKU, Blue / M").wait_for()  # the matrix was regenerated
        page.wait_for_load_state("networkidle")  # and no later regeneration is on its way
        for n, label in enumerate(("Red / S", "Red / M", "Blue / S", "Blue / M")):
            page.get_by_label(f"Seller SKU, {label}").fill(
                "DRESS-" + label.replace(" / ", "-").upper())
            page.get_by_label(f"Price, {label}", exact=True).fill("24.90")
            page.get_by_label(f"List price, {label}").fill("29.90")
            page.get_by_label(f"Stock in Main warehouse, {label}").fill(str(3 + n))
        assert page.get_by_label("Seller SKU, Red / S").input_value() == "DRESS-RED-S"
        page.locator("input[type=file][name=images]").set_input_files(str(image))
        page.get_by_alt_text("Preview of dress-front.png").wait_for()
        page.screenshot(path=str(shots / "catalog-editor-filled.png"), full_page=True)

        page.get_by_role("button", name="Submit for review").click()
        page.wait_for_url("**done=submitted")
        assert page.get_by_test_id("product-status").inner_text() == "Live"
        assert page.get_by_alt_text("Image 1 of Linen summer dress").is_visible()
        page.screenshot(path=str(shots / "catalog-editor-live.png"), full_page=True)

        page.goto(f"{base}/seller/{seller.shop_id}/products?tab=live")
        assert "Linen summer dress" in page.content()
        page.screenshot(path=str(shots / "catalog-products-list.png"), full_page=True)

        page.goto(f"{base}/seller/{seller.shop_id}/products")
        page.get_by_role("link", name="Linen summer dress").click()
        page.get_by_role("link", name="View as buyer").click()
        page.wait_for_url("**/products/*")
        assert page.get_by_role("heading", name="Linen summer dress").is_visible()
        assert page.get_by_test_id("shop-name").inner_text() == "Linen Studio"
        assert page.locator("[data-role=price]").inner_text() == "£24.90"
        assert page.get_by_text("-16%").is_visible()
        page.locator("label.pick").filter(has_text=re.compile(r"^Blue$")).click()
        page.locator("label.pick").filter(has_text=re.compile(r"^M$")).click()  # not the legend
        assert page.get_by_test_id("availability").inner_text() == "In stock 6 available"
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(shots / "catalog-buyer-product.png"), full_page=True)
