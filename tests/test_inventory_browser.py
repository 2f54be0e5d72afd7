"""A seller counts stock inline (htmx, no page reload) and manages warehouses in chromium."""

import pytest

from clipcart.inventory import service as inventory
from tests.browser import artifacts_dir, browser_page, live_server
from tests.inventory_support import PASSWORD, make_shop, make_skus, stocked_sku

pytestmark = pytest.mark.browser


def test_a_seller_updates_stock_inline_and_adds_a_warehouse(app, db):
    shop = make_shop(db)
    dress = stocked_sku(db, shop, 5, code="DRESS-RED-M")
    make_skus(db, shop.id, "SCARF-GREY", title="Wool scarf")
    with db.transaction() as session:
        inventory.set_low_stock_threshold(session, shop_id=shop.id, sku_id=dress,
                                          warehouse_id=shop.warehouse_id, threshold=5)
    shots = artifacts_dir()
    with live_server(app) as base, browser_page({"width": 1280, "height": 900}) as page:
        page.goto(f"{base}/login?next=/seller/{shop.id}/inventory")
        page.get_by_label("E-mail").fill(shop.owner_email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/seller/{shop.id}/inventory")
        row = page.locator(f"#sku-{dress}")
        assert "low" in row.inner_text()
        page.screenshot(path=str(shots / "inventory-list.png"), full_page=True)

        page.evaluate("window.__same_page = true")
        row.get_by_label("Set, add or remove units of DRESS-RED-M in Main warehouse") \
            .select_option("add")
        row.get_by_label("Units of DRESS-RED-M in Main warehouse", exact=True).fill("20")
        row.get_by_role("button", name="Save").click()
        page.locator(f"#sku-{dress} .status.ok").wait_for()
        assert page.evaluate("window.__same_page") is True  # swapped in place by htmx
        assert page.locator(f"#sku-{dress} td[data-label='On hand']").inner_text() == "25"
        assert "low" not in page.locator(f"#sku-{dress} td[data-label='Available']").inner_text()

        row = page.locator(f"#sku-{dress}")
        row.get_by_label("Set, add or remove units of DRESS-RED-M in Main warehouse") \
            .select_option("remove")
        row.get_by_label("Units of DRESS-RED-M in Main warehouse", exact=True).fill("99")
        row.get_by_role("button", name="Save").click()
        page.locator(f"#sku-{dress} .inv-error").wait_for()
        assert "Only 25 units are free" in page.locator(f"#sku-{dress} .inv-error").inner_text()
        page.screenshot(path=str(shots / "inventory-inline-error.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(shots / "inventory-list-mobile.png"), full_page=True)
        page.goto(f"{base}/seller/{shop.id}/warehouses")
        page.get_by_label("Name").last.fill("Leeds depot")
        page.get_by_label("Address").last.fill("1 Dock Road\nLeeds")
        page.get_by_role("button", name="Add warehouse").click()
        page.wait_for_url(f"{base}/seller/{shop.id}/warehouses?done=added")
        assert page.get_by_role("status").inner_text() == "Warehouse added."
        page.screenshot(path=str(shots / "inventory-warehouses-mobile.png"), full_page=True)

        page.goto(f"{base}/seller/{shop.id}/inventory/{dress}/movements")
        assert "Adjusted" in page.content()
        page.screenshot(path=str(shots / "inventory-movements-mobile.png"), full_page=True)
