"""For You ranking: recency decay, engagement, follows, likes, purchases, the LIVE boost
and the diversity rule (never the same creator twice in a row)."""

from __future__ import annotations

from datetime import timedelta

from clipcart.db import transaction
from clipcart.discovery import feed_index, ranking
from clipcart.live import service as live
from tests.checkout_support import buy, buyer
from tests.feed_support import all_pages, creator, feed_page, follow, ids, like, post
from tests.live_support import room_on_air
from tests.payments_helpers import psp  # noqa: F401
from tests.social_support import upload


def test_a_day_of_age_halves_an_items_weight_in_the_stored_key():
    start = ranking.EPOCH + timedelta(days=300)
    quiet = ranking.Engagement(views=100)
    assert ranking.video_score(start + timedelta(hours=24), quiet) - \
        ranking.video_score(start, quiet) == ranking.UNIT
    assert ranking.engagement_units(ranking.Engagement(views=20, likes=19)) - \
        ranking.engagement_units(ranking.Engagement(views=20)) > ranking.UNIT


def test_the_diversity_rule_defers_a_creators_second_item_and_drops_what_cannot_be_separated():
    items = ["a1", "a2", "a3", "b1", "a4"]
    picked = ranking.diversify([], items, lambda s: ord(s[0]), 10, None, exhausted=True)
    assert [items[i] for i in picked.emitted] == ["a1", "b1", "a2"]
    assert [items[i] for i in picked.dropped] == ["a3", "a4"]


def test_the_diversity_rule_carries_the_last_creator_and_waiting_items_across_pages():
    items = ["a1", "a2", "b1", "b2", "c1"]
    first = ranking.diversify([], items[:3], lambda s: ord(s[0]), 2, None, exhausted=False)
    assert [items[i] for i in first.emitted] == ["a1", "b1"]
    assert [items[i] for i in first.held] == ["a2"] and first.consumed == 3
    second = ranking.diversify(["a2"], items[3:], lambda s: ord(s[0]), 2, first.last_creator,
                               exhausted=True)
    assert [(["a2", *items[3:]])[i] for i in second.emitted] == ["a2", "b2"]


def test_newer_videos_rank_first_when_engagement_is_equal(client, frozen_clock):
    a, b = creator(client), creator(client)
    older = post(client, a.token)
    frozen_clock.advance(hours=2)
    newer = post(client, b.token)
    assert ids(feed_page(client, market="GB")["items"]) == [newer, older]


def test_a_well_liked_video_overtakes_a_newer_one_once_rescored(client, frozen_clock):
    a, b = creator(client), creator(client)
    liked = post(client, a.token)
    frozen_clock.advance(hours=1)
    newer = post(client, b.token)
    for _ in range(3):
        like(client, buyer(client).headers, liked)
    assert ids(feed_page(client, market="GB")["items"]) == [newer, liked]
    with transaction() as session:
        feed_index.refresh(session)
    assert ids(feed_page(client, market="GB")["items"]) == [liked, newer]


def test_a_followed_creator_ranks_above_a_newer_video_for_the_follower_only(
        client, frozen_clock):
    followed, other = creator(client), creator(client)
    theirs = post(client, followed.token)
    frozen_clock.advance(hours=12)
    newer = post(client, other.token)
    viewer = buyer(client)
    follow(client, viewer.headers, followed.handle)
    assert ids(feed_page(client, market="GB")["items"]) == [newer, theirs]
    assert ids(feed_page(client, viewer.headers)["items"]) == [theirs, newer]


def test_liking_a_creators_video_lifts_their_other_videos_for_that_viewer(client, frozen_clock):
    liked_creator, other = creator(client), creator(client)
    first = post(client, liked_creator.token)
    second = post(client, liked_creator.token)
    frozen_clock.advance(hours=6)
    newer = post(client, other.token)
    viewer = buyer(client)
    like(client, viewer.headers, first)
    page = ids(feed_page(client, viewer.headers)["items"])
    assert page[:2] == [second, newer] or page[:2] == [first, newer]
    assert page.index(newer) == 1  # boosted creator first, then the other (diversity)
    assert ids(feed_page(client, market="GB")["items"])[0] == newer


def test_buying_from_a_shop_lifts_its_videos_for_the_buyer(client, frozen_clock, psp):  # noqa: F811
    room = room_on_air(client)  # a stocked listing in a GB shop (the room is ended below)
    with transaction() as session:
        live.end(session, live.get_room(session, room.id), actor="system")
    seller = room.item.seller
    shop_video = upload(client, seller.token, caption="From the shop",
                        product_ids=[room.item.product_id]).json()["id"]
    frozen_clock.advance(hours=12)
    other = creator(client)
    newer = post(client, other.token)
    shopper = buyer(client)
    assert buy(client, shopper, room.sku).status_code == 200
    assert ids(feed_page(client, shopper.headers)["items"]) == [shop_video, newer]
    assert ids(feed_page(client, market="GB")["items"]) == [newer, shop_video]


def test_a_live_room_on_air_is_boosted_and_leaves_the_feed_when_it_ends(client, frozen_clock):
    room = room_on_air(client)
    frozen_clock.advance(hours=48)
    video = post(client, creator(client).token)
    items = feed_page(client, market="GB")["items"]
    assert [(i["type"], i["id"]) for i in items] == [("live", str(room.id)), ("video", video)]
    assert items[0]["url"] == f"/live/{room.id}"
    assert items[0]["products"][0]["id"] == str(room.item.product_id)
    frozen_clock.advance(hours=2)
    with transaction() as session:
        live.end(session, live.get_room(session, room.id), actor="system")
    assert ids(feed_page(client, market="GB")["items"]) == [video]


def test_never_the_same_creator_twice_in_a_row_whatever_the_page_size(client, frozen_clock):
    a, b = creator(client), creator(client)
    b1 = post(client, b.token)
    frozen_clock.advance(minutes=1)
    a1, a2, a3 = (post(client, a.token) for _ in range(3))
    expected = [a3, b1, a2]  # a1 cannot be separated from a2 by anyone: it is left out
    assert ids(all_pages(client, size=10, market="GB")) == expected
    assert ids(all_pages(client, size=1, market="GB")) == expected
    assert a1 not in expected


def test_a_blocked_creator_never_shows_in_the_blockers_feed(client, frozen_clock):
    blocked, other = creator(client), creator(client)
    theirs = post(client, blocked.token)
    frozen_clock.advance(minutes=1)
    mine = post(client, other.token)
    viewer = buyer(client)
    assert client.post(f"/api/v1/profiles/{blocked.handle}/block",
                       headers=viewer.headers).status_code == 200
    assert ids(feed_page(client, viewer.headers)["items"]) == [mine]
    assert ids(feed_page(client, market="GB")["items"]) == [mine, theirs]
