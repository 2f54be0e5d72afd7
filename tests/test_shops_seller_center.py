"""The Seller Center dashboard and shop settings (name, description, logo)."""

from __future__ import annotations

import re

import pytest

from clipcart.errors import Forbidden, ValidationFailed
from clipcart.media import get_storage
from clipcart.shops import dashboard, service
from clipcart.shops.dashboard import Card, CardRow, Step
from clipcart.shops.models import Shop
from tests.shops_world import World, hire, invite, open_shop, png


@pytest.fixture
def world(app):
    with World(app) as w:
        yield w


def _shop(db, shop_id: int) -> Shop:
    with db.sessions() as session:
        shop = session.get(Shop, shop_id)
        assert shop is not None
        return shop


def test_the_dashboard_shows_the_shop_the_team_card_and_the_checklist(world):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    page = olivia.get(f"/seller/{shop_id}")
    assert page.status_code == 200
    assert '<h1>Olivia Finds</h1>' in page.text
    assert "United Kingdom · GBP" in page.text
    assert 'aria-label="Team"' in page.text
    assert f'<div class="value"><a href="/seller/{shop_id}/staff">1</a></div>' in page.text
    assert "Only you so far." in page.text
    assert "0 of 3 done" in page.text
    assert f'<a href="/seller/{shop_id}/settings">Upload your shop logo</a>' in page.text


def test_the_checklist_ticks_off_logo_description_and_team(world):
    olivia = world.person("GB")
    sam = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    olivia.post(f"/seller/{shop_id}/settings", {"name": "Olivia Finds",
                                                "description": "Vintage homeware"},
                files={"logo": ("logo.png", png(), "image/png")})
    hire(shop_id, olivia, sam, "manager")
    page = olivia.get(f"/seller/{shop_id}")
    assert "3 of 3 done" in page.text
    assert page.text.count('class="step done"') == 3
    assert f"@{sam.handle}" in page.text  # listed on the team card
    assert "Vintage homeware" in page.text


def test_cards_and_steps_from_other_contexts_render_with_their_tones_and_links(world):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)

    def stock_card(session, shop) -> Card:  # type: ignore[no-untyped-def]
        return Card("Stock", stats=[CardRow("Low stock", "4", "/low", "bad")],
                    rows=[CardRow("Red dress M", "2 left", "/sku/1", "warn")],
                    link=CardRow("All inventory", "", "/inventory"))

    def nothing(session, shop) -> None:  # type: ignore[no-untyped-def]
        return None

    def first_product(session, shop) -> list[Step]:  # type: ignore[no-untyped-def]
        return [Step("List your first product", False, "/products/new", "Photos sell.")]

    dashboard.register_card(stock_card)
    dashboard.register_card(nothing)
    dashboard.register_steps(first_product)
    try:
        page = olivia.get(f"/seller/{shop_id}")
    finally:
        dashboard._providers.remove(stock_card)
        dashboard._providers.remove(nothing)
        dashboard._step_providers.remove(first_product)
    assert '<div class="value tone-bad"><a href="/low">4</a></div>' in page.text
    assert '<a href="/sku/1">Red dress M</a>' in page.text
    assert '<span class="status warn">2 left</span>' in page.text
    assert '<a href="/inventory">All inventory →</a>' in page.text
    assert '<a href="/products/new">List your first product</a>' in page.text
    assert "0 of 4 done" in page.text


def test_settings_show_the_fixed_market_and_currency(world):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "SG")
    page = olivia.get(f"/seller/{shop_id}/settings")
    assert page.status_code == 200
    assert "<dd>Singapore (SG)</dd>" in page.text
    assert "<dd>SGD</dd>" in page.text
    assert 'name="market"' not in page.text
    assert 'enctype="multipart/form-data"' in page.text


