"""Shops: applications, the operator's decision, settings and tenancy checks.

Every seller-facing operation in other contexts starts with ``require_staff``: a user who
does not work for a shop gets NOT_FOUND for it, exactly as if it did not exist. Staff and
invitations live in ``clipcart.shops.staff``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.identity.models import User
from clipcart.ids import new_id, parse_id
from clipcart.markets import get_markets
from clipcart.media import store_image
from clipcart.shops.models import STAFF_ROLES, Shop, ShopMember, ShopStatusChange

ALL_STAFF = frozenset(STAFF_ROLES)
MANAGERS = frozenset({"owner", "manager"})
MAX_PENDING_APPLICATIONS = 3
MAX_DESCRIPTION = 5000
MAX_REASON = 2000
MAX_LOGO_BYTES = 2 * 1024 * 1024
# The shop status machine (DESIGN rule 6): every change is one of these and leaves a row.
TRANSITIONS: dict[str | None, frozenset[str]] = {
    None: frozenset({"PENDING"}),
    "PENDING": frozenset({"APPROVED", "REJECTED"}),
}


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 2 <= len(cleaned) <= 80:
        raise ValidationFailed("Shop names are 2 to 80 characters.", field="name")
    return cleaned


def _clean_description(description: str) -> str:
    cleaned = description.strip()
    if len(cleaned) > MAX_DESCRIPTION:
        raise ValidationFailed(f"Descriptions are at most {MAX_DESCRIPTION} characters.",
                               field="description")
    return cleaned


def _market_code(code: str) -> str:
    market = get_markets().get(code.strip()) if code else None
    if market is None:
        names = ", ".join(f"{m.name} ({m.code})" for m in get_markets())
        raise ValidationFailed(
            f"clipcart shops sell only in {names}; {code!r} is not one of them.",
            field="market", code="MARKET_NOT_SUPPORTED")
    return market.code


def _transition(session: Session, shop: Shop, to_status: str, actor_user_id: int | None,
                reason: str = "") -> None:
    current = shop.status if shop.status else None
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise Conflict(f"A shop cannot go from {current} to {to_status}.",
                       code="ILLEGAL_TRANSITION")
    session.add(ShopStatusChange(id=new_id(), shop_id=shop.id, from_status=current,
                                 to_status=to_status, actor_user_id=actor_user_id,
                                 reason=reason, created_at=clock.now()))
    shop.status = to_status


def apply_for_shop(session: Session, user_id: int, name: str, market: str,
                   description: str = "") -> Shop:
    """A user's application for a shop in one of the eight markets; waits for an operator."""
    code = _market_code(market)
    clean_name = _clean_name(name)
    clean_description = _clean_description(description)
    pending = session.execute(
        select(Shop.name, Shop.market).where(Shop.owner_user_id == user_id,
                                             Shop.status == "PENDING")).all()
    if any(n.lower() == clean_name.lower() and m == code for n, m in pending):
        raise Conflict(f"You already applied for {clean_name!r} in {code}; it is waiting "
                       "for review.", code="DUPLICATE_APPLICATION")
    if len(pending) >= MAX_PENDING_APPLICATIONS:
        raise Conflict(f"You have {len(pending)} applications waiting for review; wait for a "
                       "decision before applying again.", code="TOO_MANY_PENDING")
    shop = Shop(id=new_id(), name=clean_name, description=clean_description, market=code,
                currency=get_markets().by_code[code].currency, status="",
                owner_user_id=user_id, created_at=clock.now())
    session.add(shop)
    _transition(session, shop, "PENDING", user_id)
    session.add(ShopMember(shop_id=shop.id, user_id=user_id, role="owner",
                           created_at=clock.now()))
    session.flush()
    events.emit(session, "shops.shop_applied", {"shop_id": str(shop.id), "market": code})
    return shop


def _pending(session: Session, shop_id: int) -> Shop:
    if parse_id(shop_id) is None:
        raise NotFound("No such shop application.")
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
    _transition(session, shop, "APPROVED", operator_id)
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
    if len(reason) > MAX_REASON:
        raise ValidationFailed(f"Reasons are at most {MAX_REASON} characters.", field="reason")
    shop = _pending(session, shop_id)
    _transition(session, shop, "REJECTED", operator_id, reason)
    shop.rejection_reason = reason
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
        raise NotFound(f"No account with the e-mail {owner_email!r}; the owner signs up first.",
                       code="OWNER_NOT_FOUND")
    shop = apply_for_shop(session, owner.id, name, market)
    return approve(session, shop.id, operator_id=owner.id)


def update_settings(session: Session, shop_id: int, actor_user_id: int, *, name: str,
                    description: str, logo: bytes | None = None) -> Shop:
    """Name, description and (when given) a new logo. Market and currency never change here.

    Everything is validated before the logo is stored, so a bad name leaves no stray file.
    """
    shop = require_staff(session, actor_user_id, shop_id, MANAGERS)
    clean_name = _clean_name(name)
    clean_description = _clean_description(description)
    if logo:
        stored = store_image(logo, f"shops/{shop.id}/logo", max_bytes=MAX_LOGO_BYTES)
        shop.logo_key, shop.logo_thumb_key = stored.key, stored.thumb_key
    shop.name = clean_name
    shop.description = clean_description
    session.flush()
    return shop


def get_shop(session: Session, shop_id: int) -> Shop | None:
    return session.get(Shop, shop_id) if parse_id(shop_id) else None


def membership(session: Session, user_id: int, shop_id: int) -> ShopMember | None:
    if parse_id(shop_id) is None or parse_id(user_id) is None:
        return None
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


def status_history(session: Session, shop_id: int) -> list[ShopStatusChange]:
    return list(session.execute(
        select(ShopStatusChange).where(ShopStatusChange.shop_id == shop_id)
        .order_by(ShopStatusChange.id)).scalars())


@dataclass(frozen=True)
class ShopListing:
    shop: Shop
    owner_email: str
    owner_handle: str


@dataclass(frozen=True)
class ShopPage:
    items: list[ShopListing]
    next_page_token: str | None


LISTED_STATUSES = ("PENDING", "APPROVED", "REJECTED")


def list_shops(session: Session, status: str, page_size: int = 20,
               page_token: str | None = None) -> ShopPage:
    """The operator's queue: PENDING oldest first (first come, first served), the others
    newest first. Keyset pagination on the id; one query per page."""
    if status not in LISTED_STATUSES:
        raise ValidationFailed(f"Status is one of {', '.join(LISTED_STATUSES)}.", field="status")
    if not 1 <= page_size <= 100:
        raise ValidationFailed("page_size is 1 to 100.", field="page_size")
    after = parse_id(page_token) if page_token else None
    if page_token and after is None:
        raise ValidationFailed("That page_token is not valid.", field="page_token")
    ascending = status == "PENDING"
    query = (select(Shop, User.email, User.handle)
             .join(User, User.id == Shop.owner_user_id).where(Shop.status == status))
    if after is not None:
        query = query.where(Shop.id > after if ascending else Shop.id < after)
    query = query.order_by(Shop.id.asc() if ascending else Shop.id.desc()).limit(page_size + 1)
    rows = [ShopListing(shop, email, handle) for shop, email, handle in session.execute(query)]
    more = len(rows) > page_size
    rows = rows[:page_size]
    return ShopPage(rows, str(rows[-1].shop.id) if more and rows else None)


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Shop.status, func.count()).group_by(Shop.status))
    counts = dict.fromkeys(LISTED_STATUSES, 0)
    counts.update({status: int(n) for status, n in rows})
    return counts


def count_pending(session: Session) -> int:
    return count_by_status(session)["PENDING"]
