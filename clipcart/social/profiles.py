"""Public profiles (one per user, and each shop's official one), follows, blocks, reports.

Follower and following counts move by atomic UPDATEs, only when the unique follow row was
really inserted or deleted, so a double follow or a race of two unfollows counts once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.identity.models import User
from clipcart.ids import new_id
from clipcart.media import store_image
from clipcart.shops.models import Shop
from clipcart.social import viewer_changes
from clipcart.social.models import Block, Follow, Profile, Report

BIO_MAX = 300
NAME_MAX = 80
SHOP_SUFFIX = "-official"
_SLUG = re.compile(r"[^a-z0-9]+")


def _insert_once(session: Session, row: object) -> bool:
    """Insert a row unless a unique key says it is there already."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
        return True
    except IntegrityError:
        return False


def user_profile(session: Session, user_id: int) -> Profile:
    """The user's public profile, made on first use (handle and name from their account)."""
    found = session.scalars(select(Profile).where(Profile.user_id == user_id)).first()
    if found is not None:
        return found
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    _insert_once(session, Profile(id=new_id(), kind="user", user_id=user.id, shop_id=None,
                                     handle=user.handle, display_name=user.display_name,
                                     bio="", created_at=clock.now()))
    return session.scalars(select(Profile).where(Profile.user_id == user_id)).one()


def shop_handle_base(name: str) -> str:
    """A shop's handle: its name in lower case with hyphens, and ``-official``. User handles
    never contain a hyphen, so the two never collide."""
    slug = _SLUG.sub("-", name.lower()).strip("-")[: 30 - len(SHOP_SUFFIX) - 3] or "shop"
    return f"{slug.strip('-')}{SHOP_SUFFIX}"


def shop_profile(session: Session, shop_id: int) -> Profile:
    """The shop's official profile, made on first use."""
    found = session.scalars(select(Profile).where(Profile.shop_id == shop_id)).first()
    if found is not None:
        return found
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise NotFound("No such shop.")
    base = shop_handle_base(shop.name)
    for attempt in range(1, 50):
        handle = base if attempt == 1 else f"{base[:27]}-{attempt}"
        made = _insert_once(session, Profile(
            id=new_id(), kind="shop", user_id=None, shop_id=shop.id, handle=handle,
            display_name=shop.name, bio=shop.description[:BIO_MAX], avatar_key=shop.logo_thumb_key,
            created_at=clock.now()))
        found = session.scalars(select(Profile).where(Profile.shop_id == shop_id)).first()
        if made or found is not None:
            assert found is not None
            return found
    raise Conflict("Could not give this shop a handle.")


def profile_by_handle(session: Session, handle: str) -> Profile:
    """A profile by handle (``@`` optional); a user's is made on first view."""
    clean = handle.strip().lstrip("@").lower()
    found = session.scalars(select(Profile).where(Profile.handle == clean)).first()
    if found is not None:
        return found
    user_id = session.scalars(select(User.id).where(User.handle == clean,
                                                    User.is_active.is_(True))).first()
    if user_id is None:
        raise NotFound("No such profile.", code="PROFILE_NOT_FOUND")
    return user_profile(session, user_id)


def get_profile(session: Session, profile_id: int) -> Profile:
    profile = session.get(Profile, profile_id)
    if profile is None:
        raise NotFound("No such profile.", code="PROFILE_NOT_FOUND")
    return profile


def update_profile(session: Session, user_id: int, *, display_name: str, bio: str,
                   avatar: bytes | None = None) -> Profile:
    name = " ".join(display_name.split())
    if not 1 <= len(name) <= NAME_MAX:
        raise ValidationFailed(f"Your name is 1 to {NAME_MAX} characters.", field="display_name")
    bio = bio.strip()
    if len(bio) > BIO_MAX:
        raise ValidationFailed(f"Your bio is at most {BIO_MAX} characters.", field="bio")
    profile = user_profile(session, user_id)
    profile.display_name, profile.bio = name, bio
    if avatar:
        profile.avatar_key = store_image(avatar, f"avatars/{profile.id}").thumb_key
    return profile


# --- follows ---

@dataclass(frozen=True)
class FollowState:
    following: bool
    follower_count: int


def is_blocked(session: Session, blocker_user_id: int | None, blocked_user_id: int) -> bool:
    if blocker_user_id is None:
        return False
    return session.get(Block, (blocker_user_id, blocked_user_id)) is not None


def _count(session: Session, profile_id: int, column: str, delta: int) -> int:
    col = getattr(Profile, column)
    return int(session.execute(update(Profile).where(Profile.id == profile_id)
                               .values({column: col + delta}).returning(col)
                               .execution_options(synchronize_session=False)).scalar_one())


