"""What the Partner API searches share: ID and status lists, time windows, page tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from clipcart.catalog.paging import decode_token, encode_token
from clipcart.errors import ValidationFailed
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call
from clipcart.openplatform.resources.common import an_id, page_size, when


def id_list(body: dict[str, Any], name: str) -> list[int] | None:
    raw = body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) > 100:
        raise OpenError(E.INVALID_PARAMETER, f"{name} lists up to 100 IDs.")
    return [an_id(r, name) for r in raw]


def word_list(body: dict[str, Any], name: str, allowed: Sequence[str]) -> list[str] | None:
    raw = body.get(name)
    if raw is None:
        return None
    if not isinstance(raw, list) or any(r not in allowed for r in raw):
        raise OpenError(E.INVALID_PARAMETER, f"{name} lists values of {', '.join(allowed)}.")
    return [str(r) for r in raw]


def filtered(query: Select[Any], body: dict[str, Any],
             ids: Sequence[tuple[str, Any]] = (),
             words: Sequence[tuple[str, Any, Sequence[str]]] = ()) -> Select[Any]:
    """``query`` narrowed by the body's ID lists (name, column) and word lists (name,
    column, allowed values); an absent list filters nothing."""
    for name, column in ids:
        wanted = id_list(body, name)
        if wanted is not None:
            query = query.where(column.in_(wanted))
    for name, column, allowed in words:
        chosen = word_list(body, name, allowed)
        if chosen is not None:
            query = query.where(column.in_(chosen))
    return query


def page(session: Session, call: Call, query: Select[Any], model: Any,
         body: dict[str, Any], *, default_size: int = 10, max_size: int = 50,
         strict_sort: bool = True) -> tuple[list[Any], int, str]:
    """One page of ``query`` over ``model`` (with id, created_at, updated_at columns), by
    the time window in ``body`` and the page_size/page_token/sort_order in the query.
    Pages follow the id, which grows with create_time; ``strict_sort`` refuses any other
    ``sort_field`` (a search that takes one but has a single order leaves it off)."""
    size = page_size(call.int_param("page_size", default_size), max_size)
    if strict_sort and (call.param("sort_field") or "create_time") != "create_time":
        raise OpenError(E.INVALID_PARAMETER, "sort_field is create_time.")
    ascending = (call.param("sort_order") or "DESC").upper() == "ASC"
    try:
        after = decode_token(call.param("page_token"))
    except ValidationFailed:
        raise OpenError(E.INVALID_PARAMETER, "page_token is not one this search gave.") from None
    column: InstrumentedAttribute[Any]
    for name, column, lower in (("create_time_ge", model.created_at, True),
                                ("create_time_lt", model.created_at, False),
                                ("update_time_ge", model.updated_at, True),
                                ("update_time_lt", model.updated_at, False)):
        moment = when(body, name)
        if moment is not None:
            query = query.where(column >= moment if lower else column < moment)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    if after is not None:
        query = query.where(model.id > after if ascending else model.id < after)
    rows = list(session.execute(query.order_by(model.id.asc() if ascending
                                               else model.id.desc()).limit(size + 1)).scalars())
    more, rows = len(rows) > size, rows[:size]
    return rows, int(total), encode_token(rows[-1].id) if more else ""
