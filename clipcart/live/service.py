"""LIVE rooms: schedule, start, end; the product bag and the pin; viewers; room reads.

A room's status moves by one conditional UPDATE (``WHERE status = :from``) with a history
row; bag and pin changes take the room's row lock first, so the bag's cap holds under
concurrent adds. Every visible change is published to ``live:{room_id}`` after commit.
Flash sales live in ``flash.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock, events, realtime
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.ids import new_id, parse_id
from clipcart.live import stream
from clipcart.live.models import LiveBagItem, LiveRoom, LiveRoomHistory
from clipcart.live.products import RoomProduct, room_products
from clipcart.live.transitions import can_move
from clipcart.markets import get_markets, market
from clipcart.realtime import viewers
from clipcart.shops import service as shops

VIEWER_TTL = timedelta(seconds=45)  # a polling page's viewer counts this long after a poll


def channel(room_id: int) -> str:
    return f"live:{room_id}"


def publish(session: Session, room_id: int, event: str, data: dict[str, Any]) -> None:
    realtime.publish_after_commit(session, channel(room_id), event, data)


def duration_bounds() -> tuple[int, int]:
    """(shortest, longest) planned LIVE in minutes, from the platform rules."""
    rules = get_markets()
    return int(rules.rule("live_min_minutes")), int(rules.rule("live_max_hours")) * 60


def get_room(session: Session, room_id: int | str) -> LiveRoom:
    found = session.get(LiveRoom, parse_id(room_id)) if parse_id(room_id) else None
    if found is None:
        raise NotFound("No such LIVE.")
    return found


def lock_room(session: Session, room_id: int) -> LiveRoom:
    found = session.execute(select(LiveRoom).where(LiveRoom.id == room_id).with_for_update()
                            .execution_options(populate_existing=True)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such LIVE.")
    return found


def room_of_shop(session: Session, user_id: int, shop_id: int, room_id: int) -> LiveRoom:
    """A room of the shop, for its staff (NOT_FOUND for anyone else)."""
    shops.require_staff(session, user_id, shop_id)
    room = get_room(session, room_id)
    if room.shop_id != shop_id:
        raise NotFound("No such LIVE.")
    return room


def schedule(session: Session, *, shop_id: int, user_id: int, title: str,
             scheduled_at: datetime, planned_minutes: int) -> LiveRoom:
    shop = shops.require_staff(session, user_id, shop_id)
    title = (title or "").strip()
    if not title or len(title) > 120 or not title.isprintable():
        raise ValidationFailed("Give the LIVE a title of 1 to 120 characters.", field="title")
    shortest, longest = duration_bounds()
    if not shortest <= planned_minutes <= longest:
        raise ValidationFailed(f"A LIVE lasts from {shortest} minutes to {longest // 60} "
                               "hours.", field="planned_minutes")
    now = clock.now()
    if scheduled_at < now - timedelta(minutes=1):
        raise ValidationFailed("Schedule the LIVE for now or later.", field="scheduled_at")
    room = LiveRoom(id=new_id(), shop_id=shop.id, host_user_id=user_id, market=shop.market,
                    title=title, status="SCHEDULED", scheduled_at=scheduled_at,
                    planned_minutes=planned_minutes, stream_key=secrets.token_urlsafe(24),
                    peak_viewers=0, created_at=now, updated_at=now)
    session.add(room)
    session.add(LiveRoomHistory(id=new_id(), room_id=room.id, from_status=None,
                                to_status="SCHEDULED", actor=f"seller:{user_id}", reason="",
                                created_at=now))
    session.flush()
    return room


def move(session: Session, room: LiveRoom, target: str, *, actor: str, reason: str = "",
         **values: object) -> LiveRoom:
    """One allowed transition, once; ROOM_STATE_CHANGED when someone moved it first."""
    current = room.status
    if not can_move(current, target):
        raise Conflict(f"A {current.lower()} LIVE cannot become {target.lower()}.",
                       code="INVALID_STATUS_TRANSITION")
    now = clock.now()
    moved = session.execute(update(LiveRoom).where(LiveRoom.id == room.id,
                                                   LiveRoom.status == current)
                            .values(status=target, updated_at=now, **values)
                            .returning(LiveRoom.id)
                            .execution_options(synchronize_session=False)).first()
    if moved is None:
        raise Conflict("The LIVE changed meanwhile; reload it.", code="ROOM_STATE_CHANGED")
    session.add(LiveRoomHistory(id=new_id(), room_id=room.id, from_status=current,
                                to_status=target, actor=actor, reason=reason[:1000],
                                created_at=now))
    session.flush()
    session.refresh(room)
    events.emit(session, "live.room_status_changed", {
        "room_id": str(room.id), "shop_id": str(room.shop_id), "market": room.market,
        "from": current, "to": target})
    publish(session, room.id, "status", {"id": str(room.id), "status": target})
    return room


def start(session: Session, room: LiveRoom, user_id: int) -> LiveRoom:
    return move(session, room, "LIVE", actor=f"seller:{user_id}", started_at=clock.now())


def end(session: Session, room: LiveRoom, *, actor: str, reason: str = "") -> LiveRoom:
    from clipcart.live import flash  # flash sales end with their room

    flash.end_running(session, room.id, reason="the LIVE ended")
    return move(session, room, "ENDED", actor=actor, reason=reason, ended_at=clock.now())


def cancel(session: Session, room: LiveRoom, user_id: int) -> LiveRoom:
    return move(session, room, "CANCELLED", actor=f"seller:{user_id}", ended_at=clock.now())


def history(session: Session, room_id: int) -> list[LiveRoomHistory]:
    return list(session.execute(select(LiveRoomHistory)
                                .where(LiveRoomHistory.room_id == room_id)
                                .order_by(LiveRoomHistory.id)).scalars())


def end_overdue(session: Session) -> int:
    """End rooms on air for longer than ``live_max_hours``; how many ended."""
    cutoff = clock.now() - timedelta(hours=int(get_markets().rule("live_max_hours")))
    due = session.execute(select(LiveRoom).where(LiveRoom.status == "LIVE",
                                                 LiveRoom.started_at <= cutoff)
                           .order_by(LiveRoom.id)).scalars().all()
    ended = 0
    for room in due:
        try:
            end(session, room, actor="system", reason="longest LIVE duration reached")
            ended += 1
        except Conflict:
            continue  # the host ended it meanwhile
    return ended


# -- the product bag and the pin -------------------------------------------------------

def _editable(room: LiveRoom) -> None:
    if room.status not in ("SCHEDULED", "LIVE"):
        raise Conflict("This LIVE is over.", code="ROOM_CLOSED")


def bag_ids(session: Session, room_id: int) -> list[int]:
    return [r[0] for r in session.execute(select(LiveBagItem.product_id)
                                          .where(LiveBagItem.room_id == room_id)
                                          .order_by(LiveBagItem.id))]


def add_to_bag(session: Session, room: LiveRoom, product_id: int) -> None:
    room = lock_room(session, room.id)
    _editable(room)
    product = room_products(session, [product_id]).get(product_id)
    if product is None or product.shop_id != room.shop_id:
        raise NotFound("No such product on sale in this shop.", code="PRODUCT_NOT_AVAILABLE")
    present = bag_ids(session, room.id)
    if product_id in present:
        return
    cap = int(get_markets().rule("product_bag_max"))
    if len(present) >= cap:
        raise Conflict(f"A LIVE's bag holds at most {cap} products.", code="BAG_FULL")
    session.add(LiveBagItem(id=new_id(), room_id=room.id, product_id=product_id,
                            added_at=clock.now()))
    session.flush()
    publish(session, room.id, "bag", {"id": str(room.id)})


def remove_from_bag(session: Session, room: LiveRoom, product_id: int) -> None:
    room = lock_room(session, room.id)
    _editable(room)
    item = session.execute(select(LiveBagItem).where(LiveBagItem.room_id == room.id,
                                                     LiveBagItem.product_id == product_id)
                           ).scalar_one_or_none()
    if item is None:
        raise NotFound("That product is not in this LIVE's bag.")
    session.delete(item)
    if room.pinned_product_id == product_id:
        pin(session, room, None)
    session.flush()
    publish(session, room.id, "bag", {"id": str(room.id)})


def pin(session: Session, room: LiveRoom, product_id: int | None) -> LiveRoom:
    """Pin a product of the bag for every viewer (None unpins)."""
    room = lock_room(session, room.id)
    _editable(room)
    if product_id is not None and product_id not in bag_ids(session, room.id):
        raise ValidationFailed("Pin a product from this LIVE's bag.", field="product_id",
                               code="NOT_IN_BAG")
    room.pinned_product_id = product_id
    room.updated_at = clock.now()
    session.flush()
    products = room_products(session, [product_id]) if product_id else {}
    shown = products.get(product_id) if product_id else None
    publish(session, room.id, "pin", {"id": str(room.id), "pinned_product":
                                      product_json(shown) if shown else None})
    return room


# -- viewers ---------------------------------------------------------------------------
# One count per room: ``clipcart.realtime.viewers`` (event streams and polling pages).

def viewer_count(room_id: int) -> int:
    return viewer_counts([room_id])[room_id]


def viewer_counts(room_ids: Sequence[int]) -> dict[int, int]:
    """Viewers of several rooms at once (for lists)."""
    return viewers.counts(room_ids)


def seen(room: LiveRoom, viewer_key: str) -> int:
    """A polling page's viewer is watching for ``VIEWER_TTL`` more; the live count. The
    peak follows through ``record_peak`` when the throttled count goes out."""
    viewers.touch(room.id, viewer_key, VIEWER_TTL.total_seconds())
    return viewer_count(room.id)


def record_peak(session: Session, room_id: int, count: int) -> bool:
    """Raise the room's peak to ``count`` if it is higher (one conditional UPDATE, so
    concurrent counts from several processes keep the largest)."""
    raised = session.execute(update(LiveRoom).where(LiveRoom.id == room_id,
                                                    LiveRoom.status == "LIVE",
                                                    LiveRoom.peak_viewers < count)
                             .values(peak_viewers=count).returning(LiveRoom.id)
                             .execution_options(synchronize_session=False)).first()
    return raised is not None


# -- reads -----------------------------------------------------------------------------

def product_json(product: RoomProduct) -> dict[str, Any]:
    where = market(product.market)
    return {"id": str(product.id), "title": product.title, "image_url": product.image_url,
            "price": where.as_json(product.price),
            "skus": [{"id": str(s.id), "label": s.label, "price": where.as_json(s.price),
                      "list_price": where.as_json(s.list_price) if s.list_price else None}
                     for s in product.skus]}


def room_state(session: Session, room_id: int | str,
               viewers_now: int | None = None) -> dict[str, Any]:
    """The room as every viewer sees it (``GET /api/v1/lives/{id}``, the SSE first event);
    ``viewers_now`` is the live count when the caller has just read it (``seen``)."""
    from clipcart.live import flash

    room = get_room(session, room_id)
    shop = shops.get_shop(session, room.shop_id)
    ids = bag_ids(session, room.id)
    products = room_products(session, ids)
    pinned = products.get(room.pinned_product_id) if room.pinned_product_id else None
    ends_by = room.started_at + timedelta(hours=int(get_markets().rule("live_max_hours"))) \
        if room.started_at else None
    return {
        "id": str(room.id), "status": room.status, "title": room.title,
        "market": room.market,
        "host": {"shop_id": str(room.shop_id), "name": shop.name if shop else "",
                 "user_id": str(room.host_user_id)},
        "viewers": (viewer_count(room.id) if viewers_now is None else viewers_now)
        if room.status == "LIVE" else 0,
        "peak_viewers": room.peak_viewers,
        "pinned_product": product_json(pinned) if pinned else None,
        "products": [product_json(products[i]) for i in ids if i in products],
        "flash_sale": flash.sale_json(session, flash.current_sale(session, room.id)),
        "scheduled_at": room.scheduled_at.isoformat(),
        "started_at": room.started_at.isoformat() if room.started_at else None,
        "ended_at": room.ended_at.isoformat() if room.ended_at else None,
        "ends_by": ends_by.isoformat() if ends_by else None,
        "playback": stream.playback(room),
    }


def rooms_on_air(session: Session, market_code: str, *, page_size: int = 20,
                 after_id: int | None = None) -> list[LiveRoom]:
    """Rooms on air in a market, newest first (keyset on id)."""
    query = select(LiveRoom).where(LiveRoom.market == market_code, LiveRoom.status == "LIVE")
    if after_id is not None:
        query = query.where(LiveRoom.id < after_id)
    return list(session.execute(query.order_by(LiveRoom.id.desc()).limit(page_size + 1))
                .scalars())


def rooms_of_shop(session: Session, shop_id: int, limit: int = 50) -> list[LiveRoom]:
    return list(session.execute(select(LiveRoom).where(LiveRoom.shop_id == shop_id)
                                .order_by(LiveRoom.id.desc()).limit(limit)).scalars())


def pinned_products(session: Session, rooms: Sequence[LiveRoom]) -> dict[int, RoomProduct]:
    """Pinned products of several rooms, in one query (for lists)."""
    ids = [r.pinned_product_id for r in rooms if r.pinned_product_id]
    return room_products(session, ids)
