"""Search beyond products: videos (every word in the caption or its hashtags), creators
(handle or name), hashtags (by prefix, most used first), and hashtag pages.

Videos come from ``feed_items`` (published, public, in the viewer's market) and rank by
their feed key; creators by followers. Each list is one query and pages by keyset.
Words are matched with escaped ``LIKE``: the caption index of a video feed is small next
to the catalog's, and handles and tags are short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from clipcart.catalog.paging import Page, page_size_of
from clipcart.discovery.backends import MAX_TERMS, terms_of
from clipcart.discovery.feed import Ranked, cards
from clipcart.discovery.feed_models import FeedItem
from clipcart.discovery.search import decode_cursor, encode_cursor
from clipcart.errors import ValidationFailed
from clipcart.media import media_url
from clipcart.social.models import Profile, Video, VideoTag

TAG_MAX = 100


def normal_tag(raw: str) -> str:
    tag = raw.strip().lstrip("#").casefold()
    if not tag or len(tag) > TAG_MAX or not all(c.isalnum() or c == "_" for c in tag):
        raise ValidationFailed("A hashtag is letters, digits and underscores.", field="tag")
    return tag


def _video_page(session: Session, condition: Any, market_code: str, size: int,
                page_token: str | None) -> Page[dict[str, Any]]:
    after = decode_cursor(page_token)
    query = (select(FeedItem.id, FeedItem.profile_id, FeedItem.score)
             .where(FeedItem.market == market_code.upper(), FeedItem.kind == "video", condition))
    if after is not None:
        query = query.where(or_(FeedItem.score < after[0],
                                and_(FeedItem.score == after[0], FeedItem.id < after[1])))
    rows = session.execute(query.order_by(FeedItem.score.desc(), FeedItem.id.desc())
                           .limit(size + 1)).all()
    ranked = [Ranked(r.id, "video", r.profile_id, r.score) for r in rows[:size]]
    token = encode_cursor(ranked[-1].key, ranked[-1].id) if len(rows) > size else None
    return Page(cards(session, ranked), token)


def search_videos(session: Session, market_code: str, text: str, *, page_size: int = 20,
                  page_token: str | None = None) -> Page[dict[str, Any]]:
    """Videos whose caption or hashtags hold every word (as a prefix for tags)."""
    size = page_size_of(page_size)
    terms = terms_of(text)
    if not terms:
        return Page([], None)
    conditions = []
    for term in terms:
        conditions.append(or_(
            exists(select(Video.id).where(Video.id == FeedItem.id,
                                          Video.caption.icontains(term, autoescape=True))),
            exists(select(VideoTag.video_id).where(
                VideoTag.video_id == FeedItem.id,
                VideoTag.tag.startswith(term, autoescape=True)))))
    return _video_page(session, and_(*conditions), market_code, size, page_token)


def hashtag_videos(session: Session, market_code: str, tag: str, *, page_size: int = 20,
                   page_token: str | None = None) -> Page[dict[str, Any]]:
    """A hashtag page: the market's videos with the tag, best first."""
    size = page_size_of(page_size)
    tagged = exists(select(VideoTag.video_id).where(VideoTag.video_id == FeedItem.id,
                                                    VideoTag.tag == normal_tag(tag)))
    return _video_page(session, tagged, market_code, size, page_token)


@dataclass(frozen=True)
class TagCount:
    tag: str
    videos: int


def search_hashtags(session: Session, market_code: str, text: str,
                    limit: int = 20) -> list[TagCount]:
    """Tags of the market's videos starting with the first word, most used first."""
    terms = terms_of(text.replace("#", " "))
    if not terms:
        return []
    count = func.count(VideoTag.video_id)
    rows = session.execute(
        select(VideoTag.tag, count.label("n"))
        .join(FeedItem, FeedItem.id == VideoTag.video_id)
        .where(FeedItem.market == market_code.upper(),
               VideoTag.tag.startswith(terms[0], autoescape=True))
        .group_by(VideoTag.tag).order_by(count.desc(), VideoTag.tag).limit(limit)).all()
    return [TagCount(r.tag, int(r.n)) for r in rows]


def tag_count(session: Session, market_code: str, tag: str) -> int:
    return int(session.scalar(
        select(func.count()).select_from(VideoTag)
        .join(FeedItem, FeedItem.id == VideoTag.video_id)
        .where(FeedItem.market == market_code.upper(), VideoTag.tag == normal_tag(tag))) or 0)


def search_creators(session: Session, text: str, *, page_size: int = 20,
                    page_token: str | None = None) -> Page[dict[str, Any]]:
    """Profiles whose handle or display name holds every word; most followed first."""
    size = page_size_of(page_size)
    words = text.replace("@", " ").split()[:MAX_TERMS]
    if not words:
        return Page([], None)
    query = select(Profile).where(*[or_(Profile.handle.icontains(w, autoescape=True),
                                        Profile.display_name.icontains(w, autoescape=True))
                                    for w in words])
    after = decode_cursor(page_token)
    if after is not None:
        query = query.where(or_(Profile.follower_count < after[0],
                                and_(Profile.follower_count == after[0],
                                     Profile.id < after[1])))
    rows = list(session.scalars(query.order_by(Profile.follower_count.desc(),
                                               Profile.id.desc()).limit(size + 1)))
    found = [{"id": str(p.id), "handle": p.handle, "display_name": p.display_name,
              "kind": p.kind, "avatar_url": media_url(p.avatar_key),
              "follower_count": p.follower_count, "video_count": p.video_count}
             for p in rows[:size]]
    token = encode_cursor(rows[size - 1].follower_count, rows[size - 1].id) \
        if len(rows) > size else None
    return Page(found, token)
