"""The feed pages: For You (also the home page), Following, more items as HTML fragments,
hashtag pages and the content search page. Routes parse, call services, render."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request, Router, get
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.catalog.paging import Page
from clipcart.db import read_only, transaction
from clipcart.discovery import content_search, feed
from clipcart.discovery.search import is_market
from clipcart.errors import ValidationFailed
from clipcart.live.products import room_products
from clipcart.markets import Market, get_markets, market
from clipcart.social.videos import HASHTAG_RE
from clipcart.web.auth import CurrentUser

FIRST_PAGE = 4
MORE_PAGE = 6


def viewer_market(viewer: CurrentUser | None, requested: str = "") -> Market | None:
    """The signed-in shopper's country (None when it is not a market), else the requested
    market, else the one the home page has always shown visitors (GB, or the first)."""
    if viewer is not None:
        return get_markets().get(viewer.country.upper())
    if requested and is_market(requested):
        return market(requested.upper())
    return get_markets().get("GB") or next(iter(get_markets()), None)


def _skus(session: Any, items: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Live SKUs of every product anchored on the page (one query), for the buy sheet."""
    ids = {int(p["id"]) for item in items for p in item["products"]}
    found = room_products(session, sorted(ids))
    return {str(pid): [{"id": str(s.id), "label": s.label,
                        "price": market(product.market).format(s.price)}
                       for s in product.skus] for pid, product in found.items()}


def caption_parts(caption: str) -> list[tuple[str, str | None]]:
    """The caption as (text, hashtag or None) runs, so hashtags can link to their pages."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for found in HASHTAG_RE.finditer(caption):
        if found.start() > at:
            parts.append((caption[at:found.start()], None))
        parts.append((found.group(1), found.group(1).lower()))
        at = found.end()
    if at < len(caption):
        parts.append((caption[at:], None))
    return parts


def _decorate(items: Sequence[dict[str, Any]]) -> None:
    for item in items:
        item["caption_parts"] = caption_parts(item["caption"])
        for product in item["products"]:
            price = product["price"]
            found = next((m for m in get_markets() if m.currency == price["currency"]), None)
            product["price_text"] = found.format(found.parse_price(price["amount"])) \
                if found else f"{price['amount']} {price['currency']}"


def _load(tab: str, viewer: CurrentUser | None, where: Market, size: int,
          page_token: str | None) -> tuple[Page[dict[str, Any]], dict[str, Any]]:
    with read_only() as session:
        if tab == "following" and viewer is not None:
            page = feed.following(session, viewer.id, page_size=size, page_token=page_token)
        else:
            page = feed.for_you(session, where.code, viewer.id if viewer else None,
                                page_size=size, page_token=page_token)
        _decorate(page.items)
        return page, _skus(session, page.items)


def feed_template(request: Request[Any, Any, Any], tab: str = "for_you",
                  m: str = "") -> Template:
    viewer: CurrentUser | None = request.scope.get("user")
    where = viewer_market(viewer, m)
    context: dict[str, Any] = {"tab": tab, "market": where, "items": [], "skus": {},
                               "next_page_token": None, "signed_in": viewer is not None,
                               "m": where.code if where else ""}
    if where is not None:
        page, context["skus"] = _load(tab, viewer, where, FIRST_PAGE, None)
        context["items"], context["next_page_token"] = page.items, page.next_page_token
    return Template("discovery/feed.html", context=context)


@get("/feed", sync_to_thread=True, include_in_schema=False)
def for_you_page(request: Request[Any, Any, Any], m: FromQuery[str] = "") -> Template:
    return feed_template(request, "for_you", m[:2])


@get("/feed/following", sync_to_thread=True, include_in_schema=False)
def following_page(request: Request[Any, Any, Any]) -> Template | Redirect:
    if request.scope.get("user") is None:
        return Redirect("/login?next=/feed/following")
    return feed_template(request, "following")


@get("/feed/more", sync_to_thread=True, include_in_schema=False)
def more_items(request: Request[Any, Any, Any], page_token: FromQuery[str] = "",
               tab: FromQuery[str] = "for_you", m: FromQuery[str] = "") -> Template:
    """The next items of a feed as HTML (the page's script appends them)."""
    viewer: CurrentUser | None = request.scope.get("user")
    where = viewer_market(viewer, m[:2])
    if where is None or not page_token:
        return Template("discovery/_feed_items.html",
                        context={"items": [], "skus": {}, "next_page_token": None})
    page, skus = _load(tab, viewer, where, MORE_PAGE, page_token)
    return Template("discovery/_feed_items.html", context={
        "items": page.items, "skus": skus, "next_page_token": page.next_page_token})


@get("/tags/{tag:str}", sync_to_thread=True, include_in_schema=False)
def hashtag_page(request: Request[Any, Any, Any], tag: FromPath[str],
                 page_token: FromQuery[str | None] = None, m: FromQuery[str] = "") -> Template:
    viewer: CurrentUser | None = request.scope.get("user")
    where = viewer_market(viewer, m[:2])
    name = content_search.normal_tag(tag)
    context: dict[str, Any] = {"tag": name, "items": [], "count": 0, "next_page_token": None,
                               "market": where}
    if where is not None:
        with transaction() as session:
            page = content_search.hashtag_videos(session, where.code, name, page_size=24,
                                                 page_token=page_token)
            context["count"] = content_search.tag_count(session, where.code, name)
        context["items"], context["next_page_token"] = page.items, page.next_page_token
    return Template("discovery/hashtag.html", context=context)


@get("/discover", sync_to_thread=True, include_in_schema=False)
def discover_page(request: Request[Any, Any, Any], q: FromQuery[str] = "",
                  m: FromQuery[str] = "") -> Template:
    """Videos, creators and hashtags for the words (products: the /search page)."""
    viewer: CurrentUser | None = request.scope.get("user")
    where = viewer_market(viewer, m[:2])
    text = q[:200]
    context: dict[str, Any] = {"q": text, "market": where, "videos": [], "creators": [],
                               "hashtags": [], "error": None}
    if text.strip() and where is not None:
        try:
            with transaction() as session:
                context["videos"] = content_search.search_videos(
                    session, where.code, text, page_size=12).items
                context["creators"] = content_search.search_creators(
                    session, text, page_size=8).items
                context["hashtags"] = content_search.search_hashtags(session, where.code, text)
        except ValidationFailed as exc:
            context["error"] = exc.detail
    return Template("discovery/discover.html", context=context)


router = Router(path="/", route_handlers=[for_you_page, following_page, more_items,
                                          hashtag_page, discover_page])
