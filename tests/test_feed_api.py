"""The feed API: keyset paging that neither repeats nor skips while videos arrive and are
re-scored, a constant number of queries per page, the Following feed, content search,
hashtag pages, bad input and the OpenAPI document."""

from __future__ import annotations

from clipcart.db import transaction
from clipcart.discovery import feed_cache, feed_index, signals_cache
from clipcart.identity import holder_cache
from tests.checkout_support import buyer, listing
from tests.feed_support import all_pages, creator, feed_page, follow, ids, like, post
from tests.helpers import bearer, counted_statements
from tests.live_support import room_on_air
from tests.social_support import upload


def test_pages_never_repeat_or_skip_while_new_videos_arrive_and_scores_change(
        client, frozen_clock):
    creators = [creator(client) for _ in range(4)]
    existing = []
    for n in range(12):
        existing.append(post(client, creators[n % 4].token, f"clip {n}"))
        frozen_clock.advance(minutes=10)
    fans = [buyer(client) for _ in range(3)]
    arrived: list[str] = []

    def meanwhile(page: int) -> None:
        arrived.append(post(client, creators[page % 4].token, f"late {page}"))
        if page == 1:  # the middle of the list gets popular and is re-scored
            for fan in fans:
                like(client, fan.headers, existing[3])
            with transaction() as session:
                feed_index.refresh(session)
        frozen_clock.advance(minutes=1)

    seen = ids(all_pages(client, size=5, between=meanwhile, market="GB"))
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == set(existing)
    fresh = ids(all_pages(client, size=5, market="GB"))
    assert set(arrived) <= set(fresh)
    assert fresh.index(existing[3]) < seen.index(existing[3])


def test_a_feed_page_costs_the_same_number_of_queries_whatever_its_size(client, frozen_clock,
                                                                         is_postgres):
    shop = listing(client, stock=5)
    room_on_air(client)
    posters = [creator(client) for _ in range(3)] + [None]
    for n in range(24):
        poster = posters[n % 4]
        if poster is None:
            upload(client, shop.seller.token, caption=f"shop {n}", product_ids=[shop.product_id])
        else:
            post(client, poster.token, f"clip {n}")
        frozen_clock.advance(minutes=5)
    viewer = buyer(client)
    seller_handle = client.get("/api/v1/me", headers=bearer(shop.seller.token)).json()["handle"]
    follow(client, viewer.headers, seller_handle)  # the first page has anchored videos too
    counts = {}
    for size in (2, 12):
        for cache in ("cold", "warm"):  # the band, signals and token holder read, or cached
            if cache == "cold":
                feed_cache.clear()
                signals_cache.by_viewer.clear()
                holder_cache.holders.clear()
            with counted_statements() as statements:
                page = feed_page(client, viewer.headers, page_size=size)
            assert len(page["items"]) == size
            assert {i["type"] for i in page["items"]} == {"video", "live"}
            counts[size, cache] = len(statements)
    begin = 0 if is_postgres else 1  # psycopg's BEGIN is not a statement of its own
    assert counts[2, "cold"] == counts[12, "cold"] == 8 + 2 * begin  # token's, feed's
    assert counts[2, "warm"] == counts[12, "warm"] == 3 + begin  # the LIVE cards


def test_the_following_feed_shows_followed_creators_newest_first(client, frozen_clock):
    followed, other = creator(client), creator(client)
    first = post(client, followed.token)
    frozen_clock.advance(minutes=1)
    post(client, other.token)
    second = post(client, followed.token)
    viewer = buyer(client)
    follow(client, viewer.headers, followed.handle)
    page = client.get("/api/v1/feed/following", params={"page_size": 1},
                      headers=viewer.headers).json()
    assert ids(page["items"]) == [second]
    rest = client.get("/api/v1/feed/following",
                      params={"page_token": page["next_page_token"]},
                      headers=viewer.headers).json()
    assert ids(rest["items"]) == [first] and rest["next_page_token"] is None
    assert client.get("/api/v1/feed/following").status_code == 401


def test_feed_items_carry_the_creator_media_and_product_anchors(client):
    shop = listing(client, price="9.99")
    video = upload(client, shop.seller.token, caption="Linen #summer",
                   product_ids=[shop.product_id]).json()
    item = feed_page(client, market="GB")["items"][0]
    assert item["type"] == "video" and item["id"] == video["id"]
    assert item["creator"]["handle"] == video["creator"]["handle"]
    assert item["caption"] == "Linen #summer"
    assert item["media_url"] == video["media_url"] and item["poster_url"] == video["poster_url"]
    assert [(p["id"], p["title"], p["price"]) for p in item["products"]] == \
        [(str(shop.product_id), "Linen summer dress", {"amount": "9.99", "currency": "GBP"})]
    assert feed_page(client, market="US")["items"] == []


