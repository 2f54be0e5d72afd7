"""Moderators' side of reports: what was reported, and acting on it (remove a video, hide
or delete a comment, or keep it) — which closes every open report on that target."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from clipcart.errors import NotFound, ValidationFailed
from clipcart.social.comments import set_comment_status
from clipcart.social.models import Comment, Profile, Report, Video
from clipcart.social.videos import Viewer, set_status

ACTIONS = {"video": ("REMOVED", "keep"), "comment": ("HIDDEN", "DELETED", "keep"),
           "profile": ("keep",)}


@dataclass(frozen=True)
class ReportView:
    id: int
    target_type: str
    target_id: int
    reason: str
    reports: int  # open reports on the same target
    title: str
    href: str | None
    state: str | None


def open_report_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(Report)
                               .where(Report.status == "OPEN")).scalar_one())


def report_queue(session: Session, limit: int = 50) -> list[ReportView]:
    """The oldest open report of each reported target, with what it points at."""
    rows = session.execute(
        select(Report.target_type, Report.target_id, func.min(Report.id), func.count())
        .where(Report.status == "OPEN").group_by(Report.target_type, Report.target_id)
        .order_by(func.min(Report.id)).limit(limit)).all()
    firsts = {r.id: r for r in session.scalars(select(Report).where(
        Report.id.in_([row[2] for row in rows])))} if rows else {}
    videos = {v.id: v for v in session.scalars(select(Video).where(Video.id.in_(
        [row[1] for row in rows if row[0] == "video"])))}
    comments = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(
        [row[1] for row in rows if row[0] == "comment"])))}
    profiles = {p.id: p for p in session.scalars(select(Profile).where(Profile.id.in_(
        [row[1] for row in rows if row[0] == "profile"])))}
    out = []
    for target_type, target_id, first_id, count in rows:
        title, href, state = "(gone)", None, None
        if target_type == "video" and target_id in videos:
            v = videos[target_id]
            title, href, state = v.caption[:120] or "Untitled video", f"/videos/{v.id}", v.status
        elif target_type == "comment" and target_id in comments:
            c = comments[target_id]
            title, href, state = c.body, f"/videos/{c.video_id}#c{c.id}", c.status
        elif target_type == "profile" and target_id in profiles:
            p = profiles[target_id]
            title, href = f"@{p.handle} ({p.display_name})", f"/@{p.handle}"
        out.append(ReportView(first_id, target_type, target_id, firsts[first_id].reason,
                              int(count), title, href, state))
    return out


def act_on_report(session: Session, operator_id: int, report_id: int, action: str) -> None:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("No such report.")
    if action not in ACTIONS[report.target_type]:
        raise ValidationFailed(f"Choose one of {', '.join(ACTIONS[report.target_type])}.",
                               field="action")
    moderator = Viewer(operator_id, moderator=True)
    if action != "keep" and report.target_type == "video":
        video = session.get(Video, report.target_id)
        if video is not None and video.status != action:
            set_status(session, moderator, video.id, action, f"report {report.id}")
    elif action != "keep" and report.target_type == "comment":
        comment = session.get(Comment, report.target_id)
        if comment is not None and comment.status != action and comment.status != "DELETED":
            set_comment_status(session, moderator, comment.id, action, f"report {report.id}")
    session.execute(update(Report).where(Report.target_type == report.target_type,
                                         Report.target_id == report.target_id,
                                         Report.status == "OPEN").values(status="RESOLVED"))
