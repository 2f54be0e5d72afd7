"""Videos: upload (validated by content, stored through the media storage, with a poster
frame), caption hashtags and mentions, product anchors to the poster's own shop, views,
likes and shares (counted atomically), visibility and moderation (transition tables with
a history row per move)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.ids import new_id, parse_id
from clipcart.media import get_storage
from clipcart.shops import service as shops
from clipcart.social import transitions, viewer_changes
from clipcart.social.models import (
    ModerationChange,
    Profile,
    Video,
    VideoLike,
    VideoMention,
    VideoProduct,
    VideoShare,
    VideoTag,
)
from clipcart.social.products import live_cards
from clipcart.social.profiles import follows, shop_profile, user_profile
from clipcart.social.videofile import probe_video

CAPTION_MAX = 2200
MAX_ANCHORS = 6
MAX_TAGS = 30
SHARE_CHANNELS = ("link", "message", "other")
HASHTAG_RE = re.compile(r"(?<![\w&])#(\w{1,100})")
MENTION_RE = re.compile(r"(?<![\w@])@([a-z0-9_.\-]{3,30})", re.IGNORECASE)


@dataclass(frozen=True)
class Viewer:
    """Who looks: a user id (None for visitors) and whether they moderate (operators)."""

    user_id: int | None
    moderator: bool = False


def hashtags(caption: str) -> list[str]:
    seen: dict[str, None] = {}
    for tag in HASHTAG_RE.findall(caption):
        seen.setdefault(tag.lower(), None)
    return list(seen)[:MAX_TAGS]


def mentions(caption: str) -> list[str]:
    seen: dict[str, None] = {}
    for handle in MENTION_RE.findall(caption):
        seen.setdefault(handle.lower().rstrip("."), None)
    return list(seen)[:MAX_TAGS]


def parse_product_ids(raw: Sequence[str] | str | None) -> list[int]:
    """Product IDs from a list, or from one comma- or space-separated string."""
    if raw is None:
        return []
    items = [raw] if isinstance(raw, str) else list(raw)
    out: list[int] = []
    for item in items:
        for part in re.split(r"[\s,]+", item.strip()):
            if not part:
                continue
            value = parse_id(part)
            if value is None:
                raise ValidationFailed(f"{part[:30]!r} is not a product ID.",
                                       field="product_ids")
            if value not in out:
                out.append(value)
    if len(out) > MAX_ANCHORS:
        raise ValidationFailed(f"A video links at most {MAX_ANCHORS} products.",
                               field="product_ids")
    return out


def _anchors(session: Session, product_ids: list[int], shop_ids: set[int]) -> int | None:
    """Check that every product is live and sold by one of ``shop_ids``; the shop."""
    if not product_ids:
        return None
    cards = live_cards(session, product_ids)
    for pid in product_ids:
        card = cards.get(pid)
        if card is None:
            raise ValidationFailed(f"Product {pid} is not live.", field="product_ids",
                                   code="PRODUCT_NOT_LINKABLE")
        if card.shop_id not in shop_ids:
            raise ValidationFailed(f"Product {pid} is not one of your shop's products.",
                                   field="product_ids", code="PRODUCT_NOT_LINKABLE")
    shop_set = {cards[p].shop_id for p in product_ids}
    if len(shop_set) > 1:
        raise ValidationFailed("A video links products of one shop.", field="product_ids",
                               code="PRODUCT_NOT_LINKABLE")
    return shop_set.pop()


def _history(session: Session, target_type: str, target_id: int, field: str,
             from_value: str | None, to_value: str, actor: int | None, reason: str = "") -> None:
    session.add(ModerationChange(id=new_id(), target_type=target_type, target_id=target_id,
                                 field=field, from_value=from_value, to_value=to_value,
                                 actor_user_id=actor, reason=reason, created_at=clock.now()))


def upload_video(session: Session, user_id: int, data: bytes, *, caption: str = "",
                 product_ids: Sequence[int] = (), shop_id: int | None = None,
                 visibility: str = "PUBLIC") -> Video:
    """Post a video on the user's profile, or (with ``shop_id``) on the shop's official
    profile. Linked products must be live products of a shop the user works for."""
    caption = caption.strip()
    if len(caption) > CAPTION_MAX:
        raise ValidationFailed(f"Captions are at most {CAPTION_MAX} characters.",
                               field="caption")
    if visibility not in transitions.VISIBILITY:
        raise ValidationFailed("Visibility is PUBLIC, FOLLOWERS or PRIVATE.", field="visibility")
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > MAX_ANCHORS:
        raise ValidationFailed(f"A video links at most {MAX_ANCHORS} products.",
                               field="product_ids")
    if shop_id is not None:
        shops.require_staff(session, user_id, shop_id)
        profile = shop_profile(session, shop_id)
        allowed = {shop_id}
    else:
        profile = user_profile(session, user_id)
        allowed = {s.id for s, _role in shops.shops_of(session, user_id)
                   if s.status == "APPROVED"}
    anchor_shop = _anchors(session, ids, allowed)
    probed = probe_video(data)
    video_id = new_id()
    storage = get_storage()
    stem = f"videos/{video_id}/{secrets.token_hex(8)}"
    storage.put(f"{stem}.{probed.container}", data, probed.content_type)
    storage.put(f"{stem}.poster.jpg", probed.poster_jpeg, "image/jpeg")
    video = Video(id=video_id, profile_id=profile.id, uploader_user_id=user_id,
                  shop_id=anchor_shop if anchor_shop is not None else shop_id,
                  caption=caption, media_key=f"{stem}.{probed.container}",
                  poster_key=f"{stem}.poster.jpg", content_type=probed.content_type,
                  size_bytes=probed.size_bytes, duration_ms=probed.duration_ms,
                  width=probed.width, height=probed.height, visibility=visibility,
                  status="PUBLISHED", view_count=0, like_count=0, comment_count=0,
                  share_count=0, created_at=clock.now())
    session.add(video)
    session.flush()
    for position, pid in enumerate(ids):
        session.add(VideoProduct(video_id=video_id, product_id=pid, position=position))
    for tag in hashtags(caption):
        session.add(VideoTag(video_id=video_id, tag=tag))
    handles = mentions(caption)
    if handles:
        for pid in session.scalars(select(Profile.id).where(Profile.handle.in_(handles))):
            session.add(VideoMention(video_id=video_id, profile_id=pid))
    session.execute(update(Profile).where(Profile.id == profile.id)
                    .values(video_count=Profile.video_count + 1))
    _history(session, "video", video_id, "status", None, "PUBLISHED", user_id)
    events.emit(session, "social.video_published",
                {"video_id": str(video_id), "profile_id": str(profile.id),
                 "product_ids": [str(p) for p in ids]})
    session.flush()
    return video


def manages(session: Session, user_id: int | None, profile: Profile) -> bool:
    """Whether the user speaks for the profile: it is theirs, or their shop's."""
    if user_id is None:
        return False
    if profile.user_id is not None:
        return profile.user_id == user_id
    return profile.shop_id is not None and \
        shops.membership(session, user_id, profile.shop_id) is not None


