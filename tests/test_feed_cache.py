"""The For You caches (``discovery.feed_cache``): a change committed by another process shows
once the TTL has passed, one committed here shows at once, and nothing one viewer sees
because of their own history reaches another viewer."""

from __future__ import annotations

from typing import Any

import pytest

from clipcart.db import transaction
from clipcart.discovery import feed, feed_band, feed_cache, signals_cache
from tests.checkout_support import buyer
from tests.feed_support import all_pages, creator, feed_page, follow, ids, post


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Feed changes made as by another process (a job worker): this one is not told."""
    def other_process() -> None:
        monkeypatch.setattr(feed_cache, "note_change", lambda session: None)
    return other_process


def test_a_video_indexed_by_another_process_shows_once_the_ttl_has_passed(
        client, frozen_clock, elsewhere):
    poster = creator(client)
    first = post(client, poster.token, "first")
    viewer = buyer(client)
    assert ids(feed_page(client, market="GB")["items"]) == [first]
    assert ids(feed_page(client, viewer.headers)["items"]) == [first]
    elsewhere()
    frozen_clock.advance(seconds=1)
    late = post(client, creator(client).token, "late")
    frozen_clock.advance(seconds=feed_cache.TTL.total_seconds() - 1.5)
    assert ids(feed_page(client, market="GB")["items"]) == [first]  # stale, within the TTL
    assert ids(feed_page(client, viewer.headers)["items"]) == [first]
    frozen_clock.advance(seconds=1)
    assert ids(feed_page(client, market="GB")["items"]) == [late, first]
    assert ids(feed_page(client, viewer.headers)["items"]) == [late, first]


def test_a_video_indexed_here_shows_at_once(client, frozen_clock):
    first = post(client, creator(client).token, "first")
    assert ids(feed_page(client, market="GB")["items"]) == [first]
    late = post(client, creator(client).token, "late")
    assert ids(feed_page(client, market="GB")["items"]) == [late, first]


def test_one_viewers_boosts_and_blocks_never_reach_another_viewer(client, frozen_clock):
    creators = [creator(client) for _ in range(3)]
    videos = []
    for n in range(6):
        videos.append(post(client, creators[n % 3].token, f"clip {n}"))
        frozen_clock.advance(hours=3)  # newer ranks higher: creators[2]'s last video first
    fan, blocker, nobody = buyer(client), buyer(client), buyer(client)
    follow(client, fan.headers, creators[0].handle)
    assert client.post(f"/api/v1/profiles/{creators[2].handle}/block",
                       headers=blocker.headers).status_code == 200
    plain = ids(feed_page(client, market="GB", page_size=6)["items"])
    assert plain[0] == videos[5]
    boosted = ids(feed_page(client, fan.headers, page_size=6)["items"])
    assert boosted[0] == videos[3]  # the fan's followed creator, four times the weight
    hidden = ids(feed_page(client, blocker.headers, page_size=6)["items"])
    assert not set(hidden) & {videos[2], videos[5]}
    assert ids(feed_page(client, nobody.headers, page_size=6)["items"]) == plain
    assert ids(feed_page(client, market="GB", page_size=6)["items"]) == plain
    assert ids(feed_page(client, fan.headers, page_size=6)["items"]) == boosted


def test_the_cached_band_ranks_a_first_page_as_the_database_does(client, frozen_clock):
    creators = [creator(client) for _ in range(4)]
    for n in range(40):
        post(client, creators[n % 4].token, f"clip {n}")
        frozen_clock.advance(minutes=7 * (n % 5))
    fan = buyer(client)
    follow(client, fan.headers, creators[1].handle)
    with transaction() as session:
        viewer = signals_cache.signals(session, fan.user_id)
        band = feed_band.load(session, "GB", frozen_clock.current)
        for size in (1, 3, 10):
            window = 2 * size + feed.WINDOW_EXTRA
            cursor = feed.Cursor(as_of=frozen_clock.current)
            by_sql = feed.ranked_rows(session, "GB", cursor, viewer, window)
            by_band = feed_band.rank(band, window + 1, window + 1, followed=viewer.followed,
                                     liked=viewer.liked, bought=viewer.bought,
                                     blocked=viewer.blocked)
            assert by_band == [(r.id, r.kind, r.creator, r.key) for r in by_sql]


def test_a_band_too_shallow_for_the_viewer_falls_back_to_the_database(
        client, frozen_clock, monkeypatch):
    monkeypatch.setattr(feed_band, "BAND_DEPTH", 3)
    creators = [creator(client) for _ in range(3)]
    for n in range(12):
        post(client, creators[n % 3].token, f"clip {n}")
        frozen_clock.advance(hours=2)
    whole = ids(all_pages(client, size=12, market="GB"))
    assert len(whole) == 12
    assert ids(all_pages(client, size=2, market="GB")) == whole
    with transaction() as session:
        band = feed_band.load(session, "GB", frozen_clock.current)
    assert band.threshold is not None  # deeper than 3: the band is not the whole market
    assert feed_band.rank(band, 35, 35, followed=set(), liked=set(), bought=set(),
                          blocked=set()) is None  # 35 candidates asked, 12 in the market
