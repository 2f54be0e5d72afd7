"""The feed pages over HTTP: the home page is the For You feed, more items come as HTML
fragments, LIVE cards open the room, hashtags link to their pages, the discover page."""

from __future__ import annotations

import re

from tests.catalog_support import log_in
from tests.checkout_support import buyer
from tests.feed_support import creator, follow, post
from tests.live_support import room_on_air


def _item_ids(html: str) -> list[str]:
    return re.findall(r'data-testid="feed-item" data-type="\w+"\s+data-id="(\d+)"', html)


def test_the_home_page_opens_on_the_feed_and_loads_more_as_fragments(client, frozen_clock):
    posters = [creator(client) for _ in range(3)]
    videos = []
    for n in range(7):
        videos.append(post(client, posters[n % 3].token, f"Look {n} #linen"))
        frozen_clock.advance(minutes=5)
    home = client.get("/")
    assert home.status_code == 200
    first = _item_ids(home.text)
    assert first == videos[::-1][:4]
    assert 'href="/tags/linen">#linen</a>' in home.text
    token = re.search(r'data-next="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
    more = client.get("/feed/more", params={"page_token": token, "m": "GB"})
    assert _item_ids(more.text) == videos[::-1][4:]
    assert 'data-testid="feed-end"' in more.text


def test_a_live_card_opens_the_room_and_its_buy_sheet_carries_the_live_source(client):
    room = room_on_air(client)
    page = client.get("/feed", params={"m": "GB"}).text
    assert f'href="/live/{room.id}" data-testid="open-live"' in page
    assert 'name="source_type" value="live"' in page
    assert f'name="source_id" value="{room.id}"' in page
    assert f'name="sku_id" value="{room.sku}"' in page


def test_the_following_tab_shows_followed_creators_and_asks_visitors_to_log_in(client):
    followed, other = creator(client), creator(client)
    theirs = post(client, followed.token)
    post(client, other.token)
    assert client.get("/feed/following", follow_redirects=False).status_code in (302, 303)
    viewer = buyer(client)
    follow(client, viewer.headers, followed.handle)
    log_in(client, viewer.email)
    assert _item_ids(client.get("/feed/following").text) == [theirs]


def test_the_discover_page_finds_creators_hashtags_and_videos(client):
    star = creator(client)
    post(client, star.token, "Beach day #seaside")
    page = client.get("/discover", params={"q": "seaside"}).text
    assert 'href="/tags/seaside">#seaside · 1</a>' in page
    assert 'data-testid="video-tiles"' in page
    people = client.get("/discover", params={"q": star.handle}).text
    assert f'href="/@{star.handle}"' in people
    assert client.get("/tags/no_such_tag").status_code == 200
    assert client.get("/tags/bad-tag!").status_code == 400


def test_the_demo_opens_on_a_living_feed(client):
    from clipcart.db import transaction
    from clipcart.demo_social import seed_social
    from tests.checkout_support import listing
    from tests.helpers import signup

    shop = listing(client, price="9.99", shop_name="Camden Loft")
    fans = [signup(client, country="GB")["email"] for _ in range(2)]
    with transaction() as session:
        list(seed_social(session, "demo-password", fans))
    items = client.get("/api/v1/feed", params={"market": "GB", "page_size": 20}).json()["items"]
    assert len(items) >= 2
    assert any(p["id"] == str(shop.product_id) for i in items for p in i["products"])
    home = client.get("/").text
    assert len(_item_ids(home)) >= 2 and 'data-testid="product-anchor"' in home