def can_see(session: Session, viewer: Viewer, video: Video, profile: Profile) -> bool:
    if viewer.moderator:
        return True
    owner = manages(session, viewer.user_id, profile)
    if video.status == "REMOVED" or (video.status != "PUBLISHED" and not owner):
        return False
    if owner or video.visibility == "PUBLIC":
        return True
    if video.visibility == "FOLLOWERS":
        return profile.id in follows(session, viewer.user_id, [profile.id])
    return False


def get_video(session: Session, video_id: int, viewer: Viewer) -> tuple[Video, Profile]:
    """The video and its profile, if the viewer may see it (NOT_FOUND otherwise)."""
    video = session.get(Video, video_id)
    profile = session.get(Profile, video.profile_id) if video else None
    if video is None or profile is None or not can_see(session, viewer, video, profile):
        raise NotFound("No such video.", code="VIDEO_NOT_FOUND")
    return video, profile


def _counter(session: Session, video_id: int, column: str, delta: int) -> int:
    col = getattr(Video, column)
    value = session.execute(update(Video).where(Video.id == video_id)
                            .values({column: col + delta}).returning(col)
                            .execution_options(synchronize_session=False)).scalar_one_or_none()
    if value is None:
        raise NotFound("No such video.", code="VIDEO_NOT_FOUND")
    return int(value)


def record_view(session: Session, video_id: int, viewer: Viewer) -> int:
    get_video(session, video_id, viewer)
    return _counter(session, video_id, "view_count", 1)


def like(session: Session, user_id: int, video_id: int) -> int:
    """Like a video; liking again changes nothing. The like count."""
    get_video(session, video_id, Viewer(user_id))
    try:
        with session.begin_nested():
            session.execute(insert(VideoLike).values(user_id=user_id, video_id=video_id,
                                                     created_at=clock.now()))
    except IntegrityError:
        return _counter(session, video_id, "like_count", 0)
    viewer_changes.note(session, user_id)
    return _counter(session, video_id, "like_count", 1)


def unlike(session: Session, user_id: int, video_id: int) -> int:
    gone = session.execute(delete(VideoLike).where(VideoLike.user_id == user_id,  # type: ignore[attr-defined]
                                                   VideoLike.video_id == video_id)
                           .execution_options(synchronize_session=False)).rowcount
    if gone:
        viewer_changes.note(session, user_id)
    return _counter(session, video_id, "like_count", -1 if gone else 0)


def liked(session: Session, user_id: int | None, video_ids: Sequence[int]) -> set[int]:
    if user_id is None or not video_ids:
        return set()
    return set(session.scalars(select(VideoLike.video_id).where(
        VideoLike.user_id == user_id, VideoLike.video_id.in_(list(video_ids)))))


