"""Social's reactions: every user and every approved shop gets its public profile."""

from __future__ import annotations

from sqlalchemy.orm import Session

from clipcart.events import Event, handles
from clipcart.social.profiles import shop_profile, user_profile


@handles("identity.user_signed_up", name="social.profile_for_user")
def profile_for_user(session: Session, event: Event) -> None:
    user_profile(session, int(event.payload["user_id"]))


@handles("shops.shop_approved", name="social.profile_for_shop")
def profile_for_shop(session: Session, event: Event) -> None:
    shop_profile(session, int(event.payload["shop_id"]))
