"""What others read of social, each in a constant number of queries: feed cards, a video
with its product links, a profile's videos, a profile's header."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from clipcart.catalog.models import Product, ProductRevision
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.media import media_url
from clipcart.social.models import Profile, Video, VideoMention, VideoProduct, VideoTag
from clipcart.social.products import ProductCard, live_cards, product_card, product_columns
from clipcart.social.profiles import follows
from clipcart.social.videos import Viewer, liked, manages


def product_url(product_id: int, source_type: str, source_id: int) -> str:
    """The product page, carrying where the buyer came from into the cart line."""
    return f"/products/{product_id}?source={source_type}&source_id={source_id}"


def _anchors(session: Session, video_ids: Sequence[int]) -> dict[int, list[ProductCard]]:
    rows = session.execute(select(VideoProduct.video_id, VideoProduct.product_id)
                           .where(VideoProduct.video_id.in_(list(video_ids)))
                           .order_by(VideoProduct.video_id, VideoProduct.position)).all()
    cards = live_cards(session, [r.product_id for r in rows])
    out: dict[int, list[ProductCard]] = {v: [] for v in video_ids}
    for r in rows:
        if r.product_id in cards:
            out[r.video_id].append(cards[r.product_id])
    return out


@functools.cache
def _cards_query() -> Any:
    """Built once (the IDs are an expanding parameter): building it cost more than running it."""
    return (select(Video.id, Video.profile_id, Video.caption, Video.poster_key, Video.media_key,
                   Video.like_count, Video.comment_count, Profile.handle, Profile.display_name,
                   Profile.avatar_key, *product_columns())
            .join(Profile, Profile.id == Video.profile_id)
            .outerjoin(VideoProduct, VideoProduct.video_id == Video.id)
            .outerjoin(Product, and_(Product.id == VideoProduct.product_id,
                                     Product.visible.is_(True)))
            .outerjoin(ProductRevision, ProductRevision.id == Product.live_revision_id)
            .where(Video.id.in_(bindparam("video_ids", expanding=True)),
                   Video.status == "PUBLISHED", Video.visibility == "PUBLIC")
            .order_by(Video.id, VideoProduct.position))


def video_cards(session: Session, video_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Feed items for published public videos, in the order given (others are left out):
    ``{type: "video", id, creator: {id, handle}, caption, poster_url, media_url,
    products: [{id, title, price}]}``. One query of plain rows, whatever the number of
    videos: a row per (video, anchored product), the product's columns empty when the video
    has none or the product is not live."""
    if not video_ids:
        return []
    rows = session.execute(_cards_query(), {"video_ids": list(video_ids)}).all()
    items: dict[int, dict[str, Any]] = {}
    for r in rows:
        item = items.get(r.id)
        if item is None:
            item = items[r.id] = {
                "type": "video", "id": str(r.id),
                "creator": {"id": str(r.profile_id), "handle": r.handle,
                            "display_name": r.display_name, "avatar_url": media_url(r.avatar_key)},
                "caption": r.caption, "poster_url": media_url(r.poster_key),
                "media_url": media_url(r.media_key),
                "like_count": r.like_count, "comment_count": r.comment_count, "products": []}
        if r.title is not None:  # an anchored product that is live
            c = product_card(r)
            item["products"].append({"id": str(c.id), "title": c.title,
                                     "price": c.price_json(), "image_url": c.image_url,
                                     "url": product_url(c.id, "video", r.id)})
    return [items[v] for v in video_ids if v in items]


def video_json(session: Session, video: Video, profile: Profile,
               viewer: Viewer) -> dict[str, Any]:
    """The API's video: media, counts, tags, mentions and its product links."""
    anchors = _anchors(session, [video.id])[video.id]
    tags = list(session.scalars(select(VideoTag.tag).where(VideoTag.video_id == video.id)
                                .order_by(VideoTag.tag)))
    mentioned = session.execute(select(Profile.id, Profile.handle).join(
        VideoMention, VideoMention.profile_id == Profile.id)
        .where(VideoMention.video_id == video.id).order_by(Profile.handle)).all()
    return {
        "id": str(video.id),
        "creator": {"id": str(profile.id), "handle": profile.handle,
                    "display_name": profile.display_name, "kind": profile.kind,
                    "avatar_url": media_url(profile.avatar_key)},
        "caption": video.caption, "hashtags": tags,
        "mentions": [{"id": str(m.id), "handle": m.handle} for m in mentioned],
        "media_url": media_url(video.media_key), "poster_url": media_url(video.poster_key),
        "content_type": video.content_type, "duration_ms": video.duration_ms,
        "width": video.width, "height": video.height,
        "visibility": video.visibility, "status": video.status,
        "view_count": video.view_count, "like_count": video.like_count,
        "comment_count": video.comment_count, "share_count": video.share_count,
        "liked": video.id in liked(session, viewer.user_id, [video.id]),
        "products": [{"id": str(c.id), "title": c.title, "price": c.price_json(),
                      "price_text": c.price_text(),
                      "image_url": c.image_url, "shop_id": str(c.shop_id),
                      "url": product_url(c.id, "video", video.id),
                      "source": {"type": "video", "id": str(video.id)}} for c in anchors],
        "created_at": video.created_at.isoformat(),
    }


def profile_videos(session: Session, profile: Profile, viewer: Viewer, *,
                   page_size: int = 24, page_token: str | None = None) -> Page[Video]:
    """A profile's videos the viewer may see, newest first (one or two queries)."""
    size = page_size_of(page_size)
    query = select(Video).where(Video.profile_id == profile.id).order_by(Video.id.desc())
    if not (viewer.moderator or manages(session, viewer.user_id, profile)):
        allowed = ["PUBLIC"]
        if profile.id in follows(session, viewer.user_id, [profile.id]):
            allowed.append("FOLLOWERS")
        query = query.where(Video.status == "PUBLISHED", Video.visibility.in_(allowed))
    elif not viewer.moderator:
        query = query.where(Video.status != "REMOVED")
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Video.id < after)
    rows = list(session.scalars(query.limit(size + 1)))
    return Page(rows[:size], encode_token(rows[size - 1].id) if len(rows) > size else None)


def profile_json(session: Session, profile: Profile, viewer: Viewer) -> dict[str, Any]:
    return {"id": str(profile.id), "kind": profile.kind, "handle": profile.handle,
            "display_name": profile.display_name, "bio": profile.bio,
            "avatar_url": media_url(profile.avatar_key),
            "shop_id": str(profile.shop_id) if profile.shop_id else None,
            "follower_count": profile.follower_count,
            "following_count": profile.following_count,
            "video_count": profile.video_count,
            "following": profile.id in follows(session, viewer.user_id, [profile.id]),
            "is_me": manages(session, viewer.user_id, profile)}


def video_summary(video: Video) -> dict[str, Any]:
    return {"id": str(video.id), "caption": video.caption,
            "poster_url": media_url(video.poster_key), "media_url": media_url(video.media_key),
            "view_count": video.view_count, "like_count": video.like_count,
            "status": video.status, "visibility": video.visibility}
