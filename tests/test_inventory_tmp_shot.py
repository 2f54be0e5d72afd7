from tests.browser import browser_page, live_server, artifacts_dir
from tests.inventory_support import make_shop, stocked_sku, make_skus, PASSWORD
from clipcart.inventory import service as inv

def test_shot(app, db):
    shop = make_shop(db)
    a = stocked_sku(db, shop, 5, "DRESS-RED-M")
    make_skus(db, shop.id, "SCARF-1", "SCARF-2", title="Wool scarf")
    with db.transaction() as s:
        w = inv.add_warehouse(s, shop.id, "Overflow depot", "12 Dock Road\nLeeds")
        inv.set_on_hand(s, shop_id=shop.id, sku_id=a, warehouse_id=w.id, quantity=40, actor_user_id=shop.owner_id)
        inv.set_low_stock_threshold(s, shop_id=shop.id, sku_id=a, warehouse_id=shop.warehouse_id, threshold=5)
    with live_server(app) as base, browser_page({"width": 1280, "height": 900}) as page:
        page.goto(base + "/login")
        page.fill("input[name=email]", shop.owner_email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(base + f"/seller/{shop.id}/inventory")
        page.screenshot(path=str(artifacts_dir() / "tmp-inv-desktop.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(artifacts_dir() / "tmp-inv-mobile.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(base + f"/seller/{shop.id}/warehouses")
        page.screenshot(path=str(artifacts_dir() / "tmp-wh.png"), full_page=True)
