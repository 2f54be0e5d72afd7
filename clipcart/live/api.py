"""Buyer API for LIVE rooms, and the media server's publish check (API.md section 1)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery

from clipcart.catalog.paging import decode_token, encode_token, page_size_of
from clipcart.db import get_database, transaction
from clipcart.errors import NotFound, ValidationFailed
from clipcart.ids import parse_id
from clipcart.live import service, stream
from clipcart.markets import get_markets
from clipcart.web.auth import current_user

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _market_of(request: Request[Any, Any, Any], market: str | None) -> str:
    user = current_user(request)
    code = (user.country if user else (market or "")).upper()
    if code not in get_markets():
        raise ValidationFailed("Say which market's LIVEs to list (market=GB, ...).",
                               field="market")
    return code


@get("/lives", sync_to_thread=True, tags=["live"], summary="LIVEs on air in the buyer's market")
def list_lives(request: Request[Any, Any, Any], market: FromQuery[str | None] = None,
               page_size: FromQuery[int | None] = None,
               page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    code = _market_of(request, market)
    size = page_size_of(page_size)
    after = decode_token(page_token) if page_token else None
    with get_database().sessions() as session:
        rooms = service.rooms_on_air(session, code, page_size=size, after_id=after)
        shown = rooms[:size]
        pinned = service.pinned_products(session, shown)
        viewers = service.viewer_counts([r.id for r in shown])
        items = []
        for room in shown:
            product = pinned.get(room.pinned_product_id) if room.pinned_product_id else None
            items.append({"id": str(room.id), "status": room.status, "title": room.title,
                          "host": {"shop_id": str(room.shop_id)},
                          "viewers": viewers[room.id],
                          "pinned_product": service.product_json(product) if product else None,
                          "playback": stream.playback(room)})
    return {"lives": items,
            "next_page_token": encode_token(shown[-1].id) if len(rooms) > size else None}


@get("/lives/{room_id:str}", sync_to_thread=True, tags=["live"], summary="A LIVE room's state")
def get_live(room_id: FromPath[str]) -> dict[str, Any]:
    with get_database().sessions() as session:
        return service.room_state(session, room_id)


@post("/lives/ingest/on_publish", status_code=200, sync_to_thread=True, tags=["live"],
      summary="Media server callback: may this RTMP push publish?",
      description="nginx-rtmp's on_publish form (name = room id, key = stream key). 200 lets "
                  "the stream in; 403 refuses it. A scheduled room goes on air.")
def on_publish(data: Form) -> Response[str]:
    room_id = parse_id((data.get("name") or "").split("?")[0])
    key = data.get("key") or ""
    with transaction() as session:
        try:
            room = service.get_room(session, room_id or 0)
        except NotFound:
            return Response("unknown room", status_code=403, media_type="text/plain")
        if not key or not stream.key_matches(room, key) or room.status not in ("SCHEDULED",
                                                                               "LIVE"):
            return Response("refused", status_code=403, media_type="text/plain")
        if room.status == "SCHEDULED":
            service.start(session, room, room.host_user_id)
    return Response("ok", status_code=200, media_type="text/plain")


router = Router(path="/", route_handlers=[list_lives, on_publish, get_live])
