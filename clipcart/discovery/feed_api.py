"""Buyer API of the feeds and of content search: ``/api/v1/feed``, ``/feed/following``,
``/search``, ``/hashtags/{tag}``."""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from litestar import Request, Router, get
from litestar.params import FromPath, FromQuery

from clipcart.db import read_only
from clipcart.discovery import content_search, feed, feed_cache
from clipcart.discovery.api import MoneyOut, ProductCardOut, buyer_market, card_json
from clipcart.discovery.search import search_products
from clipcart.web.auth import CurrentUser, requires_user


class CreatorOut(msgspec.Struct):
    id: str
    handle: str
    display_name: str = ""
    avatar_url: str | None = None


class FeedProductOut(msgspec.Struct):
    id: str
    title: str
    price: MoneyOut
    image_url: str | None = None
    url: str = ""


class FeedItemOut(msgspec.Struct):
    type: Literal["video", "live"]
    id: str
    creator: CreatorOut
    caption: str
    poster_url: str | None
    media_url: str | None
    products: list[FeedProductOut]
    url: str = ""


class FeedOut(msgspec.Struct):
    items: list[FeedItemOut]
    next_page_token: str | None


class ProfileHitOut(msgspec.Struct):
    id: str
    handle: str
    display_name: str
    kind: str
    avatar_url: str | None
    follower_count: int
    video_count: int


class HashtagOut(msgspec.Struct):
    tag: str
    video_count: int


class SearchOut(msgspec.Struct):
    products: list[ProductCardOut]
    videos: list[FeedItemOut]
    creators: list[ProfileHitOut]
    hashtags: list[HashtagOut]
    next_page_token: str | None = None


class HashtagPageOut(msgspec.Struct):
    tag: str
    video_count: int
    items: list[FeedItemOut]
    next_page_token: str | None


def items_out(items: list[dict[str, Any]]) -> list[FeedItemOut]:
    out = []
    for item in items:
        data = {**item, "url": item.get("url") or f"/videos/{item['id']}"}
        out.append(msgspec.convert(data, FeedItemOut))
    return out


@get("/feed", sync_to_thread=True, summary="For You feed",
     description="Videos and LIVE rooms of the caller's market (signed-out callers pass "
                 "`market`), ranked by engagement rate, recency, follows, the caller's likes "
                 "and purchases, with a boost for rooms on air; never the same creator twice "
                 "in a row. Pass `next_page_token` back as `page_token`: pages never repeat "
                 "an item, even while new videos arrive (they wait for a fresh first page).")
def for_you(request: Request[Any, Any, Any], page_size: FromQuery[int] = 10,
            page_token: FromQuery[str | None] = None,
            market: FromQuery[str | None] = None) -> FeedOut:
    viewer: CurrentUser | None = request.scope.get("user")
    code = buyer_market(viewer, market)
    if viewer is None and not page_token:  # the same for every visitor: cached a few seconds
        return feed_cache.signed_out_pages.get_or_make(
            (code, page_size), lambda: _for_you(code, None, page_size, None))
    return _for_you(code, viewer.id if viewer else None, page_size, page_token)


def _for_you(code: str, user_id: int | None, page_size: int,
             page_token: str | None) -> FeedOut:
    with read_only() as session:
        page = feed.for_you(session, code, user_id, page_size=page_size,
                            page_token=page_token)
    return FeedOut(items_out(page.items), page.next_page_token)


@get("/feed/following", sync_to_thread=True, guards=[requires_user],
     summary="Following feed",
     description="Videos and LIVE rooms of the creators the caller follows, newest first.")
def following_feed(request: Request[CurrentUser, Any, Any], page_size: FromQuery[int] = 10,
                   page_token: FromQuery[str | None] = None) -> FeedOut:
    with read_only() as session:
        page = feed.following(session, request.user.id, page_size=page_size,
                              page_token=page_token)
    return FeedOut(items_out(page.items), page.next_page_token)


@get("/search", sync_to_thread=True, summary="Search products, videos, creators, hashtags",
     description="`q` (the words), `type`: `all` (the first page of each list), or one of "
                 "`products`, `videos`, `creators`, `hashtags` (that list only, paged by "
                 "`page_token`). Products and videos are of the caller's market (signed-out "
                 "callers pass `market`).")
def search_all(request: Request[Any, Any, Any], q: FromQuery[str] = "",
               type: FromQuery[Literal["all", "products", "videos", "creators",
                                       "hashtags"]] = "all",
               page_size: FromQuery[int] = 10, page_token: FromQuery[str | None] = None,
               market: FromQuery[str | None] = None) -> SearchOut:
    viewer: CurrentUser | None = request.scope.get("user")
    code = buyer_market(viewer, market)
    text = q[:200]
    out = SearchOut([], [], [], [])
    token = page_token if type != "all" else None
    with read_only() as session:
        if type in ("all", "products"):
            products = search_products(session, code, text=text, page_size=page_size,
                                       page_token=token)
            out.products = [card_json(h, code) for h in products.items]
            out.next_page_token = products.next_page_token
        if type in ("all", "videos"):
            videos = content_search.search_videos(session, code, text, page_size=page_size,
                                                  page_token=token)
            out.videos = items_out(videos.items)
            out.next_page_token = videos.next_page_token
        if type in ("all", "creators"):
            creators = content_search.search_creators(session, text, page_size=page_size,
                                                      page_token=token)
            out.creators = [msgspec.convert(c, ProfileHitOut) for c in creators.items]
            out.next_page_token = creators.next_page_token
        if type in ("all", "hashtags"):
            out.hashtags = [HashtagOut(t.tag, t.videos) for t in
                            content_search.search_hashtags(session, code, text)]
            out.next_page_token = None if type == "hashtags" else out.next_page_token
    if type == "all":
        out.next_page_token = None
    return out


@get("/hashtags/{tag:str}", sync_to_thread=True, summary="A hashtag's videos",
     description="Videos of the caller's market with the hashtag (without `#`), best first.")
def hashtag(request: Request[Any, Any, Any], tag: FromPath[str],
            page_size: FromQuery[int] = 20, page_token: FromQuery[str | None] = None,
            market: FromQuery[str | None] = None) -> HashtagPageOut:
    viewer: CurrentUser | None = request.scope.get("user")
    code = buyer_market(viewer, market)
    name = content_search.normal_tag(tag)
    with read_only() as session:
        page = content_search.hashtag_videos(session, code, name, page_size=page_size,
                                             page_token=page_token)
        count = content_search.tag_count(session, code, name)
    return HashtagPageOut(name, count, items_out(page.items), page.next_page_token)


router = Router(path="/", route_handlers=[for_you, following_feed, search_all, hashtag],
                tags=["feed"])
