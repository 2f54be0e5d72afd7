"""Seller Center dashboard cards: each context contributes what it knows about a shop.

A context registers a function that returns a ``Card`` for a shop (or None to show nothing),
and may add steps to the "getting started" checklist;
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


@dataclass(frozen=True)
class Step:
    """One item of the dashboard's "getting started" checklist."""

    label: str
    done: bool
    href: str | None = None
    hint: str = ""


StepProvider = Callable[[Session, Shop], list[Step]]
_step_providers: list[StepProvider] = []


def register_steps(provider: StepProvider) -> StepProvider:
    """Add checklist steps (e.g. "list your first product"); shown in registration order."""
    if provider not in _step_providers:
        _step_providers.append(provider)
    return provider


def steps_for(session: Session, shop: Shop) -> list[Step]:
    return [step for provider in _step_providers for step in provider(session, shop)]