def test_search_finds_products_videos_creators_and_hashtags(client):
    shop = listing(client)
    star = creator(client)
    video = post(client, star.token, "Breezy linen for picnics #linenlove #picnic")
    post(client, creator(client).token, "Wool coats #winter")
    found = client.get("/api/v1/search", params={"q": "linen", "market": "GB"}).json()
    assert [p["id"] for p in found["products"]] == [str(shop.product_id)]
    assert ids(found["videos"]) == [video]
    assert found["hashtags"] == [{"tag": "linenlove", "video_count": 1}]
    assert [(c["display_name"], c["kind"]) for c in found["creators"]] == \
        [("Linen Studio", "shop")]  # the shop's official profile
    people = client.get("/api/v1/search", params={"q": star.handle[:9], "type": "creators",
                                                  "market": "GB"}).json()
    assert star.handle in [c["handle"] for c in people["creators"]]
    assert people["products"] == [] and people["videos"] == []
    tags = client.get("/api/v1/search", params={"q": "#pic", "type": "hashtags",
                                                "market": "GB"}).json()
    assert tags["hashtags"] == [{"tag": "picnic", "video_count": 1}]


def test_a_hashtag_page_lists_the_markets_videos_with_the_tag(client, frozen_clock):
    a = creator(client)
    older = post(client, a.token, "Morning #Linen")
    frozen_clock.advance(minutes=5)
    newer = post(client, creator(client).token, "Evening #linen #silk")
    post(client, creator(client).token, "No tag here")
    post(client, creator(client, country="US").token, "Elsewhere #linen")
    page = client.get("/api/v1/hashtags/linen", params={"market": "GB", "page_size": 1}).json()
    assert (page["tag"], page["video_count"], ids(page["items"])) == ("linen", 2, [newer])
    rest = client.get("/api/v1/hashtags/linen", params={
        "market": "GB", "page_token": page["next_page_token"]}).json()
    assert ids(rest["items"]) == [older] and rest["next_page_token"] is None
    html = client.get("/tags/linen")
    assert html.status_code == 200
    assert 'data-testid="hashtag-count">2 videos in United Kingdom' in html.text.replace("\n", "")


def test_bad_feed_and_search_input_gets_a_clear_4xx(client):
    post(client, creator(client).token)
    assert client.get("/api/v1/feed").status_code == 400  # signed out, no market
    assert client.get("/api/v1/feed", params={"market": "ZZ"}).status_code == 400
    for token in ("nonsense", "eyJ2IjoxfQ", "eyJ2IjoxLCJhIjoxLCJrIjoxfQ"):
        answer = client.get("/api/v1/feed", params={"market": "GB", "page_token": token})
        assert answer.status_code == 400, token
        assert answer.json()["field"] == "page_token"
    assert client.get("/api/v1/feed", params={"market": "GB", "page_size": 0}).status_code == 400
    assert client.get("/api/v1/hashtags/%20bad-tag", params={"market": "GB"}).status_code == 400
    assert client.get("/api/v1/search", params={"q": "x", "type": "people",
                                                "market": "GB"}).status_code == 400
    assert client.get("/api/v1/search", params={"q": "x", "type": "videos", "market": "GB",
                                                "page_token": "@@"}).status_code == 400


def test_the_feed_and_search_are_in_the_openapi_document(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in ("/api/v1/feed", "/api/v1/feed/following", "/api/v1/search",
                 "/api/v1/hashtags/{tag}"):
        assert "get" in paths[path], path
    item = client.get("/schema/openapi.json").json()["components"]["schemas"]["FeedItemOut"]
    assert {"type", "id", "creator", "caption", "poster_url", "media_url",
            "products"} <= set(item["properties"])


def test_small_pages_walk_the_same_order_as_one_big_page(client, frozen_clock):
    """Small pages rank within an index band (feed.score_floor); one page of 100 ranks
    the whole market. Both must give the same sequence, boosts included."""
    creators = [creator(client) for _ in range(5)]
    videos = []
    for n in range(30):
        videos.append(post(client, creators[(n * 3) % 5].token, f"clip {n}"))
        frozen_clock.advance(minutes=20)
    viewer = buyer(client)
    follow(client, viewer.headers, creators[2].handle)
    like(client, viewer.headers, videos[1])
    whole = ids(all_pages(client, viewer.headers, size=100))
    assert sorted(whole) == sorted(videos)
    assert ids(all_pages(client, viewer.headers, size=1)) == whole
    assert ids(all_pages(client, viewer.headers, size=4)) == whole
    assert ids(all_pages(client, size=2, market="GB")) == ids(all_pages(client, size=100,
                                                                       market="GB"))
