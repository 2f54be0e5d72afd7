"""Malformed forms on the shops pages get a 4xx page and change nothing; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from clipcart.shops.models import Shop, ShopInvitation, ShopMember, ShopStatusChange
from tests.shops_world import World, apply, hire, invite, open_shop

FORMS: list[dict[str, str]] = [
    {},
    {"name": "x" * 10_000, "market": "GB" * 500, "description": "d" * 100_000},
    {"email": "\x00@\x00", "role": "manager\x00"},
    {"role": "🛒", "reason": " \t\n ", "invitation_id": "-1"},
    {"invitation_id": "99999999999999999999999", "market": "gb; DROP TABLE shops"},
]


@pytest.fixture
def world(app):
    with World(app) as w:
        yield w


def _counts(db) -> tuple[int, ...]:
    with db.sessions() as session:
        return tuple(session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Shop, ShopMember, ShopInvitation, ShopStatusChange))


@pytest.mark.parametrize("form", FORMS)
def test_malformed_forms_on_every_shops_post_are_4xx_pages(world, db, form):
    olivia = world.person("GB")
    ops = world.person(operator=True)
    sam = world.person("GB")
    shop_id = open_shop(olivia)
    hire(shop_id, olivia, sam, "fulfillment")
    pending = apply(world.person("US"), "Waiting", "US")
    _, token = invite(shop_id, olivia, "kim@example.com")
    before = _counts(db)
    posts: list[tuple[Any, str]] = [
        (olivia, "/seller/apply"),
        (olivia, f"/seller/{shop_id}/staff/invite"),
        (olivia, f"/seller/{shop_id}/staff/{sam.user_id}/role"),
        (olivia, f"/seller/{shop_id}/staff/{olivia.user_id}/remove"),
        (sam, "/invitations"),
        (sam, f"/invitations/{token}"),
        (ops, f"/operator/shops/{pending}/reject"),
    ]
    for person, path in posts:
        response = person.post(path, form)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
        assert "text/html" in response.headers["content-type"]
    assert _counts(db) == before


@pytest.mark.parametrize("content_type", ["application/json", "text/plain",
                                          "application/x-www-form-urlencoded"])
def test_settings_posted_without_multipart_are_refused(world, db, content_type):
    olivia = world.person("GB")
    shop_id = open_shop(olivia, "Olivia Finds", "GB")
    response = olivia.client.post(f"/seller/{shop_id}/settings", content=b"name=Other",
                                  headers={"content-type": content_type,
                                           "x-csrftoken": olivia.csrf})
    assert 400 <= response.status_code < 500
    with db.sessions() as session:
        assert session.get(Shop, shop_id).name == "Olivia Finds"
