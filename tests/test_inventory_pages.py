"""Seller Center inventory pages over HTTP: list, inline adjust, movements, CSV upload."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from clipcart import clock
from clipcart.inventory import service as inventory
from clipcart.inventory.models import StockMovement
from clipcart.shops.dashboard import cards_for
from clipcart.shops.models import Shop as ShopRow
from tests.inventory_support import (
    count,
    level,
    make_shop,
    make_skus,
    page_token,
    stocked_sku,
    web_login,
)


def _seller(client, db, **kw):  # type: ignore[no-untyped-def]
    shop = make_shop(db, **kw)
    web_login(client, shop.owner_email)
    return shop


def _codes(html: str) -> list[str]:
    return re.findall(r'<span class="inv-code">([^<]+)</span>', html)


@contextmanager
def _statements(db):  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def hook(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", hook)


def test_the_inventory_lists_every_sku_with_stock_per_warehouse(client, db):
    shop = _seller(client, db)
    dress = stocked_sku(db, shop, 7, code="DRESS-RED-M")
    make_skus(db, shop.id, "SCARF-1", title="Wool scarf")
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Leeds depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=dress, warehouse_id=depot.id,
                              quantity=3, actor_user_id=None)
        inventory.reserve(session, reference="co-1", lines=[(dress, 2)],
                          expires_at=clock.now() + timedelta(minutes=30))
    page = client.get(f"/seller/{shop.id}/inventory")
    assert page.status_code == 200
    assert _codes(page.text) == ["SCARF-1", "DRESS-RED-M"]  # newest first
    assert "Linen summer dress" in page.text and "Wool scarf" in page.text
    assert "Leeds depot" in page.text and "not stocked" in page.text
    dress_rows = page.text[page.text.index(f'id="sku-{dress}"'):]
    cells = re.findall(r'<td class="num" data-label="(?:On hand|Reserved)">(\d+)</td>',
                       dress_rows)
    assert cells[:4] == ["7", "2", "3", "0"]


def test_the_low_stock_filter_shows_only_skus_at_or_under_their_threshold(client, db):
    shop = _seller(client, db)
    low = stocked_sku(db, shop, 2, code="LOW")
    stocked_sku(db, shop, 50, code="PLENTY")
    stocked_sku(db, shop, 0, code="SOLD-OUT")
    with db.transaction() as session:
        inventory.set_low_stock_threshold(session, shop_id=shop.id, sku_id=low,
                                          warehouse_id=shop.warehouse_id, threshold=5)
    page = client.get(f"/seller/{shop.id}/inventory?low=1")
    assert _codes(page.text) == ["SOLD-OUT", "LOW"]
    assert 'class="status warn">low' in page.text and "sold out" in page.text


def test_pages_walk_every_sku_once_by_keyset_token(client, db):
    shop = _seller(client, db)
    codes = [f"SKU-{i}" for i in range(5)]
    make_skus(db, shop.id, *codes)
    seen, url = [], f"/seller/{shop.id}/inventory?page_size=2"
    while url:
        page = client.get(url)
        seen += _codes(page.text)
        found = re.search(r'href="([^"]+)" rel="next"', page.text)
        url = found.group(1).replace("&amp;", "&") + "&page_size=2" if found else ""
    assert sorted(seen) == codes and len(seen) == 5


def test_a_page_costs_the_same_number_of_queries_whatever_its_size(client, db):
    shop = _seller(client, db)
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
    skus = make_skus(db, shop.id, *[f"Q-{i}" for i in range(25)])
    with db.transaction() as session:
        for sku in skus:
            for warehouse in (shop.warehouse_id, depot.id):
                inventory.set_on_hand(session, shop_id=shop.id, sku_id=sku,
                                      warehouse_id=warehouse, quantity=3, actor_user_id=None)
    counts = []
    for size in (2, 20):
        with _statements(db) as seen:
            page = client.get(f"/seller/{shop.id}/inventory?page_size={size}")
        assert len(_codes(page.text)) == size
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_inline_adjust_with_htmx_answers_the_skus_updated_rows(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 4, code="MUG")
    token = page_token(client, f"/seller/{shop.id}/inventory")
    response = client.post(f"/seller/{shop.id}/inventory/adjust", headers={
        "HX-Request": "true", "x-csrftoken": token}, data={
        "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id), "mode": "add",
        "quantity": "6", "threshold": "3"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tbody id="sku-{sku}"')
    assert ">10</td>" in response.text and "Saved" in response.text
    assert 'name="_csrf_token"' in response.text  # the swapped-in forms still post
    assert level(db, sku, shop.warehouse_id) == (10, 0)
    with db.sessions() as session:
        moved = session.query(StockMovement).order_by(StockMovement.id.desc()).first()
    assert moved is not None and (moved.reason, moved.on_hand_delta, moved.actor_user_id) == (
        "adjustment", 6, shop.owner_id)


def test_inline_adjust_without_javascript_redirects_back_with_a_notice(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 4)
    token = page_token(client, f"/seller/{shop.id}/inventory")
    response = client.post(f"/seller/{shop.id}/inventory/adjust", follow_redirects=False, data={
        "_csrf_token": token, "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id),
        "mode": "set", "quantity": "9", "low": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/seller/{shop.id}/inventory?low=1&saved=1"
    assert "Stock saved." in client.get(response.headers["location"]).text
    assert level(db, sku, shop.warehouse_id) == (9, 0)


def test_a_refused_adjustment_shows_why_and_changes_nothing(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 4)
    token = page_token(client, f"/seller/{shop.id}/inventory")
    form = {"_csrf_token": token, "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id),
            "mode": "remove", "quantity": "5", "threshold": "2"}
    htmx = client.post(f"/seller/{shop.id}/inventory/adjust", data=form,
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 409
    assert "Only 4 units are free to remove here" in htmx.text and 'role="alert"' in htmx.text
    plain = client.post(f"/seller/{shop.id}/inventory/adjust", data={**form, "quantity": "x"})
    assert plain.status_code == 400
    assert "The quantity must be a whole number" in plain.text
    assert "<h1>Inventory</h1>" in plain.text
    assert level(db, sku, shop.warehouse_id) == (4, 0)
    with db.sessions() as session:
        assert inventory.levels_for_skus(session, [sku])[sku][shop.warehouse_id] \
            .low_stock_threshold == 0


def test_bad_paging_parameters_are_a_clear_400(client, db):
    shop = _seller(client, db)
    for query in ("page_token=abc", "page_size=0", "page_size=101"):
        response = client.get(f"/seller/{shop.id}/inventory?{query}")
        assert response.status_code == 400, query


def test_the_movements_page_shows_each_change_and_who_made_it(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 4, code="LAMP")
    with db.transaction() as session:
        inventory.reserve(session, reference="co-77", lines=[(sku, 1)],
                          expires_at=clock.now() + timedelta(minutes=30))
        inventory.commit_reservation(session, "co-77")
    page = client.get(f"/seller/{shop.id}/inventory/{sku}/movements")
    assert page.status_code == 200
    rows = [r.strip() for r in re.findall(r'data-label="What">([^<]+)', page.text)]
    assert rows == ["Sold", "Reserved at checkout", "Counted"]
    assert "co-77" in page.text and "@seller_" in page.text and ">-1</td>" in page.text
    older = client.get(f"/seller/{shop.id}/inventory/{sku}/movements?page_size=2")
    link = re.search(r'href="([^"]+)" rel="next"', older.text)
    assert link is not None
    last = client.get(link.group(1).replace("&amp;", "&") + "&page_size=2")
    assert [r.strip() for r in re.findall(r'data-label="What">([^<]+)', last.text)] == [
        "Counted"]


def test_a_csv_upload_applies_valid_rows_and_reports_each_bad_one(client, db):
    shop = _seller(client, db)
    red, blue, held = make_skus(db, shop.id, "RED", "BLUE", "HELD")
    with db.transaction() as session:
        depot = inventory.add_warehouse(session, shop.id, "Depot")
        inventory.set_on_hand(session, shop_id=shop.id, sku_id=held,
                              warehouse_id=shop.warehouse_id, quantity=5, actor_user_id=None)
        inventory.reserve(session, reference="co-1", lines=[(held, 3)],
                          expires_at=clock.now() + timedelta(minutes=30))
    csv_text = ("seller_sku,warehouse_id,quantity,low_stock_threshold\n"
                "RED,,12,4\n"
                f"BLUE,{depot.id},7,\n"
                "GHOST,,1,\n"
                "HELD,,2,\n"
                "RED,,-3,\n"
                f"RED,{shop.warehouse_id},5,\n"
                "BLUE,123,1,\n")
    token = page_token(client, f"/seller/{shop.id}/inventory/upload")
    response = client.post(f"/seller/{shop.id}/inventory/upload",
                           data={"_csrf_token": token},
                           files={"file": ("stock.csv", csv_text.encode(), "text/csv")})
    assert response.status_code == 200
    assert "2 rows applied" in response.text and "5 rows not applied" in response.text
    for message in ("No seller SKU &#39;GHOST&#39; in this shop.", "3 units are reserved",
                    "quantity must be a whole number", "Row 2 already sets this SKU",
                    "No such warehouse in this shop."):
        assert message in response.text, message
    assert level(db, red, shop.warehouse_id) == (12, 0)
    assert level(db, blue, depot.id) == (7, 0)
    assert level(db, held, shop.warehouse_id) == (5, 3)
    with db.sessions() as session:
        assert inventory.levels_for_skus(session, [red])[red][shop.warehouse_id] \
            .low_stock_threshold == 4
        reasons = {m.reason for m in session.query(StockMovement).filter(
            StockMovement.sku_id.in_([red, blue]))}
    assert reasons == {"csv_upload"}


def test_a_file_that_is_not_a_stock_csv_is_refused_as_a_whole(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 1, code="ONE")
    token = page_token(client, f"/seller/{shop.id}/inventory/upload")
    for content, message in ((b"sku,qty\nONE,5\n", "missing: seller_sku, quantity"),
                             (b"\xff\xfe\x00bad", "UTF-8"), (b"", "Choose a CSV file"),
                             (b"seller_sku,quantity\n", "no rows")):
        files = {"file": ("stock.csv", content, "text/csv")} if content else {
            "file": ("", b"", "text/csv")}
        response = client.post(f"/seller/{shop.id}/inventory/upload",
                               data={"_csrf_token": token}, files=files)
        assert response.status_code == 400
        assert message in response.text, message
    assert level(db, sku, shop.warehouse_id) == (1, 0)


def test_the_dashboard_card_counts_low_stock_units_and_warehouses(db):
    import clipcart.inventory.dashboard  # noqa: F401  (the app imports it with the pages)

    shop = make_shop(db)
    stocked_sku(db, shop, 0, code="GONE")
    stocked_sku(db, shop, 30, code="MANY")
    with db.sessions() as session:
        card = next(c for c in cards_for(session, session.get(ShopRow, shop.id)) if
                    c.title == "Stock")
    assert [(s.label, s.value) for s in card.stats] == [
        ("Low-stock SKUs", "1"), ("Units on hand", "30"), ("Units reserved", "0"),
        ("Warehouses", "1")]
    assert [(r.label, r.value, r.tone) for r in card.rows] == [
        ("Linen summer dress · GONE (Main warehouse)", "sold out", "bad")]
    assert card.link is not None and card.link.href == f"/seller/{shop.id}/inventory"


def test_visitors_are_sent_to_log_in(client, db):
    shop = make_shop(db)
    response = client.get(f"/seller/{shop.id}/inventory", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == f"/login?next=/seller/{shop.id}/inventory"
    assert count(db, StockMovement) == 0


def test_saving_with_no_units_and_an_unchanged_threshold_asks_for_units(client, db):
    shop = _seller(client, db)
    sku = make_skus(db, shop.id, "NEW")[0]
    token = page_token(client, f"/seller/{shop.id}/inventory")
    response = client.post(f"/seller/{shop.id}/inventory/adjust", data={
        "_csrf_token": token, "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id),
        "mode": "set", "quantity": "", "threshold": "0", "threshold_was": "0"},
        headers={"HX-Request": "true"})
    assert response.status_code == 400 and "Enter a number of units." in response.text
    assert count(db, StockMovement) == 0
    with db.sessions() as session:
        assert inventory.levels_for_skus(session, [sku]) == {sku: {}}


def test_garbage_forms_get_a_4xx_page_and_change_nothing(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 3)
    token = page_token(client, f"/seller/{shop.id}/inventory")
    base = {"_csrf_token": token, "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id)}
    forms = [{}, {"sku_id": "abc"}, {"warehouse_id": "x" * 5000},
             {"mode": "steal", "quantity": "1"}, {"quantity": "1e9999"},
             {"quantity": "99999999999"}, {"quantity": "-1"}, {"quantity": "\x00"},
             {"threshold": "lots"}, {"mode": "add", "quantity": "0"}]
    for form in forms:
        response = client.post(f"/seller/{shop.id}/inventory/adjust", data={**base, **form})
        assert 400 <= response.status_code < 500, (form, response.status_code)
        assert "text/html" in response.headers["content-type"]
    for path in ("/warehouses", f"/warehouses/{shop.warehouse_id}", "/warehouses/abc/default",
                 "/warehouses/99999999999999999999999/delete"):
        response = client.post(f"/seller/{shop.id}{path}",
                               data={"_csrf_token": token, "name": "x" * 500})
        assert 400 <= response.status_code < 500, path
    for path in ("/seller/abc/inventory", "/seller/99999999999999999999999/warehouses",
                 f"/seller/{shop.id}/inventory/abc/movements",
                 f"/seller/{shop.id}/inventory?page_size=abc"):
        assert 400 <= client.get(path).status_code < 500, path
    assert level(db, sku, shop.warehouse_id) == (3, 0)
    assert count(db, StockMovement) == 1


def test_a_double_submitted_adjust_form_adds_the_units_once(client, db):
    shop = _seller(client, db)
    sku = stocked_sku(db, shop, 4)
    page = client.get(f"/seller/{shop.id}/inventory")
    key = re.search(r'name="form_key" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    token = page_token(client, f"/seller/{shop.id}/inventory")
    form = {"_csrf_token": token, "sku_id": str(sku), "warehouse_id": str(shop.warehouse_id),
            "mode": "add", "quantity": "3", "form_key": key}
    for _ in range(2):
        response = client.post(f"/seller/{shop.id}/inventory/adjust", data=form,
                               headers={"HX-Request": "true"})
        assert response.status_code == 200 and ">7</td>" in response.text
    assert level(db, sku, shop.warehouse_id) == (7, 0)
    reused = client.post(f"/seller/{shop.id}/inventory/adjust", data={**form, "quantity": "5"},
                         headers={"HX-Request": "true"})
    assert reused.status_code == 409 and "already used for another change" in reused.text
    assert level(db, sku, shop.warehouse_id) == (7, 0)


def test_the_stock_export_uploads_back_unchanged_after_editing_a_count(client, db):
    shop = _seller(client, db)
    first = stocked_sku(db, shop, 6, code="-DASH")
    second = stocked_sku(db, shop, 2, code="=SUM(A1)")
    exported = client.get(f"/seller/{shop.id}/inventory/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0] == ("seller_sku,warehouse_id,quantity,low_stock_threshold,product,"
                        "warehouse,reserved,available")
    assert lines[1:] == [f"'=SUM(A1),{shop.warehouse_id},2,0,Linen summer dress,"
                         "Main warehouse,0,2",
                         f"'-DASH,{shop.warehouse_id},6,0,Linen summer dress,"
                         "Main warehouse,0,6"]
    edited = exported.text.replace(f"{shop.warehouse_id},6,0", f"{shop.warehouse_id},9,1")
    token = page_token(client, f"/seller/{shop.id}/inventory/upload")
    response = client.post(f"/seller/{shop.id}/inventory/upload", data={"_csrf_token": token},
                           files={"file": ("stock.csv", edited.encode(), "text/csv")})
    assert "2 rows applied" in response.text
    assert (level(db, first, shop.warehouse_id), level(db, second, shop.warehouse_id)) == (
        (9, 0), (2, 0))
    assert client.get(f"/seller/{make_shop(db).id}/inventory/export.csv").status_code == 404
