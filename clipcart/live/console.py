"""The host's LIVE console in the Seller Center: schedule, start, end, bag, pin, flash sale."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from clipcart import clock
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.live import flash, service, stream
from clipcart.live.models import LiveRoom
from clipcart.live.pages import money_label
from clipcart.live.products import room_products, shop_product_ids
from clipcart.markets import get_markets, market
from clipcart.shops.dashboard import Card, CardRow, register_card
from clipcart.shops.models import Shop
from clipcart.shops.seller_center import open_shop, render
from clipcart.web.auth import CurrentUser, requires_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
SellerRequest = Request[CurrentUser, Any, Any]


def _id(raw: str, what: str) -> int:
    value = parse_id(raw.strip()) if raw else None
    if value is None:
        raise NotFound(f"No such {what}.")
    return value


def _number(data: dict[str, str], name: str, label: str) -> int:
    raw = (data.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise ValidationFailed(f"{label} is a whole number.", field=name)
    return int(raw)


def _when(data: dict[str, str], shop: Shop) -> datetime:
    raw = (data.get("scheduled_at") or "").strip()
    if not raw:
        return clock.now()
    try:
        local = datetime.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("Pick a date and time.", field="scheduled_at") from None
    return local.replace(tzinfo=market(shop.market).zone).astimezone(UTC)


def _rooms_context(session: Session, shop: Shop) -> dict[str, Any]:
    shortest, longest = service.duration_bounds()
    return {"rooms": service.rooms_of_shop(session, shop.id), "shortest": shortest,
            "longest": longest}


def _console_context(session: Session, room: LiveRoom) -> dict[str, Any]:
    state = service.room_state(session, room.id)
    bag = set(service.bag_ids(session, room.id))
    addable = [p for pid, p in sorted(room_products(session, shop_product_ids(
        session, room.shop_id)).items()) if pid not in bag]
    rules = get_markets()
    return {"room": room, "state": state, "addable": addable, "money": money_label,
            "ingest": stream.ingest(room), "history": service.history(session, room.id),
            "countdown": rules.rule("flash_sale_countdown_seconds"),
            "duration": rules.rule("flash_sale_duration_minutes"),
            "lookback": rules.rule("flash_sale_price_lookback_days"),
            "bag_max": rules.rule("product_bag_max")}


@get("/live", sync_to_thread=True)
def rooms_list(shop_id: FromPath[str], request: SellerRequest) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, _id(shop_id, "shop"))
        return render(session, request.user, shop, "live", "live/console_rooms.html",
                      _rooms_context(session, shop))


@post("/live", sync_to_thread=True)
def schedule_room(shop_id: FromPath[str], request: SellerRequest, data: Form) -> Response[Any]:
    with transaction() as session:
        shop = open_shop(session, request.user, _id(shop_id, "shop"))
        try:
            with session.begin_nested():
                room = service.schedule(session, shop_id=shop.id, user_id=request.user.id,
                                        title=data.get("title", ""), scheduled_at=_when(data, shop),
                                        planned_minutes=_number(data, "planned_minutes",
                                                                "The planned duration"))
        except DomainError as exc:
            return render(session, request.user, shop, "live", "live/console_rooms.html",
                          {**_rooms_context(session, shop), "error": exc.detail, "form": data},
                          status_code=exc.status)
        return Redirect(f"/seller/{shop.id}/live/{room.id}", status_code=303)


@get("/live/{room_id:str}", sync_to_thread=True)
def console(shop_id: FromPath[str], room_id: FromPath[str], request: SellerRequest) -> Template:
    with transaction() as session:
        shop = open_shop(session, request.user, _id(shop_id, "shop"))
        room = service.room_of_shop(session, request.user.id, shop.id, _id(room_id, "LIVE"))
        return render(session, request.user, shop, "live", "live/console.html",
                      _console_context(session, room))


def _act(session: Session, room: LiveRoom, user: CurrentUser, action: str,
         data: dict[str, str]) -> str:
    """One console action; what to tell the host."""
    if action == "start":
        service.start(session, room, user.id)
        return "You are LIVE."
    if action == "end":
        service.end(session, room, actor=f"seller:{user.id}")
        return "The LIVE has ended."
    if action == "cancel":
        service.cancel(session, room, user.id)
        return "The LIVE is cancelled."
    if action == "bag-add":
        service.add_to_bag(session, room, _id(data.get("product_id", ""), "product"))
        return "Added to the bag."
    if action == "bag-remove":
        service.remove_from_bag(session, room, _id(data.get("product_id", ""), "product"))
        return "Removed from the bag."
    if action == "pin":
        raw = data.get("product_id", "")
        service.pin(session, room, _id(raw, "product") if raw else None)
        return "Pinned for every viewer." if raw else "Unpinned."
    if action == "flash-sale":
        flash.create_sale(session, room, sku_id=_id(data.get("sku_id", ""), "product option"),
                          deal_price=data.get("deal_price", ""),
                          stock=_number(data, "stock", "The flash sale stock"),
                          per_buyer_limit=_number(data, "per_buyer_limit", "The limit per buyer"),
                          countdown_seconds=_number(data, "countdown_seconds", "The countdown"),
                          duration_minutes=_number(data, "duration_minutes", "The duration"))
        return "Flash sale set: the countdown is on."
    if action == "flash-sale-end":
        flash.end_running(session, room.id)
        return "Flash sale ended."
    raise NotFound("No such action.")


@post("/live/{room_id:str}/{action:str}", sync_to_thread=True)
def console_action(shop_id: FromPath[str], room_id: FromPath[str], action: FromPath[str],
                   request: SellerRequest, data: Form) -> Response[Any]:
    with transaction() as session:
        shop = open_shop(session, request.user, _id(shop_id, "shop"))
        room = service.room_of_shop(session, request.user.id, shop.id, _id(room_id, "LIVE"))
        try:
            with session.begin_nested():
                _act(session, room, request.user, action, data)
        except DomainError as exc:
            session.expire_all()
            room = service.get_room(session, room.id)
            return render(session, request.user, shop, "live", "live/console.html",
                          {**_console_context(session, room), "error": exc.detail,
                           "form": data}, status_code=exc.status)
        return Redirect(f"/seller/{shop.id}/live/{room.id}?done={action}", status_code=303)


router = Router(path="/seller/{shop_id:str}", guards=[requires_user],
                route_handlers=[rooms_list, schedule_room, console, console_action],
                include_in_schema=False)


@register_card
def live_card(session: Session, shop: Shop) -> Card | None:
    rooms = service.rooms_of_shop(session, shop.id, limit=5)
    base = f"/seller/{shop.id}/live"
    on_air = [r for r in rooms if r.status == "LIVE"]
    return Card(title="LIVE",
                stats=[CardRow("On air now", str(len(on_air)), base,
                               tone="ok" if on_air else "")],
                rows=[CardRow(r.title, r.status.lower(), f"{base}/{r.id}") for r in rooms],
                empty="No LIVE yet: schedule one and sell on camera.",
                link=CardRow("Open the LIVE console", "", base))
