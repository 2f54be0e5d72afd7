"""What every Seller Center page needs: the shop in the URL, checked against the user.

Seller Center pages live under ``/seller/{shop_id}/...``. ``open_shop`` is the tenancy gate:
a user who does not work for the shop gets 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from litestar.response import Template
from sqlalchemy.orm import Session

from clipcart.shops import service
from clipcart.shops.models import Shop
from clipcart.web.auth import CurrentUser


def open_shop(session: Session, user: CurrentUser, shop_id: int,
              roles: Iterable[str] = service.ALL_STAFF) -> Shop:
    return service.require_staff(session, user.id, shop_id, roles)


def layout_context(session: Session, user: CurrentUser, shop: Shop,
                   section: str) -> dict[str, Any]:
    """Context for ``seller/layout.html``: the shop, the user's role and the shop switcher."""
    shops = service.shops_of(session, user.id)
    role = next((r for s, r in shops if s.id == shop.id), "")
    return {"shop": shop, "role": role, "section": section,
            "my_shops": [(s, r) for s, r in shops if s.status == "APPROVED"]}


def render(session: Session, user: CurrentUser, shop: Shop, section: str, template: str,
           context: dict[str, Any] | None = None, *, status_code: int = 200) -> Template:
    """A Seller Center page: ``template`` extends ``seller/layout.html``."""
    full = layout_context(session, user, shop, section)
    full.update(context or {})
    return Template(template, context=full, status_code=status_code)