def share(session: Session, viewer: Viewer, video_id: int, channel: str = "link") -> int:
    if channel not in SHARE_CHANNELS:
        raise ValidationFailed(f"channel is one of {', '.join(SHARE_CHANNELS)}.",
                               field="channel")
    get_video(session, video_id, viewer)
    session.add(VideoShare(id=new_id(), video_id=video_id, user_id=viewer.user_id,
                           channel=channel, created_at=clock.now()))
    return _counter(session, video_id, "share_count", 1)


def _move(session: Session, video: Video, field: str, table: dict[str, frozenset[str]],
          target: str, actor: int, reason: str) -> Video:
    current = getattr(video, field)
    if not transitions.can_move(table, current, target):
        raise Conflict(f"A {current.lower()} video cannot become {target.lower()}.",
                       code="INVALID_TRANSITION")
    col = getattr(Video, field)
    moved = session.execute(update(Video).where(Video.id == video.id, col == current)  # type: ignore[attr-defined]
                            .values({field: target})
                            .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise Conflict("The video changed meanwhile; try again.", code="CONCURRENT_CHANGE")
    _history(session, "video", video.id, field, current, target, actor, reason)
    session.refresh(video)
    return video


def set_status(session: Session, actor: Viewer, video_id: int, target: str,
               reason: str = "") -> Video:
    """Moderate a video: moderators make any allowed move; the owner may only hide their
    published video and publish it again."""
    assert actor.user_id is not None
    video = session.get(Video, video_id)
    if video is None:
        raise NotFound("No such video.", code="VIDEO_NOT_FOUND")
    profile = session.get(Profile, video.profile_id)
    assert profile is not None
    if not actor.moderator:
        if not manages(session, actor.user_id, profile):
            raise NotFound("No such video.", code="VIDEO_NOT_FOUND")
        if (video.status, target) not in transitions.OWNER_VIDEO_MOVES:
            raise Forbidden("Only moderators can make that change.", code="MODERATOR_ONLY")
    if target not in transitions.VIDEO_STATUS:
        raise ValidationFailed("Unknown status.", field="status")
    return _move(session, video, "status", transitions.VIDEO_STATUS, target, actor.user_id,
                 reason)


def set_visibility(session: Session, user_id: int, video_id: int, target: str) -> Video:
    video, profile = get_video(session, video_id, Viewer(user_id))
    if not manages(session, user_id, profile):
        raise Forbidden("Only the video's owner changes who can see it.")
    if target not in transitions.VISIBILITY:
        raise ValidationFailed("Visibility is PUBLIC, FOLLOWERS or PRIVATE.", field="visibility")
    if target == video.visibility:
        return video
    return _move(session, video, "visibility", transitions.VISIBILITY, target, user_id, "")


def history(session: Session, target_type: str, target_id: int) -> list[ModerationChange]:
    return list(session.scalars(select(ModerationChange).where(
        ModerationChange.target_type == target_type, ModerationChange.target_id == target_id)
        .order_by(ModerationChange.id)))


def anchors_of(session: Session, video_ids: Sequence[int]) -> dict[int, list[int]]:
    """The product IDs each video links, in order (one query)."""
    out: dict[int, list[int]] = {v: [] for v in video_ids}
    if video_ids:
        for row in session.execute(select(VideoProduct.video_id, VideoProduct.product_id)
                                   .where(VideoProduct.video_id.in_(list(video_ids)))
                                   .order_by(VideoProduct.video_id, VideoProduct.position)):
            out[row.video_id].append(row.product_id)
    return out


def set_anchors(session: Session, user_id: int, video_id: int,
                product_ids: Sequence[int]) -> Video:
    """Replace a video's product links (its owner only; the same rules as at upload)."""
    video, profile = get_video(session, video_id, Viewer(user_id))
    if not manages(session, user_id, profile):
        raise Forbidden("Only the video's owner links its products.")
    ids = list(dict.fromkeys(product_ids))
    if len(ids) > MAX_ANCHORS:
        raise ValidationFailed(f"A video links at most {MAX_ANCHORS} products.",
                               field="product_ids")
    allowed = {profile.shop_id} if profile.shop_id is not None else {
        s.id for s, _role in shops.shops_of(session, user_id) if s.status == "APPROVED"}
    anchor_shop = _anchors(session, ids, allowed)
    session.execute(delete(VideoProduct).where(VideoProduct.video_id == video.id))
    for position, pid in enumerate(ids):
        session.add(VideoProduct(video_id=video.id, product_id=pid, position=position))
    video.shop_id = anchor_shop if anchor_shop is not None else profile.shop_id
    events.emit(session, "social.video_products_changed",
                {"video_id": str(video.id), "product_ids": [str(p) for p in ids]})
    session.flush()
    return video
