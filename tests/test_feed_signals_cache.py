"""The viewer's cached ranking signals (``discovery.signals_cache``): the viewer's own follow,
like, block or purchase changes their next feed at once, a change committed elsewhere shows
within the TTL, and a warm signed-in first page costs one statement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clipcart.db import read_only, transaction
from clipcart.discovery import signals_cache
from clipcart.live import service as live
from clipcart.social import service as social
from clipcart.social import viewer_changes
from tests.checkout_support import buy, buyer
from tests.feed_support import Creator, creator, feed_page, follow, ids, like, post
from tests.helpers import counted_statements
from tests.live_support import room_on_air
from tests.payments_helpers import psp  # noqa: F401
from tests.social_support import upload


@pytest.fixture
def statements() -> Iterator[list[str]]:
    with counted_statements() as seen:
        yield seen


def two_creators(client: Any, frozen_clock: Any) -> tuple[Creator, str, str]:
    """An older video by the returned creator, then a newer one by another."""
    older_creator = creator(client)
    older = post(client, older_creator.token, "older")
    frozen_clock.advance(hours=2)
    newer = post(client, creator(client).token, "newer")
    return older_creator, older, newer


def test_a_follow_lifts_the_creator_in_the_next_feed_at_once(client, frozen_clock):
    followed, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]
    assert signals_cache.by_viewer.get(viewer.user_id) is not None  # cached, and then:
    follow(client, viewer.headers, followed.handle)
    assert ids(feed_page(client, viewer.headers)["items"]) == [older, newer]
    assert client.delete(f"/api/v1/profiles/{followed.handle}/follow",
                         headers=viewer.headers).status_code == 200
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]


def test_a_like_lifts_the_creator_in_the_next_feed_at_once(client, frozen_clock):
    _, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]
    like(client, viewer.headers, older)
    assert ids(feed_page(client, viewer.headers)["items"]) == [older, newer]  # a day's worth


def test_a_block_hides_the_creator_from_the_next_feed_at_once(client, frozen_clock):
    blocked, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]
    assert client.post(f"/api/v1/profiles/{blocked.handle}/block",
                       headers=viewer.headers).status_code == 200
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer]


def test_a_purchase_lifts_the_shop_in_the_next_feed_at_once(client, frozen_clock, psp):  # noqa: F811
    room = room_on_air(client)
    with transaction() as session:
        live.end(session, live.get_room(session, room.id), actor="system")
    shop_video = upload(client, room.item.seller.token, caption="From the shop",
                        product_ids=[room.item.product_id]).json()["id"]
    frozen_clock.advance(hours=12)
    newer = post(client, creator(client).token)
    shopper = buyer(client)
    assert ids(feed_page(client, shopper.headers)["items"]) == [newer, shop_video]
    assert buy(client, shopper, room.sku).status_code == 200
    assert ids(feed_page(client, shopper.headers)["items"]) == [shop_video, newer]


def test_a_follow_committed_by_another_process_shows_within_the_ttl(
        client, frozen_clock, monkeypatch):
    followed, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]
    monkeypatch.setattr(viewer_changes, "note", lambda session, user_id: None)  # not told
    follow(client, viewer.headers, followed.handle)
    frozen_clock.advance(seconds=signals_cache.TTL.total_seconds() - 0.5)
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]  # stale
    frozen_clock.advance(seconds=0.5)
    assert ids(feed_page(client, viewer.headers)["items"]) == [older, newer]


def test_a_rolled_back_follow_keeps_the_cached_signals(client, frozen_clock):
    followed, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    feed_page(client, viewer.headers)
    with pytest.raises(RuntimeError), transaction() as session:
        social.follow(session, viewer.user_id, int(followed.profile_id))
        raise RuntimeError("the caller gave up")
    assert signals_cache.by_viewer.get(viewer.user_id) == signals_cache.Signals()
    assert ids(feed_page(client, viewer.headers)["items"]) == [newer, older]


def test_signals_read_in_a_transaction_begun_before_a_follow_are_not_kept(client,
                                                                          frozen_clock):
    followed, older, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    with read_only() as session:  # began before the follow committed
        with transaction() as other:
            social.follow(other, viewer.user_id, int(followed.profile_id))
        signals_cache.viewer_signals(session, viewer.user_id)
    assert signals_cache.by_viewer.get(viewer.user_id) is None
    assert ids(feed_page(client, viewer.headers)["items"]) == [older, newer]


def test_a_warm_signed_in_first_page_costs_one_statement(client, frozen_clock, statements,
                                                         is_postgres):
    begin = 0 if is_postgres else 1  # psycopg's BEGIN is not a statement of its own
    followed, _, newer = two_creators(client, frozen_clock)
    viewer = buyer(client)
    follow(client, viewer.headers, followed.handle)
    like(client, viewer.headers, newer)
    first = feed_page(client, viewer.headers)
    statements.clear()
    assert feed_page(client, viewer.headers) == first
    assert len(statements) == begin  # the feed's BEGIN: token, signals, band, cards cached
    frozen_clock.advance(seconds=signals_cache.TTL.total_seconds())
    statements.clear()
    feed_page(client, viewer.headers)
    assert len(statements) == 5 + 2 * begin  # token, signals, band (2), cards; 2 BEGINs
