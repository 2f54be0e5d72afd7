"""Shops: applications, the operator's decision, staff and tenancy checks.

Every seller-facing operation in other contexts starts with ``require_staff``: a user who
does not work for a shop gets NOT_FOUND for it, exactly as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.ids import new_id
from clipcart.markets import get_markets
from clipcart.shops.models import STAFF_ROLES, Shop, ShopMember

ALL_STAFF = frozenset(STAFF_ROLES)
MANAGERS = frozenset({"owner", "manager"})


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 80:
        raise ValidationFailed("Shop names are 2 to 80 characters.", field="name")
    return cleaned


def _market_code(code: str) -> str:
    market = get_markets().get(code.strip()) if code else None
    if market is None:
        names = ", ".join(f"{m.name} ({m.code})" for m in get_markets())
        raise ValidationFailed(
            f"clipcart shops sell only in {names}; {code!r} is not one of them.",
            field="market", code="MARKET_NOT_SUPPORTED")
    return market.code


def apply_for_shop(session: Session, user_id: int, name: str, market: str,
                   description: str = "") -> Shop:
    """A user's application for a shop in one of the eight markets; waits for an operator."""
    code = _market_code(market)
    shop = Shop(id=new_id(), name=_clean_name(name), description=description.strip()[:5000],
                market=code, currency=get_markets().by_code[code].currency, status="PENDING",
                owner_user_id=user_id, created_at=clock.now())
    session.add(shop)
    session.add(ShopMember(shop_id=shop.id, user_id=user_id, role="owner",
                           created_at=clock.now()))
    session.flush()
    events.emit(session, "shops.shop_applied", {"shop_id": str(shop.id), "market": code})
    return shop


def _pending(session: Session, shop_id: int) -> Shop:
    shop = session.execute(
        select(Shop).where(Shop.id == shop_id).with_for_update()
    ).scalar_one_or_none()
    if shop is None:
        raise NotFound("No such shop application.")
    if shop.status != "PENDING":
        raise Conflict(f"This application was already decided ({shop.status}).",
                       code="ALREADY_DECIDED")
    return shop


def approve(session: Session, shop_id: int, operator_id: int) -> Shop:
    shop = _pending(session, shop_id)
    shop.status = "APPROVED"
    shop.decided_at = clock.now()
    shop.decided_by = operator_id
    identity.grant_role(session, shop.owner_user_id, "seller")
    from clipcart.inventory.service import ensure_default_warehouse

    ensure_default_warehouse(session, shop.id)
    events.emit(session, "shops.shop_approved",
                {"shop_id": str(shop.id), "owner_user_id": str(shop.owner_user_id)})
    return shop


def reject(session: Session, shop_id: int, operator_id: int, reason: str) -> Shop:
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Give the seller a reason for the rejection.", field="reason")
    shop = _pending(session, shop_id)
    shop.status = "REJECTED"
    shop.rejection_reason = reason[:2000]
    shop.decided_at = clock.now()
    shop.decided_by = operator_id
    events.emit(session, "shops.shop_rejected",
                {"shop_id": str(shop.id), "owner_user_id": str(shop.owner_user_id),
                 "reason": shop.rejection_reason})
    return shop


def create_approved_shop(session: Session, owner_email: str, name: str, market: str) -> Shop:
    """For operators' scripts (``clipcart shops create``): an application approved at once."""
    owner = identity.user_by_email(session, owner_email)
    if owner is None:
        raise NotFound(f"No account with the e-mail {owner_email!r}; the owner signs up first.")
    shop = apply_for_shop(session, owner.id, name, market)
    return approve(session, shop.id, operator_id=owner.id)


def get_shop(session: Session, shop_id: int) -> Shop | None:
    return session.get(Shop, shop_id)


def membership(session: Session, user_id: int, shop_id: int) -> ShopMember | None:
    return session.get(ShopMember, (shop_id, user_id))


def require_staff(session: Session, user_id: int, shop_id: int,
                  roles: Iterable[str] = ALL_STAFF, *, approved: bool = True) -> Shop:
    """The shop, when the user works for it with one of ``roles``; NOT_FOUND otherwise."""
    member = membership(session, user_id, shop_id)
    shop = session.get(Shop, shop_id) if member else None
    if member is None or shop is None:
        raise NotFound("No such shop.")
    if member.role not in set(roles):
        raise Forbidden(f"Your role in this shop ({member.role}) cannot do this.")
    if approved and shop.status != "APPROVED":
        raise Conflict("This shop is not approved yet.", code="SHOP_NOT_APPROVED")
    return shop


def shops_of(session: Session, user_id: int) -> list[tuple[Shop, str]]:
    """Every shop the user works for, with their role in it, oldest first."""
    rows = session.execute(
        select(Shop, ShopMember.role).join(ShopMember, ShopMember.shop_id == Shop.id)
        .where(ShopMember.user_id == user_id).order_by(Shop.id)
    )
    return [(shop, role) for shop, role in rows]