def follow(session: Session, user_id: int, profile_id: int) -> FollowState:
    """Follow a profile; following again changes nothing."""
    target = get_profile(session, profile_id)
    if target.user_id == user_id:
        raise ValidationFailed("You cannot follow yourself.", field="profile_id",
                               code="CANNOT_FOLLOW_SELF")
    if target.user_id is not None and is_blocked(session, target.user_id, user_id):
        raise Forbidden("This account does not accept your follow.", code="BLOCKED")
    me = user_profile(session, user_id)
    try:
        with session.begin_nested():
            session.execute(insert(Follow).values(follower_user_id=user_id,
                                                  profile_id=profile_id,
                                                  created_at=clock.now()))
    except IntegrityError:
        return FollowState(True, _count(session, profile_id, "follower_count", 0))
    viewer_changes.note(session, user_id)
    _count(session, me.id, "following_count", 1)
    count = _count(session, profile_id, "follower_count", 1)
    events.emit(session, "social.followed", {"user_id": str(user_id),
                                             "profile_id": str(profile_id)})
    return FollowState(True, count)


def unfollow(session: Session, user_id: int, profile_id: int) -> FollowState:
    get_profile(session, profile_id)
    gone = session.execute(delete(Follow).where(Follow.follower_user_id == user_id,  # type: ignore[attr-defined]
                                                Follow.profile_id == profile_id)
                           .execution_options(synchronize_session=False)).rowcount
    if not gone:
        return FollowState(False, _count(session, profile_id, "follower_count", 0))
    viewer_changes.note(session, user_id)
    me = user_profile(session, user_id)
    _count(session, me.id, "following_count", -1)
    return FollowState(False, _count(session, profile_id, "follower_count", -1))


def follows(session: Session, user_id: int | None, profile_ids: list[int]) -> set[int]:
    """Which of these profiles the user follows (one query)."""
    if user_id is None or not profile_ids:
        return set()
    return set(session.scalars(select(Follow.profile_id).where(
        Follow.follower_user_id == user_id, Follow.profile_id.in_(profile_ids))))


def followers(session: Session, profile_id: int, limit: int = 50) -> list[Profile]:
    """The latest followers' profiles (those who have one), newest first."""
    return list(session.scalars(
        select(Profile).join(Follow, Follow.follower_user_id == Profile.user_id)
        .where(Follow.profile_id == profile_id)
        .order_by(Follow.created_at.desc()).limit(limit)))


# --- blocks and reports ---

def block(session: Session, user_id: int, profile_id: int) -> None:
    """Block a user's profile: they stop following you, you stop following them."""
    target = get_profile(session, profile_id)
    if target.user_id is None:
        raise ValidationFailed("Shops cannot be blocked; report them instead.",
                               field="profile_id")
    if target.user_id == user_id:
        raise ValidationFailed("You cannot block yourself.", field="profile_id")
    try:
        with session.begin_nested():
            session.execute(insert(Block).values(blocker_user_id=user_id,
                                                 blocked_user_id=target.user_id,
                                                 created_at=clock.now()))
    except IntegrityError:
        return
    viewer_changes.note(session, user_id)
    me = user_profile(session, user_id)
    unfollow(session, user_id, target.id)
    unfollow(session, target.user_id, me.id)


def unblock(session: Session, user_id: int, profile_id: int) -> None:
    target = get_profile(session, profile_id)
    if target.user_id is not None:
        session.execute(delete(Block).where(Block.blocker_user_id == user_id,
                                            Block.blocked_user_id == target.user_id))
        viewer_changes.note(session, user_id)


def blocked_user_ids(session: Session, user_id: int | None) -> set[int]:
    if user_id is None:
        return set()
    return set(session.scalars(select(Block.blocked_user_id)
                               .where(Block.blocker_user_id == user_id)))


def report(session: Session, user_id: int, target_type: str, target_id: int,
           reason: str) -> Report:
    """Report a profile, video or comment to the moderators (once per reporter and thing)."""
    if target_type not in ("profile", "video", "comment"):
        raise ValidationFailed("Report a profile, a video or a comment.", field="target_type")
    reason = " ".join(reason.split())
    if not 3 <= len(reason) <= 300:
        raise ValidationFailed("Say why in 3 to 300 characters.", field="reason")
    existing = session.scalars(select(Report).where(
        Report.reporter_user_id == user_id, Report.target_type == target_type,
        Report.target_id == target_id)).first()
    if existing is not None:
        return existing
    row = Report(id=new_id(), reporter_user_id=user_id, target_type=target_type,
                 target_id=target_id, reason=reason, status="OPEN", created_at=clock.now())
    if not _insert_once(session, row):
        return session.scalars(select(Report).where(
            Report.reporter_user_id == user_id, Report.target_type == target_type,
            Report.target_id == target_id)).one()
    events.emit(session, "social.reported", {"report_id": str(row.id),
                                             "target_type": target_type,
                                             "target_id": str(target_id)})
    return row


def open_reports(session: Session, limit: int = 50) -> list[Report]:
    return list(session.scalars(select(Report).where(Report.status == "OPEN")
                                .order_by(Report.id).limit(limit)))


def resolve_report(session: Session, report_id: int) -> None:
    session.execute(update(Report).where(Report.id == report_id, Report.status == "OPEN")
                    .values(status="RESOLVED"))
