"""Threaded comments on videos (replies one level deep, as in the apps) and their
moderation: the video's owner or a moderator hides and shows comments; the author, the
owner or a moderator deletes them. ``comment_count`` counts the visible ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clipcart import clock, events
from clipcart.catalog.paging import Page, decode_token, encode_token, page_size_of
from clipcart.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clipcart.identity.models import User
from clipcart.ids import new_id
from clipcart.social import transitions
from clipcart.social.models import Comment, Profile, Video
from clipcart.social.profiles import blocked_user_ids, is_blocked
from clipcart.social.videos import Viewer, _counter, _history, get_video, manages

BODY_MAX = 500


@dataclass(frozen=True)
class CommentView:
    id: int
    video_id: int
    parent_id: int | None
    author_id: int
    author_handle: str
    author_name: str
    body: str
    status: str
    reply_count: int
    created_at: str
    replies: list[CommentView]

    def as_json(self) -> dict[str, object]:
        return {"id": str(self.id), "video_id": str(self.video_id),
                "parent_id": str(self.parent_id) if self.parent_id else None,
                "author": {"id": str(self.author_id), "handle": self.author_handle,
                           "display_name": self.author_name},
                "body": self.body, "status": self.status, "reply_count": self.reply_count,
                "created_at": self.created_at, "replies": [r.as_json() for r in self.replies]}


def add_comment(session: Session, user_id: int, video_id: int, body: str,
                parent_id: int | None = None) -> Comment:
    video, profile = get_video(session, video_id, Viewer(user_id))
    if video.status != "PUBLISHED":
        raise Conflict("Comments are closed on this video.", code="COMMENTS_CLOSED")
    if profile.user_id is not None and is_blocked(session, profile.user_id, user_id):
        raise Forbidden("You cannot comment on this account's videos.", code="BLOCKED")
    text = body.strip()
    if not 1 <= len(text) <= BODY_MAX:
        raise ValidationFailed(f"Comments are 1 to {BODY_MAX} characters.", field="body")
    root: int | None = None
    if parent_id is not None:
        parent = session.get(Comment, parent_id)
        if parent is None or parent.video_id != video_id or parent.status != "VISIBLE":
            raise ValidationFailed("That comment cannot be answered.", field="parent_id")
        root = parent.parent_id or parent.id  # replies to replies join the same thread
    comment = Comment(id=new_id(), video_id=video_id, author_user_id=user_id, parent_id=root,
                      body=text, status="VISIBLE", reply_count=0, created_at=clock.now())
    session.add(comment)
    session.flush()
    if root is not None:
        session.execute(update(Comment).where(Comment.id == root)
                        .values(reply_count=Comment.reply_count + 1))
    _counter(session, video_id, "comment_count", 1)
    events.emit(session, "social.commented", {"comment_id": str(comment.id),
                                              "video_id": str(video_id)})
    return comment


def _views(session: Session, rows: list[Comment]) -> dict[int, tuple[str, str]]:
    ids = {c.author_user_id for c in rows}
    if not ids:
        return {}
    return {r.id: (r.handle, r.display_name) for r in session.execute(
        select(User.id, User.handle, User.display_name).where(User.id.in_(ids)))}


def _view(c: Comment, authors: dict[int, tuple[str, str]],
          replies: list[CommentView] | None = None) -> CommentView:
    handle, name = authors.get(c.author_user_id, ("", ""))
    return CommentView(c.id, c.video_id, c.parent_id, c.author_user_id, handle, name, c.body,
                       c.status, c.reply_count, c.created_at.isoformat(), replies or [])


def list_comments(session: Session, video_id: int, viewer: Viewer, *, page_size: int = 20,
                  page_token: str | None = None, replies_per_thread: int = 20,
                  include_hidden: bool = False) -> Page[CommentView]:
    """Top-level comments, newest first, each with its first replies (three queries).
    Hidden ones only for the video's owner or moderators (``include_hidden``); comments
    by people the viewer blocked are left out."""
    _video, profile = get_video(session, video_id, viewer)
    statuses = ["VISIBLE"]
    if include_hidden and (viewer.moderator or manages(session, viewer.user_id, profile)):
        statuses.append("HIDDEN")
    blocked = blocked_user_ids(session, viewer.user_id)
    size = page_size_of(page_size)
    query = (select(Comment).where(Comment.video_id == video_id, Comment.parent_id.is_(None),
                                   Comment.status.in_(statuses))
             .order_by(Comment.id.desc()).limit(size + 1))
    after = decode_token(page_token)
    if after is not None:
        query = query.where(Comment.id < after)
    tops = [c for c in session.scalars(query)]
    more = len(tops) > size
    tops = tops[:size]
    reply_rows = list(session.scalars(
        select(Comment).where(Comment.parent_id.in_([c.id for c in tops]),
                              Comment.status.in_(statuses)).order_by(Comment.id))) if tops else []
    authors = _views(session, tops + reply_rows)
    threads: dict[int, list[CommentView]] = {c.id: [] for c in tops}
    for r in reply_rows:
        if r.author_user_id not in blocked and len(threads[r.parent_id or 0]) < \
                replies_per_thread:
            threads[r.parent_id or 0].append(_view(r, authors))
    views = [_view(c, authors, threads[c.id]) for c in tops if c.author_user_id not in blocked]
    return Page(views, encode_token(tops[-1].id) if more and tops else None)


def set_comment_status(session: Session, actor: Viewer, comment_id: int,
                       target: str, reason: str = "") -> Comment:
    assert actor.user_id is not None
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.", code="COMMENT_NOT_FOUND")
    video = session.get(Video, comment.video_id)
    profile = session.get(Profile, video.profile_id) if video else None
    assert profile is not None
    owner = manages(session, actor.user_id, profile)
    author = comment.author_user_id == actor.user_id
    allowed = actor.moderator or owner or (author and target == "DELETED")
    if not allowed:
        raise Forbidden("Only the video's owner or a moderator can do that.",
                        code="NOT_MODERATOR")
    if target not in transitions.COMMENT_STATUS:
        raise ValidationFailed("Status is VISIBLE, HIDDEN or DELETED.", field="status")
    current = comment.status
    if not transitions.can_move(transitions.COMMENT_STATUS, current, target):
        raise Conflict(f"A {current.lower()} comment cannot become {target.lower()}.",
                       code="INVALID_TRANSITION")
    moved = session.execute(update(Comment).where(Comment.id == comment_id,  # type: ignore[attr-defined]
                                                  Comment.status == current)
                            .values(status=target)
                            .execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise Conflict("The comment changed meanwhile; try again.", code="CONCURRENT_CHANGE")
    if current == "VISIBLE" or target == "VISIBLE":
        delta = -1 if current == "VISIBLE" else 1
        _counter(session, comment.video_id, "comment_count", delta)
        if comment.parent_id is not None:
            session.execute(update(Comment).where(Comment.id == comment.parent_id)
                            .values(reply_count=Comment.reply_count + delta))
    _history(session, "comment", comment_id, "status", current, target, actor.user_id, reason)
    session.refresh(comment)
    return comment


def moderation_queue(session: Session, profile_ids: list[int], limit: int = 50
                     ) -> list[tuple[CommentView, Video]]:
    """Latest comments (visible and hidden) on these profiles' videos, for their owners."""
    if not profile_ids:
        return []
    rows = session.execute(select(Comment, Video).join(Video, Video.id == Comment.video_id)
                           .where(Video.profile_id.in_(profile_ids),
                                  Comment.status.in_(["VISIBLE", "HIDDEN"]))
                           .order_by(Comment.id.desc()).limit(limit)).all()
    authors = _views(session, [r[0] for r in rows])
    return [(_view(c, authors), v) for c, v in rows]
