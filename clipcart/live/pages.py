"""LIVE pages: the buyer's room (player, pinned card, flash sale, buy) and rooms on air.

The room re-fetches its state fragment on an htmx poll (and counts the viewer, under the
same key as its event stream: ``live.presence``); realtime pushes arrive over
``/api/v1/lives/{id}/events`` where that is available. Buying posts to
checkout's ``/cart/lines`` with the source ``live:{room id}``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from clipcart.db import transaction
from clipcart.live import service
from clipcart.live.presence import VIEWER_COOKIE, mint_cookie, poll_key, viewer_key
from clipcart.markets import get_markets
from clipcart.money import Money
from clipcart.web.auth import CurrentUser
from clipcart.web.navigation import NavItem, register

LIVE_ICON = ("M4 6h11a2 2 0 0 1 2 2v2.5l4-2.5v8l-4-2.5V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 "
             "0 1 2-2Zm3 3v6l5-3-5-3Z")
register(NavItem("LIVE", "/live", None, LIVE_ICON))

POLL_SECONDS = 3


def money_label(value: dict[str, str] | None, market_code: str) -> str:
    """A JSON money value, formatted the market's way."""
    if not value:
        return ""
    where = get_markets().get(market_code)
    amount = Money.parse(value["amount"], value["currency"])
    return where.format(amount) if where else f"{value['amount']} {value['currency']}"


def version_of(state: dict[str, Any]) -> str:
    """What the page shows, fingerprinted: a poll with the same version gets 204."""
    shown = {k: v for k, v in state.items() if k != "flash_sale"}
    sale = state.get("flash_sale") or {}
    shown["sale"] = [sale.get(k) for k in ("id", "status", "stock_left")]
    return hashlib.sha256(repr(sorted(shown.items())).encode()).hexdigest()[:16]


def _state(room_id: str, viewer: str) -> dict[str, Any]:
    with transaction() as session:
        room = service.get_room(session, room_id)
        counted = service.seen(room, viewer) if room.status == "LIVE" else None
        state = service.room_state(session, room.id, counted)
    return {"state": state, "money": money_label, "poll": POLL_SECONDS,
            "version": version_of(state)}


@get("/live", sync_to_thread=True, include_in_schema=False)
def rooms_page(request: Request[Any, Any, Any]) -> Template:
    user: CurrentUser | None = request.scope.get("user")
    codes = [user.country] if user and user.country in get_markets() \
        else [m.code for m in get_markets()]
    with transaction() as session:
        rooms = [r for code in codes for r in service.rooms_on_air(session, code, page_size=50)]
        pinned = service.pinned_products(session, rooms)
        viewers = service.viewer_counts([r.id for r in rooms])
        cards = [{"room": r, "viewers": viewers[r.id],
                  "pinned": service.product_json(pinned[r.pinned_product_id])
                  if r.pinned_product_id in pinned else None} for r in rooms]
    return Template("live/list.html", context={"cards": cards, "money": money_label})


@get("/live/{room_id:str}", sync_to_thread=True, include_in_schema=False)
def room_page(request: Request[Any, Any, Any], room_id: FromPath[str]) -> Template:
    cookie, viewer = None, viewer_key(request)
    if viewer is None or not request.cookies.get(VIEWER_COOKIE):
        cookie, viewer = mint_cookie()
    page = Template("live/room.html", context=_state(room_id, viewer))
    if cookie is not None:
        page.set_cookie(VIEWER_COOKIE, cookie, max_age=86400, httponly=True, samesite="lax",
                        path="/")
    return page


@get("/live/{room_id:str}/state", sync_to_thread=True, include_in_schema=False)
def room_state_fragment(request: Request[Any, Any, Any], room_id: FromPath[str],
                        v: FromQuery[str | None] = None) -> Response[Any]:
    """The room's changing part, for the htmx poll; 204 (no swap) when nothing changed."""
    context = _state(room_id, poll_key(request))
    if v is not None and v == context["version"]:
        return Response(None, status_code=204)
    return Template("live/_state.html", context=context)


router = Router(path="/", route_handlers=[rooms_page, room_page, room_state_fragment])
