"""A shop's staff: invitations by e-mail, roles and removal.

Who may do what (the owner is never changed or removed by anyone):
- the owner invites managers and fulfillment staff, changes roles, removes anyone else;
- a manager invites fulfillment staff, revokes their invitations and removes them;
- fulfillment staff manage nobody.
An invitation is a single-use token valid ``INVITATION_DAYS``; only its SHA-256 is stored and
the token travels only in the e-mail. Accepting is one conditional UPDATE, so two clicks on
the same link make one member.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events, mail
from clipcart.config import get_settings
from clipcart.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from clipcart.identity import service as identity
from clipcart.identity.models import User
from clipcart.ids import new_id, parse_id
from clipcart.shops.models import INVITABLE_ROLES, Shop, ShopInvitation, ShopMember
from clipcart.shops.service import MANAGERS, require_staff

INVITATION_DAYS = 7
MAX_STAFF = 50  # members plus pending invitations, per shop
ROLE_LABELS = {"owner": "Owner", "manager": "Manager", "fulfillment": "Fulfillment"}


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    handle: str
    display_name: str
    email: str
    role: str
    since: datetime


@dataclass(frozen=True)
class InvitationView:
    invitation: ShopInvitation
    shop: Shop


class InvitationGone(DomainError):
    status = 410
    code = "INVITATION_GONE"
    title = "Invitation no longer valid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _clean_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not identity.EMAIL_RE.match(cleaned):
        raise ValidationFailed("Enter a valid e-mail address.", field="email")
    return cleaned


def _actor_role(session: Session, shop_id: int, actor_user_id: int) -> tuple[Shop, str]:
    shop = require_staff(session, actor_user_id, shop_id, MANAGERS)
    member = session.get(ShopMember, (shop_id, actor_user_id))
    assert member is not None  # require_staff found it
    return shop, member.role


def _lock_shop(session: Session, shop_id: int) -> None:
    # Invitations and acceptances of one shop queue here, so the staff limit holds.
    session.execute(select(Shop.id).where(Shop.id == shop_id).with_for_update())


def _headcount(session: Session, shop_id: int) -> int:
    members, pending = staff_counts(session, shop_id)
    return members + pending


def _invitation_mail(shop: Shop, inviter: User | None, email: str, role: str, token: str,
                     expires_at: datetime) -> mail.Message:
    link = f"{get_settings().base_url.rstrip('/')}/invitations/{token}"
    who = inviter.display_name if inviter else "A colleague"
    text = (f"{who} invited you to work for the shop {shop.name} on clipcart, as "
            f"{ROLE_LABELS[role].lower()} staff.\n\n"
            f"Accept the invitation here (sign up with this e-mail address first if you have "
            f"no clipcart account yet):\n{link}\n\n"
            f"The link works once and expires on {expires_at:%d %b %Y at %H:%M} UTC.\n"
            "If you did not expect this, ignore this e-mail.\n")
    return mail.Message(to=email, subject=f"Join {shop.name} on clipcart", text=text)


def invite(session: Session, shop_id: int, actor_user_id: int, email: str,
           role: str) -> tuple[ShopInvitation, str]:
    """Invite someone by e-mail; returns the invitation and its one-time token.

    Inviting an address again replaces its pending invitation (a fresh link, a fresh week).
    The e-mail leaves after commit; an existing account also gets an in-app notification.
    """
    shop, actor_role = _actor_role(session, shop_id, actor_user_id)
    address = _clean_email(email)
    if role not in INVITABLE_ROLES:
        raise ValidationFailed("Choose manager or fulfillment.", field="role")
    if actor_role != "owner" and role != "fulfillment":
        raise Forbidden("Managers can invite fulfillment staff only.")
    _lock_shop(session, shop.id)
    already = session.execute(
        select(ShopMember.user_id).join(User, User.id == ShopMember.user_id)
        .where(ShopMember.shop_id == shop.id, User.email == address)).first()
    if already is not None:
        raise Conflict(f"{address} already works for this shop.", code="ALREADY_STAFF",
                       extra={"field": "email"})
    now = clock.now()
    session.execute(
        update(ShopInvitation)
        .where(ShopInvitation.shop_id == shop.id, ShopInvitation.email == address,
               ShopInvitation.accepted_at.is_(None), ShopInvitation.revoked_at.is_(None))
        .values(revoked_at=now))
    if _headcount(session, shop.id) >= MAX_STAFF:
        raise Conflict(f"A shop has at most {MAX_STAFF} staff and pending invitations.",
                       code="STAFF_LIMIT")
    token = secrets.token_urlsafe(32)
    invitation = ShopInvitation(id=new_id(), shop_id=shop.id, email=address, role=role,
                                token_hash=_digest(token), invited_by=actor_user_id,
                                created_at=now, expires_at=now + timedelta(days=INVITATION_DAYS))
    session.add(invitation)
    session.flush()
    inviter = session.get(User, actor_user_id)
    mail.send_after_commit(session, _invitation_mail(shop, inviter, address, role, token,
                                                     invitation.expires_at))
    events.emit(session, "shops.staff_invited",
                {"shop_id": str(shop.id), "invitation_id": str(invitation.id)})
    return invitation, token


def _usable(invitation: ShopInvitation | None) -> ShopInvitation:
    if invitation is None:
        raise NotFound("This invitation link is not valid. Ask the shop for a new one.",
                       code="INVITATION_NOT_FOUND")
    if invitation.accepted_at is not None:
        raise InvitationGone("This invitation was already used.", code="INVITATION_USED")
    if invitation.revoked_at is not None:
        raise InvitationGone("This invitation was withdrawn. Ask the shop for a new one.",
                             code="INVITATION_REVOKED")
    if invitation.expires_at <= clock.now():
        raise InvitationGone("This invitation has expired. Ask the shop for a new one.",
                             code="INVITATION_EXPIRED")
    return invitation


def invitation_by_token(session: Session, token: str) -> InvitationView:
    """A usable invitation for a link, with its shop; NOT_FOUND or GONE otherwise."""
    found = None
    if token and len(token) <= 200:
        found = session.execute(
            select(ShopInvitation).where(ShopInvitation.token_hash == _digest(token))
        ).scalar_one_or_none()
    invitation = _usable(found)
    shop = session.get(Shop, invitation.shop_id)
    assert shop is not None  # the foreign key cascades
    return InvitationView(invitation, shop)


def _accept(session: Session, invitation: ShopInvitation, user_id: int) -> ShopMember:
    user = session.get(User, user_id)
    if user is None or user.email != invitation.email:
        raise Forbidden(f"This invitation is for {invitation.email}; log in with that "
                        "e-mail address to accept it.", code="WRONG_ACCOUNT")
    if session.get(ShopMember, (invitation.shop_id, user_id)) is not None:
        raise Conflict("You already work for this shop.", code="ALREADY_STAFF")
    now = clock.now()
    claimed = session.execute(
        update(ShopInvitation)
        .where(ShopInvitation.id == invitation.id, ShopInvitation.accepted_at.is_(None),
               ShopInvitation.revoked_at.is_(None), ShopInvitation.expires_at > now)
        .values(accepted_at=now, accepted_by=user_id)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitationGone("This invitation was already used.", code="INVITATION_USED")
    member = ShopMember(shop_id=invitation.shop_id, user_id=user_id, role=invitation.role,
                        created_at=now)
    session.add(member)
    try:
        session.flush()
    except IntegrityError:  # another invitation of the same person was accepted meanwhile
        raise Conflict("You already work for this shop.", code="ALREADY_STAFF") from None
    identity.grant_role(session, user_id, "seller")
    events.emit(session, "shops.staff_joined",
                {"shop_id": str(invitation.shop_id), "user_id": str(user_id),
                 "role": invitation.role})
    return member


def accept_invitation(session: Session, token: str, user_id: int) -> ShopMember:
    """Accept an invitation link as the signed-in user (whose e-mail must match)."""
    view = invitation_by_token(session, token)
    return _accept(session, view.invitation, user_id)


def accept_invitation_by_id(session: Session, invitation_id: int, user_id: int) -> ShopMember:
    """Accept from the in-app list: the user's e-mail is the proof, instead of the token."""
    found = session.get(ShopInvitation, invitation_id) if parse_id(invitation_id) else None
    user = session.get(User, user_id)
    if found is None or user is None or found.email != user.email:
        raise NotFound("No such invitation.", code="INVITATION_NOT_FOUND")
    return _accept(session, _usable(found), user_id)


