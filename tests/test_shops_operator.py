"""The operator's console: tabs, keyset pages, approve and reject with a reason."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from clipcart.errors import Conflict, ValidationFailed
from clipcart.identity import service as identity
from clipcart.inventory.service import warehouses_of
from clipcart.shops import service
from clipcart.shops.models import Shop, ShopStatusChange
from tests.shops_world import World, apply, notifications_of


@pytest.fixture
def world(app):
    with World(app) as w:
        yield w


def _ids_on(page_text: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="application-(\d+)"', page_text)]


def test_the_landing_page_links_the_shop_console_with_what_waits(world):
    ops = world.person(operator=True)
    olivia = world.person("GB")
    apply(olivia, "One", "GB")
    apply(olivia, "Two", "US")
    page = ops.get("/operator")
    assert page.status_code == 200
    assert 'href="/operator/shops"' in page.text
    assert "Shop applications" in page.text
    waiting = '<span class="status warn" data-testid="waiting">2 waiting for review</span>'
    assert waiting in page.text


def test_pending_applications_come_first_oldest_first(world):
    ops = world.person(operator=True)
    olivia = world.person("GB")
    first = apply(olivia, "First", "GB")
    second = apply(olivia, "Second", "US")
    page = ops.get("/operator/shops")
    assert page.status_code == 200
    assert _ids_on(page.text) == [first, second]
    assert "by @" + olivia.handle in page.text
    assert olivia.email in page.text
    assert 'class="active" aria-current="page">Waiting <span class="count">2</span>' in page.text


def test_approving_opens_the_shop_notifies_the_owner_and_records_history(world, db):
    ops = world.person(operator=True)
    olivia = world.person("GB")
    shop_id = apply(olivia, "Olivia Finds", "GB")
    response = ops.post(f"/operator/shops/{shop_id}/approve", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/operator/shops?done=approved"
    assert "Approved. The seller has been told" in ops.get(response.headers["location"]).text
    with db.sessions() as session:
        shop = session.get(Shop, shop_id)
        assert (shop.status, shop.decided_by) == ("APPROVED", ops.user_id)
        assert len(warehouses_of(session, shop_id)) == 1
        assert "seller" in identity.roles_of(session, olivia.user_id)
        assert [(h.from_status, h.to_status, h.actor_user_id)
                for h in service.status_history(session, shop_id)] == [
            (None, "PENDING", olivia.user_id), ("PENDING", "APPROVED", ops.user_id)]
    assert ("shop_approved", "Olivia Finds is approved",
            f"Your shop in GB is open. Go to Seller Center (/seller/{shop_id}) to add your "
            "logo, invite your team and list products.") in notifications_of(olivia)
    assert olivia.get(f"/seller/{shop_id}").status_code == 200


def test_rejecting_needs_a_reason_and_tells_the_seller(world, db):
    ops = world.person(operator=True)
    olivia = world.person("GB")
    shop_id = apply(olivia, "Olivia Knockoffs", "GB")
    blank = ops.post(f"/operator/shops/{shop_id}/reject", {"reason": "   "})
    assert blank.status_code == 400
    assert "Give the seller a reason for the rejection." in blank.text
    with db.sessions() as session:
        assert session.get(Shop, shop_id).status == "PENDING"
    ops.post(f"/operator/shops/{shop_id}/reject", {"reason": "Counterfeit branded goods."})
    with db.sessions() as session:
        shop = session.get(Shop, shop_id)
        assert (shop.status, shop.rejection_reason) == ("REJECTED", "Counterfeit branded goods.")
        assert service.status_history(session, shop_id)[-1].reason == "Counterfeit branded goods."
    assert ("shop_rejected", "Olivia Knockoffs was not approved",
            "Reason: Counterfeit branded goods.. You can apply again from Seller Center."
            ) in notifications_of(olivia)
    rejected_tab = ops.get("/operator/shops?status=REJECTED")
    assert _ids_on(rejected_tab.text) == [shop_id]
    assert "Counterfeit branded goods." in rejected_tab.text


def test_a_decided_application_cannot_be_decided_again(world, db):
    ops = world.person(operator=True)
    olivia = world.person("GB")
    shop_id = apply(olivia)
    ops.post(f"/operator/shops/{shop_id}/approve")
    again = ops.post(f"/operator/shops/{shop_id}/reject", {"reason": "Changed my mind"})
    assert again.status_code == 409
    assert "This application was already decided (APPROVED)." in again.text
    with pytest.raises(Conflict) as info, db.transaction() as session:
        service.approve(session, shop_id, ops.user_id)
    assert info.value.code == "ALREADY_DECIDED"
    with db.sessions() as session:
        count = select(func.count()).select_from(ShopStatusChange)
        assert session.execute(count).scalar_one() == 2


def test_unknown_applications_are_404(world):
    ops = world.person(operator=True)
    assert ops.post("/operator/shops/12345/approve").status_code == 404
    assert ops.post("/operator/shops/99999999999999999999/approve").status_code in (400, 404)


def test_pages_follow_the_keyset_cursor_without_gaps_or_repeats(world, db):
    ops = world.person(operator=True)
    owners = [world.person("GB") for _ in range(5)]
    ids = [apply(owner, f"Shop {i}-{j}", market)
           for i, owner in enumerate(owners) for j, market in enumerate(("GB", "US", "SG"))]
    with db.sessions() as session:
        first = service.list_shops(session, "PENDING", page_size=4)
        seen = [item.shop.id for item in first.items]
        token = first.next_page_token
        while token:
            page = service.list_shops(session, "PENDING", page_size=4, page_token=token)
            seen += [item.shop.id for item in page.items]
            token = page.next_page_token
    assert seen == sorted(ids)
    page_one = ops.get("/operator/shops")
    assert _ids_on(page_one.text) == sorted(ids)[:15]
    assert "Next page" not in page_one.text


def test_decided_tabs_list_newest_first_and_the_console_pages_by_link(world, db):
    ops = world.person(operator=True)
    owners = [world.person("GB") for _ in range(8)]
    ids = [apply(owner, f"Shop {i}-{j}", market)
           for i, owner in enumerate(owners) for j, market in enumerate(("GB", "US", "SG"))]
    with db.transaction() as session:
        for shop_id in ids:
            service.approve(session, shop_id, ops.user_id)
    page = ops.get("/operator/shops?status=APPROVED")
    newest_first = sorted(ids, reverse=True)
    assert _ids_on(page.text) == newest_first[:20]
    next_link = re.search(r'href="(/operator/shops\?status=APPROVED&amp;page_token=\d+)"',
                          page.text)
    assert next_link is not None
    second = ops.get(next_link.group(1).replace("&amp;", "&"))
    assert _ids_on(second.text) == newest_first[20:]


def test_a_console_page_costs_the_same_queries_for_3_or_20_rows(world, db):
    ops = world.person(operator=True)
    owners = [world.person("GB") for _ in range(7)]

    def queries_for_page() -> int:
        statements: list[str] = []

        def count(*args) -> None:  # type: ignore[no-untyped-def]
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert ops.get("/operator/shops").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    apply(world.person("SG"), "Only", "SG")
    few = queries_for_page()
    for i, owner in enumerate(owners):
        for market in ("US", "SG", "MY"):
            apply(owner, f"Shop {i}", market)
    assert queries_for_page() == few


@pytest.mark.parametrize(("query", "field"), [("status=NOPE", "status"),
                                              ("page_token=abc", "page_token"),
                                              ("page_token=-5", "page_token")])
def test_bad_console_queries_are_400_pages(world, query, field):
    ops = world.person(operator=True)
    response = ops.get(f"/operator/shops?{query}")
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]


def test_list_shops_validates_its_arguments(db):
    with db.sessions() as session:
        for kwargs in ({"status": "SUSPENDED"}, {"status": "PENDING", "page_size": 0},
                       {"status": "PENDING", "page_size": 101}):
            with pytest.raises(ValidationFailed):
                service.list_shops(session, **kwargs)


def test_operator_pages_refuse_non_operators_and_change_nothing(world, db):
    olivia = world.person("GB")
    shop_id = apply(olivia)
    visitor = world.anonymous()
    for path in ("/operator", "/operator/shops"):
        assert olivia.get(path).status_code == 403
        redirect = visitor.get(path, follow_redirects=False)
        assert redirect.headers["location"] == f"/login?next={path}"
    assert olivia.post(f"/operator/shops/{shop_id}/approve").status_code == 403
    assert olivia.post(f"/operator/shops/{shop_id}/reject",
                       {"reason": "self-rejection"}).status_code == 403
    token = olivia.csrf
    visitor.get("/login")
    assert visitor.post(f"/operator/shops/{shop_id}/approve",
                        data={"_csrf_token": token}).status_code in (401, 403)
    with db.sessions() as session:
        assert session.get(Shop, shop_id).status == "PENDING"
        assert len(service.status_history(session, shop_id)) == 1
