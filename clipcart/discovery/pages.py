"""The buyer's search page, ``/search?q=...``, with category and price filters."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.params import FromQuery
from litestar.response import Template

from clipcart.catalog.categories import category_tree
from clipcart.db import transaction
from clipcart.discovery.api import category_of
from clipcart.discovery.search import is_market, search_products
from clipcart.errors import ValidationFailed
from clipcart.markets import get_markets, market
from clipcart.web.auth import CurrentUser


@get("/search", sync_to_thread=True, include_in_schema=False)
def search_page(request: Request[Any, Any, Any], q: FromQuery[str] = "",
                category_id: FromQuery[str] = "", min_price: FromQuery[str] = "",
                max_price: FromQuery[str] = "", page_token: FromQuery[str | None] = None,
                m: FromQuery[str] = "") -> Template:
    viewer: CurrentUser | None = request.scope.get("user")
    code = viewer.country.upper() if viewer else m.upper()
    text = q[:200]
    context: dict[str, Any] = {
        "q": text, "min_price": min_price[:20], "max_price": max_price[:20], "m": code,
        "signed_in": viewer is not None, "market_choices": list(get_markets().by_code.values()),
        "hits": [], "next_page_token": None, "error": None, "category_id": None,
        "market": market(code) if is_market(code) else None}
    with transaction() as session:
        context["categories"] = category_tree(session)
        try:
            context["category_id"] = category_of(category_id)
            if is_market(code):
                page = search_products(session, code, text=text,
                                       category_id=context["category_id"],
                                       min_price=min_price, max_price=max_price,
                                       page_token=page_token)
                context["hits"], context["next_page_token"] = page.items, page.next_page_token
        except ValidationFailed as exc:
            context["error"] = exc.detail
    return Template("discovery/search.html", context=context,
                    status_code=400 if context["error"] else 200)


router = Router(path="/", route_handlers=[search_page])