def invitations_for(session: Session, user_id: int) -> list[InvitationView]:
    """Pending invitations addressed to the user's e-mail, newest first."""
    user = session.get(User, user_id)
    if user is None:
        return []
    rows = session.execute(
        select(ShopInvitation, Shop).join(Shop, Shop.id == ShopInvitation.shop_id)
        .where(ShopInvitation.email == user.email, ShopInvitation.accepted_at.is_(None),
               ShopInvitation.revoked_at.is_(None), ShopInvitation.expires_at > clock.now())
        .order_by(ShopInvitation.id.desc()).limit(MAX_STAFF))
    return [InvitationView(invitation, shop) for invitation, shop in rows]


def change_role(session: Session, shop_id: int, actor_user_id: int, member_user_id: int,
                role: str) -> None:
    """The owner makes a manager of fulfillment staff or the other way round."""
    _, actor_role = _actor_role(session, shop_id, actor_user_id)
    if actor_role != "owner":
        raise Forbidden("Only the shop owner changes staff roles.")
    if role not in INVITABLE_ROLES:
        raise ValidationFailed("Choose manager or fulfillment.", field="role")
    if parse_id(member_user_id) is None:
        raise NotFound("No such staff member.")
    changed = session.execute(
        update(ShopMember)
        .where(ShopMember.shop_id == shop_id, ShopMember.user_id == member_user_id,
               ShopMember.role != "owner")
        .values(role=role).execution_options(synchronize_session="fetch"))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        _explain_untouchable(session, shop_id, member_user_id,
                             "The shop owner's role cannot be changed.")


