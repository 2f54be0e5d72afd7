"""LIVE rooms: schedule within the duration bounds, start, end, bag, pin, viewers, reads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clipcart import clock
from clipcart.db import transaction
from clipcart.errors import Conflict, NotFound, ValidationFailed
from clipcart.live import service
from clipcart.live.jobs import sweep
from clipcart.live.models import LiveRoom
from clipcart.markets import get_markets
from tests.checkout_support import buyer, listing
from tests.live_support import room_on_air, scheduled_room


def _schedule(item, minutes):  # type: ignore[no-untyped-def]
    with transaction() as session:
        return service.schedule(session, shop_id=item.seller.shop_id,
                                user_id=item.seller.user_id, title="Evening LIVE",
                                scheduled_at=clock.now(), planned_minutes=minutes).id


def _rooms(db) -> int:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return int(session.execute(select(func.count()).select_from(LiveRoom)).scalar_one())


def test_a_live_is_planned_between_the_shortest_and_longest_duration(client, db):
    item = listing(client)
    shortest = int(get_markets().rule("live_min_minutes"))
    longest = int(get_markets().rule("live_max_hours")) * 60
    for minutes in (shortest - 1, longest + 1):
        with pytest.raises(ValidationFailed) as refused:
            _schedule(item, minutes)
        assert refused.value.field == "planned_minutes"
    assert _rooms(db) == 0
    _schedule(item, shortest)
    _schedule(item, longest)
    assert _rooms(db) == 2


def test_a_room_moves_scheduled_live_ended_with_a_history_row_each(client, db):
    made = scheduled_room(client)
    with transaction() as session:
        room = service.get_room(session, made.id)
        with pytest.raises(Conflict) as early:
            service.end(session, room, actor="seller:1")
        assert early.value.code == "INVALID_STATUS_TRANSITION"
    with transaction() as session:
        room = service.get_room(session, made.id)
        service.start(session, room, made.item.seller.user_id)
        service.end(session, room, actor=f"seller:{made.item.seller.user_id}")
    with db.sessions() as session:
        moves = [(h.from_status, h.to_status) for h in service.history(session, made.id)]
        room = service.get_room(session, made.id)
        assert room.started_at is not None and room.ended_at is not None
    assert moves == [(None, "SCHEDULED"), ("SCHEDULED", "LIVE"), ("LIVE", "ENDED")]


def test_a_stale_transition_loses_to_the_one_that_landed_first(client):
    made = scheduled_room(client)
    with transaction() as session:
        stale = service.get_room(session, made.id)
        session.expunge(stale)
    with transaction() as other:
        service.cancel(other, service.get_room(other, made.id), made.item.seller.user_id)
    with transaction() as session, pytest.raises(Conflict) as lost:
        service.move(session, stale, "LIVE", actor="seller:1")
    assert lost.value.code == "ROOM_STATE_CHANGED"


def test_only_the_shops_staff_schedule_its_lives(client):
    item = listing(client)
    other = listing(client, shop_name="Other Shop")
    with transaction() as session, pytest.raises(NotFound):
        service.schedule(session, shop_id=item.seller.shop_id, user_id=other.seller.user_id,
                         title="Not mine", scheduled_at=clock.now(), planned_minutes=60)


def test_the_pinned_product_must_come_from_the_bag_and_every_viewer_sees_it(client):
    made = scheduled_room(client, price="9.99")
    stranger = listing(client, shop_name="Someone Else")
    with transaction() as session:
        room = service.get_room(session, made.id)
        with pytest.raises(NotFound):
            service.add_to_bag(session, room, stranger.product_id)
        with pytest.raises(ValidationFailed) as refused:
            service.pin(session, room, stranger.product_id)
        assert refused.value.code == "NOT_IN_BAG"
        service.start(session, room, made.item.seller.user_id)
        service.pin(session, room, made.item.product_id)
    answer = client.get(f"/api/v1/lives/{made.id}")
    assert answer.status_code == 200
    state = answer.json()
    assert state["status"] == "LIVE" and state["flash_sale"] is None
    assert state["pinned_product"]["id"] == str(made.item.product_id)
    assert state["pinned_product"]["price"] == {"amount": "9.99", "currency": "GBP"}
    assert [p["id"] for p in state["products"]] == [str(made.item.product_id)]
    assert state["host"]["shop_id"] == str(made.item.seller.shop_id)
    assert state["playback"]["hls_url"].endswith(f"/{made.id}/index.m3u8")
    assert "stream_key" not in str(state)


def test_removing_the_pinned_product_from_the_bag_unpins_it(client):
    made = room_on_air(client)
    with transaction() as session:
        service.remove_from_bag(session, service.get_room(session, made.id),
                                made.item.product_id)
    state = client.get(f"/api/v1/lives/{made.id}").json()
    assert state["pinned_product"] is None and state["products"] == []


def test_the_bag_holds_at_most_product_bag_max_products(client, monkeypatch):
    made = scheduled_room(client)
    second = listing(client, seller=made.item.seller)
    monkeypatch.setitem(get_markets().platform, "product_bag_max", 1)
    with transaction() as session, pytest.raises(Conflict) as full:
        service.add_to_bag(session, service.get_room(session, made.id), second.product_id)
    assert full.value.code == "BAG_FULL"


def test_viewers_count_while_seen_recently(client, frozen_clock):
    made = room_on_air(client)
    with transaction() as session:
        room = service.get_room(session, made.id)
    assert service.seen(room, "user:1") == 1
    assert service.seen(room, "user:2") == 2
    assert service.seen(room, "user:1") == 2
    frozen_clock.advance(seconds=service.VIEWER_TTL.total_seconds() + 1)
    assert service.seen(room, "user:3") == 1
    state = client.get(f"/api/v1/lives/{made.id}").json()
    assert state["viewers"] == 1
    listed = client.get("/api/v1/lives", params={"market": room.market}).json()
    assert [r["viewers"] for r in listed["lives"] if r["id"] == str(made.id)] == [1]


def test_the_peak_keeps_the_largest_count_of_a_room_on_air(client):
    made = room_on_air(client)
    with transaction() as session:
        assert service.record_peak(session, made.id, 5)
        assert not service.record_peak(session, made.id, 3)
        assert service.record_peak(session, made.id, 7)
    assert client.get(f"/api/v1/lives/{made.id}").json()["peak_viewers"] == 7


def test_a_room_past_the_longest_duration_is_ended_by_the_sweep(client, frozen_clock):
    made = room_on_air(client)
    frozen_clock.advance(hours=int(get_markets().rule("live_max_hours")), minutes=-1)
    assert sweep() == (0, 0)
    frozen_clock.advance(minutes=1)
    assert sweep() == (0, 1)
    assert client.get(f"/api/v1/lives/{made.id}").json()["status"] == "ENDED"


def test_buyers_list_the_lives_on_air_in_their_market(client):
    on_air = room_on_air(client)
    scheduled_room(client)  # not on air
    who = buyer(client, "GB")
    us_buyer = buyer(client, "US")
    listed = client.get("/api/v1/lives", headers=who.headers).json()
    assert [r["id"] for r in listed["lives"]] == [str(on_air.id)]
    assert listed["lives"][0]["pinned_product"]["id"] == str(on_air.item.product_id)
    assert client.get("/api/v1/lives", headers=us_buyer.headers).json()["lives"] == []
    assert client.get("/api/v1/lives?market=XX").status_code == 400


def test_an_unknown_room_is_404(client):
    assert client.get("/api/v1/lives/123").status_code == 404
    assert client.get("/api/v1/lives/not-an-id").status_code == 404


def test_the_media_server_may_publish_only_with_the_rooms_key(client, db):
    made = scheduled_room(client)
    with db.sessions() as session:
        key = service.get_room(session, made.id).stream_key
    refused = client.post("/api/v1/lives/ingest/on_publish",
                          data={"name": str(made.id), "key": "wrong"})
    assert refused.status_code == 403
    assert client.get(f"/api/v1/lives/{made.id}").json()["status"] == "SCHEDULED"
    allowed = client.post("/api/v1/lives/ingest/on_publish",
                          data={"name": str(made.id), "key": key})
    assert allowed.status_code == 200
    assert client.get(f"/api/v1/lives/{made.id}").json()["status"] == "LIVE"


def test_scheduling_in_the_past_is_refused(client):
    item = listing(client)
    with transaction() as session, pytest.raises(ValidationFailed):
        service.schedule(session, shop_id=item.seller.shop_id, user_id=item.seller.user_id,
                         title="Yesterday", scheduled_at=clock.now() - timedelta(hours=1),
                         planned_minutes=60)


def _statements_for(client, url):  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from clipcart.db import get_database

    count = 0

    def counter(*_args):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1

    engine = get_database().engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count


def test_the_list_of_lives_costs_the_same_queries_for_one_or_three_rooms(client):
    room_on_air(client)
    api_one = _statements_for(client, "/api/v1/lives?market=GB")
    page_one = _statements_for(client, "/live")
    room_on_air(client)
    room_on_air(client)
    assert len(client.get("/api/v1/lives?market=GB").json()["lives"]) == 3
    assert _statements_for(client, "/api/v1/lives?market=GB") == api_one
    assert _statements_for(client, "/live") == page_one
