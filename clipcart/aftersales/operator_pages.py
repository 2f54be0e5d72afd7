"""Operator console: escalated returns waiting for a decision, and the decision."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, Router, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from clipcart.aftersales import queries, service
from clipcart.aftersales.page_helpers import common, ident
from clipcart.db import transaction
from clipcart.errors import DomainError, NotFound
from clipcart.web.auth import CurrentUser, requires_role
from clipcart.web.operator import Console, register_console

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]

register_console(Console("Return disputes", "/operator/disputes",
                         "Decide rejected returns that buyers escalated.",
                         queries.waiting_disputes, "waiting for a decision"))


@get("/", sync_to_thread=True)
def disputes(tab: FromQuery[str] = "waiting", page_token: FromQuery[str | None] = None
             ) -> Template:
    key = "decided" if tab == "decided" else "waiting"
    with transaction() as session:
        page = queries.disputes(session, decided=key == "decided", page_token=page_token)
    return Template("aftersales/disputes.html", context=common(page=page, tab=key))


def _detail(return_id: int, *, error: str | None = None, status_code: int = 200) -> Template:
    with transaction() as session:
        d = queries.detail(session, service.get(session, return_id))
    if d.row.req.arbitration_status is None:
        raise NotFound("No such dispute.")
    return Template("aftersales/dispute.html", status_code=status_code,
                    context=common(d=d, error=error))


@get("/{return_id:str}", sync_to_thread=True)
def dispute(return_id: FromPath[str]) -> Template:
    return _detail(ident(return_id, "dispute"))


@post("/{return_id:str}/decide", sync_to_thread=True)
def decide(request: Request[CurrentUser, Any, Any], return_id: FromPath[str],
           data: Form) -> Response[Any]:
    rid = ident(return_id, "dispute")
    try:
        with transaction() as session:
            service.arbitrate(session, rid, operator_id=request.user.id,
                              decision=data.get("decision", ""),
                              note=data.get("note", "")[:1000])
    except NotFound:
        raise
    except DomainError as exc:
        return _detail(rid, error=exc.detail, status_code=exc.status)
    return Redirect(f"/operator/disputes/{rid}")


router = Router(path="/operator/disputes", guards=[requires_role("operator")],
                route_handlers=[disputes, dispute, decide], include_in_schema=False)