def _explain_untouchable(session: Session, shop_id: int, member_user_id: int,
                         owner_message: str) -> None:
    member = session.get(ShopMember, (shop_id, member_user_id))
    if member is None:
        raise NotFound("No such staff member.")
    if member.role == "owner":
        raise Forbidden(owner_message, code="OWNER_IS_PERMANENT")
    raise Forbidden("Managers can remove fulfillment staff only.")


def remove_member(session: Session, shop_id: int, actor_user_id: int,
                  member_user_id: int) -> None:
    """Remove someone from the staff: the owner removes anyone else, a manager fulfillment."""
    _, actor_role = _actor_role(session, shop_id, actor_user_id)
    if parse_id(member_user_id) is None:
        raise NotFound("No such staff member.")
    removable = ("manager", "fulfillment") if actor_role == "owner" else ("fulfillment",)
    removed = session.execute(
        delete(ShopMember)
        .where(ShopMember.shop_id == shop_id, ShopMember.user_id == member_user_id,
               ShopMember.role.in_(removable))
        .execution_options(synchronize_session="fetch"))
    if removed.rowcount != 1:  # type: ignore[attr-defined]
        _explain_untouchable(session, shop_id, member_user_id,
                             "The shop owner cannot be removed.")
    events.emit(session, "shops.staff_removed",
                {"shop_id": str(shop_id), "user_id": str(member_user_id)})


def revoke_invitation(session: Session, shop_id: int, actor_user_id: int,
                      invitation_id: int) -> None:
    """Withdraw a pending invitation; its link stops working at once."""
    _, actor_role = _actor_role(session, shop_id, actor_user_id)
    invitation = session.get(ShopInvitation, invitation_id) if parse_id(invitation_id) else None
    if invitation is None or invitation.shop_id != shop_id:
        raise NotFound("No such invitation.")
    if actor_role != "owner" and invitation.role != "fulfillment":
        raise Forbidden("Managers can withdraw invitations of fulfillment staff only.")
    _usable(invitation)
    withdrawn = session.execute(
        update(ShopInvitation)
        .where(ShopInvitation.id == invitation.id, ShopInvitation.accepted_at.is_(None),
               ShopInvitation.revoked_at.is_(None))
        .values(revoked_at=clock.now()).execution_options(synchronize_session="fetch"))
    if withdrawn.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitationGone("This invitation was already used.", code="INVITATION_USED")


def staff_of(session: Session, shop_id: int) -> list[StaffMember]:
    """The shop's staff, owner first, then by when they joined."""
    rows = session.execute(
        select(ShopMember, User.handle, User.display_name, User.email)
        .join(User, User.id == ShopMember.user_id).where(ShopMember.shop_id == shop_id)
        .order_by((ShopMember.role != "owner"), ShopMember.created_at, ShopMember.user_id))
    return [StaffMember(m.user_id, handle, name, email, m.role, m.created_at)
            for m, handle, name, email in rows]


def pending_invitations(session: Session, shop_id: int) -> list[ShopInvitation]:
    return list(session.execute(
        select(ShopInvitation)
        .where(ShopInvitation.shop_id == shop_id, ShopInvitation.accepted_at.is_(None),
               ShopInvitation.revoked_at.is_(None), ShopInvitation.expires_at > clock.now())
        .order_by(ShopInvitation.id.desc())).scalars())


def staff_counts(session: Session, shop_id: int) -> tuple[int, int]:
    """(members, pending invitations) in one query."""
    members = select(func.count()).select_from(ShopMember).where(ShopMember.shop_id == shop_id)
    pending = select(func.count()).select_from(ShopInvitation).where(
        ShopInvitation.shop_id == shop_id, ShopInvitation.accepted_at.is_(None),
        ShopInvitation.revoked_at.is_(None), ShopInvitation.expires_at > clock.now())
    row = session.execute(select(members.scalar_subquery(), pending.scalar_subquery())).one()
    return int(row[0]), int(row[1])
