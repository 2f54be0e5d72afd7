"""Role-dependent navigation: each context adds its entry when it has pages to show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    role: str | None  # shown to users holding this role; None shows it to every user
    icon: str  # an SVG path on a 24x24 grid
    badge_url: str | None = None  # an HTML fragment (a count) loaded beside the label


NAV_ITEMS: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in NAV_ITEMS:
        NAV_ITEMS.append(item)


def nav_items(user: Any) -> list[NavItem]:
    if user is None:
        return []
    return [i for i in NAV_ITEMS if i.role is None or user.has(i.role)]
