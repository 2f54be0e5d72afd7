"""Tenancy: every Seller Center route of shops, tried by people who must not get in.

Strangers and other shops' staff get 404 (the shop does not exist for them); fulfillment
staff get 403 where their role stops them; and nothing changes in either case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from clipcart.config import get_settings
from clipcart.events import OutboxEvent
from clipcart.identity.models import Notification
from clipcart.shops.models import Shop, ShopInvitation, ShopMember, ShopStatusChange
from tests.shops_world import World, hire, invite, open_shop, png


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {shop}, {member} and {invitation} are filled in per test
    form: dict[str, str] | None = None
    logo: bool = False
    fulfillment_allowed: bool = False


ROUTES = [
    Route("GET", "/seller/{shop}", fulfillment_allowed=True),
    Route("GET", "/seller/{shop}/settings"),
    Route("POST", "/seller/{shop}/settings", {"name": "Taken over", "description": "x"}, True),
    Route("GET", "/seller/{shop}/staff"),
    Route("POST", "/seller/{shop}/staff/invite", {"email": "evil@example.com",
                                                  "role": "fulfillment"}),
    Route("POST", "/seller/{shop}/staff/{member}/role", {"role": "manager"}),
    Route("POST", "/seller/{shop}/staff/{member}/remove"),
    Route("POST", "/seller/{shop}/invitations/{invitation}/revoke"),
]


@dataclass
class Shops:
    world: World
    a: int
    b: int
    a_member: int
    b_member: int
    a_invitation: int
    b_invitation: int
    people: dict[str, Any]


@pytest.fixture
def shops(app):
    with World(app) as world:
        olivia, jake = world.person("GB"), world.person("US")
        packer, jakes_packer = world.person("GB"), world.person("US")
        stranger = world.person("GB")
        a, b = open_shop(olivia, "Olivia Finds", "GB"), open_shop(jake, "Jake Deals", "US")
        hire(a, olivia, packer, "fulfillment")
        hire(b, jake, jakes_packer, "fulfillment")
        a_invitation, _ = invite(a, olivia, "kim@example.com")
        b_invitation, _ = invite(b, jake, "lee@example.com")
        yield Shops(world, a, b, packer.user_id, jakes_packer.user_id, a_invitation,
                    b_invitation, {"olivia": olivia, "jake": jake, "packer": packer,
                                   "jakes_packer": jakes_packer, "stranger": stranger})


def _state(db) -> tuple[Any, ...]:
    """Everything a seller route could change, as plain values."""
    with db.sessions() as session:
        tables = []
        for model in (Shop, ShopMember, ShopInvitation, ShopStatusChange):
            rows = session.execute(select(model)).scalars().all()
            tables.append(sorted(repr(sorted((k, repr(v)) for k, v in vars(row).items()
                                             if not k.startswith("_"))) for row in rows))
        counts = [session.execute(select(func.count()).select_from(m)).scalar_one()
                  for m in (OutboxEvent, Notification)]
    folder = get_settings().data_dir
    files = sorted(str(p) for sub in ("media", "mail") for p in (folder / sub).rglob("*"))
    return (*map(tuple, tables), *counts, tuple(files))


def _call(person: Any, route: Route, shops: Shops, shop: int, member: int,
          invitation: int) -> Any:
    path = route.path.format(shop=shop, member=member, invitation=invitation)
    if route.method == "GET":
        return person.get(path, follow_redirects=False)
    files = {"logo": ("logo.png", png(), "image/png")} if route.logo else None
    return person.post(path, route.form, files=files, follow_redirects=False)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("who", ["stranger", "jake", "jakes_packer"])
def test_people_outside_the_shop_get_404_and_change_nothing(shops, db, route, who):
    before = _state(db)
    response = _call(shops.people[who], route, shops, shops.a, shops.a_member,
                     shops.a_invitation)
    assert response.status_code == 404, response.text
    assert "text/html" in response.headers["content-type"]
    assert "Olivia Finds" not in response.text
    assert _state(db) == before


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_fulfillment_staff_get_403_where_their_role_stops_them(shops, db, route):
    before = _state(db)
    response = _call(shops.people["packer"], route, shops, shops.a, shops.a_member,
                     shops.a_invitation)
    if route.fulfillment_allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403, response.text
        assert "Your role in this shop (fulfillment) cannot do this." in response.text
    assert _state(db) == before


@pytest.mark.parametrize("route", [r for r in ROUTES if "{member}" in r.path
                                   or "{invitation}" in r.path],
                         ids=lambda r: f"{r.method} {r.path}")
def test_an_owner_cannot_reach_another_shops_staff_through_their_own_shop(shops, db, route):
    before = _state(db)
    response = _call(shops.people["olivia"], route, shops, shops.a, shops.b_member,
                     shops.b_invitation)
    assert response.status_code == 404, response.text
    assert _state(db) == before


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_visitors_are_sent_to_log_in_or_refused(shops, db, route):
    visitor = shops.world.anonymous()
    before = _state(db)
    path = route.path.format(shop=shops.a, member=shops.a_member, invitation=shops.a_invitation)
    if route.method == "GET":
        response = visitor.get(path, follow_redirects=False)
        assert response.headers["location"] == f"/login?next={path}"
    else:
        visitor.get("/login")
        token = visitor.cookies.get("cc_csrf")
        response = visitor.post(path, data=route.form or {},
                                headers={"x-csrftoken": token or ""})
        assert response.status_code == 401
    assert _state(db) == before


@pytest.mark.parametrize("shop_id", ["0", "-1", "99999999999999999999", "abc"])
def test_impossible_shop_ids_are_404_not_500(shops, shop_id):
    olivia = shops.people["olivia"]
    assert olivia.get(f"/seller/{shop_id}/staff").status_code in (400, 404)
    assert olivia.post(f"/seller/{shop_id}/staff/invite",
                       {"email": "x@example.com", "role": "manager"}).status_code in (400, 404)


def test_every_seller_route_of_shops_is_in_the_tenancy_table(app):
    covered = {(r.method, r.path.replace("{shop}", "{shop_id:int}")
                .replace("{member}", "{user_id:int}")
                .replace("{invitation}", "{invitation_id:int}")) for r in ROUTES}
    found = set()
    for route in app.routes:
        if not route.path.startswith("/seller/{shop_id"):
            continue
        for handler in getattr(route, "route_handlers", []):
            fn = getattr(handler.fn, "func", handler.fn)  # sync handlers are wrapped
            if not fn.__module__.startswith("clipcart.shops"):
                continue
            found |= {(m, route.path) for m in handler.http_methods if m not in {"HEAD",
                                                                                  "OPTIONS"}}
    assert found == covered
