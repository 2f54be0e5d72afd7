"""Seller finance over JSON: balances, statements, payouts (bearer; shop staff only, and
owners or managers to move money)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.orm import Session

from clipcart import idempotency
from clipcart.catalog.paging import decode_token, encode_token, page_size_of
from clipcart.db import transaction
from clipcart.errors import NotFound, ValidationFailed
from clipcart.finance import payouts, service, statements, views
from clipcart.ids import parse_id
from clipcart.money import Money, MoneyError
from clipcart.shops import service as shops
from clipcart.shops.models import Shop
from clipcart.web.auth import CurrentUser, requires_user

BASE = "/seller/shops/{shop_id:str}/finance"


class PayoutBody(msgspec.Struct, forbid_unknown_fields=True):
    amount: Annotated[str, msgspec.Meta(max_length=30)] | None = None


def open_shop(session: Session, user_id: int, raw: str, managers: bool = False) -> Shop:
    shop_id = parse_id(raw)
    if shop_id is None:
        raise NotFound("No such shop.")
    return shops.require_staff(session, user_id, shop_id,
                               shops.MANAGERS if managers else shops.ALL_STAFF)


def parse_amount(raw: str | None, currency: str) -> Money | None:
    if raw is None or not raw.strip():
        return None
    try:
        amount = Money.parse(raw, currency)
    except MoneyError as exc:
        raise ValidationFailed(str(exc), field="amount") from None
    if amount.minor <= 0:
        raise ValidationFailed("A payout amount is positive.", field="amount")
    return amount


@get(BASE, sync_to_thread=True, guards=[requires_user])
def finance_summary(shop_id: FromPath[str], request: Request[CurrentUser, Any, Any]
                    ) -> dict[str, Any]:
    with transaction() as session:
        shop = open_shop(session, request.user.id, shop_id)
        found = service.balances(session, shop)
        return {"pending_balance": found.pending.as_json(),
                "available_balance": found.available.as_json(),
                "balance": found.balance.as_json()}


@get(BASE + "/statements", sync_to_thread=True, guards=[requires_user])
def list_statements(shop_id: FromPath[str], request: Request[CurrentUser, Any, Any],
                    page_size: FromQuery[int | None] = None,
                    page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    """Newest day first; keyset by day."""
    size = page_size_of(page_size)
    last = decode_token(page_token)
    with transaction() as session:
        shop = open_shop(session, request.user.id, shop_id)
        rows = statements.statements_of(
            session, shop.id, date.fromordinal(last) if last else None, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        status = statements.payment_statuses(session, shop, rows)
        return {"statements": [views.statement_json(r, status[r.id]) for r in rows],
                "next_page_token": encode_token(rows[-1].statement_date.toordinal())
                if more else None}


@get(BASE + "/statements/{statement_id:str}", sync_to_thread=True, guards=[requires_user])
def get_statement(shop_id: FromPath[str], statement_id: FromPath[str],
                  request: Request[CurrentUser, Any, Any]) -> dict[str, Any]:
    with transaction() as session:
        shop = open_shop(session, request.user.id, shop_id)
        sid = parse_id(statement_id)
        row = statements.get_statement(session, shop.id, sid) if sid else None
        if row is None:
            raise NotFound("No such statement.")
        status = statements.payment_statuses(session, shop, [row])[row.id]
        return views.day_json(row, status,
                              statements.build_day(session, shop, row.statement_date))


@get(BASE + "/payouts", sync_to_thread=True, guards=[requires_user])
def list_payouts(shop_id: FromPath[str], request: Request[CurrentUser, Any, Any],
                 page_size: FromQuery[int | None] = None,
                 page_token: FromQuery[str | None] = None) -> dict[str, Any]:
    """Newest first; keyset by payout id."""
    size = page_size_of(page_size)
    with transaction() as session:
        shop = open_shop(session, request.user.id, shop_id)
        rows = payouts.payouts_of(session, shop.id, decode_token(page_token), size + 1)
        more = len(rows) > size
        rows = rows[:size]
        return {"payouts": [views.payout_json(p) for p in rows],
                "next_page_token": encode_token(rows[-1].id) if more else None}


@post(BASE + "/payouts", sync_to_thread=True, guards=[requires_user],
      description="Ask for a payout of ``amount`` (default: the whole available balance). "
                  "Requires Idempotency-Key: a retry returns the first answer.")
def request_payout(shop_id: FromPath[str], data: JSONBody[PayoutBody],
                   request: Request[CurrentUser, Any, Any]) -> Response[dict[str, Any]]:
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    if key is None:
        raise ValidationFailed("A payout request needs an Idempotency-Key header.",
                               field="Idempotency-Key")
    with transaction() as session:
        shop = open_shop(session, request.user.id, shop_id, managers=True)
        scope = f"finance-payout:{shop.id}"
        stored = idempotency.claim(session, scope, key, {"amount": data.amount})
        if stored is not None:
            return Response(stored.body, status_code=stored.status_code)
        payout = payouts.request_payout(session, shop, key=key,
                                        amount=parse_amount(data.amount, shop.currency))
        answer = views.payout_json(payout)
        idempotency.remember(session, scope, key, 201, answer)
    from clipcart.db import get_database

    payouts.run_payout(get_database(), int(answer["id"]))
    return Response(answer, status_code=201)


router = Router(path="/", route_handlers=[finance_summary, list_statements, get_statement,
                                          list_payouts, request_payout])
