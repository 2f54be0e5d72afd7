"""Applying for a shop, the seller's shop list, and `clipcart shops create`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.inventory.service import warehouses_of
from clipcart.shops import service
from clipcart.shops.models import Shop, ShopMember, ShopStatusChange
from tests.shops_world import World, apply, open_shop


@pytest.fixture
def world(app):
    with World(app) as w:
        yield w


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_application_is_a_pending_shop_in_the_market_currency_owned_by_the_applicant(world, db):
    ana = world.person("PH")
    with db.transaction() as session:
        shop = service.apply_for_shop(session, ana.user_id, "  Ana's   Bakes ", "ph",
                                      "Cakes and pastries")
    with db.sessions() as session:
        saved = session.get(Shop, shop.id)
        assert (saved.name, saved.market, saved.currency, saved.status, saved.description) == (
            "Ana's Bakes", "PH", "PHP", "PENDING", "Cakes and pastries")
        assert service.membership(session, ana.user_id, shop.id).role == "owner"
        history = service.status_history(session, shop.id)
        assert [(h.from_status, h.to_status, h.actor_user_id) for h in history] == [
            (None, "PENDING", ana.user_id)]


@pytest.mark.parametrize("market", ["DE", "JP", "", "GBR", "XX"])
def test_markets_outside_the_eight_are_refused_by_the_service(world, db, market):
    lena = world.person("DE")
    with pytest.raises(ValidationFailed) as info, db.transaction() as session:
        service.apply_for_shop(session, lena.user_id, "Berlin Finds", market)
    assert info.value.code == "MARKET_NOT_SUPPORTED"
    assert info.value.field == "market"
    assert "United Kingdom (GB)" in info.value.detail
    assert _count(db, Shop) == 0


def test_the_apply_page_offers_the_eight_markets_and_preselects_the_users_own(world):
    olivia = world.person("GB")
    page = olivia.get("/seller/apply")
    assert page.status_code == 200
    for code in ("ID", "MY", "PH", "SG", "TH", "GB", "US", "VN"):
        assert f'<option value="{code}"' in page.text
    assert '<option value="GB" selected>' in page.text
    assert '<option value="DE"' not in page.text


def test_a_forged_market_on_the_apply_page_is_refused_with_a_clear_message(world, db):
    lena = world.person("DE")
    response = lena.post("/seller/apply", {"name": "Berlin Finds", "market": "DE",
                                           "description": "Vintage"})
    assert response.status_code == 400
    assert "clipcart shops sell only in" in response.text
    assert "&#39;DE&#39; is not one of them" in response.text
    assert 'value="Berlin Finds"' in response.text  # what was typed is kept
    assert _count(db, Shop) == 0


def test_applying_on_the_page_lists_the_application_as_pending(world):
    olivia = world.person("GB")
    response = olivia.post("/seller/apply", {"name": "Olivia Finds", "market": "GB",
                                             "description": "Vintage homeware"})
    assert response.status_code == 200
    assert "Application for <strong>Olivia Finds</strong> sent" in response.text
    assert "Pending" in response.text
    assert "Waiting for an operator" in response.text


def test_an_empty_name_re_renders_the_form(world, db):
    olivia = world.person("GB")
    response = olivia.post("/seller/apply", {"name": " ", "market": "GB"})
    assert response.status_code == 400
    assert "Shop names are 2 to 80 characters." in response.text
    assert _count(db, Shop) == 0


def test_the_same_application_twice_is_refused_and_at_most_three_wait(world, db):
    olivia = world.person("GB")
    apply(olivia, "Olivia Finds", "GB")
    with pytest.raises(Conflict) as twice, db.transaction() as session:
        service.apply_for_shop(session, olivia.user_id, "olivia finds", "GB")
    assert twice.value.code == "DUPLICATE_APPLICATION"
    apply(olivia, "Olivia Finds", "US")
    apply(olivia, "Olivia Home", "GB")
    with pytest.raises(Conflict) as many, db.transaction() as session:
        service.apply_for_shop(session, olivia.user_id, "Fourth", "SG")
    assert many.value.code == "TOO_MANY_PENDING"
    assert _count(db, Shop) == 3


def test_seller_home_without_shops_invites_to_open_one(world):
    jake = world.person("US")
    page = jake.get("/seller")
    assert page.status_code == 200
    assert "Sell on clipcart." in page.text
    assert 'href="/seller/apply"' in page.text


def test_seller_home_shows_pending_and_rejected_with_the_reason(world, db):
    olivia = world.person("GB")
    ops = world.person(operator=True)
    pending = apply(olivia, "Olivia Finds", "GB")
    rejected = apply(olivia, "Olivia Knockoffs", "US")
    with db.transaction() as session:
        service.reject(session, rejected, ops.user_id, "Branded goods need an authorization.")
    page = olivia.get("/seller")
    assert page.status_code == 200
    assert f'data-testid="shop-{pending}"' in page.text
    assert "Branded goods need an authorization." in page.text
    assert "Rejected" in page.text and "Pending" in page.text


def test_one_approved_shop_opens_straight_away(world):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    apply(olivia, "Second idea", "US")  # a pending one does not count
    response = olivia.get("/seller", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == f"/seller/{shop_id}"


def test_with_several_shops_seller_returns_to_the_last_opened(world):
    olivia = world.person("GB")
    first = open_shop(olivia, "Olivia UK", "GB")
    second = open_shop(olivia, "Olivia US", "US")
    listing = olivia.get("/seller", follow_redirects=False)
    assert listing.status_code == 200  # two shops and no history: choose
    assert "Olivia UK" in listing.text and "Olivia US" in listing.text
    olivia.get(f"/seller/{second}")
    again = olivia.get("/seller", follow_redirects=False)
    assert again.headers["location"] == f"/seller/{second}"
    olivia.get(f"/seller/{first}")
    assert olivia.get("/seller", follow_redirects=False).headers["location"] == f"/seller/{first}"
    chooser = olivia.get("/seller?choose=1", follow_redirects=False)
    assert chooser.status_code == 200


def test_a_last_shop_cookie_for_someone_elses_shop_is_ignored(world):
    olivia = world.person("GB")
    jake = world.person("US")
    jakes = open_shop(jake, "Jake Deals", "US")
    open_shop(olivia, "Olivia UK", "GB")
    open_shop(olivia, "Olivia SG", "SG")
    olivia.client.cookies.set("cc_seller_shop", str(jakes))
    response = olivia.get("/seller", follow_redirects=False)
    assert response.status_code == 200
    assert "Jake Deals" not in response.text


def test_seller_pages_send_visitors_to_log_in(world):
    visitor = world.anonymous()
    for path in ("/seller", "/seller/apply", "/invitations"):
        response = visitor.get(path, follow_redirects=False)
        assert response.status_code in (302, 303)
        assert response.headers["location"] == f"/login?next={path}"


def test_the_navigation_has_seller_center_for_users_and_operator_for_operators(world):
    jake = world.person("US")
    ops = world.person(operator=True)
    assert 'href="/seller"' in jake.get("/").text
    assert 'href="/operator"' not in jake.get("/").text
    assert 'href="/operator"' in ops.get("/").text


def test_a_pending_shop_has_no_seller_center_yet(world):
    olivia = world.person("GB")
    shop_id = apply(olivia)
    response = olivia.get(f"/seller/{shop_id}")
    assert response.status_code == 409
    assert "This shop is not approved yet." in response.text


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clipcart.cli", *args], env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def test_cli_creates_an_approved_shop_with_its_default_warehouse(world, db):
    olivia = world.person("GB")
    result = _cli("shops", "create", "--owner-email", olivia.email.upper(), "--name",
                  "Olivia Finds", "--market", "gb", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    with db.sessions() as session:
        warehouse = warehouses_of(session, int(answer["id"]))[0]
        assert identity.roles_of(session, olivia.user_id) == ["buyer", "seller"]
        assert session.get(ShopMember, (int(answer["id"]), olivia.user_id)).role == "owner"
    assert answer == {"id": answer["id"], "name": "Olivia Finds", "market": "GB",
                      "currency": "GBP", "status": "APPROVED",
                      "owner_user_id": str(olivia.user_id),
                      "default_warehouse_id": str(warehouse.id)}
    human = _cli("shops", "create", "--owner-email", olivia.email, "--name", "Olivia Two",
                 "--market", "SG")
    assert human.returncode == 0
    assert "Shop Olivia Two" in human.stdout and "is open in SG" in human.stdout


@pytest.mark.parametrize(("args", "code"), [
    (["--owner-email", "nobody@example.com", "--market", "GB"], "OWNER_NOT_FOUND"),
    (["--owner-email", "{email}", "--market", "DE"], "MARKET_NOT_SUPPORTED"),
    (["--owner-email", "{email}", "--market", ""], "MARKET_NOT_SUPPORTED"),
])
def test_cli_errors_exit_1_with_a_clear_message(world, db, args, code):
    olivia = world.person("GB")
    args = [a.replace("{email}", olivia.email) for a in args]
    result = _cli("shops", "create", "--name", "Nope", *args, "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["error"]["code"] == code
    human = _cli("shops", "create", "--name", "Nope", *args)
    assert human.returncode == 1
    assert human.stderr.startswith("error: ")
    assert _count(db, Shop) == 0
    assert _count(db, ShopStatusChange) == 0


@pytest.mark.parametrize("command", [["shops"], ["shops", "create"]])
def test_shops_commands_have_help(command):
    result = _cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_create_approved_shop_needs_an_existing_owner(db):
    with pytest.raises(NotFound) as info, db.transaction() as session:
        service.create_approved_shop(session, "ghost@example.com", "Ghost", "GB")
    assert info.value.code == "OWNER_NOT_FOUND"
