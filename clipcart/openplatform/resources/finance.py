"""Finance: daily statements and their transactions, and an order's transactions, from the
statements and settlements finance keeps (clipcart/finance).

A statement's ``settlement_amount`` is what the day's orders, refunds and adjustments moved
on the seller's balance (payouts are ``payments``): revenue + fee + adjustment == settlement.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from clipcart.catalog.paging import decode_token, encode_token
from clipcart.errors import ValidationFailed
from clipcart.finance import statements as days
from clipcart.finance.models import Settlement, SettlementLine, Statement
from clipcart.openplatform import errors as E
from clipcart.openplatform.errors import OpenError
from clipcart.openplatform.gateway import Call, partner
from clipcart.openplatform.resources.common import amount, an_id, page_size, unix
from clipcart.orders.models import Order, OrderLine
from clipcart.shops.models import Shop

SCOPE = "seller.finance.info"
PAYMENT_STATUS = {"PAID": "PAID", "NOT_PAID": "PROCESSING", "NOTHING_TO_PAY": "PAID"}
MONEY_MOVES = ("ORDER", "REFUND", "ADJUSTMENT")  # payouts are listed by /payments


def token(call: Call) -> int | None:
    try:
        return decode_token(call.param("page_token"))
    except ValidationFailed:
        raise OpenError(E.INVALID_PARAMETER, "page_token is not one this list gave.") from None


def ascending(call: Call, field: str) -> bool:
    if (call.param("sort_field") or field) != field:
        raise OpenError(E.INVALID_PARAMETER, f"sort_field is {field}.")
    order = (call.param("sort_order") or "DESC").upper()
    if order not in ("ASC", "DESC"):
        raise OpenError(E.INVALID_PARAMETER, "sort_order is ASC or DESC.")
    return order == "ASC"


def _statement_json(shop: Shop, row: Statement, status: str) -> dict[str, Any]:
    money = lambda minor: amount(minor, row.currency, shop.market)  # noqa: E731
    revenue = row.revenue_minor + row.refund_minor
    return {"id": str(row.id), "statement_time": unix(days.day_bounds(shop.market,
                                                                       row.statement_date)[0]),
            "currency": row.currency, "revenue_amount": money(revenue),
            "net_sales_amount": money(revenue), "fee_amount": money(row.fee_minor + row.tax_minor),
            "adjustment_amount": money(row.adjustment_minor), "shipping_cost_amount": money(0),
            "settlement_amount": money(row.settlement_minor - row.payout_minor),
            "payment_status": PAYMENT_STATUS[status], "payment_id": "", "payment_time": 0}


@partner("GET", "finance", "statements", scope=SCOPE, summary="Get statements")
def get_statements(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    size = page_size(call.int_param("page_size", 20))
    asc = ascending(call, "statement_time")
    wanted = call.param("payment_status")
    if wanted is not None and wanted not in ("PAID", "FAILED", "PROCESSING"):
        raise OpenError(E.INVALID_PARAMETER, "payment_status is PAID, FAILED or PROCESSING.")
    ge, lt = call.int_param("statement_time_ge", 0), call.int_param("statement_time_lt", 0)
    cursor = token(call)
    last = session.get(Statement, cursor) if cursor is not None else None
    if cursor is not None and (last is None or last.shop_id != shop.id):
        raise OpenError(E.INVALID_PARAMETER, "page_token is not one this list gave.")
    order = ((Statement.statement_date.asc(), Statement.id.asc()) if asc
             else (Statement.statement_date.desc(), Statement.id.desc()))
    found: list[tuple[Statement, str]] = []
    while len(found) <= size:
        query = select(Statement).where(Statement.shop_id == shop.id)
        if last is not None:
            before = (Statement.statement_date > last.statement_date) if asc \
                else (Statement.statement_date < last.statement_date)
            tie = (Statement.id > last.id) if asc else (Statement.id < last.id)
            query = query.where(or_(before, and_(Statement.statement_date ==
                                                 last.statement_date, tie)))
        batch = list(session.execute(query.order_by(*order).limit(size + 1)).scalars())
        if not batch:
            break
        statuses = days.payment_statuses(session, shop, batch)
        for row in batch:
            start = unix(days.day_bounds(shop.market, row.statement_date)[0])
            status = PAYMENT_STATUS[statuses[row.id]]
            if (start >= ge and (not lt or start < lt)
                    and (wanted is None or status == wanted)):
                found.append((row, statuses[row.id]))
        last = batch[-1]
    more, found = len(found) > size, found[:size]
    return {"statements": [_statement_json(shop, row, status) for row, status in found],
            "next_page_token": encode_token(found[-1][0].id) if more else ""}


def _created(session: Session, order_ids: set[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    return {oid: unix(at) for oid, at in session.execute(
        select(Order.id, Order.created_at).where(Order.id.in_(order_ids))).all()}


@partner("GET", "finance", "statements/{statement_id:str}/statement_transactions", scope=SCOPE,
         summary="Get a statement's transactions")
def statement_transactions(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    row = days.get_statement(session, shop.id, an_id(call.path_params.get("statement_id"),
                                                     "statement_id"))
    if row is None:
        raise OpenError(E.NOT_FOUND, "No such statement.")
    size = page_size(call.int_param("page_size", 20))
    asc = ascending(call, "order_create_time")
    start = token(call) or 0
    day = days.build_day(session, shop, row.statement_date)
    moves = [tx for tx in day.transactions if tx.type in MONEY_MOVES]
    moves = moves if asc else moves[::-1]
    chunk = moves[start:start + size]
    created = _created(session, {tx.order_id for tx in chunk if tx.order_id})
    money = lambda minor: amount(minor, row.currency, shop.market)  # noqa: E731
    status = days.payment_statuses(session, shop, [row])[row.id]
    return {
        "id": str(row.id), "create_time": unix(days.day_bounds(shop.market,
                                                                row.statement_date)[0]),
        "status": PAYMENT_STATUS[status], "currency": row.currency,
        "payable_amount": money(row.settlement_minor - row.payout_minor),
        "total_settlement_amount": money(row.settlement_minor - row.payout_minor),
        "total_reserve_amount": money(0), "total_count": len(moves),
        "total_settlement_breakdown": {
            "total_revenue_amount": money(row.revenue_minor + row.refund_minor),
            "total_shipping_cost_amount": money(0),
            "total_fee_tax_amount": money(row.fee_minor + row.tax_minor),
            "total_adjustment_amount": money(row.adjustment_minor)},
        "transactions": [{
            "id": str(tx.operation_id), "type": tx.type,
            "order_id": str(tx.order_id or ""), "order_create_time":
            created.get(tx.order_id or 0, 0),
            "adjustment_id": str(tx.operation_id) if tx.type == "ADJUSTMENT" else "",
            "adjustment_order_id": "", "adjustment_amount": money(tx.adjustment_minor),
            "revenue_amount": money(tx.revenue_minor), "shipping_cost_amount": money(0),
            "fee_tax_amount": money(tx.fee_minor + tx.tax_minor),
            "fee_tax_breakdown": {"fee": {"referral_fee_amount": money(tx.fee_minor)},
                                  "tax": {"vat_amount": money(tx.tax_minor)}},
            "settlement_amount": money(tx.settlement_minor), "reserve_amount": money(0)}
            for tx in chunk],
        "next_page_token": encode_token(start + size) if start + size < len(moves) else ""}


@partner("GET", "finance", "orders/{order_id:str}/statement_transactions", scope=SCOPE,
         summary="Get an order's transactions")
def order_transactions(session: Session, call: Call) -> dict[str, Any]:
    shop = call.shop_row
    order_id = an_id(call.path_params.get("order_id"), "order_id")
    row = session.execute(select(Settlement).where(
        Settlement.order_id == order_id, Settlement.shop_id == shop.id)).scalar_one_or_none()
    order = session.get(Order, order_id)
    if row is None or order is None:
        raise OpenError(E.NOT_FOUND, "No settlement for this order.")
    money = lambda minor: amount(minor, row.currency, shop.market)  # noqa: E731
    net, fee, tax = row.settled_net_minor, row.settled_fee_minor, row.settled_tax_minor
    if net is None or fee is None or tax is None or row.settled_at is None:
        return {"order_id": str(order_id), "order_create_time": unix(order.created_at),
                "currency": row.currency, "revenue_amount": money(0),
                "fee_and_tax_amount": money(0), "shipping_cost_amount": money(0),
                "settlement_amount": money(0), "sku_transactions": []}
    day: date = days.local_date(shop.market, row.settled_at)
    statement = session.execute(select(Statement.id).where(
        Statement.shop_id == shop.id, Statement.statement_date == day)).scalar_one_or_none()
    lines = session.execute(select(SettlementLine, OrderLine).join(
        OrderLine, OrderLine.id == SettlementLine.order_line_id).where(
        SettlementLine.settlement_id == row.id).order_by(SettlementLine.id)).all()
    return {
        "order_id": str(order_id), "order_create_time": unix(order.created_at),
        "currency": row.currency, "revenue_amount": money(net + fee + tax),
        "fee_and_tax_amount": money(-(fee + tax)), "shipping_cost_amount": money(0),
        "settlement_amount": money(net),
        "sku_transactions": [{
            "sku_id": str(ol.sku_id), "sku_name": ol.title, "product_name": ol.title,
            "statement_id": str(statement) if statement else "", "quantity": str(ol.quantity),
            "revenue_amount": money(ol.total_minor),
            "fee_tax_amount": money(-(sl.fee_minor + ol.tax_minor)),
            "fee_tax_breakdown": {"fee": {"referral_fee_amount": money(-sl.fee_minor)},
                                  "tax": {"vat_amount": money(-ol.tax_minor)}},
            "shipping_cost_amount": money(0),
            "settlement_amount": money(ol.total_minor - sl.fee_minor - ol.tax_minor)}
            for sl, ol in lines]}


ROUTES = [get_statements, statement_transactions, order_transactions]
