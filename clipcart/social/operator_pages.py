"""Operator console: reported videos, comments and profiles, and acting on them."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from clipcart.db import transaction
from clipcart.errors import NotFound
from clipcart.ids import parse_id
from clipcart.social import moderation
from clipcart.social.pages import Form
from clipcart.web.auth import CurrentUser, requires_role
from clipcart.web.operator import Console, register_console

register_console(Console("Reports", "/operator/reports",
                         "Videos, comments and accounts people reported.",
                         moderation.open_report_count, "open"))


@get("/reports", sync_to_thread=True)
def reports_page() -> Template:
    with transaction() as session:
        queue = moderation.report_queue(session)
    return Template("social/operator_reports.html", context={"queue": queue})


@post("/reports/{report_id:str}", sync_to_thread=True)
def report_action(request: Request[CurrentUser, Any, Any], report_id: FromPath[str],
                  data: Form) -> Redirect:
    rid = parse_id(report_id)
    if rid is None:
        raise NotFound("No such report.")
    with transaction() as session:
        moderation.act_on_report(session, request.user.id, rid, data.get("action", ""))
    return Redirect("/operator/reports")


router = Router(path="/operator", guards=[requires_role("operator")], include_in_schema=False,
                route_handlers=[reports_page, report_action])