def test_saving_settings_with_a_logo_stores_it_and_shows_it_in_the_frame(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    response = olivia.post(f"/seller/{shop_id}/settings",
                           {"name": "  Olivia's   Finds ", "description": "Vintage homeware",
                            "market": "US", "currency": "USD"},
                           files={"logo": ("logo.png", png(), "image/png")},
                           follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/seller/{shop_id}/settings?saved=1"
    shop = _shop(db, shop_id)
    assert (shop.name, shop.description, shop.market, shop.currency) == (
        "Olivia's Finds", "Vintage homeware", "GB", "GBP")
    assert shop.logo_key.startswith(f"shops/{shop_id}/logo/")
    assert get_storage().get(shop.logo_thumb_key)[:3] == b"\xff\xd8\xff"  # a JPEG thumbnail
    page = olivia.get(f"/seller/{shop_id}")
    assert f'src="/media/{shop.logo_thumb_key}"' in page.text
    assert "Settings saved." in olivia.get(response.headers["location"]).text
    logo = olivia.get(f"/media/{shop.logo_key}")
    assert logo.status_code == 200 and logo.content[:4] == b"\x89PNG"


def test_saving_without_a_new_logo_keeps_the_old_one(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    olivia.post(f"/seller/{shop_id}/settings", {"name": "Olivia Finds", "description": ""},
                files={"logo": ("logo.png", png(), "image/png")})
    before = _shop(db, shop_id).logo_key
    olivia.post(f"/seller/{shop_id}/settings", {"name": "Renamed", "description": "New"},
                files={"logo": ("", b"", "application/octet-stream")})
    after = _shop(db, shop_id)
    assert (after.name, after.logo_key) == ("Renamed", before)


@pytest.mark.parametrize(("form", "logo", "message"), [
    ({"name": "x", "description": ""}, None, "Shop names are 2 to 80 characters."),
    ({"name": "Fine", "description": "d" * 5001}, None,
     "Descriptions are at most 5000 characters."),
    ({"name": "Fine", "description": ""}, ("logo.gif", b"GIF89a..", "image/gif"),
     "That file is not a readable image."),
    ({"name": "Fine", "description": ""}, ("tiny.png", png((40, 40)), "image/png"),
     "Images must be at least 100px on each side."),
])
def test_invalid_settings_re_render_with_the_message_and_change_nothing(world, db, form, logo,
                                                                       message):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    files = {"logo": logo} if logo else {"logo": ("", b"", "application/octet-stream")}
    response = olivia.post(f"/seller/{shop_id}/settings", form, files=files)
    assert response.status_code == 400
    assert message in response.text
    assert '<p class="alert" role="alert">' in response.text
    shop = _shop(db, shop_id)
    assert (shop.name, shop.description, shop.logo_key) == ("Olivia Finds", "", None)


def test_a_logo_over_2_mb_is_refused(world, db):
    olivia = world.person("GB")
    shop_id = open_shop(olivia)
    with pytest.raises(ValidationFailed) as info, db.transaction() as session:
        service.update_settings(session, shop_id, olivia.user_id, name="Olivia Finds",
                                description="", logo=b"\x89PNG" + b"0" * (2 * 1024 * 1024))
    assert info.value.code == "IMAGE_TOO_LARGE"


def test_managers_edit_settings_and_fulfillment_staff_get_403(world, db):
    olivia = world.person("GB")
    manager = world.person("GB")
    packer = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    hire(shop_id, olivia, manager, "manager")
    hire(shop_id, olivia, packer, "fulfillment")
    assert manager.post(f"/seller/{shop_id}/settings", {"name": "By Manager",
                                                        "description": ""}).status_code == 200
    assert _shop(db, shop_id).name == "By Manager"
    assert packer.get(f"/seller/{shop_id}").status_code == 200
    assert f'href="/seller/{shop_id}/settings"' not in packer.get(f"/seller/{shop_id}").text
    denied = packer.get(f"/seller/{shop_id}/settings")
    assert denied.status_code == 403
    assert "Your role in this shop (fulfillment) cannot do this." in denied.text
    assert packer.post(f"/seller/{shop_id}/settings", {"name": "By Packer",
                                                       "description": ""}).status_code == 403
    with pytest.raises(Forbidden), db.transaction() as session:
        service.update_settings(session, shop_id, packer.user_id, name="By Packer",
                                description="")
    assert _shop(db, shop_id).name == "By Manager"


def test_one_person_switches_between_the_shops_they_work_for(world):
    olivia = world.person("GB")
    jake = world.person("US")
    olivias = open_shop(olivia, "Olivia Finds", "GB")
    jakes = open_shop(jake, "Jake Deals", "US")
    invite(jakes, jake, olivia.email, "manager")
    olivia.post("/invitations", {"invitation_id": str(_pending_invitation(olivia))})
    page = olivia.get(f"/seller/{olivias}")
    assert 'aria-label="Switch shop"' in page.text
    assert f'<option value="/seller/{jakes}" >Jake Deals (US)</option>' in page.text
    assert f'<option value="/seller/{olivias}" selected>Olivia Finds (GB)</option>' in page.text
    assert olivia.get(f"/seller/{jakes}").status_code == 200


def _pending_invitation(person) -> int:  # type: ignore[no-untyped-def]
    page = person.get("/invitations")
    found = re.search(r'name="invitation_id" value="(\d+)"', page.text)
    assert found is not None, page.text
    return int(found.group(1))
