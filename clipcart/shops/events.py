"""What shops tells people when its own events are handled (in-app, through identity)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.events import Event, handles
from clipcart.identity import service as identity
from clipcart.identity.models import User
from clipcart.shops.models import Shop, ShopInvitation
from clipcart.shops.staff import ROLE_LABELS


def _shop(session: Session, event: Event) -> Shop | None:
    return session.get(Shop, int(event.payload["shop_id"]))


@handles("shops.shop_approved", name="shops.notify_shop_approved")
def notify_approved(session: Session, event: Event) -> None:
    shop = _shop(session, event)
    if shop is None:
        return
    identity.notify(session, shop.owner_user_id, "shop_approved",
                    f"{shop.name} is approved",
                    f"Your shop in {shop.market} is open. Go to Seller Center (/seller/{shop.id}) "
                    "to add your logo, invite your team and list products.",
                    source_event_id=event.id)


@handles("shops.shop_rejected", name="shops.notify_shop_rejected")
def notify_rejected(session: Session, event: Event) -> None:
    shop = _shop(session, event)
    if shop is None:
        return
    identity.notify(session, shop.owner_user_id, "shop_rejected",
                    f"{shop.name} was not approved",
                    f"Reason: {shop.rejection_reason}. You can apply again from Seller Center.",
                    source_event_id=event.id)


@handles("shops.staff_invited", name="shops.notify_invited_account")
def notify_invited(session: Session, event: Event) -> None:
    """An invitee who already has an account hears about it in the app too."""
    invitation = session.get(ShopInvitation, int(event.payload["invitation_id"]))
    shop = _shop(session, event)
    if invitation is None or shop is None:
        return
    user = identity.user_by_email(session, invitation.email)
    if user is None:
        return
    identity.notify(session, user.id, "shop_invitation", f"{shop.name} invited you",
                    f"Join {shop.name} as {ROLE_LABELS[invitation.role].lower()} staff: "
                    "accept under Invitations (/invitations) or with the link in your e-mail.",
                    source_event_id=event.id)


@handles("shops.staff_joined", name="shops.notify_owner_of_new_staff")
def notify_owner_of_new_staff(session: Session, event: Event) -> None:
    shop = _shop(session, event)
    if shop is None:
        return
    user = session.get(User, int(event.payload["user_id"]))
    name = f"@{user.handle}" if user else "A new colleague"
    identity.notify(session, shop.owner_user_id, "shop_staff_joined",
                    f"{name} joined {shop.name}",
                    f"{name} accepted your invitation and works for {shop.name} as "
                    f"{ROLE_LABELS[event.payload['role']].lower()} staff.",
                    source_event_id=event.id)


@handles("shops.staff_removed", name="shops.notify_removed_staff")
def notify_removed(session: Session, event: Event) -> None:
    shop = _shop(session, event)
    if shop is None:
        return
    identity.notify(session, int(event.payload["user_id"]), "shop_staff_removed",
                    f"You no longer work for {shop.name}",
                    f"The shop removed you from its staff; {shop.name} is no longer in your "
                    "Seller Center.", source_event_id=event.id)
