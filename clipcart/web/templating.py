"""Jinja environment: filters and globals every page can use."""

from __future__ import annotations

from typing import Any

from litestar.plugins.jinja import JinjaTemplateEngine

from clipcart import __version__
from clipcart.markets import get_markets
from clipcart.media import media_url
from clipcart.web.navigation import nav_items


def _price(money: Any, market_code: str) -> str:
    market = get_markets().get(market_code)
    return market.format(money) if market else str(money)


def configure_environment(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.globals["app_version"] = __version__
    env.globals["markets"] = get_markets
    env.globals["nav_items"] = nav_items
    env.globals["media_url"] = media_url
    env.filters["price"] = _price
    env.autoescape = True
