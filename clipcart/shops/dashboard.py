"""Seller Center dashboard cards: each context contributes what it knows about a shop.

A context registers a function that returns a ``Card`` for a shop (or None to show nothing);
the dashboard page renders them in registration order. Keeps shops from importing every
other context to draw one page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from clipcart.shops.models import Shop


@dataclass(frozen=True)
class CardRow:
    label: str
    value: str
    href: str | None = None
    tone: str = ""  # "", "ok", "warn" or "bad"


@dataclass(frozen=True)
class Card:
    title: str
    stats: list[CardRow] = field(default_factory=list)  # big numbers
    rows: list[CardRow] = field(default_factory=list)  # a short list under them
    empty: str = ""  # shown when there are no rows
    link: CardRow | None = None


CardProvider = Callable[[Session, Shop], Card | None]
_providers: list[CardProvider] = []


def register_card(provider: CardProvider) -> CardProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cards_for(session: Session, shop: Shop) -> list[Card]:
    return [card for provider in _providers if (card := provider(session, shop)) is not None]
